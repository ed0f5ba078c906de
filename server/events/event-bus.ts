import type { Metrics } from "../observability/metrics.js";
import { LocalSubscribers } from "./local-subscribers.js";

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

export const EVENT_CHANNELS: readonly EventChannel[] = [
  "integrationEvents",
  "syncProgress",
  "messageAdded",
  "accessRevoked",
];

/**
 * Publish/subscribe behind one interface (also type-graphql's pubSub): in-process by default,
 * through Redis when REDIS_URL is set (server/events/redis-event-bus.ts). Either way each event
 * reaches this process's subscribers as one shared object, so per-event work is shared between
 * them. Events are published after the transaction that caused them commits. Live events are a
 * wake-up call: the streams API is what never loses anything.
 */
export interface EventBus {
  publish<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void;
  /** Events published from now on, in publish order; `return()` unsubscribes. */
  subscribe<C extends EventChannel>(channel: C): AsyncIterableIterator<EventPayloads[C]>;
  /** Subscribers of `channel` in this process (for metrics, and for tests to know one is listening). */
  subscriberCount(channel: EventChannel): number;
  /** Whether events published now reach subscribers (Redis reachable); /healthz reports it. */
  readonly connected: boolean;
  /** Ends every subscription and lets go of connections (shutdown). */
  close(): Promise<void>;
}

/**
 * Events a subscriber may have queued before it is cut off: a consumer that falls this far behind
 * gets an error and re-queries from the last sequence id it saw, rather than growing memory
 * without bound during a large sync.
 */
export const MAX_QUEUED_EVENTS_PER_SUBSCRIBER = 10_000;

class InProcessEventBus implements EventBus {
  private readonly subscribers: LocalSubscribers;

  constructor(
    maxQueued: number,
    private readonly metrics: Metrics | null,
  ) {
    this.subscribers = new LocalSubscribers(maxQueued);
  }

  publish<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void {
    this.metrics?.eventDelivered("memory", channel, 0);
    // Every subscriber gets the same object: per-event caches key on it (shared-execution.ts).
    this.subscribers.deliver(channel, payload);
  }

  subscribe<C extends EventChannel>(channel: C): AsyncIterableIterator<EventPayloads[C]> {
    return this.subscribers.add(channel);
  }

  subscriberCount(channel: EventChannel): number {
    return this.subscribers.count(channel);
  }

  get connected(): boolean {
    return true;
  }

  async close(): Promise<void> {}
}

export function createInProcessEventBus(
  options: { maxQueued?: number; metrics?: Metrics } = {},
): EventBus {
  return new InProcessEventBus(
    options.maxQueued ?? MAX_QUEUED_EVENTS_PER_SUBSCRIBER,
    options.metrics ?? null,
  );
}
