import type { RemoteAttachment, RemoteMessage, RemoteParticipant } from "../../sync/mail-source.js";
import { attr, child, list, text, textOf, type XmlNode } from "./soap-envelope.js";

/**
 * The EWS operations Mailstream uses, as request bodies and typed answers (Microsoft's EWS
 * reference: SyncFolderHierarchy, SyncFolderItems, FindItem, GetItem, GetAttachment, GetFolder).
 * Request bodies are fast-xml-parser objects for buildEnvelope; answers are read from the parsed
 * `ResponseMessages` (one per requested item or folder, each with its own ResponseCode).
 */

/** A folder as a request names it: distinguished (with the mailbox, for delegate access) or by id. */
export type FolderRef = { distinguished: string; mailbox: string | null } | { id: string };

function folderIdNode(ref: FolderRef): XmlNode {
  if ("id" in ref) return { "t:FolderId": { "@_Id": ref.id } };
  const node: XmlNode = { "@_Id": ref.distinguished };
  if (ref.mailbox) node["t:Mailbox"] = { "t:EmailAddress": ref.mailbox };
  return { "t:DistinguishedFolderId": node };
}

const fieldUris = (uris: readonly string[]): XmlNode => ({
  "t:FieldURI": uris.map((u) => ({ "@_FieldURI": u })),
});

/** What a stored message needs (DOMAIN.md, Sync): identity, participants, dates, body, attachments. */
const MESSAGE_PROPERTIES = [
  "item:Subject",
  "item:DateTimeReceived",
  "item:DateTimeSent",
  "item:HasAttachments",
  "item:Attachments",
  "item:Body",
  "item:ConversationId",
  "message:InternetMessageId",
  "message:From",
  "message:Sender",
  "message:ToRecipients",
  "message:CcRecipients",
  "message:BccRecipients",
] as const;

/**
 * Folders are asked for with the Default shape (FolderId, DisplayName, TotalCount, …) plus what it
 * lacks; IdOnly + AdditionalProperties would do on Exchange too, Default is just as small.
 */
const FOLDER_SHAPE = {
  "t:BaseShape": "Default",
  "t:AdditionalProperties": fieldUris(["folder:ParentFolderId", "folder:FolderClass"]),
};

export function getFolderRequest(ref: FolderRef): XmlNode {
  return {
    "m:FolderShape": FOLDER_SHAPE,
    "m:FolderIds": folderIdNode(ref),
  };
}

export function syncFolderHierarchyRequest(root: FolderRef, syncState: string | null): XmlNode {
  return {
    "m:FolderShape": FOLDER_SHAPE,
    "m:SyncFolderId": folderIdNode(root),
    ...(syncState ? { "m:SyncState": syncState } : {}),
  };
}

/** SyncFolderItems returns at most 512 changes per call (documented maximum). */
export const MAX_SYNC_CHANGES = 512;

export function syncFolderItemsRequest(
  folderId: string,
  syncState: string | null,
  maxChanges: number,
): XmlNode {
  return {
    "m:ItemShape": { "t:BaseShape": "IdOnly" },
    "m:SyncFolderId": { "t:FolderId": { "@_Id": folderId } },
    ...(syncState ? { "m:SyncState": syncState } : {}),
    "m:MaxChangesReturned": String(Math.min(MAX_SYNC_CHANGES, Math.max(1, maxChanges))),
  };
}

const constant = (date: Date): XmlNode => ({
  "t:FieldURI": { "@_FieldURI": "item:DateTimeReceived" },
  "t:FieldURIOrConstant": {
    "t:Constant": { "@_Value": date.toISOString().replace(/\.\d{3}Z$/, "Z") },
  },
});

/**
 * FindItem over [receivedFrom, receivedBefore), oldest first, through an IndexedPageItemView from
 * offset 0: the caller moves the lower bound (a keyset on DateTimeReceived), so deletions between
 * pages never shift an offset past a message.
 */
export function findItemRequest(
  folderId: string,
  range: { receivedFrom: Date | null; receivedBefore: Date | null },
  maxEntries: number,
): XmlNode {
  const terms: XmlNode[] = [];
  if (range.receivedFrom) terms.push({ "t:IsGreaterThanOrEqualTo": constant(range.receivedFrom) });
  if (range.receivedBefore) terms.push({ "t:IsLessThan": constant(range.receivedBefore) });
  const restriction =
    terms.length === 0
      ? undefined
      : terms.length === 1
        ? terms[0]
        : { "t:And": Object.assign({}, ...terms) as XmlNode };
  return {
    "@_Traversal": "Shallow",
    "m:ItemShape": {
      "t:BaseShape": "IdOnly",
      "t:AdditionalProperties": fieldUris(["item:DateTimeReceived"]),
    },
    "m:IndexedPageItemView": {
      "@_MaxEntriesReturned": String(maxEntries),
      "@_Offset": "0",
      "@_BasePoint": "Beginning",
    },
    ...(restriction ? { "m:Restriction": restriction } : {}),
    "m:SortOrder": {
      "t:FieldOrder": {
        "@_Order": "Ascending",
        "t:FieldURI": { "@_FieldURI": "item:DateTimeReceived" },
      },
    },
    "m:ParentFolderIds": { "t:FolderId": { "@_Id": folderId } },
  };
}

