import type { IncomingMessage, ServerResponse } from "node:http";
import type { TokenService } from "../access-tokens.js";
import type { FaultAction, FaultInjector } from "../faults.js";
import { readBody, resetConnection, sleep } from "../http-io.js";
import { decodeId } from "../ids.js";
import type { Directory, TenantUser } from "../tenant-directory.js";
import { EWS_APP_ROLE, EwsAuthenticator, type EwsPrincipal } from "./ews-auth.js";
import { EwsError, type EwsContext } from "./ews-context.js";
import { EwsRecord, type EwsRequestLogEntry } from "./ews-record.js";
import { EWS_OPERATIONS } from "./ews-operations.js";
import {
  REQUEST_VERSIONS,
  SERVER_VERSIONS,
  SchemaError,
  attr,
  child,
  childText,
  envelope,
  errorMessage,
  operationResponse,
  parseEnvelope,
  soapFault,
  type EwsErrorSpec,
  type ServerVersion,
  type XmlNode,
} from "./soap.js";

/**
 * Exchange Web Services at `POST /EWS/Exchange.asmx` (SOAP 1.1), over the same mailboxes as the
 * Graph side. The pipeline, in the order Exchange applies it: connection/bearer authentication
 * (401s) → SOAP parsing (soap:Fault ErrorSchemaValidation) → RequestServerVersion → the
 * principal's concurrency slot (EWSMaxConcurrency, default 27) → Exchange impersonation (app-only
 * tokens must name a mailbox; soap:Fault ErrorImpersonateUserDenied) → latency and faults → the
 * operation, whose response messages carry per-mailbox errors (ErrorAccessDenied,
 * ErrorNonExistentMailbox, …).
 */
export interface EwsServiceDeps {
  directory: Directory;
  tokens: TokenService;
  faults: FaultInjector;
  now: () => number;
  latencyMs: () => number;
  ewsOrigin: () => string;
  loginUrl: () => string;
  serverVersion: "Exchange2016" | "Exchange2019";
  maxConcurrency: number;
}

export const EWS_PATH = "/EWS/Exchange.asmx";
const XML_TYPE = "text/xml; charset=utf-8";

class Answered extends Error {}

export class EwsService {
  readonly record: EwsRecord;
  readonly auth: EwsAuthenticator;
  readonly version: ServerVersion;

