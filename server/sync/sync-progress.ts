import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import type { MailboxSyncRow } from "../storage/entities/index.js";
import { writeSyncState } from "../storage/sync-store.js";

/** How often a running round writes its counters (and so publishes a progress event) at most. */
const FLUSH_INTERVAL_MS = 250;

export interface ProgressTarget {
  mailboxId: string;
  integrationId: string;
  projectId: string;
  projectName: string;
}

type Counters = Pick<
  MailboxSyncRow,
  | "status"
  | "phase"
  | "currentFolder"
  | "foldersTotal"
  | "foldersDone"
  | "messagesSeen"
  | "messagesStored"
  | "messagesFiltered"
  | "attachmentsStored"
  | "messagesPerSecond"
  | "messagesExpected"
  | "startedAt"
  | "lastSyncedAt"
  | "lastError"
>;

/**
 * A round's live state (`Mailbox.sync`): kept in memory, written to the mailbox_sync row at most
 * every FLUSH_INTERVAL_MS and on every status change, each write announced as a progress event.
 * Counters are per round; a new round starts from zero.
 */
export class SyncProgress {
  readonly state: Counters;
  private lastFlush = 0;
  private pending: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Deps,
    private readonly target: ProgressTarget,
    previous: MailboxSyncRow | null,
    /** Only the lease holder writes (a round that lost its lease says nothing more). */
    private readonly holdsLease: (m: EntityManager) => Promise<boolean>,
  ) {
    this.state = {
      status: "SYNCING",
      phase: "listing folders",
      currentFolder: null,
      foldersTotal: 0,
      foldersDone: 0,
      messagesSeen: 0,
      messagesStored: 0,
      messagesFiltered: 0,
      attachmentsStored: 0,
      messagesPerSecond: 0,
      messagesExpected: 0,
      startedAt: deps.now(),
      lastSyncedAt: previous?.lastSyncedAt ?? null,
      lastError: null,
    };
  }

  update(change: Partial<Counters>): void {
    Object.assign(this.state, change);
    const elapsed = (this.deps.now().getTime() - this.state.startedAt!.getTime()) / 1000;
    this.state.messagesPerSecond =
      elapsed > 0 ? Math.round((this.state.messagesSeen / elapsed) * 10) / 10 : 0;
    this.schedule();
  }

  /** Writes now (status changes, the end of a round). */
  async flush(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    this.flushing = this.flushing.then(() => this.write());
    await this.flushing;
  }

  private schedule(): void {
    if (this.pending) return;
    const wait = Math.max(0, this.lastFlush + FLUSH_INTERVAL_MS - Date.now());
    this.pending = setTimeout(() => {
      this.pending = null;
      this.flushing = this.flushing.then(() => this.write());
    }, wait);
  }

  private async write(): Promise<void> {
    this.lastFlush = Date.now();
    const snapshot = { ...this.state };
    try {
      const written = await this.deps.db.transaction(async (m) => {
        if (!(await this.holdsLease(m))) return false;
        await writeSyncState(m, this.target.mailboxId, snapshot);
        return true;
      });
      if (!written) return;
    } catch (error) {
      // The mailbox may have been removed mid-round; progress is advisory.
      this.deps.log.debug({ err: error, mailboxId: this.target.mailboxId }, "progress not written");
      return;
    }
    this.deps.events.publish("syncProgress", {
      mailboxId: this.target.mailboxId,
      integrationId: this.target.integrationId,
      projectId: this.target.projectId,
      projectName: this.target.projectName,
      at: this.deps.now(),
    });
  }
}
