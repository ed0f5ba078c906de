import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { BucketRow } from "./bucket.entity.js";
import { ProjectRow } from "./project.entity.js";

export interface StoredStreamFilter {
  receivedFrom: string | null;
  receivedTo: string | null;
  folders: string[];
  participants: string[];
  domains: string[];
}

@Entity("stream")
@Index(["projectId", "name"], { unique: true })
export class StreamRow {
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

  @Column({ type: "simple-json" })
  filter!: StoredStreamFilter;

  /** Sequence id of the last message consumed (advanced past). */
  @Column({ type: "bigint", default: 0 })
  position!: string;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;
}

@Entity("stream_bucket")
export class StreamBucketRow {
  @PrimaryColumn({ type: "varchar", length: 36, name: "stream_id" })
  streamId!: string;

  @ManyToOne(() => StreamRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "stream_id" })
  stream?: StreamRow;

  @PrimaryColumn({ type: "varchar", length: 36, name: "bucket_id" })
  bucketId!: string;

  @ManyToOne(() => BucketRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "bucket_id" })
  bucket?: BucketRow;
}
