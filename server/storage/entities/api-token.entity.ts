import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ProjectRow } from "./project.entity.js";

@Entity("api_token")
export class ApiTokenRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 256 })
  name!: string;

  /** SHA-256 (hex) of the token; the token itself is shown once and never stored. */
  @Index({ unique: true })
  @Column({ type: "varchar", length: 64, name: "token_hash" })
  tokenHash!: string;

  @Column({ type: Boolean, default: false })
  admin!: boolean;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;

  @Column({ type: Date, nullable: true, name: "last_used_at" })
  lastUsedAt!: Date | null;

  @Column({ type: Date, nullable: true, name: "revoked_at" })
  revokedAt!: Date | null;
}

@Entity("api_token_grant")
@Index(["tokenId", "projectId"], { unique: true })
export class ApiTokenGrantRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "token_id" })
  tokenId!: string;

  @ManyToOne(() => ApiTokenRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "token_id" })
  token?: ApiTokenRow;

  @Column({ type: "varchar", length: 36, name: "project_id" })
  projectId!: string;

  @ManyToOne(() => ProjectRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "project_id" })
  project?: ProjectRow;

  /** Permission names (`integrations-read`, …). */
  @Column({ type: "simple-json" })
  permissions!: string[];
}
