import { Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from "typeorm";
import { MailboxRow } from "./mailbox.entity.js";

/** What users see of a mailbox's sync (`Mailbox.sync`); one row per mailbox, written often. */
@Entity("mailbox_sync")
export class MailboxSyncRow {
  @PrimaryColumn({ type: "varchar", length: 36, name: "mailbox_id" })
  mailboxId!: string;

  @OneToOne(() => MailboxRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "mailbox_id" })
  mailbox?: MailboxRow;

  @Column({ type: "varchar", length: 16, default: "IDLE" })
  status!: string;

  @Column({ type: "varchar", length: 32, nullable: true })
  phase!: string | null;

  @Column({ type: "text", nullable: true, name: "current_folder" })
  currentFolder!: string | null;

  @Column({ type: "integer", default: 0, name: "folders_total" })
  foldersTotal!: number;

  @Column({ type: "integer", default: 0, name: "folders_done" })
  foldersDone!: number;

  @Column({ type: "integer", default: 0, name: "messages_seen" })
  messagesSeen!: number;

  @Column({ type: "integer", default: 0, name: "messages_stored" })
  messagesStored!: number;

  @Column({ type: "integer", default: 0, name: "messages_filtered" })
  messagesFiltered!: number;

  @Column({ type: "integer", default: 0, name: "attachments_stored" })
  attachmentsStored!: number;

  @Column({ type: "double precision", default: 0, name: "messages_per_second" })
  messagesPerSecond!: number;

  /**
   * A first sync's volume: the items in the folders it walks, as the folder tree counts them (an
   * upper bound: the time range is not applied); 0 in later rounds, which only read changes.
   */
  @Column({ type: "integer", default: 0, name: "messages_expected" })
  messagesExpected!: number;

  @Column({ type: Date, nullable: true, name: "started_at" })
  startedAt!: Date | null;

  @Column({ type: Date, nullable: true, name: "last_synced_at" })
  lastSyncedAt!: Date | null;

  @Column({ type: "text", nullable: true, name: "last_error" })
  lastError!: string | null;
}

/**
 * Where a folder's enumeration stands. Saved in the same transaction as the messages of the page
 * it covers, so a crash never loses or duplicates a message.
 */
@Entity("folder_checkpoint")
@Index(["mailboxId", "folderId"], { unique: true })
export class FolderCheckpointRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "mailbox_id" })
  mailboxId!: string;

  @ManyToOne(() => MailboxRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "mailbox_id" })
  mailbox?: MailboxRow;

  /** Graph's immutable folder id. */
  @Column({ type: "varchar", length: 512, name: "folder_id" })
  folderId!: string;

  @Column({ type: "text", name: "folder_path" })
  folderPath!: string;

  /** `@odata.deltaLink` once the folder was enumerated; the next incremental round starts here. */
  @Column({ type: "text", nullable: true, name: "delta_link" })
  deltaLink!: string | null;

  /** `@odata.nextLink` of a round in progress. */
  @Column({ type: "text", nullable: true, name: "next_link" })
  nextLink!: string | null;

  /** The lower bound (syncFrom) the folder's enumeration covers; null for all time. */
  @Column({ type: Date, nullable: true, name: "covered_from" })
  coveredFrom!: Date | null;

  /** Position of a backfill/listing in progress (received time of the last stored page's end). */
  @Column({ type: "text", nullable: true, name: "listing_cursor" })
  listingCursor!: string | null;

  @Column({ type: "varchar", length: 16, default: "PENDING" })
  status!: string;

  /**
   * Fingerprint of the participant/domain filters the covered range was enumerated with; when the
   * filters change, the range is listed again so a widened filter backfills what it left out.
   */
  @Column({ type: "varchar", length: 64, nullable: true, name: "filters_hash" })
  filtersHash!: string | null;

  @Column({ type: "integer", default: 0, name: "messages_seen" })
  messagesSeen!: number;

  @Column({ type: Date, name: "updated_at" })
  updatedAt!: Date;
}

/**
 * A message of a mailbox that could not be stored (its attachment would not download, the
 * database refused it, …): kept with the reason where support can see it (`Mailbox.skippedMessages`)
 * and tried again at the end of later rounds, while the folder's checkpoint moves on without it.
 */
@Entity("skipped_message")
@Index(["mailboxId", "remoteId"], { unique: true })
export class SkippedMessageRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "mailbox_id" })
  mailboxId!: string;

  @ManyToOne(() => MailboxRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "mailbox_id" })
  mailbox?: MailboxRow;

  /** The mail API's immutable id of the message. */
  @Column({ type: "varchar", length: 512, name: "remote_id" })
  remoteId!: string;

  @Column({ type: "text", name: "folder_path" })
  folderPath!: string;

  @Column({ type: "text" })
  reason!: string;

  @Column({ type: "integer", default: 1 })
  attempts!: number;

  @Column({ type: Date, name: "first_skipped_at" })
  firstSkippedAt!: Date;

  @Column({ type: Date, name: "last_attempt_at" })
  lastAttemptAt!: Date;
}
