import { XMLBuilder, XMLParser } from "fast-xml-parser";

/**
 * SOAP 1.1 envelopes for EWS (Microsoft's EWS reference: "EWS XML elements", ExchangeImpersonation,
 * RequestServerVersion) built and read with fast-xml-parser. Requests are plain objects in
 * fast-xml-parser's notation (`@_` attributes, `#text` text) so that every value is escaped by the
 * builder; responses are parsed without namespace prefixes (servers choose their own: `m:`, `t:`,
 * none) and with every value kept as a string (ids and sync states must not become numbers).
 */
export const NS = {
  soap: "http://schemas.xmlsoap.org/soap/envelope/",
  types: "http://schemas.microsoft.com/exchange/services/2006/types",
  messages: "http://schemas.microsoft.com/exchange/services/2006/messages",
} as const;

/** Exchange 2013 SP1's schema: understood by Exchange Server 2016, 2019 and Subscription Edition. */
export const REQUEST_SERVER_VERSION = "Exchange2013_SP1";

export type XmlNode = Record<string, unknown>;

/** Who a request acts for: the mailbox itself through impersonation, or none (delegate access). */
export interface EnvelopeOptions {
  impersonate?: string | null;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  suppressEmptyNode: true,
});

/** The request document for one operation; `operation` is the body element (`m:`-namespaced). */
export function buildEnvelope(
  operation: string,
  body: XmlNode,
  options: EnvelopeOptions = {},
): string {
  const header: XmlNode = { "t:RequestServerVersion": { "@_Version": REQUEST_SERVER_VERSION } };
  if (options.impersonate) {
    header["t:ExchangeImpersonation"] = {
      "t:ConnectingSID": { "t:PrimarySmtpAddress": options.impersonate },
    };
  }
  const document = {
    "?xml": { "@_version": "1.0", "@_encoding": "utf-8" },
    "soap:Envelope": {
      "@_xmlns:soap": NS.soap,
      "@_xmlns:t": NS.types,
      "@_xmlns:m": NS.messages,
      "soap:Header": header,
      "soap:Body": { [`m:${operation}`]: body },
    },
  };
  return builder.build(document) as string;
}

/** Elements that may repeat anywhere in an EWS answer: always parsed as arrays. */
const REPEATED = new Set([
  // response messages of a batch
  "GetItemResponseMessage",
  "GetAttachmentResponseMessage",
  "GetFolderResponseMessage",
  "FindItemResponseMessage",
  "SyncFolderItemsResponseMessage",
  "SyncFolderHierarchyResponseMessage",
  // change lists
  "Create",
  "Update",
  "Delete",
  "ReadFlagChange",
  // items of every kind a mail folder holds
  "Item",
  "Message",
  "MeetingMessage",
  "MeetingRequest",
  "MeetingResponse",
  "MeetingCancellation",
  "PostItem",
  // folders
  "Folder",
  "SearchFolder",
  "CalendarFolder",
  "ContactsFolder",
  "TasksFolder",
  // recipients and attachments
  "Mailbox",
  "FileAttachment",
  "ItemAttachment",
  "ReferenceAttachment",
  "Value",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  textNodeName: "#text",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  // Bodies keep their whitespace; whitespace-only text between elements is simply never read.
  trimValues: false,
  // Numeric character references (&#x1F600;) are decoded too.
  htmlEntities: true,
  isArray: (name) => REPEATED.has(name),
});

/** A SOAP fault (HTTP 500): EWS puts its ResponseCode in `detail`, else in `faultcode`. */
export interface SoapFault {
  code: string;
  message: string;
  /** `BackOffMilliseconds` of ErrorServerBusy, when given. */
  backOffMs: number | null;
}

export interface ParsedEnvelope {
  body: XmlNode | null;
  fault: SoapFault | null;
}

/** Parses an answer; throws when it is not a SOAP envelope at all. */
export function parseEnvelope(xml: string): ParsedEnvelope {
  const doc = parser.parse(xml) as XmlNode;
  const envelope = child(doc, "Envelope");
  const body = envelope ? child(envelope, "Body") : null;
  if (!body) throw new Error("The answer is not a SOAP envelope");
  const fault = child(body, "Fault");
  if (!fault) return { body, fault: null };
  const detail = child(fault, "detail") ?? child(fault, "Detail");
  const faultcode = text(fault, "faultcode") ?? "";
  const code =
    (detail && text(detail, "ResponseCode")) || faultcode.replace(/^.*:/, "") || "SoapFault";
  const message =
    (detail && text(detail, "Message")) ||
    text(fault, "faultstring") ||
    "EWS answered a SOAP fault";
  return { body: null, fault: { code, message, backOffMs: backOffOf(detail) } };
}

/** `<MessageXml><Value Name="BackOffMilliseconds">…</Value></MessageXml>` (ErrorServerBusy). */
export function backOffOf(node: XmlNode | null): number | null {
  const messageXml = node ? child(node, "MessageXml") : null;
  if (!messageXml) return null;
  for (const value of list(messageXml, "Value")) {
    if (attr(value, "Name") === "BackOffMilliseconds") {
      const ms = Number(textOf(value));
      return Number.isFinite(ms) && ms >= 0 ? ms : null;
    }
  }
  return null;
}

// --- reading parsed nodes -------------------------------------------------------------------

export function child(node: XmlNode | null | undefined, name: string): XmlNode | null {
  const value = node?.[name];
  if (Array.isArray(value)) return (value[0] as XmlNode | undefined) ?? null;
  if (value === undefined || value === null) return null;
  return typeof value === "object" ? (value as XmlNode) : { "#text": value };
}

export function list(node: XmlNode | null | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => (typeof v === "object" && v !== null ? (v as XmlNode) : { "#text": v }));
}

export function textOf(node: XmlNode | null | undefined): string | null {
  if (!node) return null;
  const value = node["#text"];
  if (value === undefined || value === null) return "";
  return String(value);
}

/** The text of a child element; null when absent, "" when empty. */
export function text(node: XmlNode | null | undefined, name: string): string | null {
  const value = node?.[name];
  if (value === undefined || value === null) return null;
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first === "object" && first !== null) return textOf(first as XmlNode);
  return String(first);
}

export function attr(node: XmlNode | null | undefined, name: string): string | null {
  const value = node?.[`@_${name}`];
  return value === undefined || value === null ? null : String(value);
}
