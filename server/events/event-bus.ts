import { EventQueue } from "./event-queue.js";

/** Everything published live; each event names its project so subscribers are filtered by it. */
export interface IntegrationEventPayload {
  kind: string;
  integrationId: string;
  projectId: string;
  projectName: string;
  at: Date;
}

/**
 * "This mailbox's sync state changed": subscribers read the current state when they deliver it,
 * so a coalesced event (server/events/progress-publisher.ts) still carries the latest state.
 */
export interface SyncProgressPayload {
  mailboxId: string;
  integrationId: string;
  projectId: string;
  projectName: string;
  at: Date;
}

/** Ids only (small enough for any transport); the message is read once per event when delivered. */
export interface MessageAddedPayload {
  messageId: string;
  bucketId: string;
  projectId: string;
  projectName: string;
  /** The message's sequence id: a subscriber that reconnects re-queries from the last one it saw. */
  sequenceId: string;
}

/**
 * Access that ended: a token revoked, or a project deleted. Subscriptions of that token or project
 * end at once, and sockets of a revoked token close (rather than wait for an event that would
 * re-check it, which for a deleted project never comes).
 */
export type AccessRevokedPayload =
  | { kind: "TOKEN_REVOKED"; tokenId: string }
  | { kind: "PROJECT_DELETED"; projectId: string; projectName: string };

export interface EventPayloads {
  integrationEvents: IntegrationEventPayload;
  syncProgress: SyncProgressPayload;
  messageAdded: MessageAddedPayload;
  accessRevoked: AccessRevokedPayload;
}

export type EventChannel = keyof EventPayloads;

/**
 * Publish/subscribe behind one interface: in-process now, Redis for scale-out later (a Redis
 * implementation delivers each message to its local subscribers as one shared object, as this one
 * does, so per-event work is shared between subscribers). Events are published after the
 * transaction that caused them commits.
 */
export interface EventBus {
  publish<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void;
  /** Events published from now on, in publish order; `return()` unsubscribes. */
  subscribe<C extends EventChannel>(channel: C): AsyncIterableIterator<EventPayloads[C]>;
  /** Subscribers of `channel` in this process (for metrics, and for tests to know one is listening). */
  subscriberCount(channel: EventChannel): number;
}

/**
 * Events a subscriber may have queued before it is cut off: a consumer that falls this far behind
 * gets an error and re-queries from the last sequence id it saw, rather than growing memory
 * without bound during a large sync.
 */
export const MAX_QUEUED_EVENTS_PER_SUBSCRIBER = 10_000;

class InProcessEventBus implements EventBus {
  private readonly subscribers = new Map<EventChannel, Set<EventQueue<unknown>>>();

  constructor(private readonly maxQueued: number) {}

  publish<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void {
    const queues = this.subscribers.get(channel);
    if (!queues) return;
    // Every subscriber gets the same object: per-event caches key on it (shared-execution.ts).
    for (const queue of queues) queue.push(payload);
  }

  subscribe<C extends EventChannel>(channel: C): AsyncIterableIterator<EventPayloads[C]> {
    let queues = this.subscribers.get(channel);
    if (!queues) this.subscribers.set(channel, (queues = new Set()));
    const subscribed = queues;
    const queue = new EventQueue<unknown>(this.maxQueued, () => subscribed.delete(queue));
    subscribed.add(queue);
    return queue as EventQueue<EventPayloads[C]>;
  }

  subscriberCount(channel: EventChannel): number {
    return this.subscribers.get(channel)?.size ?? 0;
  }
}

export function createInProcessEventBus(options: { maxQueued?: number } = {}): EventBus {
  return new InProcessEventBus(options.maxQueued ?? MAX_QUEUED_EVENTS_PER_SUBSCRIBER);
}