  constructor(private readonly deps: EwsServiceDeps) {
    this.record = new EwsRecord(deps.now, { maxConcurrency: deps.maxConcurrency });
    this.version = SERVER_VERSIONS[deps.serverVersion];
    this.auth = new EwsAuthenticator({
      directory: deps.directory,
      tokens: deps.tokens,
      record: this.record,
      now: deps.now,
      audiences: () => {
        const origin = deps.ewsOrigin();
        return [origin, `${origin}/`];
      },
      loginUrl: deps.loginUrl,
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const conn = this.auth.connectionOf(req.socket);
    const entry: EwsRequestLogEntry = {
      at: this.deps.now(),
      connection: conn.id,
      status: 0,
      responseCodes: [],
      durationMs: 0,
    };
    const anchor = req.headers["x-anchormailbox"];
    if (typeof anchor === "string") entry.anchorMailbox = anchor;
    try {
      // An NTLM leg may carry the whole SOAP body: read it, or the connection cannot be reused.
      const body = await readBody(req);
      const path = new URL(req.url ?? "/", "https://ews").pathname;
      if (path.toLowerCase() !== EWS_PATH.toLowerCase()) {
        this.send(res, 404, "text/plain; charset=utf-8", "Not found");
        return;
      }
      const principal = this.auth.authenticate(req, res);
      if (!principal) return;
      entry.principal = principal.key;
      entry.auth = principal.kind === "user" ? principal.via : "bearer";
      if (req.method !== "POST") {
        this.send(res, 405, "text/plain; charset=utf-8", "EWS takes SOAP requests by POST.", {
          allow: "POST",
        });
        return;
      }
      await this.serve(req, res, body, principal, entry);
    } catch (error) {
      if (!(error instanceof Answered) && !res.headersSent && !res.destroyed) {
        const fault = soapFault({ code: "ErrorInternalServerError", message: String(error) });
        entry.responseCodes = ["ErrorInternalServerError"];
        this.send(res, 500, XML_TYPE, fault);
      }
    } finally {
      entry.status = res.headersSent ? res.statusCode : 0;
      entry.durationMs = Date.now() - started;
      this.record.request(entry);
    }
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
    principal: EwsPrincipal,
    entry: EwsRequestLogEntry,
  ): Promise<void> {
    let parsed;
    try {
      parsed = parseEnvelope(raw);
    } catch (error) {
      if (error instanceof SchemaError) return this.fault(res, entry, schemaError(error));
      throw error;
    }
    const { header, operation, body } = parsed;
    entry.operation = operation;
    const requested = attr(child(header, "RequestServerVersion"), "Version");
    if (requested !== undefined && !REQUEST_VERSIONS.has(requested)) {
      return this.fault(res, entry, {
        code: "ErrorInvalidServerVersion",
        message: "The specified server version is invalid.",
      });
    }
    if (!this.record.begin(principal.key, entry.connection, operation)) {
      return this.fault(res, entry, {
        code: "ErrorExceededConnectionCount",
        message:
          "You have exceeded the available concurrent connections for your account.  Try again once your other requests have completed.",
      });
    }
    // In flight until the answer is handed over (every answer below is written before this
    // returns), or the connection dies first. Not until 'finish' or 'close': those are delivered
    // to this event loop after the write completes, which can be after the client has read the
    // whole answer and sent its next request — counting a client within its budget as over it.
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.record.end(principal.key);
    };
    res.once("close", end);
    try {
      const acting = this.impersonate(principal, header, res, entry);
      const ctx: EwsContext = {
        principal,
        acting,
        directory: this.deps.directory,
        version: this.version,
        now: this.deps.now,
        faults: this.deps.faults,
        touched: new Set(),
      };
      const mailbox = targetMailbox(ctx, body);
      entry.mailbox = mailbox;
      if (mailbox) this.record.mailbox(principal.key, mailbox);

      await sleep(this.deps.latencyMs());
      const fault = this.deps.faults.take({
        target: "ews",
        mailbox,
        path: operation,
        method: "POST",
        clientId: principal.kind === "app" ? principal.app.clientId : undefined,
      });
      if (fault && (await this.applyFault(fault, req, res, entry, principal, operation, body)))
        return;

      const run = EWS_OPERATIONS[operation];
      if (!run) {
        return this.fault(res, entry, {
          code: "ErrorInvalidRequest",
          message: `The request is invalid: the simulator does not implement ${operation}.`,
        });
      }
      let xml: string;
      try {
        xml = run(ctx, body);
      } catch (error) {
        if (error instanceof SchemaError) return this.fault(res, entry, schemaError(error));
        if (error instanceof EwsError) return this.fault(res, entry, error.spec);
        throw error;
      }
      for (const m of ctx.touched) this.record.mailbox(principal.key, m);
      entry.responseCodes = responseCodes(xml);
      this.send(res, 200, XML_TYPE, envelope(this.version, xml));
    } finally {
      end();
    }
  }

  /** The user the request acts as, or a SOAP fault (then Answered is thrown). */
  private impersonate(
    principal: EwsPrincipal,
    header: XmlNode,
    res: ServerResponse,
    entry: EwsRequestLogEntry,
  ): TenantUser | undefined {
    const sid = child(child(header, "ExchangeImpersonation"), "ConnectingSID");
    const named =
      childText(sid, "PrimarySmtpAddress") ??
      childText(sid, "SmtpAddress") ??
      childText(sid, "PrincipalName");
    if (!sid || named === undefined) {
      if (principal.kind === "user") return principal.user;
      this.fault(res, entry, {
        code: "ErrorInvalidExchangeImpersonationHeaderData",
        message: "ExchangeImpersonation SOAP header must be present for this type of OAuth token.",
      });
      throw new Answered();
    }
    const user = principal.tenant.userByIdOrUpn(named);
    const mailbox = user?.mailbox;
    if (!user || !mailbox || mailbox.deleted || mailbox.kind === "unlicensed") {
      this.fault(res, entry, {
        code: "ErrorNonExistentMailbox",
        message: "The SMTP address has no mailbox associated with it.",
      });
      throw new Answered();
    }
    const allowed =
      principal.kind === "app"
        ? principal.roles.has(EWS_APP_ROLE) && principal.app.mayAccessMailbox(mailbox.email)
        : principal.user === user;
    if (!allowed) {
      entry.mailbox = mailbox.email;
      this.record.mailbox(principal.key, mailbox.email);
      this.fault(res, entry, {
        code: "ErrorImpersonateUserDenied",
        message: "The account does not have permission to impersonate the requested user.",
      });
      throw new Answered();
    }
    return user;
  }

  /** Applies a fault rule; true when it answered the request. */
  private async applyFault(
    fault: FaultAction,
    req: IncomingMessage,
    res: ServerResponse,
    entry: EwsRequestLogEntry,
    principal: EwsPrincipal,
    operation: string,
    body: XmlNode,
  ): Promise<boolean> {
    switch (fault.type) {
      case "reset":
        resetConnection(req);
        return true;
      case "delay":
        await sleep(fault.ms);
        return false;
      case "status":
        this.send(
          res,
          fault.status,
          "text/html; charset=utf-8",
          "<html><body>Service Unavailable</body></html>",
          {
            ...(fault.retryAfterSeconds ? { "retry-after": String(fault.retryAfterSeconds) } : {}),
          },
        );
        return true;
      case "ewsServerBusy": {
        const spec: EwsErrorSpec = {
          code: "ErrorServerBusy",
          message: "The server cannot service this request right now. Try again later.",
          values: { BackOffMilliseconds: fault.backOffMs },
        };
        this.record.serverBusy(principal.key, fault.backOffMs);
        const status = fault.httpStatus ?? 500;
        if (status === 200) {
          this.respondWithError(res, entry, operation, body, spec);
        } else {
          entry.responseCodes = [spec.code];
          this.send(res, status, XML_TYPE, soapFault(spec));
        }
        return true;
      }
      case "ewsError":
        this.respondWithError(res, entry, operation, body, {
          code: fault.code,
          message: fault.message ?? defaultMessage(fault.code),
        });
        return true;
    }
  }

  /** The operation's answer with every response message an error (HTTP 200). */
  private respondWithError(
    res: ServerResponse,
    entry: EwsRequestLogEntry,
    operation: string,
    body: XmlNode,
    spec: EwsErrorSpec,
  ): void {
    const count = Math.max(1, countIds(body));
    const messages = Array.from({ length: count }, () => errorMessage(operation, spec));
    const xml = operationResponse(operation, messages);
    entry.responseCodes = responseCodes(xml);
    this.send(res, 200, XML_TYPE, envelope(this.version, xml));
  }

  private fault(res: ServerResponse, entry: EwsRequestLogEntry, spec: EwsErrorSpec): void {
    entry.responseCodes = [spec.code];
    this.send(res, 500, XML_TYPE, soapFault(spec));
  }

  private send(
    res: ServerResponse,
    status: number,
    type: string,
    text: string,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    const payload = Buffer.from(text, "utf8");
    res.writeHead(status, {
      "content-type": type,
      "content-length": String(payload.length),
      "x-ews-simulator": "1",
      ...headers,
    });
    res.end(payload);
  }
}

function schemaError(error: SchemaError): EwsErrorSpec {
  return { code: "ErrorSchemaValidation", message: error.message };
}

const DEFAULT_MESSAGES: Record<string, string> = {
  ErrorMailboxMoveInProgress: "Mailbox move in progress. Try again later.",
  ErrorInvalidSyncStateData: "Synchronization state data is corrupt or otherwise invalid.",
  ErrorItemNotFound: "The specified object was not found in the store.",
  ErrorAccessDenied: "Access is denied. Check credentials and try again.",
  ErrorNonExistentMailbox: "The SMTP address has no mailbox associated with it.",
  ErrorInternalServerError: "An internal server error occurred. The operation failed.",
  ErrorMailboxStoreUnavailable: "The mailbox database is temporarily unavailable.",
  ErrorTimeoutExpired: "The request timed out.",
};

function defaultMessage(code: string): string {
  return DEFAULT_MESSAGES[code] ?? "The operation failed.";
}

function responseCodes(xml: string): string[] {
  return [...xml.matchAll(/<m:ResponseCode>(\w+)<\/m:ResponseCode>/g)].map((m) => m[1] ?? "");
}

/** How many response messages a request expects: one per id it names. */
function countIds(body: XmlNode): number {
  for (const container of ["ItemIds", "AttachmentIds", "FolderIds", "ParentFolderIds"]) {
    const c = child(body, container);
    if (!c) continue;
    let n = 0;
    for (const k of ["ItemId", "AttachmentId", "FolderId", "DistinguishedFolderId"]) {
      const v = c[k];
      n += Array.isArray(v) ? v.length : v === undefined ? 0 : 1;
    }
    return n;
  }
  return 1;
}

/** The mailbox a request is for: the impersonated one, else the first one its ids name. */
function targetMailbox(ctx: EwsContext, body: XmlNode): string | undefined {
  if (ctx.principal.kind === "app" && ctx.acting?.mailbox) return ctx.acting.mailbox.email;
  let found: string | undefined;
  const visit = (value: unknown, key: string): void => {
    if (found !== undefined || value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, key);
      return;
    }
    const n = value as XmlNode;
    if (key === "DistinguishedFolderId") {
      const address = childText(child(n, "Mailbox"), "EmailAddress");
      found = address ? address.toLowerCase() : ctx.acting?.mailbox?.email;
      return;
    }
    if (
      key === "FolderId" ||
      key === "ItemId" ||
      key === "AttachmentId" ||
      key === "SyncFolderId"
    ) {
      const id = attr(n, "Id") ?? attr(n, "RootItemId");
      const decoded = id ? decodeId(id) : undefined;
      const mailbox = decoded ? ctx.directory.mailboxByNumber(decoded.mailbox) : undefined;
      if (mailbox) {
        found = mailbox.email;
        return;
      }
    }
    for (const [k, v] of Object.entries(n)) if (!k.startsWith("@_")) visit(v, k);
  };
  visit(body, "");
  return found ?? ctx.acting?.mailbox?.email;
}
