import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";

/**
 * One mutation, as the audit log records it: who (token id and name, copied so the entry outlives
 * the token), what (mutation, target), the outcome (OK or the refusal's error code) and when. No
 * foreign keys: an entry stays when its project, target or token is deleted. `summary` is a short
 * text built from named, non-secret fields (never the input itself).
 */
@Entity("audit_log")
@Index(["projectName", "seq"])
export class AuditLogRow {
  /** Insertion order, the keyset of the newest-first listing. */
  @PrimaryGeneratedColumn({ type: "integer" })
  seq!: number;

  @Column({ type: Date })
  at!: Date;

  @Column({ type: "varchar", length: 36, name: "token_id" })
  tokenId!: string;

  @Column({ type: "varchar", length: 256, name: "token_name" })
  tokenName!: string;

  @Column({ type: "varchar", length: 64 })
  action!: string;

  @Column({ type: "varchar", length: 36, name: "project_id", nullable: true })
  projectId!: string | null;

  @Column({ type: "varchar", length: 256, name: "project_name", nullable: true })
  projectName!: string | null;

  @Column({ type: "varchar", length: 32, name: "target_type", nullable: true })
  targetType!: string | null;

  @Column({ type: "varchar", length: 256, name: "target_id", nullable: true })
  targetId!: string | null;

  @Column({ type: "varchar", length: 512, name: "target_name", nullable: true })
  targetName!: string | null;

  /** `OK`, or the GraphQL error code of the refusal (BAD_USER_INPUT, FORBIDDEN, …). */
  @Column({ type: "varchar", length: 32 })
  outcome!: string;

  @Column({ type: "text", default: "" })
  summary!: string;
}
