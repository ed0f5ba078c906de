import type { Folder, Mailbox } from "../mailbox.js";
import type { AttachmentSpec, EmailAddress } from "../mail-types.js";
import { folderChangeKey } from "./ews-folders.js";
import {
  SchemaError,
  attr,
  child,
  childText,
  children,
  el,
  esc,
  ewsDateTime,
  type XmlNode,
} from "./soap.js";

/**
 * Messages as EWS renders them (`t:Message`, elements in the schema's sequence order: ItemType's
 * then MessageType's), and the ItemShape a request asks for: BaseShape IdOnly / Default /
 * AllProperties, AdditionalProperties FieldURIs, BodyType and IncludeMimeContent. FindItem and
 * SyncFolderItems cannot return Body, Attachments, MimeContent or the recipient collections
 * (ErrorInvalidPropertyRequest); GetItem can.
 */
export interface ItemShape {
  base: "IdOnly" | "Default" | "AllProperties";
  fields: Set<string>;
  bodyType: "Best" | "HTML" | "Text";
  mime: boolean;
}

/** Properties only GetItem can return. */
export const GET_ITEM_ONLY = new Set([
  "item:Body",
  "item:Attachments",
  "item:MimeContent",
  "message:ToRecipients",
  "message:CcRecipients",
  "message:BccRecipients",
]);

/** Every property the simulator renders, in schema order. */
const ORDER = [
  "item:MimeContent",
  "item:ItemId",
  "item:ParentFolderId",
  "item:ItemClass",
  "item:Subject",
  "item:Sensitivity",
  "item:Body",
  "item:Attachments",
  "item:DateTimeReceived",
  "item:Size",
  "item:Importance",
  "item:IsSubmitted",
  "item:IsDraft",
  "item:IsFromMe",
  "item:IsResend",
  "item:IsUnmodified",
  "item:DateTimeSent",
  "item:DateTimeCreated",
  "item:DisplayCc",
  "item:DisplayTo",
  "item:HasAttachments",
  "item:LastModifiedTime",
  "item:ConversationId",
  "message:Sender",
  "message:ToRecipients",
  "message:CcRecipients",
  "message:BccRecipients",
  "message:IsReadReceiptRequested",
  "message:IsDeliveryReceiptRequested",
  "message:ConversationIndex",
  "message:ConversationTopic",
  "message:From",
  "message:InternetMessageId",
  "message:IsRead",
] as const;

/** FieldURIs the schema knows that the simulator does not store: accepted, never rendered. */
const KNOWN_UNRENDERED = new Set([
  "item:Categories",
  "item:InReplyTo",
  "item:InternetMessageHeaders",
  "item:ReminderIsSet",
  "item:ReminderDueBy",
  "item:Culture",
  "item:EffectiveRights",
  "item:LastModifiedName",
  "item:IsAssociated",
  "item:WebClientReadFormQueryString",
  "item:UniqueBody",
  "item:TextBody",
  "item:Preview",
  "item:Flag",
  "message:ReplyTo",
  "message:References",
  "message:ReceivedBy",
  "message:ReceivedRepresenting",
  "message:IsResponseRequested",
]);

const SUMMARY = ORDER.filter((f) => !GET_ITEM_ONLY.has(f));
const FULL = ORDER.filter((f) => f !== "item:MimeContent");

export function parseItemShape(container: XmlNode | undefined): ItemShape {
  const base = childText(container, "BaseShape");
  if (base !== "IdOnly" && base !== "Default" && base !== "AllProperties")
    throw new SchemaError("The request failed schema validation: ItemShape/BaseShape is required.");
  const fields = new Set<string>();
  for (const f of children(child(container, "AdditionalProperties"), "FieldURI")) {
    const uri = attr(f, "FieldURI") ?? "";
    if (!(ORDER as readonly string[]).includes(uri) && !KNOWN_UNRENDERED.has(uri))
      throw new SchemaError(
        `The request failed schema validation: The 'FieldURI' attribute is invalid - The value '${uri}' is invalid according to its datatype 'http://schemas.microsoft.com/exchange/services/2006/types:UnindexedFieldURIType' - The Enumeration constraint failed.`,
      );
    fields.add(uri);
  }
  const bodyType = childText(container, "BodyType") ?? "Best";
  if (bodyType !== "Best" && bodyType !== "HTML" && bodyType !== "Text")
    throw new SchemaError("The request failed schema validation: BodyType is invalid.");
  return { base, fields, bodyType, mime: childText(container, "IncludeMimeContent") === "true" };
}

/** The properties a shape renders in FindItem/SyncFolderItems ("summary") or GetItem ("full"). */
export function shapeProperties(shape: ItemShape, context: "summary" | "full"): string[] {
  const base = shape.base === "IdOnly" ? ["item:ItemId"] : context === "summary" ? SUMMARY : FULL;
  const wanted = new Set<string>([...base, ...shape.fields]);
  if (shape.mime) wanted.add("item:MimeContent");
  return ORDER.filter((f) => wanted.has(f));
}

export interface ItemView {
  key: number;
  folder: Folder;
  gen: number;
}

