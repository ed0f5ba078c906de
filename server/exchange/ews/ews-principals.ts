import { createHash } from "node:crypto";
import { ewsBudgetPerProcess } from "../../domain/ews-budget.js";
import type { ResolvedConnection } from "../../integrations/credential-checker.js";
import { toExchangeConnection } from "../credential-check.js";
import type { ExchangeMetrics } from "../graph-middleware.js";
import { defaultOutbound, type OutboundHttp } from "../outbound-http.js";
import type { RetryOptions } from "../retry-policy.js";
import { TokenProvider } from "../token-provider.js";
import type { MailboxRequestLimiter } from "../mailbox-limiter.js";
import { EwsClient } from "./ews-client.js";
import { EwsConnection, type EwsAuth } from "./ews-connection.js";
import { type BackOffGate, EwsPrincipal, principalLimiter } from "./ews-principal.js";
import { EwsTransport } from "./ews-transport.js";

/**
 * Turns an integration's EWS connection into a client of its principal (DOMAIN.md, EWS):
 * - NTLM + SERVICE_USER: NTLMv2 with the service account, delegate access;
 * - CLIENT_SECRET/CERTIFICATE + APPLICATION: an app-only token for `https://<ews host>/.default`,
 *   impersonating each mailbox;
 * - CLIENT_SECRET/CERTIFICATE + SERVICE_USER: the service user's token, delegate access.
 * Principals are shared by every integration that signs in as the same account or app against the
 * same server, so its budget of requests in flight holds across all of them; their connections
 * are shared only between integrations holding the same secret (a connection authenticated with
 * one integration's password never carries another's requests).
 */
export interface EwsOptions {
  outbound?: OutboundHttp;
  /** Requests by status and throttling (`/metrics`), as for Graph. */
  metrics?: ExchangeMetrics;
  retry?: Partial<RetryOptions>;
  /**
   * Requests in flight per principal (MAILSTREAM_EWS_CONCURRENCY, default 10; always under
   * Exchange's 27): the configured budget, which several processes divide (budgetForProcesses).
   */
  maxConcurrentPerPrincipal?: number;
  /** Shared between factories, e.g. the credential check and the sync. */
  limiter?: MailboxRequestLimiter;
  /**
   * One registry for the sync and the credential check, so that a check made while Exchange holds
   * the principal back waits too, and counts against the same budget.
   */
  principals?: EwsPrincipals;
}

export function ewsScope(ewsUrl: string): string {
  return `${new URL(ewsUrl).origin}/.default`;
}

/** Who Exchange charges: the service account or the app, on this server. */
export function principalName(c: ResolvedConnection): string {
  const origin = new URL(c.ewsUrl!).origin.toLowerCase();
  if (c.authMethod === "NTLM" || c.access === "SERVICE_USER")
    return `${origin}|user|${(c.serviceUsername ?? "").toLowerCase()}`;
  return `${origin}|app|${c.clientId ?? ""}`;
}

const digest = (parts: (string | null | undefined)[]): string =>
  createHash("sha256").update(JSON.stringify(parts)).digest("hex");

export class EwsPrincipals {
  private readonly principals = new Map<string, EwsPrincipal>();
  /** Back-off times by principal name: Exchange throttles the account, not our objects. */
  private readonly gates = new Map<string, BackOffGate>();
  readonly limiter: MailboxRequestLimiter;
  /** The budget per principal this process was configured with, before any division. */
  readonly configuredBudget: number;

  constructor(private readonly options: EwsOptions = {}) {
    this.limiter = options.limiter ?? principalLimiter(options.maxConcurrentPerPrincipal);
    this.configuredBudget = this.limiter.maxConcurrent;
  }

  /** Requests in flight each principal may have on this process now. */
  get budget(): number {
    return this.limiter.maxConcurrent;
  }

  /**
   * `processes` server processes are live on the deployment, any of which may hold mailboxes of
   * the same principal: each keeps to its part of Exchange's 27 (ewsBudgetPerProcess). A raise
   * admits waiting requests at once; a cut lets requests in flight finish. Answers the new budget.
   */
  budgetForProcesses(processes: number): number {
    this.limiter.setMaxConcurrent(ewsBudgetPerProcess(this.configuredBudget, processes));
    return this.budget;
  }

  /** The client for a connection; `fresh` makes a principal of its own (a credential check). */
  client(
    c: ResolvedConnection,
    options: { fresh?: boolean; retry?: Partial<RetryOptions> } = {},
  ): EwsClient {
    const principal = options.fresh ? this.make(c) : this.shared(c);
    const access =
      c.authMethod !== "NTLM" && c.access === "APPLICATION" ? "impersonation" : "delegate";
    return new EwsClient(
      new EwsTransport(
        principal,
        { ...this.options.retry, ...options.retry },
        Math.random,
        this.options.metrics,
      ),
      access,
    );
  }

  all(): EwsPrincipal[] {
    return [...this.principals.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((p) => p.close()));
    this.principals.clear();
  }

  private shared(c: ResolvedConnection): EwsPrincipal {
    const key = digest([
      principalName(c),
      c.authMethod,
      c.authorityUrl,
      c.servicePassword,
      c.clientSecret,
      c.privateKey,
      c.certificateThumbprint,
      c.ewsUrl,
    ]);
    let principal = this.principals.get(key);
    if (!principal) this.principals.set(key, (principal = this.make(c)));
    return principal;
  }

  private make(c: ResolvedConnection): EwsPrincipal {
    if (!c.ewsUrl) throw new Error("An EWS connection needs ewsUrl");
    const url = new URL(c.ewsUrl);
    const outbound = this.options.outbound ?? defaultOutbound();
    const auth = authOf(c, outbound, this.options.retry);
    return new EwsPrincipal(
      principalName(c),
      () =>
        new EwsConnection(outbound.client(url.origin), url.pathname + url.search, url.host, auth),
      this.limiter,
    );
  }
}

function authOf(
  c: ResolvedConnection,
  outbound: OutboundHttp,
  retry?: Partial<RetryOptions>,
): EwsAuth {
  if (c.authMethod === "NTLM") {
    return { kind: "ntlm", username: c.serviceUsername ?? "", password: c.servicePassword ?? "" };
  }
  const tokens = new TokenProvider(toExchangeConnection(c), {
    outbound,
    retry,
    scopes: [ewsScope(c.ewsUrl!)],
  });
  return {
    kind: "bearer",
    token: async () => (await tokens.acquire()).token,
    renew: async (rejected) => (await tokens.refreshAfterRejection(rejected)).token,
  };
}
