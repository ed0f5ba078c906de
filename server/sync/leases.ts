import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import {
  bumpEpochs,
  claimLeases,
  type FenceToken,
  fenceHolds,
  heartbeat,
  leaseCounts,
  notifySchedulers,
  releaseLeases,
  removeProcess,
  renewLeases,
} from "../storage/lease-store.js";
import { SchedulerListener } from "../storage/scheduler-listener.js";

/** This server process as other processes (and the API's `heldBy`) see it. */
export interface ProcessIdentity {
  /** Random, made at start: a restarted process is a new lease owner. */
  id: string;
  name: string;
  host: string;
  pid: number;
}

/** MAILSTREAM_PROCESS_NAME, or `<host>:<pid>`. */
export const processName = (configured: string | null): string =>
  configured ?? `${hostname()}:${process.pid}`;

export function processIdentity(name: string | null): ProcessIdentity {
  return { id: randomUUID(), name: processName(name), host: hostname(), pid: process.pid };
}

/**
 * Which mailboxes this process may sync, and the fence its writes go through. The scheduler is
 * the same on both databases; only this differs:
 * - PostgreSQL (`PostgresLeases`): a lease row per mailbox, claimed, renewed and released by the
 *   owner; every page commits only while the lease is still held at the round's epoch.
 * - SQLite (`InProcessLeases`): one process holds everything; revocations are an in-memory epoch,
 *   no SQL and no waiting.
 */
/** The epoch each held mailbox's round commits under; undefined: not held by this process. */
export type HeldLeases = Pick<ReadonlyMap<string, number>, "get">;

export interface LeasePolicy {
  readonly identity: ProcessIdentity;
  /** The lease owner id the due query filters on; null: this process may run every mailbox. */
  readonly owner: string | null;
  /** The fence token (`owner`, `epoch`) written into scheduling rows; null without leases. */
  token(mailboxId: string, epoch: number): FenceToken | null;
  start(wake: () => void): Promise<void>;
  /**
   * Renews, sheds beyond the fair share, claims up to it: the mailboxes held now, with the epoch
   * each round must commit under.
   */
  refresh(runningIds: ReadonlySet<string>): Promise<HeldLeases>;
  /** Whether a write of the round at `epoch` may still commit (inside its transaction). */
  holds(m: EntityManager, mailboxId: string, epoch: number): Promise<boolean>;
  /** Revokes work in flight on these mailboxes (inside the caller's transaction). */
  revoke(m: EntityManager, mailboxIds: string[]): Promise<void>;
  /** Tells every process's scheduler to look again once the caller's transaction commits. */
  announce(m: EntityManager, mailboxId: string | null): Promise<void>;
  /** False once this process can no longer be sure it holds its leases (renewals failing). */
  stillValid(): boolean;
  stop(): Promise<void>;
}

export class InProcessLeases implements LeasePolicy {
  readonly identity: ProcessIdentity;
  readonly owner = null;
  private readonly epochs = new Map<string, number>();

  constructor(name: string | null) {
    this.identity = processIdentity(name);
  }

  token(): FenceToken | null {
    return null;
  }

  async start(): Promise<void> {}

  /** Every mailbox is ours; the due query already keeps to the syncable ones. */
  refresh(): Promise<HeldLeases> {
    return Promise.resolve({ get: (id: string) => this.epochs.get(id) ?? 0 });
  }

  holds(_m: EntityManager, mailboxId: string, epoch: number): Promise<boolean> {
    return Promise.resolve((this.epochs.get(mailboxId) ?? 0) === epoch);
  }

  revoke(_m: EntityManager, mailboxIds: string[]): Promise<void> {
    for (const id of mailboxIds) this.epochs.set(id, (this.epochs.get(id) ?? 0) + 1);
    return Promise.resolve();
  }

  async announce(): Promise<void> {}

  stillValid(): boolean {
    return true;
  }

  async stop(): Promise<void> {}
}

export interface PostgresLeaseOptions {
  /** Seconds a lease lives without renewal (MAILSTREAM_LEASE_TTL): a dead holder's takeover time. */
  ttlSeconds: number;
  databaseUrl: string;
  name: string | null;
  /**
   * The live processes (sync_process rows whose heartbeat is within the TTL, this one included),
   * counted at start and at every refresh — every heartbeat and every tick between them — for
   * budgets a deployment shares (an EWS principal's 27 requests in flight).
   */
  onLiveProcesses?: (processes: number) => void;
}

