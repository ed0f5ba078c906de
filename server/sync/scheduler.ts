import { setMaxListeners } from "node:events";
import type { Deps } from "../app/deps.js";
import type { ResolvedConnection } from "../integrations/credential-checker.js";
import { mergeScope, type NotifiedScope } from "../domain/notified-round.js";
import type { IntegrationRow } from "../storage/entities/index.js";
import {
  dueMailboxes,
  ensureLeaseRows,
  failuresOf,
  nudgeRound,
  requestRound,
  roundFinished,
  roundStarted,
  roundStopped,
} from "../storage/lease-store.js";
import {
  deleteCheckpoints,
  integrationOfMailbox,
  mailboxIdsOfIntegration,
} from "../storage/sync-store.js";
import type { LeasePolicy } from "./leases.js";
import type { MailSource } from "./mail-source.js";
import { runMailboxRound, type RoundOutcome } from "./mailbox-round.js";
import type { SyncControl } from "./sync-control.js";

export type MailSourceFactory = (connection: ResolvedConnection) => MailSource;

export interface SchedulerOptions {
  /** Seconds between incremental rounds of an up-to-date mailbox (MAILSTREAM_SYNC_INTERVAL). */
  intervalSeconds: number;
  /** Mailbox rounds running at once in this process. */
  maxConcurrentRounds: number;
  /** How often due mailboxes (and leases) are looked at without being woken. */
  tickMs: number;
  /** A mailbox's own interval in seconds (push: the safety net), null for `intervalSeconds`. */
  intervalFor?: (mailboxId: string) => number | null;
}

export const DEFAULT_SCHEDULER_OPTIONS: Omit<SchedulerOptions, "intervalSeconds"> = {
  maxConcurrentRounds: 8,
  tickMs: 500,
};

/** A failed round is retried after this, doubling up to the sync interval. */
const FIRST_RETRY_MS = 2_000;

interface Running {
  controller: AbortController;
  epoch: number;
  done: Promise<RoundOutcome>;
  /** The round and its outcome's write. */
  settled?: Promise<void>;
}

/**
 * Keeps every enabled mailbox of every enabled integration with valid credentials in sync: an
 * initial round, then an incremental one every interval; `request` runs one now, `resync` drops
 * the checkpoints first. What is due lives in the database (mailbox_lease: due time, requested,
 * failures in a row), so a restart — or another process taking the mailbox over — picks up where
 * the last round stopped. Which mailboxes this process may run is the lease policy's answer
 * (leases.ts): all of them on SQLite, its leased share on PostgreSQL.
 */
export class SyncScheduler implements SyncControl {
  private readonly running = new Map<string, Running>();
  /**
   * Notified mailboxes whose nudge is being written, with what arrived meanwhile (null: nothing
   * yet): a burst writes it twice at most.
   */
  private readonly nudging = new Map<string, NotifiedScope | null>();
  private readonly sources = new Map<string, { version: number; source: MailSource }>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private again = false;
  private stopped = true;

  constructor(
    private readonly deps: Deps,
    private readonly leases: LeasePolicy,
    private readonly resolveConnection: (row: IntegrationRow) => ResolvedConnection,
    private readonly sourceFactory: MailSourceFactory,
    private readonly options: SchedulerOptions,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.leases.start(() => this.schedule(0));
    this.schedule(0);
  }

  /**
   * Stops taking work, aborts rounds at their next page boundary (committed pages stay), then
   * gives the leases back so other processes take the mailboxes over at once.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const run of this.running.values()) run.controller.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.settled ?? r.done));
    while (this.ticking) await new Promise((r) => setTimeout(r, 10));
    await this.leases.stop();
  }

  /** A round of this mailbox as soon as possible, by whichever process holds it. */
  async request(mailboxId: string): Promise<void> {
    await this.deps.db.transaction(async (m) => {
      await requestRound(m, mailboxId, this.deps.now());
      await this.leases.announce(m, mailboxId);
    });
    this.schedule(0);
  }

  /**
   * A round of this mailbox soon, by whichever process holds it (a change notification), covering
   * `scope`: the notified messages' folders, or everything. Coalesced: the request is one flag
   * (with the scope merged in), so a burst runs one round, plus one more when it arrives during a
   * round; while one write of the flag is under way the next requests wait and go in one more
   * write. A failing mailbox keeps its back-off (unlike `request`, a user's ask).
   */
  requestRound(mailboxId: string, scope: NotifiedScope = "full"): void {
    if (this.nudging.has(mailboxId)) {
      this.nudging.set(mailboxId, mergeScope(this.nudging.get(mailboxId) ?? null, scope));
      return;
    }
    this.nudging.set(mailboxId, null);
    this.deps.db
      .transaction(async (m) => {
        if (await nudgeRound(m, mailboxId, scope)) await this.leases.announce(m, mailboxId);
      })
      .then(() => this.schedule(0))
      .catch((error: unknown) =>
        this.deps.log.warn({ err: error, mailboxId }, "notified round not requested"),
      )
      .finally(() => {
        const next = this.nudging.get(mailboxId);
        this.nudging.delete(mailboxId);
        if (next) this.requestRound(mailboxId, next);
      });
  }

