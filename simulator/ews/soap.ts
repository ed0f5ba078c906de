import { XMLParser } from "fast-xml-parser";

/**
 * SOAP 1.1 as Exchange Web Services speaks it: parsing a request envelope (namespace prefixes
 * dropped, so `t:ItemId` and `ItemId` read the same), writing response envelopes with the
 * `ServerVersionInfo` header, response messages (`ResponseClass`, `MessageText`, `ResponseCode`,
 * `DescriptiveLinkKey`, `MessageXml`) and `soap:Fault`s for requests the schema refuses.
 */
export const NS = {
  soap: "http://schemas.xmlsoap.org/soap/envelope/",
  messages: "http://schemas.microsoft.com/exchange/services/2006/messages",
  types: "http://schemas.microsoft.com/exchange/services/2006/types",
  errors: "http://schemas.microsoft.com/exchange/services/2006/errors",
} as const;

export type XmlNode = Record<string, unknown>;

/** Elements that may repeat; always parsed as arrays so a single one reads the same. */
const REPEATED = new Set([
  "ItemId",
  "FolderId",
  "DistinguishedFolderId",
  "AttachmentId",
  "FieldURI",
  "IndexedFieldURI",
  "ExtendedFieldURI",
  "FieldOrder",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => REPEATED.has(name),
});

export class SchemaError extends Error {}

export interface SoapRequest {
  header: XmlNode;
  /** The operation element's local name (`GetFolder`, `SyncFolderItems`, …). */
  operation: string;
  body: XmlNode;
}

