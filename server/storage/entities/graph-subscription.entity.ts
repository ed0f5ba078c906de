import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from "typeorm";
import { MailboxRow } from "./mailbox.entity.js";

/**
 * A mailbox's change-notification subscription and push state (docs/push.md): one row per mailbox
 * that has tried push. The client state is sealed like other secrets (bound to the row's id). The
 * renewal job reads `nextActionAt` from here, so it survives restarts.
 */
@Entity("graph_subscription")
export class GraphSubscriptionRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Index({ unique: true })
  @Column({ type: "varchar", length: 36, name: "mailbox_id" })
  mailboxId!: string;

  @OneToOne(() => MailboxRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "mailbox_id" })
  mailbox?: MailboxRow;

  /** Graph's subscription id; null while none exists. */
  @Index()
  @Column({ type: "varchar", length: 128, nullable: true, name: "subscription_id" })
  subscriptionId!: string | null;

  /** Sealed clientState of the current subscription. */
  @Column({ type: "text", nullable: true, name: "client_state_envelope" })
  clientStateEnvelope!: string | null;

  /** ACTIVE (notifications flow) or POLLING (none: refused, lost, being retried). */
  @Column({ type: "varchar", length: 16, default: "POLLING" })
  state!: string;

  @Column({ type: "text", nullable: true })
  reason!: string | null;

  @Column({ type: Date, nullable: true, name: "expires_at" })
  expiresAt!: Date | null;

  /** When the job acts next: renew an active subscription, or try to create one again. */
  @Index()
  @Column({ type: Date, name: "next_action_at" })
  nextActionAt!: Date;

  @Column({ type: "integer", default: 0 })
  failures!: number;

  @Column({ type: Date, name: "updated_at" })
  updatedAt!: Date;
}
