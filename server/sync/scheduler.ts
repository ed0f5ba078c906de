import { setMaxListeners } from "node:events";
import type { Deps } from "../app/deps.js";
import type { ResolvedConnection } from "../integrations/credential-checker.js";
import type { IntegrationRow } from "../storage/entities/index.js";
import {
  deleteCheckpoints,
  integrationOfMailbox,
  mailboxIdsOfIntegration,
  syncableMailboxes,
  writeSyncState,
} from "../storage/sync-store.js";
import type { MailSource } from "./mail-source.js";
import { runMailboxRound, type RoundOutcome } from "./mailbox-round.js";

export type MailSourceFactory = (connection: ResolvedConnection) => MailSource;

export interface SchedulerOptions {
  /** Seconds between incremental rounds of an up-to-date mailbox (MAILSTREAM_SYNC_INTERVAL). */
  intervalSeconds: number;
  /** Mailbox rounds running at once in this process. */
  maxConcurrentRounds: number;
  /** How often due mailboxes are looked for. */
  tickMs: number;
  /** A mailbox's own interval in seconds (push: the safety net), null for `intervalSeconds`. */
  intervalFor?: (mailboxId: string) => number | null;
}

export const DEFAULT_SCHEDULER_OPTIONS: Omit<SchedulerOptions, "intervalSeconds"> = {
  maxConcurrentRounds: 8,
  tickMs: 500,
};

/** A failed round is retried after this, growing to the sync interval. */
const FIRST_RETRY_MS = 2_000;

interface Running {
  controller: AbortController;
  done: Promise<RoundOutcome>;
}

/**
 * Keeps every enabled mailbox of every enabled integration with valid credentials in sync: an
 * initial round, then an incremental one every interval; `request` runs one now, `resync` drops
 * the checkpoints first. State lives in the database, so a restart picks up where it stopped.
 */
export class SyncScheduler {
  private readonly running = new Map<string, Running>();
  private readonly requested = new Set<string>();
  /** Asked for by a change notification: runs as soon as a slot is free, after any backoff. */
  private readonly nudged = new Set<string>();
  private readonly failures = new Map<string, { count: number; retryAt: number }>();
  private readonly sources = new Map<string, { version: number; source: MailSource }>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly resolveConnection: (row: IntegrationRow) => ResolvedConnection,
    private readonly sourceFactory: MailSourceFactory,
    private readonly options: SchedulerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops taking work and aborts rounds at their next page boundary (committed pages stay). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const run of this.running.values()) run.controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  /** Runs a round of this mailbox as soon as a slot is free. */
  async request(mailboxId: string): Promise<void> {
    this.requested.add(mailboxId);
    this.failures.delete(mailboxId);
    if (!this.running.has(mailboxId)) {
      await this.deps.db.transaction((m) => writeSyncState(m, mailboxId, { status: "QUEUED" }));
    }
    this.schedule(0);
  }

  /**
   * A round of this mailbox soon (a change notification). Coalesced: while one is waiting, more
   * requests add nothing; during a round, one more is queued. A failing mailbox keeps its backoff.
   */
  requestRound(mailboxId: string): void {
    if (this.nudged.has(mailboxId) || this.requested.has(mailboxId)) return;
    this.nudged.add(mailboxId);
    this.schedule(0);
  }

  /** Discards the mailbox's checkpoints and enumerates again; stored messages stay, none duplicate. */
  async resync(mailboxId: string): Promise<void> {
    await this.abort(mailboxId);
    await this.deps.db.transaction((m) => deleteCheckpoints(m, mailboxId));
    await this.request(mailboxId);
  }

  /** Stops the rounds of an integration's mailboxes now (disabled or deleted integration). */
  async abortIntegration(integrationId: string): Promise<void> {
    const mailboxIds = await this.deps.db.read((m) => mailboxIdsOfIntegration(m, integrationId));
    await Promise.all(mailboxIds.map((id) => this.abort(id)));
  }

  async abort(mailboxId: string): Promise<void> {
    const run = this.running.get(mailboxId);
    if (!run) return;
    run.controller.abort();
    await run.done.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      for (const mailboxId of await this.dueMailboxes()) {
        if (this.running.size >= this.options.maxConcurrentRounds || this.stopped) break;
        this.startRound(mailboxId);
      }
    } catch (error) {
      this.deps.log.error({ err: error }, "sync scheduling failed");
    } finally {
      this.ticking = false;
      this.schedule(this.options.tickMs);
    }
  }

  private async dueMailboxes(): Promise<string[]> {
    const rows = await this.deps.db.read((m) => syncableMailboxes(m));
    const now = Date.now();
    const asked = (id: string) => this.requested.has(id) || this.nudged.has(id);
    const due = rows.filter((row) => {
      if (this.running.has(row.id)) return false;
      if (this.requested.has(row.id)) return true;
      const failure = this.failures.get(row.id);
      if (failure) return failure.retryAt <= now;
      if (this.nudged.has(row.id)) return true;
      if (!row.last || row.status !== "UP_TO_DATE") return true;
      const seconds = this.options.intervalFor?.(row.id) ?? this.options.intervalSeconds;
      return new Date(row.last).getTime() + seconds * 1000 <= now;
    });
    // Requested first, then the longest-waiting.
    return due
      .sort(
        (a, b) =>
          Number(asked(b.id)) - Number(asked(a.id)) ||
          String(a.last ?? "").localeCompare(String(b.last ?? "")),
      )
      .map((row) => row.id);
  }

  private startRound(mailboxId: string): void {
    this.requested.delete(mailboxId);
    this.nudged.delete(mailboxId);
    const controller = new AbortController();
    // Every request of a round listens on its signal; many are in flight across folders.
    setMaxListeners(0, controller.signal);
    const done = (async (): Promise<RoundOutcome> => {
      const source = await this.sourceFor(mailboxId);
      if (!source) return "stopped";
      return runMailboxRound(this.deps, source, mailboxId, controller.signal);
    })();
    this.running.set(mailboxId, { controller, done });
    done
      .then(
        (outcome) => this.finished(mailboxId, outcome),
        (error: unknown) => {
          this.deps.log.error({ err: error, mailboxId }, "sync round crashed");
          this.finished(mailboxId, "failed");
        },
      )
      .finally(() => {
        this.running.delete(mailboxId);
        this.schedule(0);
      });
  }

  private finished(mailboxId: string, outcome: RoundOutcome): void {
    if (outcome !== "failed") {
      this.failures.delete(mailboxId);
      return;
    }
    const count = (this.failures.get(mailboxId)?.count ?? 0) + 1;
    const backoff = Math.min(
      FIRST_RETRY_MS * 2 ** (count - 1),
      this.options.intervalSeconds * 1000,
    );
    this.failures.set(mailboxId, { count, retryAt: Date.now() + backoff });
  }

  /** One MailSource per integration connection, shared by its mailboxes (token cache, limiters). */
  private async sourceFor(mailboxId: string): Promise<MailSource | null> {
    const integration = await this.deps.db.read((m) => integrationOfMailbox(m, mailboxId));
    if (!integration) return null;
    const version = integration.updatedAt.getTime();
    const cached = this.sources.get(integration.id);
    if (cached && cached.version === version) return cached.source;
    const source = this.sourceFactory(this.resolveConnection(integration));
    this.sources.set(integration.id, { version, source });
    return source;
  }
}
