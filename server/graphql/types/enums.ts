import { registerEnumType } from "type-graphql";
import {
  AccessMode,
  AuthMethod,
  CredentialStatus,
  DisabledReason,
  ExchangeApi,
  MailboxAccess,
} from "../../domain/integration-state.js";

// The integration's values are the domain's (server/domain/integration-state.ts), registered here.
export { AccessMode, AuthMethod, CredentialStatus, DisabledReason, ExchangeApi, MailboxAccess };

export enum Permission {
  INTEGRATIONS_READ = "INTEGRATIONS_READ",
  INTEGRATIONS_WRITE = "INTEGRATIONS_WRITE",
  BUCKETS_READ = "BUCKETS_READ",
  BUCKETS_WRITE = "BUCKETS_WRITE",
  STREAMS_READ = "STREAMS_READ",
  STREAMS_ADMIN = "STREAMS_ADMIN",
  STREAMS_CONSUME = "STREAMS_CONSUME",
  MESSAGES_READ = "MESSAGES_READ",
}

export enum SyncStatus {
  IDLE = "IDLE",
  QUEUED = "QUEUED",
  SYNCING = "SYNCING",
  UP_TO_DATE = "UP_TO_DATE",
  FAILED = "FAILED",
  DISABLED = "DISABLED",
}

registerEnumType(Permission, { name: "Permission" });
registerEnumType(ExchangeApi, { name: "ExchangeApi" });
registerEnumType(AuthMethod, { name: "AuthMethod" });
registerEnumType(AccessMode, { name: "AccessMode" });
registerEnumType(DisabledReason, { name: "DisabledReason" });
registerEnumType(CredentialStatus, { name: "CredentialStatus" });
registerEnumType(MailboxAccess, { name: "MailboxAccess" });
registerEnumType(SyncStatus, { name: "SyncStatus" });