export function itemChangeKey(mailbox: Mailbox, key: number): string {
  return `CQAAABYAAAA${Buffer.from(`${mailbox.number}.${key}.${mailbox.changeSeq(key)}`).toString("base64")}`;
}

export function itemIdXml(mailbox: Mailbox, view: ItemView): string {
  return `<t:ItemId Id="${mailbox.messageId(view.key, false, view.gen)}" ChangeKey="${itemChangeKey(mailbox, view.key)}"/>`;
}

function mailboxXml(a: EmailAddress): string {
  return `<t:Mailbox>${a.name ? el("t:Name", a.name) : ""}${el("t:EmailAddress", a.address)}<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>OneOff</t:MailboxType></t:Mailbox>`;
}

function recipientsXml(name: string, list: EmailAddress[]): string {
  return list.length ? `<t:${name}>${list.map(mailboxXml).join("")}</t:${name}>` : "";
}

function bodyXml(
  body: { contentType: "html" | "text"; content: string },
  want: ItemShape["bodyType"],
): string {
  const stored = body.contentType === "html" ? "HTML" : "Text";
  const type = want === "Best" ? stored : want;
  let content = body.content;
  if (type === "Text" && stored === "HTML")
    content = content
      .replace(/<[^>]+>/g, " ")
      .replace(/[ \t]+/g, " ")
      .trim();
  if (type === "HTML" && stored === "Text")
    content = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>${esc(content).replace(/\n/g, "<br>")}</body></html>`;
  return `<t:Body BodyType="${type}" IsTruncated="false">${esc(content)}</t:Body>`;
}

export function attachmentXml(
  spec: AttachmentSpec,
  id: string,
  lastModified: number,
  content?: { file?: Buffer; mime?: Buffer },
): string {
  const tag =
    spec.kind === "file"
      ? "FileAttachment"
      : spec.kind === "item"
        ? "ItemAttachment"
        : "ReferenceAttachment";
  let inner = `<t:AttachmentId Id="${id}"/>${el("t:Name", spec.name)}`;
  if (spec.contentType !== null && spec.kind !== "item")
    inner += el("t:ContentType", spec.contentType);
  if (spec.contentId) inner += el("t:ContentId", spec.contentId);
  inner += el("t:Size", spec.size);
  inner += el("t:LastModifiedTime", ewsDateTime(lastModified));
  inner += el("t:IsInline", spec.isInline);
  if (spec.kind === "file") {
    inner += el("t:IsContactPhoto", false);
    if (content?.file) inner += el("t:Content", content.file.toString("base64"));
  }
  if (spec.kind === "item" && content?.mime) {
    const subject =
      /^Subject: (.*)$/m.exec(content.mime.toString("utf8"))?.[1]?.trim() ?? spec.name;
    inner += `<t:Message><t:MimeContent CharacterSet="UTF-8">${content.mime.toString("base64")}</t:MimeContent><t:ItemClass>IPM.Note</t:ItemClass>${el("t:Subject", subject)}</t:Message>`;
  }
  if (spec.kind === "reference") {
    inner += el(
      "t:AttachLongPathName",
      `https://contoso-my.sharepoint.com/personal/files/${encodeURIComponent(spec.name)}`,
    );
    inner += el("t:ProviderType", "OneDrivePro");
    inner += el("t:PermissionType", "View");
  }
  return `<t:${tag}>${inner}</t:${tag}>`;
}

/**
 * Rendered messages, keyed by everything the XML depends on (a change to a message bumps its
 * change sequence, so a stale entry is never served): like the Graph side's cache, it keeps a
 * benchmark measuring the client rather than the simulator rendering mail. Oldest go first.
 */
const RENDER_CACHE_ENTRIES = 60_000;
const rendered = new WeakMap<Mailbox, Map<string, string>>();

