/**
 * Switchable faults. A rule matches requests (by target, mailbox, path, method, app) and fires a
 * bounded number of times: a burst of 429s, a few 503s, connection resets, slow answers. Rules are
 * consumed in the order they were added; nothing is random, so tests stay deterministic.
 */
export type FaultTarget = "graph" | "identity" | "ews";

export type FaultAction =
  | {
      type: "status";
      status: number;
      /** Graph error code (or identity `error`); a sensible default per status otherwise. */
      code?: string;
      message?: string;
      /** Seconds for the Retry-After header; default 1 for 429 and 503; null sends none. */
      retryAfterSeconds?: number | null;
      /** A Location header (a redirect: 301/302/307/308), Graph only. */
      location?: string;
    }
  | { type: "reset" }
  | { type: "delay"; ms: number }
  /** EWS: ErrorServerBusy with BackOffMilliseconds, as a SOAP fault (HTTP 500 or 503) or in the response messages (200). */
  | { type: "ewsServerBusy"; backOffMs: number; httpStatus?: 200 | 500 | 503 }
  /** EWS: every response message of the request fails with this ResponseCode (HTTP 200). */
  | { type: "ewsError"; code: string; message?: string };

export interface FaultRule {
  target?: FaultTarget;
  /** Only requests for this mailbox (Graph). */
  mailbox?: string;
  /** Only requests whose path contains this text (case-insensitive), e.g. "/messages/delta"; for EWS the operation name ("SyncFolderItems"). */
  pathIncludes?: string;
  method?: string;
  clientId?: string;
  /**
   * EWS: only this item (its ItemId, or an AttachmentId) in GetItem/GetAttachment; the rule's
   * `ewsError` then answers that item's response message alone (e.g. ErrorItemNotFound).
   */
  itemId?: string;
  /** How many matching requests it fires on (default 1; Infinity for "until cleared"). */
  times?: number;
  /** Let this many matching requests through first. */
  skip?: number;
  action: FaultAction;
}

export interface FaultRequest {
  target: FaultTarget;
  mailbox?: string;
  path: string;
  method: string;
  clientId?: string;
  /** Set when asking about one item of a batch: then only rules naming that item match. */
  itemId?: string;
}

interface ActiveRule {
  id: string;
  rule: FaultRule;
  remaining: number;
  toSkip: number;
  fired: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  add(rule: FaultRule): string {
    const id = `fault-${this.nextId++}`;
    this.rules.push({ id, rule, remaining: rule.times ?? 1, toSkip: rule.skip ?? 0, fired: 0 });
    return id;
  }

  remove(id: string): void {
    this.rules = this.rules.filter((r) => r.id !== id);
  }

  clear(): void {
    this.rules = [];
  }

  /** How often a rule fired so far (0 once removed). */
  fired(id: string): number {
    return this.rules.find((r) => r.id === id)?.fired ?? 0;
  }

  list(): { id: string; rule: FaultRule; remaining: number; fired: number }[] {
    return this.rules.map(({ id, rule, remaining, fired }) => ({ id, rule, remaining, fired }));
  }

  /** The action for this request, if a rule matches and has shots left. */
  take(req: FaultRequest): FaultAction | undefined {
    for (const active of this.rules) {
      if (active.remaining <= 0 || !matches(active.rule, req)) continue;
      if (active.toSkip > 0) {
        active.toSkip--;
        continue;
      }
      active.remaining--;
      active.fired++;
      return active.rule.action;
    }
    return undefined;
  }
}

function matches(rule: FaultRule, req: FaultRequest): boolean {
  if ((rule.target ?? "graph") !== req.target) return false;
  if (rule.mailbox && rule.mailbox.toLowerCase() !== req.mailbox) return false;
  if (rule.pathIncludes && !req.path.toLowerCase().includes(rule.pathIncludes.toLowerCase()))
    return false;
  if (rule.method && rule.method.toUpperCase() !== req.method) return false;
  if (rule.clientId && rule.clientId.toLowerCase() !== req.clientId) return false;
  if (rule.itemId !== req.itemId) return false;
  return true;
}
