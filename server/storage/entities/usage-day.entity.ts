import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import { ProjectRow } from "./project.entity.js";

/**
 * The usage ledger: units charged per UTC day, per integration and mailbox, written in the
 * transaction that stores (and charges) the messages. Rows outlive their integration and mailbox
 * (history), not their project. `integrationId`/`mailbox` are '' for messages stored by no
 * integration (a primary key cannot hold NULL).
 */
@Entity("usage_day")
export class UsageDayRow {
  @PrimaryColumn({ type: "varchar", length: 36, name: "project_id" })
  projectId!: string;

  @ManyToOne(() => ProjectRow, { onDelete: "CASCADE" })
  @JoinColumn({ name: "project_id" })
  project?: ProjectRow;

  /** `YYYY-MM-DD`, UTC. */
  @PrimaryColumn({ type: "varchar", length: 10 })
  day!: string;

  @PrimaryColumn({ type: "varchar", length: 36, name: "integration_id" })
  integrationId!: string;

  /** The mailbox's address. */
  @PrimaryColumn({ type: "varchar", length: 320 })
  mailbox!: string;

  @Column({ type: "integer", default: 0 })
  units!: number;

  @Column({ type: "integer", default: 0 })
  messages!: number;
}
