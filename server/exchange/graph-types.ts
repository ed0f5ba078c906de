import type {
  RemoteAttachment,
  RemoteFolder,
  RemoteMessage,
  RemoteParticipant,
} from "../sync/mail-source.js";

/**
 * Graph's JSON for the mail resources we read, mapped straight into the shapes every mail source
 * produces (server/sync/mail-source.ts): nothing Graph-specific leaks past this module.
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
] as const;

export const FOLDER_SELECT = [
  "id",
  "displayName",
  "parentFolderId",
  "childFolderCount",
  "totalItemCount",
  "isHidden",
] as const;

/** A RemoteFolder with what the client needs to walk the tree. */
export interface ExchangeFolder extends RemoteFolder {
  displayName: string;
  parentId: string | null;
  childFolderCount: number;
  isHidden: boolean;
}

export type AttachmentKind = RemoteAttachment["kind"];

function toParticipant(r: GraphRecipient | null | undefined): RemoteParticipant | null {
  const address = r?.emailAddress?.address?.trim();
  if (!address) return null;
  const name = r?.emailAddress?.name?.trim();
  return { name: name ? name : null, address };
}

function participants(list: GraphRecipient[] | null | undefined): RemoteParticipant[] {
  const out: RemoteParticipant[] = [];
  if (list) {
    for (const r of list) {
      const p = toParticipant(r);
      if (p !== null) out.push(p);
    }
  }
  return out;
}

/** A Graph DateTimeOffset, or null when absent or unreadable. */
function graphDate(value: unknown): Date | null {
  if (typeof value !== "string" || value === "") return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Graph's message JSON in the shape every mail source produces (server/sync/mail-source.ts). */
export function toRemoteMessage(m: GraphMessage): RemoteMessage {
  const sentAt = graphDate(m.sentDateTime);
  let repairs: string[] | undefined;
  if (sentAt === null && m.sentDateTime)
    (repairs ??= []).push(
      `sentDateTime ${JSON.stringify(m.sentDateTime)} is not a date: stored as unknown`,
    );
  let receivedAt = graphDate(m.receivedDateTime);
  const undated = receivedAt === null;
  if (receivedAt === null) {
    receivedAt = sentAt ?? new Date(0);
    (repairs ??= []).push(
      `receivedDateTime ${JSON.stringify(m.receivedDateTime ?? null)} is not a date: ${sentAt ? "the sent time" : "1970-01-01"} stored instead`,
    );
  }
  const message: RemoteMessage = {
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
    receivedAt,
    bodyType: m.body?.contentType?.toLowerCase() === "html" ? "html" : "text",
    body: m.body?.content ?? "",
    hasAttachments: m.hasAttachments === true,
  };
  if (undated) message.undated = true;
  if (repairs) message.repairs = repairs;
  if (m.attachments) message.attachments = m.attachments.map(toRemoteAttachment);
  return message;
}

export function attachmentKind(odataType: string | undefined): AttachmentKind {
  const type = (odataType ?? "").toLowerCase();
  if (type.endsWith("itemattachment")) return "item";
  if (type.endsWith("referenceattachment")) return "reference";
  return "file";
}

export function toRemoteAttachment(a: GraphAttachment): RemoteAttachment {
  return {
    id: a.id,
    name: a.name ?? "",
    contentType: a.contentType ?? null,
    size: a.size ?? 0,
    inline: a.isInline === true,
    kind: attachmentKind(a["@odata.type"]),
    contentBytes: typeof a.contentBytes === "string" ? Buffer.from(a.contentBytes, "base64") : null,
  };
}

export function isSearchFolder(f: GraphFolder): boolean {
  return (f["@odata.type"] ?? "").toLowerCase() === "#microsoft.graph.mailsearchfolder";
}
