import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import type { CountedPage } from "../../messages/message-service.js";
import {
  AccessMode,
  AuthMethod,
  CredentialStatus,
  DisabledReason,
  ExchangeApi,
  MailboxAccess,
  Permission,
  PushState,
  SyncStatus,
} from "./enums.js";

// Object types mirror the contract (shared/contract/schema.graphql). Fields that need a lookup
// (project, mailboxes, usage, …) are field resolvers in ../resolvers; the rest are read from the
// storage rows that resolvers return, which is why these classes declare only plain fields.
// No type-graphql middleware or auth checker is used, so plain fields skip its per-field wrapper
// (graphql-js reads the property directly): a 100-message stream fetch resolves ~2,000 of them.
const PLAIN = { simpleResolvers: true } as const;

@ObjectType("Usage", PLAIN)
export class UsageType {
  @Field(() => Int) messagesCreated!: number;
  @Field(() => Int) unitsCharged!: number;
}

@ObjectType("UsageDay", {
  ...PLAIN,
  description:
    "Units charged on one UTC day for the messages one mailbox of one integration stored (the usage ledger).",
})
export class UsageDayType {
  @Field(() => String, { description: "The UTC day, YYYY-MM-DD." }) day!: string;
  @Field(() => ID, {
    nullable: true,
    description: "Null for messages stored by no integration.",
  })
  integrationId!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "The integration's API name; null once it was deleted.",
  })
  integrationName!: string | null;
  @Field(() => String, { nullable: true, description: "The mailbox's address." })
  mailbox!: string | null;
  @Field(() => Int) units!: number;
  @Field(() => Int, { description: "Messages created in buckets (each charged 1 unit)." })
  messages!: number;
}

@ObjectType("Project", PLAIN)
export class ProjectType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) title!: string;
  @Field(() => String) description!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Int, { nullable: true }) unitBudget!: number | null;
}

@ObjectType("MailboxCheck", PLAIN)
export class MailboxCheckType {
  @Field(() => String) email!: string;
  @Field(() => MailboxAccess) access!: MailboxAccess;
  @Field(() => String, { nullable: true }) error!: string | null;
}

@ObjectType("CredentialCheck", PLAIN)
export class CredentialCheckType {
  @Field(() => CredentialStatus) status!: CredentialStatus;
  @Field(() => Date, { nullable: true }) checkedAt!: Date | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => [MailboxCheckType]) mailboxes!: MailboxCheckType[];
}

@ObjectType("Integration", PLAIN)
export class IntegrationType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) title!: string;
  @Field(() => ExchangeApi) api!: ExchangeApi;
  @Field(() => AuthMethod) authMethod!: AuthMethod;
  @Field(() => AccessMode) access!: AccessMode;
  @Field(() => String, { nullable: true }) authorityUrl!: string | null;
  @Field(() => String, { nullable: true }) clientId!: string | null;
  @Field(() => String) graphEndpoint!: string;
  @Field(() => String, { nullable: true }) ewsUrl!: string | null;
  @Field(() => String, { nullable: true }) serviceUsername!: string | null;
  @Field(() => String, { nullable: true }) certificateThumbprint!: string | null;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => DisabledReason, { nullable: true }) disabledReason!: DisabledReason | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => [String]) warnings!: string[];
  @Field(() => Date, {
    nullable: true,
    description: "When the secret or certificate expires, as recorded with the connection.",
  })
  secretExpiresAt!: Date | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType("MailboxFilters", PLAIN)
export class MailboxFiltersType {
  @Field(() => [String]) allowedFolders!: string[];
  @Field(() => [String]) deniedFolders!: string[];
  @Field(() => [String]) allowedParticipants!: string[];
  @Field(() => [String]) deniedParticipants!: string[];
  @Field(() => [String]) allowedDomains!: string[];
  @Field(() => [String]) deniedDomains!: string[];
}