export function getItemRequest(itemIds: readonly string[]): XmlNode {
  return {
    "m:ItemShape": {
      "t:BaseShape": "IdOnly",
      "t:BodyType": "Best",
      "t:AdditionalProperties": fieldUris(MESSAGE_PROPERTIES),
    },
    "m:ItemIds": { "t:ItemId": itemIds.map((id) => ({ "@_Id": id })) },
  };
}

/** Item attachments come back with the attached item's MIME content (a message/rfc822 file). */
export function getAttachmentRequest(attachmentIds: readonly string[]): XmlNode {
  return {
    "m:AttachmentShape": { "t:IncludeMimeContent": "true" },
    "m:AttachmentIds": { "t:AttachmentId": attachmentIds.map((id) => ({ "@_Id": id })) },
  };
}

// --- answers --------------------------------------------------------------------------------

/** One response message: its ResponseCode and, for ErrorServerBusy, the back-off hint. */
export interface ResponseStatus {
  code: string;
  message: string;
  backOffMs: number | null;
}

const value = (node: XmlNode | null | undefined, name: string): string | null =>
  text(node, name)?.trim() ?? null;

/** The ResponseMessages of an operation's answer (`<Operation>Response`). */
export function responseMessages(body: XmlNode, operation: string): XmlNode[] {
  const response = child(body, `${operation}Response`);
  const messages = child(response, "ResponseMessages");
  return list(messages, `${operation}ResponseMessage`);
}

export function statusOf(message: XmlNode): ResponseStatus {
  const code = value(message, "ResponseCode") ?? "NoError";
  const messageXml = child(message, "MessageXml");
  let backOffMs: number | null = null;
  for (const v of list(messageXml, "Value")) {
    if (attr(v, "Name") === "BackOffMilliseconds") backOffMs = Number(textOf(v)) || 0;
  }
  return { code, message: value(message, "MessageText") ?? code, backOffMs };
}

export interface EwsFolder {
  id: string;
  parentId: string | null;
  displayName: string;
  totalCount: number;
  /** `Folder`, `SearchFolder`, or another kind (calendar, contacts, tasks). */
  kind: "mail" | "search" | "other";
}

const FOLDER_ELEMENTS = [
  "Folder",
  "SearchFolder",
  "CalendarFolder",
  "ContactsFolder",
  "TasksFolder",
];

function toFolder(element: string, node: XmlNode): EwsFolder | null {
  const id = attr(child(node, "FolderId"), "Id");
  if (!id) return null;
  // Graph's mailFolders are EWS's generic folders (any class); calendars, contacts and tasks are not.
  const kind = element === "SearchFolder" ? "search" : element === "Folder" ? "mail" : "other";
  return {
    id,
    parentId: attr(child(node, "ParentFolderId"), "Id"),
    displayName: text(node, "DisplayName") ?? "",
    totalCount: Number(value(node, "TotalCount") ?? 0) || 0,
    kind,
  };
}

function foldersIn(node: XmlNode | null): EwsFolder[] {
  const result: EwsFolder[] = [];
  for (const element of FOLDER_ELEMENTS)
    for (const f of list(node, element)) {
      const folder = toFolder(element, f);
      if (folder) result.push(folder);
    }
  return result;
}

export function folderOfGetFolder(message: XmlNode): EwsFolder | null {
  return foldersIn(child(message, "Folders"))[0] ?? null;
}

export interface HierarchyPage {
  syncState: string;
  last: boolean;
  created: EwsFolder[];
  updated: EwsFolder[];
  deletedIds: string[];
}

export function hierarchyPage(message: XmlNode): HierarchyPage {
  const changes = child(message, "Changes");
  const deletedIds = list(changes, "Delete")
    .map((d) => attr(child(d, "FolderId"), "Id"))
    .filter((id): id is string => id !== null);
  return {
    syncState: value(message, "SyncState") ?? "",
    last: value(message, "IncludesLastFolderInRange") !== "false",
    created: list(changes, "Create").flatMap(foldersIn),
    updated: list(changes, "Update").flatMap(foldersIn),
    deletedIds,
  };
}

const ITEM_ELEMENTS = [
  "Message",
  "Item",
  "MeetingMessage",
  "MeetingRequest",
  "MeetingResponse",
  "MeetingCancellation",
  "PostItem",
];

/** Each item of a container (Items, a Create/Update change) with its element name. */
function itemsIn(node: XmlNode | null): XmlNode[] {
  return ITEM_ELEMENTS.flatMap((name) => list(node, name));
}

const itemIdOf = (item: XmlNode): string | null => attr(child(item, "ItemId"), "Id");

export interface ItemsPage {
  syncState: string;
  last: boolean;
  /** Created or changed items (ids only: SyncFolderItems cannot return bodies). */
  changedIds: string[];
  deletedIds: string[];
}

