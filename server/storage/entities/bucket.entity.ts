import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ProjectRow } from "./project.entity.js";

@Entity("bucket")
@Index(["projectId", "name"], { unique: true })
export class BucketRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "project_id" })
  projectId!: string;

  @ManyToOne(() => ProjectRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "project_id" })
  project?: ProjectRow;

  @Column({ type: "varchar", length: 256 })
  name!: string;

  @Column({ type: "text", default: "" })
  title!: string;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;
}