  /** Discards the mailbox's checkpoints and enumerates again; stored messages stay, none duplicate. */
  async resync(mailboxId: string): Promise<void> {
    await this.abortLocal([mailboxId]);
    await this.deps.db.transaction(async (m) => {
      // Work in flight elsewhere is fenced off before its checkpoints go.
      await this.leases.revoke(m, [mailboxId]);
      await deleteCheckpoints(m, mailboxId);
      await requestRound(m, mailboxId, this.deps.now());
      await this.leases.announce(m, mailboxId);
    });
    this.schedule(0);
  }

  /** Stops the rounds of an integration's mailboxes now (disabled or deleted integration). */
  async abortIntegration(integrationId: string): Promise<void> {
    const mailboxIds = await this.deps.db.read((m) => mailboxIdsOfIntegration(m, integrationId));
    await this.revokeEverywhere(mailboxIds);
  }

  /** Stops a mailbox's round in flight, here or on the process that holds it. */
  async abort(mailboxId: string): Promise<void> {
    await this.revokeEverywhere([mailboxId]);
  }

  private async revokeEverywhere(mailboxIds: string[]): Promise<void> {
    await this.abortLocal(mailboxIds);
    await this.deps.db.transaction(async (m) => {
      await this.leases.revoke(m, mailboxIds);
      await this.leases.announce(m, null);
    });
  }

  private async abortLocal(mailboxIds: string[]): Promise<void> {
    const runs = mailboxIds.flatMap((id) => this.running.get(id) ?? []);
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((run) => run.done.catch(() => undefined)));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    this.again = false;
    try {
      if (!this.leases.stillValid()) {
        // Renewals have been failing (database unreachable, or this process was paused): what
        // runs may no longer be ours, so stop sending Graph requests for it.
        for (const run of this.running.values()) run.controller.abort();
      }
      const now = this.deps.now();
      const intervalMs = this.options.intervalSeconds * 1000;
      await this.deps.db.read((m) => ensureLeaseRows(m, now, intervalMs));
      const held = await this.leases.refresh(new Set(this.running.keys()));
      for (const [id, run] of this.running) {
        // Taken over, or revoked (disable, resync) by another process: stop at once.
        if (held.get(id) !== run.epoch) run.controller.abort();
      }
      const free = this.options.maxConcurrentRounds - this.running.size;
      if (free > 0 && !this.stopped) {
        const due = await this.deps.db.read((m) =>
          dueMailboxes(m, now, free + this.running.size, this.leases.owner),
        );
        for (const mailboxId of due) {
          if (this.running.size >= this.options.maxConcurrentRounds || this.stopped) break;
          if (this.running.has(mailboxId)) continue;
          const epoch = held.get(mailboxId);
          if (epoch === undefined) continue;
          this.startRound(mailboxId, epoch);
        }
      }
    } catch (error) {
      this.deps.log.error({ err: error }, "sync scheduling failed");
    } finally {
      this.ticking = false;
      this.schedule(this.again ? 0 : this.options.tickMs);
    }
  }

  private startRound(mailboxId: string, epoch: number): void {
    const controller = new AbortController();
    // Every request of a round listens on its signal; many are in flight across folders.
    setMaxListeners(0, controller.signal);
    const token = this.leases.token(mailboxId, epoch);
    const done = (async (): Promise<RoundOutcome> => {
      const scope = await this.deps.db.transaction((m) =>
        roundStarted(m, mailboxId, token, this.deps.now()),
      );
      const source = await this.sourceFor(mailboxId);
      if (!source) return "stopped";
      return runMailboxRound(
        this.deps,
        source,
        mailboxId,
        controller.signal,
        (m) => this.leases.holds(m, mailboxId, epoch),
        scope,
      );
    })();
    const run: Running = { controller, epoch, done };
    this.running.set(mailboxId, run);
    run.settled = done
      .then(
        (outcome) => this.finished(mailboxId, epoch, outcome),
        (error: unknown) => {
          this.deps.log.error({ err: error, mailboxId }, "sync round crashed");
          return this.finished(mailboxId, epoch, "failed");
        },
      )
      .catch((error: unknown) => {
        // The database is unreachable: the due time stays as it was, so the round runs again.
        this.deps.log.warn({ err: error, mailboxId }, "round outcome not recorded");
      })
      .finally(() => {
        this.running.delete(mailboxId);
        this.schedule(0);
      });
  }

  /** The next due time (the interval, or the failure back-off), written only by the holder. */
  private async finished(mailboxId: string, epoch: number, outcome: RoundOutcome): Promise<void> {
    const token = this.leases.token(mailboxId, epoch);
    if (outcome === "stopped") {
      // Its due time stays, but a request it was answering was cleared when it started: asked
      // again (while this process still holds the mailbox), the next holder runs it.
      await this.deps.db.transaction(async (m) => {
        if (await roundStopped(m, mailboxId, token)) await this.leases.announce(m, mailboxId);
      });
      return;
    }
    const now = this.deps.now().getTime();
    const intervalMs =
      (this.options.intervalFor?.(mailboxId) ?? this.options.intervalSeconds) * 1000;
    await this.deps.db.transaction(async (m) => {
      if (outcome !== "failed") {
        await roundFinished(m, mailboxId, token, {
          dueAt: new Date(now + intervalMs),
          failures: 0,
        });
        return;
      }
      const failures = (await failuresOf(m, mailboxId)) + 1;
      const backoff = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), intervalMs);
      await roundFinished(m, mailboxId, token, { dueAt: new Date(now + backoff), failures });
    });
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