export class PostgresLeases implements LeasePolicy {
  readonly identity: ProcessIdentity;
  private readonly listener: SchedulerListener;
  private held = new Map<string, number>();
  private lastRenewal = -Infinity;
  /** performance.now() up to which our leases are surely still ours (renewed, with a margin). */
  private validUntil = -Infinity;
  private wake: () => void = () => undefined;

  constructor(
    private readonly deps: Deps,
    private readonly options: PostgresLeaseOptions,
  ) {
    this.identity = processIdentity(options.name);
    this.listener = new SchedulerListener(
      options.databaseUrl,
      () => {
        // A revocation may be what this is about: the next refresh re-reads our epochs.
        this.lastRenewal = -Infinity;
        this.wake();
      },
      deps.log.child({ component: "leases" }),
    );
  }

  token(_mailboxId: string, epoch: number): FenceToken {
    return { owner: this.identity.id, epoch };
  }

  async start(wake: () => void): Promise<void> {
    this.wake = wake;
    await this.deps.db.transaction((m) => heartbeat(m, this.identity, this.options.ttlSeconds));
    // Before the first round, the budgets count every live process (a credential check that
    // reaches the API in the moment between listening and this still has the configured budget).
    const counts = await this.deps.db.read((m) => leaseCounts(m, this.options.ttlSeconds));
    this.options.onLiveProcesses?.(counts.processes);
    await this.listener.start();
  }

  /** Renewal every third of the TTL: two renewals may fail before the lease runs out. */
  private get renewEveryMs(): number {
    return (this.options.ttlSeconds * 1000) / 3;
  }

  get owner(): string {
    return this.identity.id;
  }

  async refresh(runningIds: ReadonlySet<string>): Promise<HeldLeases> {
    const ttl = this.options.ttlSeconds;
    const started = performance.now();
    const db = this.deps.db;
    if (started - this.lastRenewal >= this.renewEveryMs) {
      const renewed = await db.transaction(async (m) => {
        await heartbeat(m, this.identity, ttl);
        return renewLeases(m, this.identity.id, ttl);
      });
      this.lastRenewal = started;
      // Our clock may run ahead of the database's by the statement's own time: count from before it.
      this.validUntil = started + ttl * 1000 * 0.9;
      this.held = renewed;
    }
    const counts = await db.read((m) => leaseCounts(m, ttl));
    this.options.onLiveProcesses?.(counts.processes);
    const share = Math.ceil(counts.syncable / Math.max(1, counts.processes));
    if (this.held.size > share) {
      // More than our share while others have room: let idle ones go, for them to claim.
      const idle = [...this.held.keys()].filter((id) => !runningIds.has(id));
      const excess = idle.slice(0, this.held.size - share);
      if (excess.length > 0) {
        await db.transaction((m) => releaseLeases(m, this.identity.id, excess));
        for (const id of excess) this.held.delete(id);
      }
    } else if (this.held.size < share && counts.free > 0) {
      const want = Math.min(share - this.held.size, counts.free);
      const claimed = await db.transaction((m) => claimLeases(m, this.identity.id, ttl, want));
      if (claimed.size > 0) {
        this.deps.log.debug({ claimed: claimed.size, share }, "leases claimed");
        for (const [id, epoch] of claimed) this.held.set(id, epoch);
        if (this.validUntil < started) this.validUntil = started + ttl * 1000 * 0.9;
      }
    }
    this.deps.metrics.setLeasesHeld(this.held.size);
    return new Map(this.held);
  }

  holds(m: EntityManager, mailboxId: string, epoch: number): Promise<boolean> {
    return fenceHolds(m, mailboxId, { owner: this.identity.id, epoch });
  }

  async revoke(m: EntityManager, mailboxIds: string[]): Promise<void> {
    await bumpEpochs(m, mailboxIds);
    // The holder learns the new epoch at its next renewal; make that the next refresh.
    this.lastRenewal = -Infinity;
  }

  async announce(m: EntityManager, mailboxId: string | null): Promise<void> {
    await notifySchedulers(m, mailboxId ?? "");
  }

  stillValid(): boolean {
    return performance.now() < this.validUntil;
  }

  async stop(): Promise<void> {
    await this.listener.stop();
    try {
      await this.deps.db.transaction(async (m) => {
        await releaseLeases(m, this.identity.id, "all");
        await removeProcess(m, this.identity.id);
      });
    } catch (error) {
      // The database is away: the leases expire on their own within a TTL.
      this.deps.log.warn({ err: error }, "leases not released at shutdown");
    }
    this.held.clear();
  }
}
