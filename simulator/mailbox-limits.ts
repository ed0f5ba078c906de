/**
 * Exchange Online's per-app-per-mailbox limits as Graph applies them to mail: at most 4 requests
 * in flight at once (a 5th answers 429 ApplicationThrottled) and a request budget per window
 * (documented: 10,000 requests per 10 minutes). The simulator also records the highest
 * concurrency it saw, so tests can assert that a client never exceeded the limit.
 */
export interface LimitSettings {
  concurrency: number;
  budgetRequests: number;
  budgetWindowMs: number;
  /** Retry-After sent with a concurrency 429. */
  concurrencyRetryAfterSeconds: number;
}

export interface MailboxStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  throttled: number;
}

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; reason: "concurrency" | "budget"; retryAfterSeconds: number };

interface Slot {
  inFlight: number;
  windowStart: number;
  windowCount: number;
  stats: MailboxStats;
}

export class MailboxLimits {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly settings: LimitSettings,
    private readonly now: () => number,
  ) {}

  /** Admits a request of `principal` (app or user) to `mailbox`, or says why not. */
  admit(principal: string, mailbox: string): Admission {
    const slot = this.slot(`${principal}|${mailbox}`);
    const now = this.now();
    if (now - slot.windowStart >= this.settings.budgetWindowMs) {
      slot.windowStart = now;
      slot.windowCount = 0;
    }
    if (slot.inFlight >= this.settings.concurrency) {
      slot.stats.throttled++;
      return {
        ok: false,
        reason: "concurrency",
        retryAfterSeconds: this.settings.concurrencyRetryAfterSeconds,
      };
    }
    if (slot.windowCount >= this.settings.budgetRequests) {
      slot.stats.throttled++;
      const left = slot.windowStart + this.settings.budgetWindowMs - now;
      return {
        ok: false,
        reason: "budget",
        retryAfterSeconds: Math.max(1, Math.ceil(left / 1000)),
      };
    }
    slot.inFlight++;
    slot.windowCount++;
    slot.stats.requests++;
    slot.stats.inFlight = slot.inFlight;
    slot.stats.maxInFlight = Math.max(slot.stats.maxInFlight, slot.inFlight);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        slot.inFlight--;
        slot.stats.inFlight = slot.inFlight;
      },
    };
  }

  /** Stats for a mailbox, summed over principals (maxInFlight: the highest of any one principal). */
  stats(mailbox: string): MailboxStats {
    const out: MailboxStats = { requests: 0, inFlight: 0, maxInFlight: 0, throttled: 0 };
    for (const [key, slot] of this.slots) {
      if (!key.endsWith(`|${mailbox.toLowerCase()}`)) continue;
      out.requests += slot.stats.requests;
      out.inFlight += slot.stats.inFlight;
      out.throttled += slot.stats.throttled;
      out.maxInFlight = Math.max(out.maxInFlight, slot.stats.maxInFlight);
    }
    return out;
  }

  resetStats(): void {
    for (const slot of this.slots.values()) {
      slot.stats = {
        requests: 0,
        inFlight: slot.inFlight,
        maxInFlight: slot.inFlight,
        throttled: 0,
      };
    }
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = {
        inFlight: 0,
        windowStart: this.now(),
        windowCount: 0,
        stats: { requests: 0, inFlight: 0, maxInFlight: 0, throttled: 0 },
      };
      this.slots.set(key, slot);
    }
    return slot;
  }
}