@ObjectType("SyncProcess", {
  ...PLAIN,
  description: "A server process of the deployment (several share one PostgreSQL database).",
})
export class SyncProcessType {
  @Field(() => String, { description: "MAILSTREAM_PROCESS_NAME, or host:pid." }) name!: string;
  @Field(() => String) host!: string;
  @Field(() => Int) pid!: number;
  @Field(() => Date, { description: "When its lease runs out unless renewed (every third of it)." })
  leaseExpiresAt!: Date;
}

@ObjectType("SyncState", PLAIN)
export class SyncStateType {
  @Field(() => SyncStatus) status!: SyncStatus;
  @Field(() => String, { nullable: true }) phase!: string | null;
  @Field(() => String, { nullable: true }) currentFolder!: string | null;
  @Field(() => Int, { description: "Folders to walk in the current (or last) round." })
  foldersTotal!: number;
  @Field(() => Int, { description: "Folders done in the current (or last) round." })
  foldersDone!: number;
  @Field(() => Int, {
    description:
      "Messages read from Microsoft in the current (or last) round; 0 at each round's start.",
  })
  messagesSeen!: number;
  @Field(() => Int, {
    description:
      "Messages stored in the current (or last) round; the bucket's messageCount is the total.",
  })
  messagesStored!: number;
  @Field(() => Int, {
    description:
      "Messages left out by the participant and domain filters in the current (or last) round.",
  })
  messagesFiltered!: number;
  @Field(() => Int, { description: "Attachment contents stored in the current (or last) round." })
  attachmentsStored!: number;
  @Field(() => Float, { description: "Messages read per second in the current round." })
  messagesPerSecond!: number;
  @Field(() => Int, {
    nullable: true,
    description:
      "A first sync's volume: the items of the folders it walks (an upper bound: the time range and participant filters are not applied); null in later rounds.",
  })
  messagesExpected!: number | null;
  @Field(() => Int, {
    nullable: true,
    description:
      "Seconds until a first sync is done, from messagesExpected and the current rate (an upper bound); null when unknown or not syncing.",
  })
  etaSeconds!: number | null;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastSyncedAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => SyncProcessType, {
    nullable: true,
    description:
      "The process that holds this mailbox's lease and runs its rounds (PostgreSQL); null with SQLite (one process) or while no process holds it.",
  })
  heldBy!: SyncProcessType | null;
  @Field(() => PushState, {
    description: "Change notifications (ACTIVE) or polling, and why (`pushReason`).",
  })
  push!: PushState;
  @Field(() => String, {
    nullable: true,
    description: "Why the mailbox is polled, or how push runs.",
  })
  pushReason!: string | null;
  @Field(() => Date, {
    nullable: true,
    description: "When the change-notification subscription expires (it is renewed well before).",
  })
  pushExpiresAt!: Date | null;
}

@ObjectType("PushNotificationStats", {
  ...PLAIN,
  description: "Change notifications received by this server process since it started.",
})
export class PushNotificationStatsType {
  @Field(() => Int, { description: "Items of every notification POST." }) received!: number;
  @Field(() => Int, { description: "Change notifications that asked for a round." })
  accepted!: number;
  @Field(() => Int, {
    description: "Ignored: unknown subscription id or a clientState that does not match.",
  })
  rejected!: number;
  @Field(() => Int, { description: "Lifecycle notifications acted on." }) lifecycle!: number;
  @Field(() => Int, { description: "Validation handshakes answered." }) validations!: number;
}

@ObjectType("SkippedMessage", {
  ...PLAIN,
  description:
    "A message that could not be stored: kept here with the reason, and tried again at the end of later rounds (at once after resyncMailbox).",
})
export class SkippedMessageType {
  @Field(() => String, { description: "The mail API's immutable id of the message." })
  remoteId!: string;
  @Field(() => String) folder!: string;
  @Field(() => String) reason!: string;
  @Field(() => Int) attempts!: number;
  @Field(() => Date) firstSkippedAt!: Date;
  @Field(() => Date) lastAttemptAt!: Date;
  @Field(() => Date, { description: "When it is tried again (at the end of the round after)." })
  nextAttemptAt!: Date;
}

