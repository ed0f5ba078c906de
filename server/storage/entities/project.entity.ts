import { Column, Entity, PrimaryColumn } from "typeorm";

@Entity("project")
export class ProjectRow {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ type: "varchar", length: 256, unique: true })
  name!: string;

  @Column({ type: "text", default: "" })
  title!: string;

  @Column({ type: "text", default: "" })
  description!: string;

  @Column({ type: "integer", nullable: true, name: "unit_budget" })
  unitBudget!: number | null;

  /** Messages created in the project's buckets; each is charged 1 unit in the same transaction. */
  @Column({ type: "integer", default: 0, name: "messages_created" })
  messagesCreated!: number;

  @Column({ type: "integer", default: 0, name: "units_charged" })
  unitsCharged!: number;

  /**
   * Last sequence id handed out to a message of this project. Allocated with an UPDATE on this
   * row inside the storing transaction, so the row lock orders commits by sequence id and a stream
   * consumer can never see a larger id before a smaller one commits.
   */
  @Column({ type: "bigint", default: 0, name: "last_sequence" })
  lastSequence!: string;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;

  @Column({ type: Date, name: "updated_at" })
  updatedAt!: Date;
}
