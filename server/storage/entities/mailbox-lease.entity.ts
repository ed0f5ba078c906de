import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from "typeorm";
import { MailboxRow } from "./mailbox.entity.js";

/**
 * Who syncs a mailbox, and when its next round is due. With PostgreSQL a process holds the lease
 * (`owner`, renewed before `expiresAt`) and every page it commits checks `owner` and `epoch` in
 * the same transaction: taking the lease over, disabling, deleting or resyncing bumps the epoch,
 * so work started under the old one can no longer commit. The scheduling columns (`dueAt`,
 * `requested`, `failures`) are what any process needs to pick the mailbox up where another left
 * it. SQLite uses the scheduling columns only (one process, no lease).
 */
@Entity("mailbox_lease")
@Index(["owner"])
@Index(["dueAt"])
export class MailboxLeaseRow {
  @PrimaryColumn({ type: "varchar", length: 36, name: "mailbox_id" })
  mailboxId!: string;

  @OneToOne(() => MailboxRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "mailbox_id" })
  mailbox?: MailboxRow;

  /** The holding process (`sync_process.id`); null: free. */
  @Column({ type: "varchar", length: 36, nullable: true })
  owner!: string | null;

  /** Bumped by every takeover and every revocation (disable, delete, resync). */
  @Column({ type: "integer", default: 0 })
  epoch!: number;

  @Column({ type: Date, nullable: true, name: "expires_at" })
  expiresAt!: Date | null;

  /** When the next round should start (now for a new, requested or failed-and-retried one). */
  @Column({ type: Date, name: "due_at" })
  dueAt!: Date;

  /** syncMailbox / resyncMailbox / enable asked for a round that has not started yet. */
  @Column({ type: "boolean", default: false })
  requested!: boolean;

  /**
   * With `requested`: the message ids (JSON) of the change notifications that asked for the round,
   * so it may run only their folders' deltas (domain/notified-round.ts); null: a full round.
   */
  @Column({ type: "text", nullable: true, name: "notified_messages" })
  notifiedMessages!: string | null;

  /** Failed rounds in a row (back-off grows with it); 0 after a round that did not fail. */
  @Column({ type: "integer", default: 0 })
  failures!: number;
}

/** A running server process (one row per start), kept alive by its lease renewals. */
@Entity("sync_process")
export class SyncProcessRow {
  /** Made at start (random), so a restarted process is a new owner. */
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  /** MAILSTREAM_PROCESS_NAME, or `<host>:<pid>`. */
  @Column({ type: "varchar", length: 255 })
  name!: string;

  @Column({ type: "varchar", length: 255 })
  host!: string;

  @Column({ type: "integer" })
  pid!: number;

  @Column({ type: Date, name: "started_at" })
  startedAt!: Date;

  /** Alive while this is recent (within a lease TTL). */
  @Column({ type: Date, name: "heartbeat_at" })
  heartbeatAt!: Date;
}
