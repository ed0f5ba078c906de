import { ApiTokenGrantRow, ApiTokenRow } from "./api-token.entity.js";
import { AuditLogRow } from "./audit-log.entity.js";
import { BucketRow } from "./bucket.entity.js";
import { GraphSubscriptionRow } from "./graph-subscription.entity.js";
import { IntegrationRow } from "./integration.entity.js";
import { MailboxLeaseRow, SyncProcessRow } from "./mailbox-lease.entity.js";
import { MailboxRow } from "./mailbox.entity.js";
import {
  AttachmentBlobChunkRow,
  AttachmentBlobRow,
  AttachmentRow,
  MessageRow,
} from "./message.entity.js";
import { ProjectRow } from "./project.entity.js";
import { StreamBucketRow, StreamRow } from "./stream.entity.js";
import { FolderCheckpointRow, MailboxSyncRow, SkippedMessageRow } from "./sync-state.entity.js";
import { UsageDayRow } from "./usage-day.entity.js";

export type { StoredMailboxCheck } from "./integration.entity.js";
export type { StoredMailboxFilters } from "./mailbox.entity.js";
export type { StoredParticipant } from "./message.entity.js";
export type { StoredStreamFilter } from "./stream.entity.js";

export {
  AttachmentBlobChunkRow,
  ApiTokenGrantRow,
  ApiTokenRow,
  AttachmentBlobRow,
  AttachmentRow,
  AuditLogRow,
  BucketRow,
  FolderCheckpointRow,
  GraphSubscriptionRow,
  IntegrationRow,
  MailboxLeaseRow,
  MailboxRow,
  MailboxSyncRow,
  MessageRow,
  ProjectRow,
  SkippedMessageRow,
  StreamBucketRow,
  UsageDayRow,
  StreamRow,
  SyncProcessRow,
};

export const ENTITIES = [
  ProjectRow,
  ApiTokenRow,
  ApiTokenGrantRow,
  IntegrationRow,
  BucketRow,
  MailboxRow,
  MailboxSyncRow,
  FolderCheckpointRow,
  SkippedMessageRow,
  MessageRow,
  AttachmentRow,
  AttachmentBlobRow,
  StreamRow,
  StreamBucketRow,
  AuditLogRow,
  UsageDayRow,
  MailboxLeaseRow,
  SyncProcessRow,
  GraphSubscriptionRow,
];

/** Entities of PostgreSQL's schema only (SQLite keeps attachment contents in the data dir). */
export const POSTGRES_ONLY_ENTITIES = [AttachmentBlobChunkRow];
