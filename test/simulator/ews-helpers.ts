import { Agent, request } from "node:https";
import { XMLParser } from "fast-xml-parser";
import { clientAuthenticate, clientNegotiate } from "../../simulator/ews/ntlm.js";

/**
 * Raw EWS for the simulator's own tests: SOAP envelopes written by hand (as Microsoft's reference
 * shows them), sent over node:https on one kept-alive connection per EwsConnection, so a test can
 * see NTLM authenticate the connection rather than the request.
 */
export const TYPES = "http://schemas.microsoft.com/exchange/services/2006/types";
export const MESSAGES = "http://schemas.microsoft.com/exchange/services/2006/messages";

export function soap(body: string, header = ""): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="${TYPES}" xmlns:m="${MESSAGES}">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2016"/>${header}</soap:Header>` +
    `<soap:Body>${body}</soap:Body></soap:Envelope>`
  );
}

export function impersonation(address: string): string {
  return `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${address}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`;
}

export function getFolderXml(folder: string, mailbox?: string): string {
  const box = mailbox ? `<t:Mailbox><t:EmailAddress>${mailbox}</t:EmailAddress></t:Mailbox>` : "";
  return soap(
    `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="${folder}">${box}</t:DistinguishedFolderId></m:FolderIds></m:GetFolder>`,
  );
}

export interface EwsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Each WWW-Authenticate header line (Node joins them in `headers`). */
  authenticate: string[];
  /** The parsed envelope's Body (namespace prefixes dropped); undefined for non-XML answers. */
  body?: Record<string, unknown>;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  removeNSPrefix: true,
  parseTagValue: false,
});

export function parseBody(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith("<")) return undefined;
  const doc = parser.parse(text) as { Envelope?: { Body?: Record<string, unknown> } };
  return doc.Envelope?.Body;
}

/** One TLS connection (an Agent with a single kept-alive socket) to the EWS endpoint. */
export class EwsConnection {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(readonly url: string) {}

  post(xml: string, headers: Record<string, string> = {}, method = "POST"): Promise<EwsAnswer> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        {
          method,
          agent: this.agent,
          headers: {
            "content-type": "text/xml; charset=utf-8",
            "content-length": String(Buffer.byteLength(xml)),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const authenticate = res.rawHeaders.filter(
              (_, k) => k % 2 === 1 && res.rawHeaders[k - 1]?.toLowerCase() === "www-authenticate",
            );
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              authenticate,
              body: parseBody(text),
            });
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(xml);
    });
  }

  /** NTLM handshake carrying `xml` in the AUTHENTICATE leg; returns that leg's answer. */
  async ntlm(
    creds: { user: string; domain: string; password: string; v1?: boolean },
    xml: string,
  ): Promise<EwsAnswer> {
    const challenge = await this.negotiate(xml);
    return this.post(xml, { authorization: `NTLM ${clientAuthenticate(challenge, creds)}` });
  }

  /** The NEGOTIATE leg alone; returns the server's CHALLENGE (base64). */
  async negotiate(xml: string): Promise<string> {
    const first = await this.post(xml, { authorization: `NTLM ${clientNegotiate()}` });
    const challenge = /^NTLM (\S+)$/.exec(first.authenticate[0] ?? "");
    if (first.status !== 401 || !challenge?.[1])
      throw new Error(
        `no NTLM challenge: ${first.status} ${String(first.headers["www-authenticate"])}`,
      );
    return challenge[1];
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Walks a parsed body: `dig(body, "GetFolderResponse", "ResponseMessages", …)`. */
export function dig(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

export function list(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null || value === "") return [];
  return (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
}
