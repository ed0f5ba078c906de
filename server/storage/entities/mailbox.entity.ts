import type { DisabledReason } from "../../domain/integration-state.js";
import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { BucketRow } from "./bucket.entity.js";
import { IntegrationRow } from "./integration.entity.js";

export interface StoredMailboxFilters {
  allowedFolders: string[];
  deniedFolders: string[];
  allowedParticipants: string[];
  deniedParticipants: string[];
  allowedDomains: string[];
  deniedDomains: string[];
}

@Entity("mailbox")
@Index(["integrationId", "email"], { unique: true })
export class MailboxRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "integration_id" })
  integrationId!: string;

  @ManyToOne(() => IntegrationRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "integration_id" })
  integration?: IntegrationRow;

  /** Lower-cased address. */
  @Column({ type: "varchar", length: 320 })
  email!: string;

  @Column({ type: "varchar", length: 36, name: "bucket_id" })
  bucketId!: string;

  // A bucket in use by a mailbox cannot be deleted (the service answers CONFLICT first).
  @ManyToOne(() => BucketRow, { onDelete: "RESTRICT" })
  @JoinColumn({ name: "bucket_id" })
  bucket?: BucketRow;

  @Column({ type: Date, nullable: true, name: "sync_from" })
  syncFrom!: Date | null;

  @Column({ type: Boolean, default: false, name: "all_time" })
  allTime!: boolean;

  @Column({ type: "simple-json" })
  filters!: StoredMailboxFilters;

  @Column({ type: Boolean, default: false, name: "sync_attachments" })
  syncAttachments!: boolean;

  @Column({ type: Boolean, default: true })
  enabled!: boolean;

  @Column({ type: "varchar", length: 16, nullable: true, name: "disabled_reason" })
  disabledReason!: DisabledReason | null;

  @Column({ type: "text", nullable: true, name: "last_error" })
  lastError!: string | null;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;

  @Column({ type: Date, name: "updated_at" })
  updatedAt!: Date;
}