export function parseEnvelope(xml: string): SoapRequest {
  let doc: XmlNode;
  try {
    doc = parser.parse(xml, true) as XmlNode;
  } catch (error) {
    throw new SchemaError(
      `The request failed schema validation: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const envelope = node(doc.Envelope);
  const body = envelope ? node(envelope.Body) : undefined;
  if (!envelope || !body)
    throw new SchemaError("The request failed schema validation: no SOAP Envelope/Body.");
  const operations = Object.keys(body).filter((k) => !k.startsWith("@_") && k !== "#text");
  const [operation] = operations;
  if (operations.length !== 1 || operation === undefined)
    throw new SchemaError("The request failed schema validation: the Body must hold one element.");
  return { header: node(envelope.Header) ?? {}, operation, body: node(body[operation]) ?? {} };
}

/** The element as an object (`<a/>` and `<a>text</a>` become {} and {"#text"}). */
export function node(value: unknown): XmlNode | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return node(value[0]);
  if (typeof value === "object") return value as XmlNode;
  return { "#text": String(value) };
}

export function child(parent: XmlNode | undefined, name: string): XmlNode | undefined {
  return parent ? node(parent[name]) : undefined;
}

export function children(parent: XmlNode | undefined, name: string): XmlNode[] {
  const value = parent?.[name];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => node(v) ?? {});
}

export function text(value: XmlNode | undefined): string | undefined {
  if (!value) return undefined;
  const t = value["#text"];
  return t === undefined ? "" : String(t);
}

export function attr(value: XmlNode | undefined, name: string): string | undefined {
  const a = value?.[`@_${name}`];
  return a === undefined ? undefined : String(a);
}

export function childText(parent: XmlNode | undefined, name: string): string | undefined {
  return text(child(parent, name));
}

// ---- writing -------------------------------------------------------------------------------

export function esc(value: string): string {
  return value.replace(/[<>&"]/g, (c) =>
    c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "&" ? "&amp;" : "&quot;",
  );
}

/** `<t:Name>value</t:Name>`, escaped; nothing for undefined. */
export function el(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  return `<${name}>${esc(String(value))}</${name}>`;
}

export interface ServerVersion {
  MajorVersion: number;
  MinorVersion: number;
  MajorBuildNumber: number;
  MinorBuildNumber: number;
  Version: string;
}

/** What Exchange 2016 CU23 and Exchange 2019 CU14 report (both schema version V2017_07_11). */
export const SERVER_VERSIONS: Record<"Exchange2016" | "Exchange2019", ServerVersion> = {
  Exchange2016: {
    MajorVersion: 15,
    MinorVersion: 1,
    MajorBuildNumber: 2507,
    MinorBuildNumber: 6,
    Version: "V2017_07_11",
  },
  Exchange2019: {
    MajorVersion: 15,
    MinorVersion: 2,
    MajorBuildNumber: 1544,
    MinorBuildNumber: 4,
    Version: "V2017_07_11",
  },
};

/** RequestServerVersion values a 2016/2019 server accepts. */
export const REQUEST_VERSIONS = new Set([
  "Exchange2007",
  "Exchange2007_SP1",
  "Exchange2010",
  "Exchange2010_SP1",
  "Exchange2010_SP2",
  "Exchange2013",
  "Exchange2013_SP1",
  "Exchange2015",
  "Exchange2016",
  "V2015_10_05",
  "V2016_01_06",
  "V2016_04_13",
  "V2016_07_13",
  "V2016_10_10",
  "V2017_01_07",
  "V2017_04_14",
  "V2017_07_11",
]);

export function envelope(version: ServerVersion, bodyXml: string): string {
  const v = version;
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap}">` +
    `<s:Header><h:ServerVersionInfo MajorVersion="${v.MajorVersion}" MinorVersion="${v.MinorVersion}" MajorBuildNumber="${v.MajorBuildNumber}" MinorBuildNumber="${v.MinorBuildNumber}" Version="${v.Version}" xmlns:h="${NS.types}" xmlns="${NS.types}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></s:Header>` +
    `<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${bodyXml}</s:Body>` +
    `</s:Envelope>`
  );
}

/** `<m:XResponse><m:ResponseMessages>…</m:ResponseMessages></m:XResponse>` */
export function operationResponse(operation: string, messages: string[]): string {
  return (
    `<m:${operation}Response xmlns:m="${NS.messages}" xmlns:t="${NS.types}">` +
    `<m:ResponseMessages>${messages.join("")}</m:ResponseMessages>` +
    `</m:${operation}Response>`
  );
}

export function successMessage(operation: string, inner: string): string {
  return (
    `<m:${operation}ResponseMessage ResponseClass="Success">` +
    `<m:ResponseCode>NoError</m:ResponseCode>${inner}` +
    `</m:${operation}ResponseMessage>`
  );
}

/** An EWS error in a response message (HTTP 200); `values` go into MessageXml. */
export interface EwsErrorSpec {
  code: string;
  message: string;
  values?: Record<string, string | number>;
}

export function errorMessage(operation: string, error: EwsErrorSpec, trailer = ""): string {
  return (
    `<m:${operation}ResponseMessage ResponseClass="Error">` +
    `<m:MessageText>${esc(error.message)}</m:MessageText>` +
    `<m:ResponseCode>${error.code}</m:ResponseCode>` +
    `<m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>` +
    messageXml(error.values) +
    trailer +
    `</m:${operation}ResponseMessage>`
  );
}

function messageXml(values: Record<string, string | number> | undefined): string {
  if (!values) return "";
  const inner = Object.entries(values)
    .map(([k, v]) => `<t:Value Name="${esc(k)}">${esc(String(v))}</t:Value>`)
    .join("");
  return `<m:MessageXml>${inner}</m:MessageXml>`;
}

/**
 * A SOAP fault as Exchange sends it (HTTP 500): `faultcode` names the EWS code in the types
 * namespace, `detail` repeats it in the errors namespace and carries MessageXml values (e.g.
 * `BackOffMilliseconds` for ErrorServerBusy).
 */
export function soapFault(error: EwsErrorSpec, faultcode?: string): string {
  const values = error.values
    ? `<t:MessageXml xmlns:t="${NS.types}">${Object.entries(error.values)
        .map(([k, v]) => `<t:Value Name="${esc(k)}">${esc(String(v))}</t:Value>`)
        .join("")}</t:MessageXml>`
    : "";
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${NS.types}">${faultcode ?? `a:${error.code}`}</faultcode>` +
    `<faultstring xml:lang="en-US">${esc(error.message)}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS.errors}">${error.code}</e:ResponseCode>` +
    `<e:Message xmlns:e="${NS.errors}">${esc(error.message)}</e:Message>${values}</detail>` +
    `</s:Fault></s:Body></s:Envelope>`
  );
}

/** EWS renders xs:dateTime in UTC with whole seconds. */
export function ewsDateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
