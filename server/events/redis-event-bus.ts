import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { Redis } from "ioredis";
import { eventsUnavailable } from "../domain/errors.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import {
  type EventBus,
  type EventChannel,
  type EventPayloads,
  MAX_QUEUED_EVENTS_PER_SUBSCRIBER,
} from "./event-bus.js";
import { LocalSubscribers } from "./local-subscribers.js";

/** What travels through Redis: the payload and when it was published (for the lag metric). */
interface Envelope {
  /** Publish time, ms since the epoch. */
  t: number;
  p: unknown;
}

/**
 * JSON, with the payloads' one Date field (`at`) revived. Each event is stringified once when
 * published and parsed once per receiving process, whatever its number of subscribers.
 */
const SERIALIZER = {
  stringify: (message: unknown) => JSON.stringify(message),
  parse: (text: string): unknown =>
    JSON.parse(text, (key, value: unknown) =>
      key === "at" && typeof value === "string" ? new Date(value) : value,
    ),
};

export const EVENTS_UNAVAILABLE_MESSAGE =
  "Live events are unavailable: the connection to the deployment's event bus (Redis) was lost, so events may have been missed. Subscribe again (new subscriptions work as soon as it is back), and catch up through the streams API (fetchStream from your last sequence id), which loses nothing.";

export interface RedisEventBusOptions {
  url: string;
  /** Prepended to every channel name, so deployments (or tests) can share one Redis. */
  prefix: string;
  log: Logger;
  metrics: Metrics;
  maxQueued?: number;
}

/**
 * Live events through Redis pub/sub (`@graphql-yoga/redis-event-target` on two `ioredis`
 * connections), so a subscription on any process sees events published on any other. An event
 * published here also comes back through Redis, so every process (this one included) delivers it
 * the same way: parsed once, then handed to the local subscribers as one shared object.
 *
 * When either connection drops, events may be missed, so every local subscription ends with
 * EVENTS_UNAVAILABLE (re-subscribe, catch up through streams) and new subscriptions are refused
 * the same way until both connections are back; ioredis reconnects by itself (backing off to 2 s).
 * Publishing never queues while disconnected (an outage must not grow memory): such events are
 * counted as failed; what they announce is in the database already.
 */
