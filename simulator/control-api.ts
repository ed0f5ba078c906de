import type { IncomingMessage, ServerResponse } from "node:http";
import type { FaultRule } from "./faults.js";
import { readBody, sendJson } from "./http-io.js";
import type { DeliverySpec, MailboxKind } from "./mailbox.js";
import type { Simulator } from "./simulator.js";

/**
 * A small JSON API over plain HTTP on loopback to drive a standalone simulator (the demo, the
 * benchmarks, a person with curl). It mirrors the in-process methods of Simulator; README.md lists
 * the routes.
 */
export class ControlApi {
  constructor(private readonly sim: Simulator) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://control");
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? "GET";
    try {
      const raw = method === "GET" || method === "DELETE" ? "" : await readBody(req);
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const result: unknown = await this.route(method, parts, body, res);
      if (result !== STREAMED) sendJson(res, 200, result ?? { ok: true });
    } catch (error) {
      if (!res.headersSent)
        sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
    }
  }

  private route(
    method: string,
    parts: string[],
    body: Record<string, unknown>,
    res: ServerResponse,
  ): unknown {
    const sim = this.sim;
    const [head, second, third = ""] = parts;
    if (head === "mailboxes" && second !== undefined)
      return this.mailboxRoute(method, second, third, body, res);
    if (head === "accounts" && second !== undefined && third === "locked" && method === "PUT") {
      sim.setAccountLocked(second, body.locked !== false);
      return undefined;
    }
    if (
      head === "subscriptions" &&
      second !== undefined &&
      third === "lifecycle" &&
      method === "POST"
    )
      return sim.subscriptions
        .lifecycle(second, String(body.event) as "missed")
        .then((status) => ({ status }));
    if (method === "DELETE" && head === "faults" && second !== undefined) {
      sim.faults.remove(second);
      return undefined;
    }
    switch (`${method} /${parts.join("/")}`) {
      case "GET /":
        return this.summary();
      case "GET /faults":
        return sim.faults.list();
      case "POST /faults": {
        const rule = body as unknown as FaultRule;
        const times =
          body.times === null || body.times === -1 ? Number.POSITIVE_INFINITY : rule.times;
        return { id: sim.addFault({ ...rule, times }) };
      }
      case "DELETE /faults":
        sim.faults.clear();
        return undefined;
      case "GET /subscriptions":
        return sim.subscriptions.list().map((s) => ({
          ...sim.subscriptions.render(s),
          mailbox: s.mailbox.email,
          renewals: s.renewals,
        }));
      case "GET /subscriptions/sent":
        return sim.subscriptions.sent;
      case "PUT /subscriptions/settings": {
        const settings = sim.subscriptions.settings;
        if (body.refuse !== undefined)
          settings.refuse = body.refuse
            ? {
                status: 403,
                code: "ExtensionError",
                message:
                  "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]",
                ...(typeof body.refuse === "object" ? body.refuse : {}),
              }
            : null;
        if (body.maxExpirationMinutes !== undefined)
          settings.maxExpirationMinutes = Number(body.maxExpirationMinutes);
        if (body.grantedLifetimeSeconds !== undefined)
          settings.grantedLifetimeSeconds =
            body.grantedLifetimeSeconds === null ? null : Number(body.grantedLifetimeSeconds);
        return settings;
      }
      case "PUT /latency":
        sim.setLatency(Number(body.ms ?? 0));
        return undefined;
      case "PUT /delta-replay":
        sim.setDeltaReplayOverlap(Number(body.items ?? 0));
        return undefined;
      case "PUT /token-lifetime":
        sim.setTokenLifetime(Number(body.seconds ?? 3599));
        return undefined;
      case "POST /tokens/revoke":
        sim.revokeTokens({ clientId: optionalString(body.clientId) });
        return undefined;
      case "POST /tokens/expire":
        sim.expireAccessTokens({ clientId: optionalString(body.clientId) });
        return undefined;
      case "GET /ews":
        return {
          ewsUrl: sim.ewsUrl,
          resource: `${sim.ewsOrigin}/.default`,
          maxConcurrency: sim.ewsRecord().maxConcurrency,
        };
      case "GET /ews/record":
        return sim.ewsRecord();
      case "DELETE /ews/record":
        sim.resetEwsRecord();
        return undefined;
      case "PUT /ews/max-concurrency":
        sim.setEwsMaxConcurrency(Number(body.n ?? 27));
        return undefined;
    }
    throw new Error(`unknown route ${method} /${parts.join("/")}`);
  }

  private mailboxRoute(
    method: string,
    email: string,
    action: string,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): unknown {
    const sim = this.sim;
    switch (`${method} ${action}`) {
      case "GET folders":
        return sim.folders(email);
      case "GET stats":
        return sim.mailboxStats(email);
      case "GET messages": {
        const lines = [...sim.groundTruth(email)].map((m) => JSON.stringify(m));
        res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8" });
        res.end(lines.length ? `${lines.join("\n")}\n` : "");
        return STREAMED;
      }
      case "POST deliver": {
        const count = Number(body.count ?? 1);
        const receivedAt =
          typeof body.receivedAt === "string" ? new Date(body.receivedAt) : undefined;
        const spec = { ...body, receivedAt } as DeliverySpec;
        const delivered = [];
        for (let i = 0; i < count; i++) delivered.push(sim.deliver(email, spec));
        return delivered;
      }
      case "POST move":
        return sim.moveMessage(email, String(body.messageId), body.folder as string | string[]);
      case "POST delete":
        sim.deleteMessage(email, String(body.messageId));
        return undefined;
      case "POST mark-read":
        sim.markRead(email, String(body.messageId), body.isRead !== false);
        return undefined;
      case "POST expire-delta":
        sim.expireDeltaTokens(email, body.folder as string | string[] | undefined);
        return undefined;
      case "POST expire-ews-sync":
        sim.expireEwsSyncStates(email, body.folder as string | string[] | undefined);
        return undefined;
      case "PUT kind":
        sim.setMailboxKind(email, String(body.kind) as MailboxKind);
        return undefined;
      case "DELETE ":
        sim.deleteMailbox(email);
        return undefined;
    }
    throw new Error(`unknown route ${method} /mailboxes/${email}/${action}`);
  }

  private summary(): unknown {
    const sim = this.sim;
    return {
      loginUrl: sim.loginUrl,
      graphUrl: sim.graphUrl,
      ewsUrl: sim.ewsUrl,
      caFile: sim.ca.certFile,
      tenants: sim.directory.tenants.map((t) => ({
        id: t.id,
        domains: t.domains,
        authorityUrl: sim.authorityUrl(t),
        apps: [...t.apps.values()].map((a) => ({
          clientId: a.clientId,
          displayName: a.displayName,
        })),
        mailboxes: sim.directory.mailboxes
          .filter((m) => sim.directory.tenantOf(m) === t)
          .map((m) => ({
            email: m.email,
            kind: m.kind,
            deleted: m.deleted,
            messages: m.messageCount,
          })),
      })),
    };
  }
}

const STREAMED = Symbol("streamed");

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
