import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { BucketRow } from "./bucket.entity.js";

export interface StoredParticipant {
  name: string | null;
  address: string;
}

/**
 * A message in a bucket, keyed by its internet Message-ID: the same email reached through several
 * mailboxes or folders is one row.
 */
@Entity("message")
@Index(["bucketId", "internetMessageId"], { unique: true })
@Index(["projectId", "sequenceId"], { unique: true })
@Index(["bucketId", "receivedAt", "id"])
@Index(["bucketId", "folder"])
export class MessageRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "bucket_id" })
  bucketId!: string;

  @ManyToOne(() => BucketRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "bucket_id" })
  bucket?: BucketRow;

  /** Denormalised from the bucket: sequence ids are allocated per project (see ProjectRow). */
  @Column({ type: "varchar", length: 36, name: "project_id" })
  projectId!: string;

  @Column({ type: "bigint", name: "sequence_id" })
  sequenceId!: string;

  @Column({ type: "varchar", length: 998, name: "internet_message_id" })
  internetMessageId!: string;

  /** Graph's immutable id of the copy synced last. */
  @Column({ type: "varchar", length: 512, name: "graph_id" })
  graphId!: string;

  @Column({ type: "varchar", length: 512, nullable: true, name: "conversation_id" })
  conversationId!: string | null;

  /** Address of the mailbox the copy synced last came from. */
  @Column({ type: "varchar", length: 320 })
  mailbox!: string;

  @Column({ type: "text" })
  folder!: string;

  @Column({ type: "text" })
  subject!: string;

  @Column({ type: "simple-json", nullable: true, name: "from_participant" })
  from!: StoredParticipant | null;

  @Column({ type: "simple-json", nullable: true, name: "sender_participant" })
  sender!: StoredParticipant | null;

  @Column({ type: "simple-json", name: "to_participants" })
  to!: StoredParticipant[];

  @Column({ type: "simple-json", name: "cc_participants" })
  cc!: StoredParticipant[];

  @Column({ type: "simple-json", name: "bcc_participants" })
  bcc!: StoredParticipant[];

  /** Space-separated, lower-cased participant addresses, for participant/domain filters on reads. */
  @Column({ type: "text", name: "participant_addresses" })
  participantAddresses!: string;

  @Column({ type: Date, nullable: true, name: "sent_at" })
  sentAt!: Date | null;

  @Column({ type: Date, name: "received_at" })
  receivedAt!: Date;

  @Column({ type: "text", name: "body_text" })
  bodyText!: string;

  @Column({ type: "text", nullable: true, name: "body_html" })
  bodyHtml!: string | null;

  /** What was changed to make the message storable (NUL characters removed, …); null: nothing. */
  @Column({ type: "simple-json", nullable: true, name: "storage_notes" })
  storageNotes!: string[] | null;

  @Column({ type: Date, name: "stored_at" })
  storedAt!: Date;

  @Column({ type: Date, name: "updated_at" })
  updatedAt!: Date;
}

@Entity("attachment")
@Index(["messageId", "graphId"], { unique: true })
export class AttachmentRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 36, name: "message_id" })
  messageId!: string;

  @ManyToOne(() => MessageRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "message_id" })
  message?: MessageRow;

  @Column({ type: "varchar", length: 512, name: "graph_id" })
  graphId!: string;

  @Column({ type: "text" })
  name!: string;

  @Column({ type: "varchar", length: 255, name: "content_type" })
  contentType!: string;

  @Column({ type: "bigint" })
  size!: string;

  @Column({ type: Boolean, default: false })
  inline!: boolean;

  /** `file`, `item` or `reference` (Graph's attachment kinds). */
  @Column({ type: "varchar", length: 16 })
  kind!: string;

  /** SHA-256 of the stored contents (content-addressed, each stored once); null until fetched. */
  @Column({ type: "varchar", length: 64, nullable: true, name: "content_sha256" })
  contentSha256!: string | null;

  /** Unguessable download reference, set once contents are stored. */
  @Index({ unique: true })
  @Column({ type: "varchar", length: 64, nullable: true })
  reference!: string | null;
}

/**
 * One row per distinct attachment content stored (in the data dir on SQLite, as
 * attachment_blob_chunk rows on PostgreSQL, written with it).
 */
@Entity("attachment_blob")
export class AttachmentBlobRow {
  @PrimaryColumn({ type: "varchar", length: 64 })
  sha256!: string;

  @Column({ type: "bigint" })
  size!: string;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;
}

/**
 * A piece of an attachment's contents on PostgreSQL (server/storage/blob-store.ts), `seq` from 0.
 * PostgreSQL only (`bytea`): on SQLite contents stay in the data dir, so this entity is not part
 * of SQLite's schema (POSTGRES_ONLY_ENTITIES).
 */
@Entity("attachment_blob_chunk")
export class AttachmentBlobChunkRow {
  @PrimaryColumn({ type: "varchar", length: 64 })
  sha256!: string;

  @PrimaryColumn({ type: "integer" })
  seq!: number;

  @Column({ type: "bytea" })
  data!: Buffer;
}
