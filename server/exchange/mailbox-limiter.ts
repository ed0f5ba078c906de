/**
 * Exchange Online's limits per app and mailbox, kept on our side so Microsoft never has to throttle
 * us: at most 4 requests in flight at once (a 5th is never sent; it waits for a slot, first come
 * first served) and at most N requests in a sliding window (Microsoft documents 10,000 per
 * 10 minutes). One limiter may be shared by every client of the same app so the limit holds
 * across integrations; keys are `<clientId>|<mailbox>`.
 */
export interface LimiterOptions {
  maxConcurrent: number;
  budgetRequests: number;
  budgetWindowMs: number;
}

export const DEFAULT_LIMITER_OPTIONS: LimiterOptions = {
  maxConcurrent: 4,
  budgetRequests: 10_000,
  budgetWindowMs: 10 * 60 * 1000,
};

export interface LimiterStats {
  inFlight: number;
  queued: number;
  maxInFlight: number;
  requests: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Lane {
  inFlight: number;
  queue: Waiter[];
  /** Start times inside the window, oldest first (from `head`). */
  starts: number[];
  head: number;
  timer?: NodeJS.Timeout;
  stats: LimiterStats;
}

export class MailboxRequestLimiter {
  private readonly options: LimiterOptions;
  private readonly lanes = new Map<string, Lane>();

  constructor(
    options: Partial<LimiterOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_LIMITER_OPTIONS, ...options };
  }

  /** Waits for a slot; call the returned function exactly once when the request is over. */
  acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const lane = this.lane(key);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = lane.queue.indexOf(waiter);
          if (i >= 0) lane.queue.splice(i, 1);
          lane.stats.queued = lane.queue.length;
          reject(signal.reason);
        };
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      lane.queue.push(waiter);
      lane.stats.queued = lane.queue.length;
      this.pump(lane);
    });
  }

  /** Requests in flight each key may have now. */
  get maxConcurrent(): number {
    return this.options.maxConcurrent;
  }

  /**
   * Changes the requests in flight each key may have (an EWS principal's budget follows the number
   * of live processes). Raising it hands the new slots to waiters at once; lowering it recalls
   * nothing — requests in flight finish, and no new one starts until a key is under the new limit.
   */
  setMaxConcurrent(maxConcurrent: number): void {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1)
      throw new RangeError(`maxConcurrent must be a positive integer, got ${maxConcurrent}`);
    if (maxConcurrent === this.options.maxConcurrent) return;
    const raised = maxConcurrent > this.options.maxConcurrent;
    this.options.maxConcurrent = maxConcurrent;
    if (raised) for (const lane of this.lanes.values()) this.pump(lane);
  }

  stats(key: string): LimiterStats {
    return {
      ...(this.lanes.get(key)?.stats ?? { inFlight: 0, queued: 0, maxInFlight: 0, requests: 0 }),
    };
  }

  private pump(lane: Lane): void {
    while (lane.queue.length > 0 && lane.inFlight < this.options.maxConcurrent) {
      const now = this.now();
      while (
        lane.head < lane.starts.length &&
        (lane.starts[lane.head] ?? 0) <= now - this.options.budgetWindowMs
      )
        lane.head++;
      if (lane.head > 1024 && lane.head * 2 > lane.starts.length) {
        lane.starts = lane.starts.slice(lane.head);
        lane.head = 0;
      }
      if (lane.starts.length - lane.head >= this.options.budgetRequests) {
        const oldest = lane.starts[lane.head] ?? now;
        if (!lane.timer) {
          lane.timer = setTimeout(
            () => {
              lane.timer = undefined;
              this.pump(lane);
            },
            oldest + this.options.budgetWindowMs - now + 1,
          );
          lane.timer.unref?.();
        }
        return;
      }
      const waiter = lane.queue.shift();
      if (!waiter) return;
      if (waiter.signal && waiter.onAbort)
        waiter.signal.removeEventListener("abort", waiter.onAbort);
      lane.inFlight++;
      lane.starts.push(now);
      lane.stats.requests++;
      lane.stats.inFlight = lane.inFlight;
      lane.stats.queued = lane.queue.length;
      lane.stats.maxInFlight = Math.max(lane.stats.maxInFlight, lane.inFlight);
      let released = false;
      waiter.resolve(() => {
        if (released) return;
        released = true;
        lane.inFlight--;
        lane.stats.inFlight = lane.inFlight;
        this.pump(lane);
      });
    }
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        inFlight: 0,
        queue: [],
        starts: [],
        head: 0,
        stats: { inFlight: 0, queued: 0, maxInFlight: 0, requests: 0 },
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }
}
