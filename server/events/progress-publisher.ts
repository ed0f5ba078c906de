import type { EventBus, EventPayloads } from "./event-bus.js";

/** At most one progress event per mailbox per this many milliseconds (~10 per second). */
export const PROGRESS_INTERVAL_MS = 100;

interface MailboxProgress {
  /** The latest report not yet published (a trailing publish is scheduled for it). */
  pending: { integrationId: string; project: { id: string; name: string } } | null;
  timer: NodeJS.Timeout | null;
}

/**
 * Coalesces "this mailbox's sync state changed" reports into `syncProgress` events (DOMAIN.md,
 * Sync: progress is published live per mailbox) so a 50k-message sync does not flood clients: the
 * first report after a quiet interval is published at once, later ones within the interval are
 * folded into one trailing event at its end. The last report is never dropped, and since
 * subscribers read the mailbox's state when they deliver an event, that event carries the final
 * state. Call `report` after writing the state it announces.
 */
export class ProgressPublisher {
  private readonly mailboxes = new Map<string, MailboxProgress>();
  private disposed = false;

  constructor(
    private readonly events: EventBus,
    private readonly options: { intervalMs?: number; now?: () => Date } = {},
  ) {}

  private get intervalMs(): number {
    return this.options.intervalMs ?? PROGRESS_INTERVAL_MS;
  }

  report(mailboxId: string, integrationId: string, project: { id: string; name: string }): void {
    if (this.disposed) return;
    let state = this.mailboxes.get(mailboxId);
    if (!state) this.mailboxes.set(mailboxId, (state = { pending: null, timer: null }));
    state.pending = { integrationId, project };
    // A running timer means an event went out less than an interval ago: it publishes this one.
    if (!state.timer) this.publish(mailboxId, state);
  }

  /** Publishes every pending report now (end of a round, shutdown). */
  flush(): void {
    for (const [mailboxId, state] of this.mailboxes) {
      if (!state.pending) continue;
      if (state.timer) clearTimeout(state.timer);
      this.publish(mailboxId, state);
    }
  }

  /** Publishes what is pending and stops; later reports are ignored. */
  dispose(): void {
    this.flush();
    this.disposed = true;
    for (const state of this.mailboxes.values()) if (state.timer) clearTimeout(state.timer);
    this.mailboxes.clear();
  }

  private publish(mailboxId: string, state: MailboxProgress): void {
    const pending = state.pending;
    if (!pending) {
      // Idle for a whole interval: forget the mailbox, so the map holds active mailboxes only.
      this.mailboxes.delete(mailboxId);
      return;
    }
    state.pending = null;
    this.events.publish("syncProgress", {
      mailboxId,
      integrationId: pending.integrationId,
      projectId: pending.project.id,
      projectName: pending.project.name,
      at: this.options.now?.() ?? new Date(),
    });
    // Wake once more after the interval: publishes a trailing report, or forgets the mailbox.
    state.timer = setTimeout(() => {
      state.timer = null;
      this.publish(mailboxId, state);
    }, this.intervalMs);
    state.timer.unref();
  }
}

/**
 * The bus as services see it: `syncProgress` events published on it go through `progress`, so
 * whoever announces progress (the sync engine publishing directly, or calling `report`) cannot
 * flood subscribers. Other channels pass straight through.
 */
export function withCoalescedProgress(bus: EventBus, progress: ProgressPublisher): EventBus {
  return {
    publish(channel, payload) {
      if (channel === "syncProgress") {
        const p = payload as EventPayloads["syncProgress"];
        progress.report(p.mailboxId, p.integrationId, { id: p.projectId, name: p.projectName });
      } else bus.publish(channel, payload);
    },
    subscribe: (channel) => bus.subscribe(channel),
    subscriberCount: (channel) => bus.subscriberCount(channel),
    get connected() {
      return bus.connected;
    },
    close: () => bus.close(),
  };
}
