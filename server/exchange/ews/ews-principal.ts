import { EWS_MAX_CONCURRENCY } from "../../domain/ews-budget.js";
import { MailboxRequestLimiter } from "../mailbox-limiter.js";
import { sleep } from "../retry-policy.js";
import type { EwsConnection } from "./ews-connection.js";

/**
 * Exchange throttles EWS per principal — the service user, or the app — across every mailbox it
 * opens (EWSMaxConcurrency, 27 by default; with delegate access the service account is charged,
 * not the mailbox). A principal here owns:
 * - a budget of requests in flight, shared by every mailbox and integration of that principal
 *   (default 10, safely under 27), first come first served; on several processes each keeps to
 *   its part of the 27 (ewsBudgetPerProcess, set by the lease manager through EwsPrincipals);
 * - its connections, one per slot, each authenticated once (NTLM) and reused;
 * - a "not before" time: after ErrorServerBusy (BackOffMilliseconds) or a 503, no request of this
 *   principal is sent until it has passed — not just the one that was refused.
 */
export const DEFAULT_EWS_CONCURRENCY = 10;

/** The "not before" time of one principal name, shared by every EwsPrincipal of that name. */
export interface BackOffGate {
  notBefore: number;
}

export class EwsPrincipal {
  private readonly idle: EwsConnection[] = [];
  readonly connections: EwsConnection[] = [];

  constructor(
    readonly key: string,
    private readonly connect: () => EwsConnection,
    private readonly limiter: MailboxRequestLimiter,
    private readonly gate: BackOffGate = { notBefore: 0 },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `fn` on a connection of this principal, within its budget and after any back-off. `fn`
   * should judge its answer (and call backOff) before it returns: the slot is handed to the next
   * request as soon as it does, and that request must already see the new back-off.
   */
  async run<T>(fn: (connection: EwsConnection) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.limiter.acquire(this.key, signal);
    try {
      // Re-checked after each sleep: another answer may have pushed the time further.
      for (
        let wait = this.gate.notBefore - this.now();
        wait > 0;
        wait = this.gate.notBefore - this.now()
      )
        await sleep(wait, signal);
      const connection = this.idle.pop() ?? this.open();
      try {
        return await fn(connection);
      } finally {
        this.idle.push(connection);
      }
    } finally {
      release();
    }
  }

  /** No request of this principal before `ms` from now. */
  backOff(ms: number): void {
    this.gate.notBefore = Math.max(this.gate.notBefore, this.now() + ms);
  }

  /** Time left before the next request may be sent (0: none). */
  backOffRemaining(): number {
    return Math.max(0, this.gate.notBefore - this.now());
  }

  handshakes(): number {
    return this.connections.reduce((sum, c) => sum + c.stats.handshakes, 0);
  }

  requests(): number {
    return this.connections.reduce((sum, c) => sum + c.stats.requests, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }

  private open(): EwsConnection {
    const connection = this.connect();
    this.connections.push(connection);
    return connection;
  }
}

/**
 * A limiter whose lanes are principals: `concurrency` in flight (a configuration at or above
 * Exchange's 27 is lowered to stay under it), no request-count window.
 */
export function principalLimiter(concurrency = DEFAULT_EWS_CONCURRENCY): MailboxRequestLimiter {
  return new MailboxRequestLimiter({
    maxConcurrent: Math.min(Math.max(1, concurrency), EWS_MAX_CONCURRENCY - 1),
    budgetRequests: Number.MAX_SAFE_INTEGER,
    budgetWindowMs: 1,
  });
}