@ObjectType("FolderCheckpoint", {
  ...PLAIN,
  description: "Where a folder's enumeration stands (beyond the contract; for support).",
})
export class FolderCheckpointType {
  @Field(() => String) folder!: string;
  @Field(() => String, { description: "BASELINE, BACKFILL or IDLE." }) status!: string;
  @Field(() => Date, {
    nullable: true,
    description: "Lower bound the folder is covered from; null for all time.",
  })
  coveredFrom!: Date | null;
  @Field(() => Boolean) hasDeltaLink!: boolean;
  @Field(() => Int, { description: "Messages read from Graph for this folder so far." })
  messagesSeen!: number;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType("Mailbox", PLAIN)
export class MailboxType {
  @Field(() => ID) id!: string;
  @Field(() => String) email!: string;
  @Field(() => Date, { nullable: true }) syncFrom!: Date | null;
  @Field(() => Boolean) allTime!: boolean;
  @Field(() => MailboxFiltersType) filters!: MailboxFiltersType;
  @Field(() => Boolean) syncAttachments!: boolean;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => DisabledReason, { nullable: true }) disabledReason!: DisabledReason | null;
}

@ObjectType("Bucket", PLAIN)
export class BucketType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) title!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType("Participant", PLAIN)
export class ParticipantType {
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String) address!: string;
}

@ObjectType("Attachment", PLAIN)
export class AttachmentType {
  @Field(() => String) name!: string;
  @Field(() => String) contentType!: string;
  @Field(() => Int) size!: number;
  @Field(() => Boolean) inline!: boolean;
  @Field(() => String, { nullable: true }) reference!: string | null;
}

@ObjectType("Message", PLAIN)
export class MessageType {
  @Field(() => ID) id!: string;
  @Field(() => String) sequenceId!: string;
  @Field(() => String) internetMessageId!: string;
  @Field(() => String, { nullable: true }) conversationId!: string | null;
  @Field(() => String) mailbox!: string;
  @Field(() => String) folder!: string;
  @Field(() => String) subject!: string;
  @Field(() => ParticipantType, { nullable: true }) from!: ParticipantType | null;
  @Field(() => [ParticipantType]) to!: ParticipantType[];
  @Field(() => [ParticipantType]) cc!: ParticipantType[];
  @Field(() => [ParticipantType]) bcc!: ParticipantType[];
  @Field(() => Date, { nullable: true }) sentAt!: Date | null;
  @Field(() => Date) receivedAt!: Date;
  @Field(() => String) bodyText!: string;
  @Field(() => String, { nullable: true }) bodyHtml!: string | null;
  @Field(() => Date) storedAt!: Date;
}

@ObjectType("MessageEdge", PLAIN)
export class MessageEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => MessageType) node!: MessageType;
}

@ObjectType("PageInfo", PLAIN)
export class PageInfoType {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType("MessageCount", {
  ...PLAIN,
  description: "A count that stopped at a limit: `exact` is false when there are more.",
})
export class MessageCountType {
  @Field(() => Int, { description: "The count, or the limit when there are more." })
  count!: number;
  @Field(() => Boolean) exact!: boolean;
}

/** The connection's counts are field resolvers (MessageConnectionResolver): run when asked. */
@ObjectType("MessageConnection", PLAIN)
export class MessageConnectionType {
  @Field(() => [MessageEdgeType]) edges!: MessageEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
  /** The page's counts, run by the field resolvers only when selected. */
  counts!: Pick<CountedPage, "count" | "countUpTo">;
}

@ObjectType("StreamFilter", PLAIN)
export class StreamFilterType {
  @Field(() => Date, { nullable: true }) receivedFrom!: Date | null;
  @Field(() => Date, { nullable: true }) receivedTo!: Date | null;
  @Field(() => [String]) folders!: string[];
  @Field(() => [String]) participants!: string[];
  @Field(() => [String]) domains!: string[];
}

@ObjectType("Stream", PLAIN)
export class StreamType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String) title!: string;
  @Field(() => String) position!: string;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType("StreamResult", PLAIN)
export class StreamResultType {
  @Field(() => String) sequenceId!: string;
  @Field(() => MessageType) message!: MessageType;
}

