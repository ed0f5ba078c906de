// Generated per dialect with `npm run migration:generate -- Name` (see README), never
// hand-synchronised: the drift test fails when entities and migrations disagree.
import { Initial1795761332689 } from "./postgres/1795761332689-Initial.js";
import { FolderFiltersHash1795761982860 } from "./postgres/1795761982860-FolderFiltersHash.js";
import { NullableIdentityPlatform1796162458820 } from "./postgres/1796162458820-NullableIdentityPlatform.js";
import { SkippedMessagesAndStorageNotes1796163759551 } from "./postgres/1796163759551-SkippedMessagesAndStorageNotes.js";
import { AuditLog1796164620290 } from "./postgres/1796164620290-AuditLog.js";
// PostgreSQL only: attachment contents in the database (SQLite keeps them in the data dir).
import { AttachmentBlobChunks1796172907012 } from "./postgres/1796172907012-AttachmentBlobChunks.js";
import { MessageOrderIndexes1796172837535 } from "./postgres/1796172837535-MessageOrderIndexes.js";
import { MessageSearch1796174117403 as PostgresMessageSearch } from "./postgres/1796174117403-MessageSearch.js";
import { UsageLedger1796174820816 } from "./postgres/1796174820816-UsageLedger.js";
import { SecretExpiry1796175278128 } from "./postgres/1796175278128-SecretExpiry.js";
import { SyncExpected1796176266717 } from "./postgres/1796176266717-SyncExpected.js";
import { MailboxLeases1796172936766 } from "./postgres/1796172936766-MailboxLeases.js";
import { GraphSubscriptions1796173237267 } from "./postgres/1796173237267-GraphSubscriptions.js";
import { GraphSubscriptions1796173228634 } from "./sqlite/1796173228634-GraphSubscriptions.js";
import { NotifiedMessages1796185868953 } from "./postgres/1796185868953-NotifiedMessages.js";
import { NotifiedMessages1796185865382 } from "./sqlite/1796185865382-NotifiedMessages.js";
import { Initial1795761331734 } from "./sqlite/1795761331734-Initial.js";
import { FolderFiltersHash1795761980772 } from "./sqlite/1795761980772-FolderFiltersHash.js";
import { NullableIdentityPlatform1796162454550 } from "./sqlite/1796162454550-NullableIdentityPlatform.js";
import { SkippedMessagesAndStorageNotes1796163755840 } from "./sqlite/1796163755840-SkippedMessagesAndStorageNotes.js";
import { AuditLog1796164617603 } from "./sqlite/1796164617603-AuditLog.js";
import { MessageOrderIndexes1796172834994 } from "./sqlite/1796172834994-MessageOrderIndexes.js";
import { MessageSearch1796174117403 as SqliteMessageSearch } from "./sqlite/1796174117403-MessageSearch.js";
import { UsageLedger1796174807892 } from "./sqlite/1796174807892-UsageLedger.js";
import { SecretExpiry1796175269772 } from "./sqlite/1796175269772-SecretExpiry.js";
import { SyncExpected1796176261471 } from "./sqlite/1796176261471-SyncExpected.js";
import { MailboxLeases1796172930987 } from "./sqlite/1796172930987-MailboxLeases.js";
// SQLite only: the full-text index keyed by bucket and received time (PostgreSQL keeps its GIN index).
import { SearchInTimeOrder1796180000000 } from "./sqlite/1796180000000-SearchInTimeOrder.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const SQLITE_MIGRATIONS: Function[] = [
  Initial1795761331734,
  FolderFiltersHash1795761980772,
  NullableIdentityPlatform1796162454550,
  SkippedMessagesAndStorageNotes1796163755840,
  AuditLog1796164617603,
  MessageOrderIndexes1796172834994,
  SqliteMessageSearch,
  UsageLedger1796174807892,
  SecretExpiry1796175269772,
  SyncExpected1796176261471,
  MailboxLeases1796172930987,
  GraphSubscriptions1796173228634,
  SearchInTimeOrder1796180000000,
  NotifiedMessages1796185865382,
];
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const POSTGRES_MIGRATIONS: Function[] = [
  Initial1795761332689,
  FolderFiltersHash1795761982860,
  NullableIdentityPlatform1796162458820,
  SkippedMessagesAndStorageNotes1796163759551,
  AuditLog1796164620290,
  AttachmentBlobChunks1796172907012,
  MessageOrderIndexes1796172837535,
  PostgresMessageSearch,
  UsageLedger1796174820816,
  SecretExpiry1796175278128,
  SyncExpected1796176266717,
  MailboxLeases1796172936766,
  GraphSubscriptions1796173237267,
  NotifiedMessages1796185868953,
];
