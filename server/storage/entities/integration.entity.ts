import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from "typeorm";
import type {
  AccessMode,
  AuthMethod,
  CredentialStatus,
  DisabledReason,
  ExchangeApi,
  MailboxAccess,
} from "../../domain/integration-state.js";
import { ProjectRow } from "./project.entity.js";

export interface StoredMailboxCheck {
  email: string;
  access: MailboxAccess;
  error: string | null;
}

@Entity("integration")
@Index(["projectId", "name"], { unique: true })
export class IntegrationRow {
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

  @Column({ type: "varchar", length: 16 })
  api!: ExchangeApi;

  @Column({ type: "varchar", length: 16, name: "auth_method" })
  authMethod!: AuthMethod;

  @Column({ type: "varchar", length: 16 })
  access!: AccessMode;

  /** Null for NTLM, which talks to a self-hosted Exchange without an identity platform. */
  @Column({ type: "text", nullable: true, name: "authority_url" })
  authorityUrl!: string | null;

  @Column({ type: "varchar", length: 36, nullable: true, name: "client_id" })
  clientId!: string | null;

  @Column({ type: "text", name: "graph_endpoint" })
  graphEndpoint!: string;

  @Column({ type: "text", nullable: true, name: "ews_url" })
  ewsUrl!: string | null;

  @Column({ type: "text", nullable: true, name: "service_username" })
  serviceUsername!: string | null;

  @Column({ type: "varchar", length: 64, nullable: true, name: "certificate_thumbprint" })
  certificateThumbprint!: string | null;

  /**
   * The write-only credentials (client secret, private key, service password) as one AES-256-GCM
   * envelope (server/auth/secret-box.ts). Never selected into an API response.
   */
  @Column({ type: "text", nullable: true, name: "secret_envelope" })
  secretEnvelope!: string | null;

  @Column({ type: Boolean, default: true })
  enabled!: boolean;

  @Column({ type: "varchar", length: 16, nullable: true, name: "disabled_reason" })
  disabledReason!: DisabledReason | null;

  @Column({ type: "text", nullable: true, name: "last_error" })
  lastError!: string | null;

  @Column({ type: "varchar", length: 16, default: "UNVALIDATED", name: "credential_status" })
  credentialStatus!: CredentialStatus;

  @Column({ type: Date, nullable: true, name: "credential_checked_at" })
  credentialCheckedAt!: Date | null;

  @Column({ type: "text", nullable: true, name: "credential_error" })
  credentialError!: string | null;

  @Column({ type: "simple-json", name: "credential_mailboxes" })
  credentialMailboxes!: StoredMailboxCheck[];

  @Column({ type: "simple-json" })
  warnings!: string[];

  /** When the client secret (or certificate) expires, as the user recorded it; null: not known. */
  @Column({ type: Date, nullable: true, name: "secret_expires_at" })
  secretExpiresAt!: Date | null;

  @Column({ type: Date, name: "created_at" })
  createdAt!: Date;

  @Column({ type: Date, name: "updated_at" })
  updatedAt!: Date;
}
