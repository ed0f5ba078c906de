/**
 * What the sync engine needs from Microsoft, in its own terms. server/exchange implements it over
 * Graph (@azure/msal-node and @microsoft/microsoft-graph-client, graph-mail-source.ts) and over
 * EWS (SOAP on undici with NTLM or tokens, ews/ews-mail-source.ts), each with its own limiter,
 * retries and error table; the engine never sees HTTP.
 */

export interface RemoteParticipant {
  name: string | null;
  address: string;
}

export interface RemoteFolder {
  /** Graph's immutable folder id. */
  id: string;
  /** Path from the mailbox root: ["Root", "Top of Information Store", "Inbox", "Orders"]. */
  path: string[];
  totalItemCount: number;
  isSearchFolder: boolean;
}

/**
 * The one message shape every mail source produces (Graph's JSON is mapped straight into it in
 * server/exchange/graph-types.ts); message-mapping.ts `toIncoming` maps it once into the stored row.
 */
export interface RemoteMessage {
  /** Immutable id. */
  id: string;
  internetMessageId: string | null;
  conversationId: string | null;
  subject: string | null;
  from: RemoteParticipant | null;
  sender: RemoteParticipant | null;
  to: RemoteParticipant[];
  cc: RemoteParticipant[];
  bcc: RemoteParticipant[];
  sentAt: Date | null;
  receivedAt: Date;
  /** The API's received time was unreadable; `receivedAt` is a stand-in (see `repairs`). */
  undated?: boolean;
  /** What was wrong with the API's answer and what is stored instead, in words. */
  repairs?: string[];
  bodyType: "text" | "html";
  body: string;
  hasAttachments: boolean;
  /** Attachment metadata when the page expanded it (listings); undefined otherwise (delta pages). */
  attachments?: RemoteAttachment[];
}

export interface RemoteAttachment {
  id: string;
  name: string;
  /** Null when Graph gives none (item attachments). */
  contentType: string | null;
  size: number;
  inline: boolean;
  kind: "file" | "item" | "reference";
  /** Inline contents Graph returned with the listing (small file attachments). */
  contentBytes: Buffer | null;
}

export interface DeltaPage {
  messages: RemoteMessage[];
  /** Ids of `@removed` entries (deleted or moved out). */
  removedIds: string[];
  nextLink: string | null;
  deltaLink: string | null;
}

export interface ListingPage {
  messages: RemoteMessage[];
}

/**
 * Change notifications of a mailbox's messages (Graph webhooks). Optional: an API without them
 * (EWS) leaves the mailbox on polling.
 */
export interface ChangeSubscriptions {
  /** Subscribes to the mailbox's messages; the API checks the URLs (handshake) before answering. */
  create(
    email: string,
    request: {
      notificationUrl: string;
      lifecycleNotificationUrl: string;
      changeTypes: ("created" | "updated" | "deleted")[];
      clientState: string;
      expiresAt: Date;
    },
    signal?: AbortSignal,
  ): Promise<{ id: string; expiresAt: Date }>;
  /** Extends (and reauthorizes) a subscription; the API's answer says until when. */
  renew(
    email: string,
    id: string,
    expiresAt: Date,
    signal?: AbortSignal,
  ): Promise<{ id: string; expiresAt: Date }>;
  /** Deletes it; one already gone counts as deleted. */
  delete(email: string, id: string, signal?: AbortSignal): Promise<void>;
}

export interface MailSource {
  /** Change notifications, when the API has them. */
  readonly subscriptions?: ChangeSubscriptions;
  listFolders(email: string, signal?: AbortSignal): Promise<RemoteFolder[]>;
  /**
   * A folder's change stream: the first page (optionally received-date-filtered), or the page
   * behind a next/delta link. Links are opaque to the engine: Graph's delta links, EWS's
   * SyncState. `idsOnly`: the caller only walks to the delta link (a baseline) and ignores the
   * messages, so a source whose change pages carry ids only (EWS) need not fetch them.
   */
  deltaPage(
    email: string,
    folderId: string,
    request: {
      link: string | null;
      receivedFrom: Date | null;
      pageSize: number;
      idsOnly?: boolean;
    },
    signal?: AbortSignal,
  ): Promise<DeltaPage>;
  /** Messages received in [from, before), oldest first: the listing has no 5,000 cap. */
  listPage(
    email: string,
    folderId: string,
    request: {
      receivedFrom: Date | null;
      receivedBefore: Date | null;
      top: number;
      expandAttachments: boolean;
    },
    signal?: AbortSignal,
  ): Promise<ListingPage>;
  /** Messages received at or after `receivedFrom` (all when null): for volume estimates. */
  countMessages(
    email: string,
    folderId: string,
    receivedFrom: Date | null,
    signal?: AbortSignal,
  ): Promise<number>;
  /**
   * The folder id a message is in (a change notification's message, by the id its resource names),
   * null when the mailbox no longer has it. Optional: a source without notifications has no use.
   */
  messageFolder?(email: string, messageId: string, signal?: AbortSignal): Promise<string | null>;
  /** One message by its immutable id (a skipped message tried again); null when it is gone. */
  getMessage(email: string, messageId: string, signal?: AbortSignal): Promise<RemoteMessage | null>;
  /** Attachment metadata; with `includeContent`, small file contents come along (base64 in Graph). */
  listAttachments(
    email: string,
    messageId: string,
    includeContent: boolean,
    signal?: AbortSignal,
  ): Promise<RemoteAttachment[]>;
  attachmentContent(
    email: string,
    messageId: string,
    attachmentId: string,
    signal?: AbortSignal,
  ): Promise<Buffer>;
}

/** How the exchange module sorts failures (by Graph/AADSTS error code, never by message text). */
export type MailSourceErrorKind =
  "temporary" | "credentials" | "permission" | "not_found" | "sync_state_expired";

export interface ClassifiedError {
  kind: MailSourceErrorKind;
  message: string;
  /** The API's own error code (`ErrorItemNotFound`), when it gave one. */
  code?: string;
}
