import type { IncomingMessage, ServerResponse } from "node:http";
import { GRAPH_APP_ID, type Principal, type TokenService } from "./access-tokens.js";
import type { FaultInjector } from "./faults.js";
import { renderUser } from "./graph-json.js";
import type { GraphSubscriptions } from "./graph-subscriptions.js";
import { MailRoutes } from "./graph-mail-routes.js";
import { readBody, requestIdOf, resetConnection, sendJson, sleep } from "./http-io.js";
import type { MailboxLimits } from "./mailbox-limits.js";
import type { RequestOrigins } from "./request-origins.js";
import type { Mailbox } from "./mailbox.js";
import { GraphHttpError, parsePrefer } from "./odata-query.js";
import type { Directory, TenantUser } from "./tenant-directory.js";

/**
 * Microsoft Graph v1.0 for the mail endpoints a sync needs. This file is the request pipeline, in
 * the order Graph applies it: bearer token → user → mailbox state → permission and application
 * access policy → per-app-per-mailbox limits → (simulated latency and faults) → the mail routes.
 */
export interface GraphApiDeps {
  directory: Directory;
  tokens: TokenService;
  faults: FaultInjector;
  limits: MailboxLimits;
  origins: RequestOrigins;
  now: () => number;
  graphUrl: () => string;
  loginUrl: () => string;
  latencyMs: () => number;
  deltaReplayOverlap: () => number;
  subscriptions: GraphSubscriptions;
  onRequest: (entry: GraphRequestLogEntry) => void;
}

export interface GraphRequestLogEntry {
  target: "graph";
  method: string;
  path: string;
  status: number;
  clientId?: string;
  mailbox?: string;
  /** The client's User-Agent (a Mailstream process names itself there). */
  origin?: string;
  /** When the request arrived (epoch ms). */
  at?: number;
  durationMs: number;
}