@ObjectType("StreamBatch", PLAIN)
export class StreamBatchType {
  @Field(() => [StreamResultType]) results!: StreamResultType[];
  @Field(() => String) sequenceId!: string;
  @Field(() => Int) filtered!: number;
  @Field(() => Boolean) isEndSequence!: boolean;
}

@ObjectType("FolderVolume", PLAIN)
export class FolderVolumeType {
  @Field(() => String) folder!: string;
  @Field(() => Int) messages!: number;
  @Field(() => Boolean) included!: boolean;
}

@ObjectType("VolumeEstimate", PLAIN)
export class VolumeEstimateType {
  @Field(() => [FolderVolumeType]) folders!: FolderVolumeType[];
  @Field(() => Int, {
    description:
      "Messages in the included folders received in the time range; participant and domain filters are not applied (see note).",
  })
  messages!: number;
  @Field(() => Int) units!: number;
  @Field(() => String, {
    description: "What the estimate leaves out, in words for the person deciding.",
  })
  note!: string;
}

@ObjectType("Grant", PLAIN)
export class GrantType {
  @Field(() => String) project!: string;
  @Field(() => [Permission]) permissions!: Permission[];
}

@ObjectType("ApiToken", PLAIN)
export class ApiTokenType {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => Boolean) admin!: boolean;
  @Field(() => [GrantType]) grants!: GrantType[];
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
}

@ObjectType("CreatedApiToken", PLAIN)
export class CreatedApiTokenType {
  @Field(() => String) token!: string;
  @Field(() => ApiTokenType) apiToken!: ApiTokenType;
}

@ObjectType("SyncProgressEvent", PLAIN)
export class SyncProgressEventType {
  @Field(() => ID) integrationId!: string;
  @Field(() => ID, {
    description: "The mailbox's id, also when it was removed since the event was published.",
  })
  mailboxId!: string;
  @Field(() => Date) at!: Date;
  // project, mailbox and sync: field resolvers (subscription.resolver.ts).
}

@ObjectType("MessageAddedEvent", PLAIN)
export class MessageAddedEventType {
  @Field(() => ID) bucketId!: string;
  @Field(() => String, {
    description:
      "The message's sequence id: after a reconnect, re-query (e.g. a stream) from the last one received.",
  })
  sequenceId!: string;
  messageId!: string;
  // project and message: field resolvers (subscription.resolver.ts).
}

@ObjectType("IntegrationEvent", PLAIN)
export class IntegrationEventType {
  @Field(() => String) kind!: string;
  @Field(() => ID) integrationId!: string;
  @Field(() => Date) at!: Date;
  // project and integration: field resolvers (subscription.resolver.ts).
}

@ObjectType("AuditEntry", {
  ...PLAIN,
  description:
    "One mutation in the audit log: who (the token), what (mutation and target), the outcome and when. Never holds a secret.",
})
export class AuditEntryType {
  @Field(() => ID) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => ID) tokenId!: string;
  @Field(() => String) tokenName!: string;
  @Field(() => String, { description: "The mutation, e.g. createIntegration." }) action!: string;
  @Field(() => String, { nullable: true, description: "The project's API name, when known." })
  project!: string | null;
  @Field(() => String, { nullable: true, description: "Project, Integration, Mailbox, …" })
  targetType!: string | null;
  @Field(() => String, { nullable: true }) targetId!: string | null;
  @Field(() => String, { nullable: true }) targetName!: string | null;
  @Field(() => String, { description: "OK, or the refusal's error code (e.g. FORBIDDEN)." })
  outcome!: string;
  @Field(() => String, { description: "A short summary of non-secret arguments." })
  summary!: string;
}

@ObjectType("AuditEntryEdge", PLAIN)
export class AuditEntryEdgeType {
  @Field(() => String) cursor!: string;
  @Field(() => AuditEntryType) node!: AuditEntryType;
}

@ObjectType("AuditLogConnection", PLAIN)
export class AuditLogConnectionType {
  @Field(() => [AuditEntryEdgeType]) edges!: AuditEntryEdgeType[];
  @Field(() => PageInfoType) pageInfo!: PageInfoType;
}
