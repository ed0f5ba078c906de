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
registerEnumType(MailboxAccess, {
  name: "MailboxAccess",
  valuesConfig: {
    NOT_ENABLED_FOR_REST: {
      description:
        "The mailbox exists but Microsoft Graph cannot read it (MailboxNotEnabledForRESTAPI): unlicensed, inactive, soft-deleted or on-premises. License it; for on-premises use EWS.",
    },
  },
});
registerEnumType(SyncStatus, { name: "SyncStatus" });

export enum MessageOrder {
  NEWEST_FIRST = "NEWEST_FIRST",
  OLDEST_FIRST = "OLDEST_FIRST",
  /** Best matches of `filter.search` first (then newest); its cursors are positions. */
  RELEVANCE = "RELEVANCE",
}
registerEnumType(MessageOrder, {
  name: "MessageOrder",
  description:
    "Order of a bucket's messages: by received time (ties broken by id), or by relevance to a search.",
});

export enum ListOrder {
  NAME_ASC = "NAME_ASC",
  NAME_DESC = "NAME_DESC",
  NEWEST_FIRST = "NEWEST_FIRST",
  OLDEST_FIRST = "OLDEST_FIRST",
}
registerEnumType(ListOrder, {
  name: "ListOrder",
  description:
    "Order of a list of integrations, buckets, streams or tokens: by name or by creation.",
});

/** How new mail of a mailbox is noticed (docs/push.md). */
export enum PushState {
  /** Change notifications arrive; polling is a safety net at MAILSTREAM_SAFETY_POLL_INTERVAL. */
  ACTIVE = "ACTIVE",
  /** No notifications (off, refused, not available): polled every MAILSTREAM_SYNC_INTERVAL. */
  POLLING = "POLLING",
  /** Polled until the subscription is created (after the mailbox's first round). */
  PENDING = "PENDING",
}
registerEnumType(PushState, {
  name: "PushState",
  description: "How new mail of a mailbox is noticed: change notifications or polling.",
});