export function itemsPage(message: XmlNode): ItemsPage {
  const changes = child(message, "Changes");
  const changedIds = [...list(changes, "Create"), ...list(changes, "Update")]
    .flatMap(itemsIn)
    .map(itemIdOf)
    .filter((id): id is string => id !== null);
  const deletedIds = list(changes, "Delete")
    .map((d) => attr(child(d, "ItemId"), "Id"))
    .filter((id): id is string => id !== null);
  return {
    syncState: value(message, "SyncState") ?? "",
    last: value(message, "IncludesLastItemInRange") !== "false",
    changedIds,
    deletedIds,
  };
}

export interface FoundPage {
  items: { id: string; receivedAt: Date | null }[];
  totalItemsInView: number;
  last: boolean;
}

export function foundPage(message: XmlNode): FoundPage {
  const root = child(message, "RootFolder");
  const items = itemsIn(child(root, "Items")).flatMap((item) => {
    const id = itemIdOf(item);
    return id ? [{ id, receivedAt: parseDate(value(item, "DateTimeReceived")) }] : [];
  });
  return {
    items,
    totalItemsInView: Number(attr(root, "TotalItemsInView") ?? items.length) || 0,
    last: attr(root, "IncludesLastItemInRange") !== "false",
  };
}

function parseDate(raw: string | null): Date | null {
  if (!raw) return null;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? null : date;
}

function participant(node: XmlNode | null): RemoteParticipant | null {
  const mailbox = child(node, "Mailbox");
  if (!mailbox) return null;
  const address = value(mailbox, "EmailAddress");
  if (!address) return null;
  const name = text(mailbox, "Name");
  return { name: name === null || name === "" ? null : name, address };
}

function recipients(node: XmlNode | null): RemoteParticipant[] {
  return list(node, "Mailbox").flatMap((m) => {
    const p = participant({ Mailbox: m });
    return p ? [p] : [];
  });
}

const ATTACHMENT_KINDS = [
  ["FileAttachment", "file"],
  ["ItemAttachment", "item"],
  ["ReferenceAttachment", "reference"],
] as const;

export function attachmentsOf(node: XmlNode | null): RemoteAttachment[] {
  const result: RemoteAttachment[] = [];
  for (const [element, kind] of ATTACHMENT_KINDS)
    for (const a of list(node, element)) {
      const id = attr(child(a, "AttachmentId"), "Id");
      if (!id) continue;
      result.push({
        id,
        name: text(a, "Name") ?? "",
        // EWS names a content type for files; attached items get message/rfc822 in the mapping.
        contentType: kind === "file" ? value(a, "ContentType") || null : null,
        size: Number(value(a, "Size") ?? 0) || 0,
        inline: value(a, "IsInline") === "true",
        kind,
        contentBytes: null,
      });
    }
  return result;
}

/** An item of a GetItem answer in the one remote-message shape (server/sync/mail-source.ts). */
export function remoteMessageOf(message: XmlNode): RemoteMessage | null {
  const item = itemsIn(child(message, "Items"))[0];
  if (!item) return null;
  const id = itemIdOf(item);
  if (!id) return null;
  const repairs: string[] = [];
  let receivedAt = parseDate(value(item, "DateTimeReceived"));
  let undated = false;
  if (receivedAt === null) {
    undated = true;
    receivedAt = parseDate(value(item, "DateTimeSent")) ?? new Date(0);
    repairs.push(
      "receivedAt: EWS gave no readable DateTimeReceived; the sent time is stored instead",
    );
  }
  const body = child(item, "Body");
  const bodyType = attr(body, "BodyType")?.toLowerCase() === "html" ? "html" : "text";
  const internetMessageId = value(item, "InternetMessageId");
  const attachments = attachmentsOf(child(item, "Attachments"));
  return {
    id,
    internetMessageId: internetMessageId || null,
    conversationId: attr(child(item, "ConversationId"), "Id"),
    subject: text(item, "Subject"),
    from: participant(child(item, "From")),
    sender: participant(child(item, "Sender")),
    to: recipients(child(item, "ToRecipients")),
    cc: recipients(child(item, "CcRecipients")),
    bcc: recipients(child(item, "BccRecipients")),
    sentAt: parseDate(value(item, "DateTimeSent")),
    receivedAt,
    ...(undated ? { undated: true } : {}),
    ...(repairs.length > 0 ? { repairs } : {}),
    bodyType,
    body: textOf(body) ?? "",
    hasAttachments: value(item, "HasAttachments") === "true" || attachments.length > 0,
    attachments,
  };
}

/** The bytes of a GetAttachment answer: a file's Content, or an attached item's MIME content. */
export function attachmentBytesOf(message: XmlNode): Buffer | null {
  const attachments = child(message, "Attachments");
  const file = list(attachments, "FileAttachment")[0];
  if (file) return Buffer.from(value(file, "Content") ?? "", "base64");
  const item = list(attachments, "ItemAttachment")[0];
  if (!item) return null;
  for (const inner of itemsIn(item)) {
    const mime = value(inner, "MimeContent");
    if (mime !== null) return Buffer.from(mime, "base64");
  }
  return Buffer.alloc(0);
}
