import type { Folder, Mailbox } from "./mailbox.js";
import type { AttachmentSpec, EmailAddress } from "./mail-types.js";
import { graphDateTime } from "./mail-types.js";

/** Graph v1.0 JSON for users, mail folders, messages and attachments. */
export const MESSAGE_PROPERTIES: ReadonlySet<string> = new Set([
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "conversationId",
  "conversationIndex",
  "isDeliveryReceiptRequested",
  "isReadReceiptRequested",
  "isRead",
  "isDraft",
  "webLink",
  "inferenceClassification",
  "body",
  "uniqueBody",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "replyTo",
  "flag",
]);

/** uniqueBody is only returned when selected. */
const DEFAULT_MESSAGE_PROPERTIES = [...MESSAGE_PROPERTIES].filter((p) => p !== "uniqueBody");

export const FOLDER_PROPERTIES: ReadonlySet<string> = new Set([
  "id",
  "displayName",
  "parentFolderId",
  "childFolderCount",
  "unreadItemCount",
  "totalItemCount",
  "isHidden",
]);

export const ATTACHMENT_PROPERTIES: ReadonlySet<string> = new Set([
  "id",
  "lastModifiedDateTime",
  "name",
  "contentType",
  "size",
  "isInline",
]);

export interface MessageView {
  key: number;
  /** Folder the message is reported in (its folder as of the change being reported). */
  folder: Folder;
  /** Move generation to build the REST id from. */
  gen: number;
}

export function renderMessage(
  mailbox: Mailbox,
  view: MessageView,
  opts: { immutableIds: boolean; select?: readonly string[]; webBase: string },
): Record<string, unknown> {
  const { key } = view;
  const c = mailbox.content(key);
  const received = mailbox.receivedAt(key);
  const changeKey = `CQAAABYAAAA${Buffer.from(`${mailbox.number}.${key}.${mailbox.changeSeq(key)}`).toString("base64")}`;
  const id = mailbox.messageId(key, opts.immutableIds, view.gen);
  const text =
    c.body.contentType === "html" ? c.body.content.replace(/<[^>]+>/g, " ") : c.body.content;
  const all: Record<string, () => unknown> = {
    id: () => id,
    createdDateTime: () => graphDateTime(received),
    lastModifiedDateTime: () => graphDateTime(mailbox.lastModifiedAt(key)),
    changeKey: () => changeKey,
    categories: () => [],
    receivedDateTime: () => graphDateTime(received),
    sentDateTime: () => graphDateTime(received - c.sentBeforeReceivedMs),
    hasAttachments: () => c.attachments.some((a) => !a.isInline),
    internetMessageId: () => c.internetMessageId,
    subject: () => c.subject,
    bodyPreview: () => text.replace(/\s+/g, " ").trim().slice(0, 255),
    importance: () => c.importance,
    parentFolderId: () => view.folder.id,
    conversationId: () => c.conversationId,
    conversationIndex: () => Buffer.from(c.conversationId).toString("base64").slice(0, 30),
    isDeliveryReceiptRequested: () => false,
    isReadReceiptRequested: () => false,
    isRead: () => mailbox.isRead(key),
    isDraft: () => c.isDraft,
    webLink: () =>
      `${opts.webBase}/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: () => "focused",
    body: () => c.body,
    uniqueBody: () => c.body,
    sender: () => recipient(c.sender),
    from: () => recipient(c.from),
    toRecipients: () => c.toRecipients.map(recipient),
    ccRecipients: () => c.ccRecipients.map(recipient),
    bccRecipients: () => c.bccRecipients.map(recipient),
    replyTo: () => [],
    flag: () => ({ flagStatus: "notFlagged" }),
  };
  const out: Record<string, unknown> = { "@odata.etag": `W/"${changeKey}"` };
  for (const p of opts.select ? ["id", ...opts.select] : DEFAULT_MESSAGE_PROPERTIES) {
    const get = all[p];
    if (get) out[p] = c.renderedAs && p in c.renderedAs ? c.renderedAs[p] : get();
  }
  return out;
}

export function renderFolder(
  mailbox: Mailbox,
  folder: Folder,
  select?: readonly string[],
): Record<string, unknown> {
  const all: Record<string, () => unknown> = {
    id: () => folder.id,
    displayName: () => folder.displayName,
    parentFolderId: () => folder.parent?.id ?? null,
    childFolderCount: () => folder.children.length,
    unreadItemCount: () => (folder.isSearchFolder ? 0 : mailbox.unreadItemCount(folder)),
    totalItemCount: () => mailbox.totalItemCount(folder),
    isHidden: () => folder.isHidden,
  };
  const out: Record<string, unknown> = {};
  if (folder.isSearchFolder) out["@odata.type"] = "#microsoft.graph.mailSearchFolder";
  for (const p of select ? ["id", ...select] : [...FOLDER_PROPERTIES]) {
    const get = all[p];
    if (get) out[p] = get();
  }
  if (folder.isSearchFolder && !select) {
    out.isSupported = true;
    out.includeNestedFolders = true;
    out.sourceFolderIds = (folder.searchOver ?? []).map((f) => f.id);
    out.filterQuery = "receivedDateTime ge (now - 30 days)";
  }
  return out;
}

export function renderAttachment(
  spec: AttachmentSpec,
  id: string,
  lastModified: number,
  select?: readonly string[],
): Record<string, unknown> {
  const type =
    spec.kind === "file"
      ? "#microsoft.graph.fileAttachment"
      : spec.kind === "item"
        ? "#microsoft.graph.itemAttachment"
        : "#microsoft.graph.referenceAttachment";
  const base: Record<string, unknown> = {
    id,
    lastModifiedDateTime: graphDateTime(lastModified),
    name: spec.name,
    contentType: spec.contentType,
    size: spec.size,
    isInline: spec.isInline,
  };
  const out: Record<string, unknown> = { "@odata.type": type };
  if (spec.kind === "file" && !select)
    out["@odata.mediaContentType"] = spec.contentType ?? "application/octet-stream";
  for (const p of select ? ["id", ...select] : Object.keys(base)) out[p] = base[p];
  if (spec.kind === "file" && !select) {
    out.contentId = spec.contentId ?? null;
    out.contentLocation = null;
    out.contentBytes = spec.content?.().toString("base64") ?? "";
  }
  return out;
}

export function renderUser(user: {
  id: string;
  upn: string;
  displayName: string;
  mail?: string;
}): Record<string, unknown> {
  const [given = "", ...rest] = user.displayName.split(" ");
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: given,
    jobTitle: null,
    mail: user.mail ?? null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: rest.join(" ") || null,
    userPrincipalName: user.upn,
    id: user.id,
  };
}

function recipient(a: EmailAddress): { emailAddress: EmailAddress } {
  return { emailAddress: { name: a.name, address: a.address } };
}