export class RedisEventBus implements EventBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly target: ReturnType<typeof createRedisEventTarget<CustomEvent<Envelope>>>;
  private readonly subscribers: LocalSubscribers;
  private readonly listeners = new Map<EventChannel, (event: CustomEvent<Envelope>) => void>();
  private available = false;
  private closing = false;
  private readonly readyWaiters: (() => void)[] = [];

  constructor(private readonly options: RedisEventBusOptions) {
    const common = { lazyConnect: false, connectionName: "mailstream-events" };
    this.publisher = new Redis(options.url, {
      ...common,
      // An outage fails publishes at once instead of queueing them without bound.
      enableOfflineQueue: false,
      // Events published in one tick go out in one write.
      enableAutoPipelining: true,
    });
    this.subscriber = new Redis(options.url, { ...common, maxRetriesPerRequest: null });
    this.subscribers = new LocalSubscribers(
      options.maxQueued ?? MAX_QUEUED_EVENTS_PER_SUBSCRIBER,
      (channel, active) => this.listen(channel, active),
    );
    // The event target calls publish/subscribe/unsubscribe without handling their promises: these
    // adapters do, so a dropped connection is an event of ours, never an unhandled rejection.
    const publishClient = {
      publish: (channel: string, message: string) =>
        this.publisher.publish(channel, message).catch(() => this.publishFailed()),
    };
    const subscribeClient = {
      on: (event: "message", listener: (channel: string, message: string) => void) =>
        this.subscriber.on(event, listener),
      subscribe: (channel: string) => this.subscriber.subscribe(channel).catch(() => undefined),
      unsubscribe: (channel: string) => this.subscriber.unsubscribe(channel).catch(() => undefined),
    };
    this.target = createRedisEventTarget<CustomEvent<Envelope>>({
      publishClient: publishClient as unknown as Redis,
      subscribeClient: subscribeClient as unknown as Redis,
      serializer: SERIALIZER,
    });
    for (const client of [this.publisher, this.subscriber]) {
      client.on("ready", () => this.connectionReady());
      client.on("close", () => this.connectionLost());
      // Every failed reconnect attempt reports here; the state changes are logged once each.
      client.on("error", (error: Error) =>
        options.log.debug({ err: error }, "event bus: Redis connection error"),
      );
    }
    options.metrics.setEventBusConnected(false);
  }

  publish<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void {
    if (this.closing) return;
    if (this.publisher.status !== "ready") {
      this.publishFailed();
      return;
    }
    const envelope: Envelope = { t: Date.now(), p: payload };
    this.target.dispatchEvent(
      new CustomEvent(this.topic(channel), { detail: envelope }) as CustomEvent<Envelope>,
    );
  }

  subscribe<C extends EventChannel>(channel: C): AsyncIterableIterator<EventPayloads[C]> {
    if (!this.available || this.closing) {
      return this.subscribers.failed<C>(eventsUnavailable(EVENTS_UNAVAILABLE_MESSAGE));
    }
    return this.subscribers.add(channel);
  }

  subscriberCount(channel: EventChannel): number {
    return this.subscribers.count(channel);
  }

  get connected(): boolean {
    return this.available;
  }

  /** Resolves once both connections are up (or after `timeoutMs`, whichever comes first). */
  whenConnected(timeoutMs: number): Promise<boolean> {
    if (this.available) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.available), timeoutMs);
      timer.unref();
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.available = false;
    this.options.metrics.setEventBusConnected(false);
    this.subscribers.failAll(
      eventsUnavailable(
        "This server is shutting down; subscribe again (another server of the deployment answers) and catch up through the streams API.",
      ),
    );
    await Promise.all(
      [this.publisher, this.subscriber].map((client) =>
        client.quit().catch(() => client.disconnect()),
      ),
    );
  }

  private topic(channel: EventChannel): string {
    return `${this.options.prefix}${channel}`;
  }

  private listen(channel: EventChannel, active: boolean): void {
    if (active) {
      const listener = (event: CustomEvent<Envelope>) => {
        const envelope = event.detail;
        this.options.metrics.eventDelivered("redis", channel, Date.now() - envelope.t);
        this.subscribers.deliver(channel, envelope.p);
      };
      this.listeners.set(channel, listener);
      this.target.addEventListener(this.topic(channel), listener);
    } else {
      const listener = this.listeners.get(channel);
      this.listeners.delete(channel);
      if (listener) this.target.removeEventListener(this.topic(channel), listener);
    }
  }

  private publishFailed(): void {
    this.options.metrics.eventPublishFailed();
    // This process's own subscribers would miss it too: they learn it the same way as on a drop.
    if (this.available) this.connectionLost();
  }

  private connectionReady(): void {
    if (this.closing || this.available) return;
    if (this.publisher.status !== "ready" || this.subscriber.status !== "ready") return;
    // ioredis re-subscribes after emitting "ready": a PING answered after those SUBSCRIBEs means
    // the channels of subscriptions made from now on are listened to again.
    setImmediate(() => {
      this.subscriber.ping().then(
        () => {
          if (this.closing || this.available) return;
          if (this.publisher.status !== "ready" || this.subscriber.status !== "ready") return;
          this.available = true;
          this.options.metrics.setEventBusConnected(true);
          this.options.log.info("event bus: connected to Redis; live events flow");
          for (const wake of this.readyWaiters.splice(0)) wake();
        },
        () => undefined,
      );
    });
  }

  private connectionLost(): void {
    if (this.closing || !this.available) return;
    this.available = false;
    this.options.metrics.setEventBusConnected(false);
    this.options.log.warn(
      "event bus: lost the connection to Redis; live subscriptions end with EVENTS_UNAVAILABLE until it is back",
    );
    this.subscribers.failAll(eventsUnavailable(EVENTS_UNAVAILABLE_MESSAGE));
  }
}
