/**
 * Graph's JSON for the mail resources we read, and the module's own shapes for them. The mapping
 * keeps what the product stores and nothing Graph-specific leaks past this module.
 */
export interface GraphRecipient {
  emailAddress?: { name?: string | null; address?: string | null } | null;
}

export interface GraphMessage {
  id: string;
  /** Present when the listing asked for `$expand=attachments`. */
  attachments?: GraphAttachment[];
  internetMessageId?: string | null;
  conversationId?: string | null;
  subject?: string | null;
  from?: GraphRecipient | null;
  sender?: GraphRecipient | null;
  toRecipients?: GraphRecipient[] | null;
  ccRecipients?: GraphRecipient[] | null;
  bccRecipients?: GraphRecipient[] | null;
  sentDateTime?: string | null;
  receivedDateTime?: string | null;
  body?: { contentType?: string | null; content?: string | null } | null;
  hasAttachments?: boolean | null;
  parentFolderId?: string | null;
  "@removed"?: { reason?: string };
}

export interface GraphFolder {
  "@odata.type"?: string;
  id: string;
  displayName?: string | null;
  parentFolderId?: string | null;
  childFolderCount?: number | null;
  totalItemCount?: number | null;
  isHidden?: boolean | null;
}

export interface GraphAttachment {
  "@odata.type"?: string;
  id: string;
  name?: string | null;
  contentType?: string | null;
  size?: number | null;
  isInline?: boolean | null;
  contentBytes?: string | null;
}

export interface GraphCollection<T> {
  value?: T[];
  "@odata.nextLink"?: string;
  "@odata.deltaLink"?: string;
  "@odata.count"?: number;
}

/** The message properties the product stores (delta and listings ask for exactly these). */
export const MESSAGE_SELECT = [
  "id",
  "internetMessageId",
  "conversationId",
  "subject",
  "from",
  "sender",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "sentDateTime",
  "receivedDateTime",
  "body",
  "hasAttachments",
  "parentFolderId",
] as const;

export const FOLDER_SELECT = [
  "id",
  "displayName",
  "parentFolderId",
  "childFolderCount",
  "totalItemCount",
  "isHidden",
] as const;

export interface Participant {
  /** Display name; null when Graph gives none. */
  name: string | null;
  address: string;
}

export interface ExchangeMessage {
  /** Immutable id (requested with Prefer: IdType="ImmutableId"). */
  id: string;
  internetMessageId: string | null;
  conversationId: string | null;
  subject: string | null;
  from: Participant | null;
  sender: Participant | null;
  to: Participant[];
  cc: Participant[];
  bcc: Participant[];
  sentAt: Date | null;
  receivedAt: Date;
  /** receivedDateTime could not be read: `receivedAt` is the sent time (or 1970) instead. */
  receivedAtUnknown: boolean;
  /** What was wrong with Graph's answer and what was stored instead, in words. */
  repairs: string[];
  body: { contentType: "text" | "html"; content: string };
  /** Graph's flag: false when the only attachments are inline. */
  hasAttachments: boolean;
  parentFolderId: string | null;
  /** Attachment metadata, when the listing expanded it (`$expand=attachments`); else undefined. */
  attachments?: ExchangeAttachment[];
}

export interface ExchangeFolder {
  id: string;
  displayName: string;
  parentId: string | null;
  /** From the mailbox root: ["Root", "Top of Information Store", "Inbox", "Orders"]. */
  path: string[];
  totalItemCount: number;
  childFolderCount: number;
  isHidden: boolean;
  /** A mailSearchFolder: shows messages of other folders; never sync it. */
  isSearchFolder: boolean;
}

export type AttachmentKind = "file" | "item" | "reference";

export interface ExchangeAttachment {
  id: string;
  name: string;
  /** Null when Graph gives none (always for item attachments). */
  contentType: string | null;
  size: number;
  isInline: boolean;
  kind: AttachmentKind;
  /** File contents when the listing included them (`includeContent`). */
  contentBytes: Buffer | null;
}

export function toParticipant(r: GraphRecipient | null | undefined): Participant | null {
  const address = r?.emailAddress?.address?.trim();
  if (!address) return null;
  const name = r?.emailAddress?.name?.trim();
  return { name: name ? name : null, address };
}

function participants(list: GraphRecipient[] | null | undefined): Participant[] {
  return (list ?? []).map(toParticipant).filter((p): p is Participant => p !== null);
}

/** A Graph DateTimeOffset, or null when absent or unreadable. */
function graphDate(value: unknown): Date | null {
  if (typeof value !== "string" || value === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function toExchangeMessage(m: GraphMessage): ExchangeMessage {
  const repairs: string[] = [];
  const sentAt = graphDate(m.sentDateTime);
  if (sentAt === null && m.sentDateTime)
    repairs.push(`sentDateTime ${JSON.stringify(m.sentDateTime)} is not a date: stored as unknown`);
  let received = graphDate(m.receivedDateTime);
  const receivedAtUnknown = received === null;
  if (received === null) {
    received = sentAt ?? new Date(0);
    repairs.push(
      `receivedDateTime ${JSON.stringify(m.receivedDateTime ?? null)} is not a date: ${sentAt ? "the sent time" : "1970-01-01"} stored instead`,
    );
  }
  return {
    id: m.id,
    internetMessageId: m.internetMessageId ?? null,
    conversationId: m.conversationId ?? null,
    subject: m.subject ?? null,
    from: toParticipant(m.from),
    sender: toParticipant(m.sender),
    to: participants(m.toRecipients),
    cc: participants(m.ccRecipients),
    bcc: participants(m.bccRecipients),
    sentAt,
    receivedAt: received,
    receivedAtUnknown,
    repairs,
    body: {
      contentType: m.body?.contentType?.toLowerCase() === "html" ? "html" : "text",
      content: m.body?.content ?? "",
    },
    hasAttachments: m.hasAttachments === true,
    parentFolderId: m.parentFolderId ?? null,
    ...(m.attachments ? { attachments: m.attachments.map(toExchangeAttachment) } : {}),
  };
}

export function attachmentKind(odataType: string | undefined): AttachmentKind {
  const type = (odataType ?? "").toLowerCase();
  if (type.endsWith("itemattachment")) return "item";
  if (type.endsWith("referenceattachment")) return "reference";
  return "file";
}

export function toExchangeAttachment(a: GraphAttachment): ExchangeAttachment {
  return {
    id: a.id,
    name: a.name ?? "",
    contentType: a.contentType ?? null,
    size: a.size ?? 0,
    isInline: a.isInline === true,
    kind: attachmentKind(a["@odata.type"]),
    contentBytes: typeof a.contentBytes === "string" ? Buffer.from(a.contentBytes, "base64") : null,
  };
}

export function isSearchFolder(f: GraphFolder): boolean {
  return (f["@odata.type"] ?? "").toLowerCase() === "#microsoft.graph.mailsearchfolder";
}
