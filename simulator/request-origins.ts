/**
 * Which client made each Graph request, per mailbox: the origin is the request's User-Agent (a
 * Mailstream process names itself there). Tests of several server processes use it to prove that
 * a mailbox is synced by one process at a time: a request arriving for a mailbox while another
 * origin still has one in flight is recorded as an overlap, and the total in flight per mailbox
 * (all origins, all apps) is tracked against Graph's limit of 4.
 */
export interface OriginOverlap {
  mailbox: string;
  /** The origin of the arriving request, then those that had requests in flight. */
  origins: string[];
  path: string;
  at: number;
}

export interface OriginStats {
  /** Requests per origin. */
  requests: Record<string, number>;
  /** Highest number of requests in flight at once for the mailbox, all origins together. */
  maxInFlight: number;
  overlaps: OriginOverlap[];
}

interface MailboxOrigins {
  inFlight: Map<string, number>;
  total: number;
  stats: OriginStats;
}

export class RequestOrigins {
  private readonly mailboxes = new Map<string, MailboxOrigins>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts a request in flight until the returned function is called (its answer has left). */
  begin(mailbox: string, origin: string, path: string): () => void {
    const entry = this.entry(mailbox.toLowerCase());
    const others = [...entry.inFlight].filter(([o, n]) => o !== origin && n > 0).map(([o]) => o);
    if (others.length > 0)
      entry.stats.overlaps.push({ mailbox, origins: [origin, ...others], path, at: this.now() });
    entry.inFlight.set(origin, (entry.inFlight.get(origin) ?? 0) + 1);
    entry.total++;
    entry.stats.maxInFlight = Math.max(entry.stats.maxInFlight, entry.total);
    entry.stats.requests[origin] = (entry.stats.requests[origin] ?? 0) + 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.inFlight.set(origin, entry.inFlight.get(origin)! - 1);
      entry.total--;
    };
  }

  stats(mailbox: string): OriginStats {
    const stats = this.mailboxes.get(mailbox.toLowerCase())?.stats;
    return stats
      ? {
          requests: { ...stats.requests },
          maxInFlight: stats.maxInFlight,
          overlaps: [...stats.overlaps],
        }
      : { requests: {}, maxInFlight: 0, overlaps: [] };
  }

  /** Every mailbox's stats. */
  all(): Map<string, OriginStats> {
    return new Map([...this.mailboxes.keys()].map((m) => [m, this.stats(m)]));
  }

  reset(): void {
    for (const entry of this.mailboxes.values())
      entry.stats = { requests: {}, maxInFlight: entry.total, overlaps: [] };
  }

  private entry(mailbox: string): MailboxOrigins {
    let entry = this.mailboxes.get(mailbox);
    if (!entry) {
      entry = {
        inFlight: new Map(),
        total: 0,
        stats: { requests: {}, maxInFlight: 0, overlaps: [] },
      };
      this.mailboxes.set(mailbox, entry);
    }
    return entry;
  }
}