/** A message as `t:Message` with the given properties (from shapeProperties). */
export function messageXml(
  mailbox: Mailbox,
  view: ItemView,
  properties: string[],
  shape: ItemShape,
): string {
  let cache = rendered.get(mailbox);
  if (!cache) rendered.set(mailbox, (cache = new Map()));
  const cacheKey = [
    view.key,
    mailbox.changeSeq(view.key),
    view.folder.id,
    view.gen,
    shape.bodyType,
    properties.join(","),
  ].join("|");
  const hit = cache.get(cacheKey);
  if (hit !== undefined) return hit;
  const xml = renderMessage(mailbox, view, properties, shape);
  if (cache.size >= RENDER_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(cacheKey, xml);
  return xml;
}

function renderMessage(
  mailbox: Mailbox,
  view: ItemView,
  properties: string[],
  shape: ItemShape,
): string {
  const { key } = view;
  const c = mailbox.content(key);
  const received = mailbox.receivedAt(key);
  const size =
    Buffer.byteLength(c.body.content) + c.attachments.reduce((n, a) => n + a.size, 0) + 1024;
  const parts: Record<string, () => string> = {
    "item:MimeContent": () =>
      `<t:MimeContent CharacterSet="UTF-8">${messageMime(mailbox, key).toString("base64")}</t:MimeContent>`,
    "item:ItemId": () => itemIdXml(mailbox, view),
    "item:ParentFolderId": () =>
      `<t:ParentFolderId Id="${view.folder.id}" ChangeKey="${folderChangeKey(view.folder)}"/>`,
    "item:ItemClass": () => el("t:ItemClass", "IPM.Note"),
    "item:Subject": () => el("t:Subject", c.subject),
    "item:Sensitivity": () => el("t:Sensitivity", "Normal"),
    "item:Body": () => bodyXml(c.body, shape.bodyType),
    "item:Attachments": () =>
      c.attachments.length
        ? `<t:Attachments>${c.attachments
            .map((a, i) =>
              attachmentXml(a, mailbox.attachmentId(key, i), mailbox.lastModifiedAt(key)),
            )
            .join("")}</t:Attachments>`
        : "",
    "item:DateTimeReceived": () => el("t:DateTimeReceived", ewsDateTime(received)),
    "item:Size": () => el("t:Size", size),
    "item:Importance": () =>
      el("t:Importance", c.importance[0]?.toUpperCase() + c.importance.slice(1)),
    "item:IsSubmitted": () => el("t:IsSubmitted", false),
    "item:IsDraft": () => el("t:IsDraft", c.isDraft),
    "item:IsFromMe": () => el("t:IsFromMe", c.from.address.toLowerCase() === mailbox.email),
    "item:IsResend": () => el("t:IsResend", false),
    "item:IsUnmodified": () => el("t:IsUnmodified", true),
    "item:DateTimeSent": () => el("t:DateTimeSent", ewsDateTime(received - c.sentBeforeReceivedMs)),
    "item:DateTimeCreated": () => el("t:DateTimeCreated", ewsDateTime(received)),
    "item:DisplayCc": () =>
      el("t:DisplayCc", c.ccRecipients.map((r) => r.name || r.address).join("; ")),
    "item:DisplayTo": () =>
      el("t:DisplayTo", c.toRecipients.map((r) => r.name || r.address).join("; ")),
    "item:HasAttachments": () =>
      el(
        "t:HasAttachments",
        c.attachments.some((a) => !a.isInline),
      ),
    "item:LastModifiedTime": () =>
      el("t:LastModifiedTime", ewsDateTime(mailbox.lastModifiedAt(key))),
    "item:ConversationId": () => `<t:ConversationId Id="${esc(c.conversationId)}"/>`,
    "message:Sender": () => `<t:Sender>${mailboxXml(c.sender)}</t:Sender>`,
    "message:ToRecipients": () => recipientsXml("ToRecipients", c.toRecipients),
    "message:CcRecipients": () => recipientsXml("CcRecipients", c.ccRecipients),
    "message:BccRecipients": () => recipientsXml("BccRecipients", c.bccRecipients),
    "message:IsReadReceiptRequested": () => el("t:IsReadReceiptRequested", false),
    "message:IsDeliveryReceiptRequested": () => el("t:IsDeliveryReceiptRequested", false),
    "message:ConversationIndex": () =>
      el("t:ConversationIndex", Buffer.from(c.conversationId).toString("base64").slice(0, 30)),
    "message:ConversationTopic": () =>
      el("t:ConversationTopic", c.subject.replace(/^(re|fw|fwd):\s*/i, "")),
    "message:From": () => `<t:From>${mailboxXml(c.from)}</t:From>`,
    // A message without a Message-ID header has no InternetMessageId at all.
    "message:InternetMessageId": () =>
      c.internetMessageId ? el("t:InternetMessageId", c.internetMessageId) : "",
    "message:IsRead": () => el("t:IsRead", mailbox.isRead(key)),
  };
  return `<t:Message>${properties.map((p) => parts[p]?.() ?? "").join("")}</t:Message>`;
}

/** An RFC 5322 rendering of a stored message (GetItem with IncludeMimeContent). */
export function messageMime(mailbox: Mailbox, key: number): Buffer {
  const c = mailbox.content(key);
  const addr = (a: EmailAddress): string =>
    a.name ? `"${a.name.replace(/"/g, "'")}" <${a.address}>` : `<${a.address}>`;
  const received = mailbox.receivedAt(key);
  const lines = [
    `From: ${addr(c.from)}`,
    `Sender: ${addr(c.sender)}`,
    ...(c.toRecipients.length ? [`To: ${c.toRecipients.map(addr).join(", ")}`] : []),
    ...(c.ccRecipients.length ? [`Cc: ${c.ccRecipients.map(addr).join(", ")}`] : []),
    `Subject: =?utf-8?B?${Buffer.from(c.subject).toString("base64")}?=`,
    `Date: ${new Date(received - c.sentBeforeReceivedMs).toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${c.internetMessageId}`,
    "MIME-Version: 1.0",
    `Content-Type: ${c.body.contentType === "html" ? "text/html" : "text/plain"}; charset="utf-8"`,
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from(c.body.content).toString("base64").replace(/.{76}/g, "$&\r\n"),
    "",
  ];
  return Buffer.from(lines.join("\r\n"), "utf8");
}