const MAIL_ROLES = ["Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic.All", "Mail.ReadBasic"];
const JSON_TYPE =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export class GraphApi {
  private readonly mail: MailRoutes;

  constructor(private readonly deps: GraphApiDeps) {
    this.mail = new MailRoutes({
      graphUrl: deps.graphUrl,
      deltaReplayOverlap: deps.deltaReplayOverlap,
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", this.deps.graphUrl());
    const requestId = requestIdOf(req);
    const log: GraphRequestLogEntry = {
      target: "graph",
      method,
      path: url.pathname + url.search,
      status: 0,
      at: started,
      durationMs: 0,
    };
    const headers: Record<string, string> = {
      "request-id": requestId,
      "client-request-id": requestId,
    };
    try {
      await this.pipeline(req, res, url, headers, log);
      log.status = res.statusCode;
    } catch (error) {
      if (error instanceof ConnectionReset) {
        log.status = 0;
      } else if (error instanceof GraphHttpError) {
        log.status = error.status;
        this.sendError(res, error, headers, requestId);
      } else {
        log.status = 500;
        this.sendError(
          res,
          new GraphHttpError(500, "UnknownError", String(error)),
          headers,
          requestId,
        );
      }
    } finally {
      log.durationMs = Date.now() - started;
      this.deps.onRequest(log);
    }
  }

  private async pipeline(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    headers: Record<string, string>,
    log: GraphRequestLogEntry,
  ): Promise<void> {
    const segments = parseSegments(url.pathname);
    if (segments[0]?.toLowerCase() !== "v1.0") {
      throw new GraphHttpError(400, "BadRequest", `Invalid version: ${segments[0] ?? ""}`);
    }
    const principal = this.authenticate(req);
    log.clientId = principal.app.clientId;

    const [root = "", ...afterRoot] = segments.slice(1);
    if (root.toLowerCase() === "subscriptions") {
      await this.subscriptionRoute(req, res, url, afterRoot, headers, principal);
      return;
    }
    let userRef: string;
    let rest: string[];
    if (root.toLowerCase() === "me") {
      if (principal.kind !== "user") {
        throw new GraphHttpError(
          400,
          "BadRequest",
          "/me request is only valid with delegated authentication flow.",
        );
      }
      userRef = principal.user.id;
      rest = afterRoot;
    } else if (root.toLowerCase() === "users" && afterRoot[0]) {
      [userRef = "", ...rest] = afterRoot;
    } else {
      throw new GraphHttpError(400, "BadRequest", `Resource not found for the segment '${root}'.`);
    }

    const user = principal.tenant.userByIdOrUpn(userRef);
    const isMail = rest.length > 0;
    if (!user || user.mailbox?.deleted) {
      throw isMail
        ? new GraphHttpError(404, "ErrorInvalidUser", `The requested user '${userRef}' is invalid.`)
        : new GraphHttpError(
            404,
            "Request_ResourceNotFound",
            `Resource '${userRef}' does not exist or one of its queried reference-property objects are not present.`,
          );
    }
    const mailbox = isMail ? this.mailboxFor(user, userRef) : undefined;
    log.mailbox = mailbox?.email ?? user.upn;
    log.origin = req.headers["user-agent"] ?? "";
    if (mailbox) {
      // Until the answer is handed to the network ('finish'; 'close' if the connection died): the
      // client cannot have read it all before, so this never counts longer than the client does.
      const end = this.deps.origins.begin(mailbox.email, log.origin, log.path);
      res.once("finish", end).once("close", end);
    }
    this.authorize(principal, user, mailbox);

    const limitKey =
      principal.kind === "app"
        ? principal.app.clientId
        : `${principal.app.clientId}/${principal.user.id}`;
    const admission = this.deps.limits.admit(limitKey, mailbox?.email ?? user.upn);
    if (!admission.ok) {
      throw new GraphHttpError(
        429,
        "ApplicationThrottled",
        admission.reason === "concurrency"
          ? "Application is over its MailboxConcurrency limit."
          : "Application is over its request limit for this mailbox. Retry after the time given in Retry-After.",
        { "retry-after": String(admission.retryAfterSeconds) },
      );
    }
    // The slot is held until the answer has left (or the connection died).
    res.once("close", admission.release);

    await sleep(this.deps.latencyMs());
    const fault = this.deps.faults.take({
      target: "graph",
      mailbox: mailbox?.email ?? user.upn,
      path: url.pathname,
      method: req.method ?? "GET",
      clientId: principal.app.clientId,
    });
    if (fault?.type === "reset") {
      resetConnection(req);
      throw new ConnectionReset();
    }
    if (fault?.type === "delay") await sleep(fault.ms);
    if (fault?.type === "status")
      throw faultError(
        fault.status,
        fault.code,
        fault.message,
        fault.retryAfterSeconds,
        fault.location,
      );

    if (req.method !== "GET")
      throw new GraphHttpError(
        405,
        "ErrorInvalidRequest",
        "The simulator serves GET requests only.",
      );

    const prefer = parsePrefer(req.headers.prefer);
    if (prefer.applied.length > 0) headers["preference-applied"] = prefer.applied.join(", ");
    if (!mailbox) {
      this.sendJson(
        res,
        200,
        {
          "@odata.context": `${this.deps.graphUrl()}/v1.0/$metadata#users/$entity`,
          ...renderUser({ ...user, mail: user.mailbox?.email }),
        },
        headers,
      );
      return;
    }
    const answer = this.mail.handle(mailbox, userRef, rest, url.searchParams, prefer);
    if (answer.kind === "json" && answer.renderedValue) {
      // The body's own properties, then the already serialised messages as its `value`.
      const head = JSON.stringify(answer.body);
      const payload = Buffer.from(
        `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"value":[${answer.renderedValue.join(",")}]}`,
      );
      res.writeHead(200, {
        ...headers,
        "content-type": JSON_TYPE,
        "odata-version": "4.0",
        "content-length": String(payload.length),
      });
      res.end(payload);
    } else if (answer.kind === "json") this.sendJson(res, 200, answer.body, headers);
    else {
      res.writeHead(200, {
        ...headers,
        "content-type": answer.contentType,
        "content-length": String(answer.body.length),
      });
      res.end(answer.body);
    }
  }

  /** `/subscriptions`: change notifications (graph-subscriptions.ts), after latency and faults. */
  private async subscriptionRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    rest: string[],
    headers: Record<string, string>,
    principal: Principal,
  ): Promise<void> {
    await sleep(this.deps.latencyMs());
    const method = req.method ?? "GET";
    const fault = this.deps.faults.take({
      target: "graph",
      mailbox: "",
      path: url.pathname,
      method,
      clientId: principal.app.clientId,
    });
    if (fault?.type === "reset") {
      resetConnection(req);
      throw new ConnectionReset();
    }
    if (fault?.type === "delay") await sleep(fault.ms);
    if (fault?.type === "status")
      throw faultError(fault.status, fault.code, fault.message, fault.retryAfterSeconds);
    const raw = method === "POST" || method === "PATCH" ? await readBody(req) : "";
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      throw new GraphHttpError(400, "BadRequest", "Unable to read JSON request payload.");
    }
    const answer = await this.deps.subscriptions.handle(principal, method, rest, body);
    if (answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
    } else this.sendJson(res, answer.status, answer.body, headers);
  }

  private authenticate(req: IncomingMessage): Principal {
    const result = this.deps.tokens.verify(req.headers.authorization, [
      this.deps.graphUrl(),
      `${this.deps.graphUrl()}/`,
      GRAPH_APP_ID,
    ]);
    if ("kind" in result) return result;
    const messages: Record<typeof result.reason, string> = {
      missing: "Access token is empty.",
      malformed: "Access token validation failure.",
      audience: "Access token validation failure. Invalid audience.",
      expired: "Lifetime validation failed, the token is expired.",
      revoked: "Access token has been revoked.",
      unknown: "Access token validation failure.",
    };
    throw new GraphHttpError(401, "InvalidAuthenticationToken", messages[result.reason], {
      "www-authenticate": `Bearer realm="", authorization_uri="${this.deps.loginUrl()}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
    });
  }

  private mailboxFor(user: TenantUser, userRef: string): Mailbox {
    const mailbox = user.mailbox;
    if (mailbox?.deleted)
      throw new GraphHttpError(
        404,
        "ErrorInvalidUser",
        `The requested user '${userRef}' is invalid.`,
      );
    if (!mailbox || mailbox.kind !== "licensed") {
      throw new GraphHttpError(
        404,
        "MailboxNotEnabledForRESTAPI",
        "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
      );
    }
    return mailbox;
  }

  private authorize(principal: Principal, user: TenantUser, mailbox: Mailbox | undefined): void {
    const denied = new GraphHttpError(
      403,
      "ErrorAccessDenied",
      "Access is denied. Check credentials and try again.",
    );
    if (principal.kind === "user") {
      const own = principal.user.id === user.id;
      if (mailbox && !own && !principal.user.fullAccessTo.has(mailbox.email)) throw denied;
      if (!mailbox && !own) {
        throw new GraphHttpError(
          403,
          "Authorization_RequestDenied",
          "Insufficient privileges to complete the operation.",
        );
      }
      return;
    }
    if (!mailbox) {
      if (!principal.roles.has("User.Read.All") && !principal.roles.has("User.ReadBasic.All")) {
        throw new GraphHttpError(
          403,
          "Authorization_RequestDenied",
          "Insufficient privileges to complete the operation.",
        );
      }
      return;
    }
    if (!MAIL_ROLES.some((r) => principal.roles.has(r))) throw denied;
    if (!principal.app.mayAccessMailbox(mailbox.email)) {
      throw new GraphHttpError(
        403,
        "ErrorAccessDenied",
        "Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.",
      );
    }
  }

  private sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ): void {
    sendJson(res, status, body, { ...headers, "content-type": JSON_TYPE, "odata-version": "4.0" });
  }

  private sendError(
    res: ServerResponse,
    error: GraphHttpError,
    headers: Record<string, string>,
    requestId: string,
  ): void {
    if (res.headersSent || res.destroyed) return;
    this.sendJson(
      res,
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          innerError: {
            date: new Date(this.deps.now()).toISOString().replace(/\.\d+Z$/, ""),
            "request-id": requestId,
            "client-request-id": requestId,
          },
        },
      },
      { ...headers, ...error.headers },
    );
  }
}

class ConnectionReset extends Error {}

const FAULT_DEFAULTS: Record<number, [string, string]> = {
  410: [
    "SyncStateNotFound",
    "The sync state generation for this folder is not found. Please start a new synchronization.",
  ],
  429: ["ApplicationThrottled", "Application is over its MailboxConcurrency limit."],
  500: ["UnknownError", ""],
  502: ["BadGateway", "Bad gateway."],
  503: ["ServiceUnavailable", "The service is temporarily unavailable. Please retry later."],
  504: ["GatewayTimeout", "The gateway did not receive a response in time."],
  401: ["InvalidAuthenticationToken", "Access token has expired or is not yet valid."],
};

function faultError(
  status: number,
  code: string | undefined,
  message: string | undefined,
  retryAfter: number | null | undefined,
  location?: string,
): GraphHttpError {
  const [defaultCode, defaultMessage] = FAULT_DEFAULTS[status] ?? ["UnknownError", ""];
  const seconds =
    retryAfter === undefined ? (status === 429 || status === 503 ? 1 : null) : retryAfter;
  return new GraphHttpError(status, code ?? defaultCode, message ?? defaultMessage, {
    ...(seconds === null ? {} : { "retry-after": String(seconds) }),
    ...(location ? { location } : {}),
  });
}

/** Path segments with OData key syntax unfolded: `mailFolders('inbox')` → "mailFolders", "inbox". */
export function parseSegments(pathname: string): string[] {
  const out: string[] = [];
  for (const raw of pathname.split("/")) {
    if (!raw) continue;
    const seg = decodeURIComponent(raw);
    const m = /^([^()]+)\((.*)\)$/.exec(seg);
    const name = (m ? m[1] : seg) ?? seg;
    out.push(name.toLowerCase() === "microsoft.graph.delta" ? "delta" : name);
    const arg = m?.[2];
    if (arg) out.push(arg.replace(/^'(.*)'$/, "$1").replace(/''/g, "'"));
  }
  return out;
}
