import type { EventChannel, EventPayloads } from "./event-bus.js";
import { EventQueue } from "./event-queue.js";

/**
 * This process's subscribers, per channel: a delivered event is pushed to each of them as the same
 * object (per-event caches key on it: shared-execution.ts, per-event-cache.ts). Both buses use it.
 */
export class LocalSubscribers {
  private readonly channels = new Map<EventChannel, Set<EventQueue<unknown>>>();

  constructor(
    private readonly maxQueued: number,
    /** A channel got its first subscriber, or lost its last. */
    private readonly onChannel: (channel: EventChannel, active: boolean) => void = () => undefined,
  ) {}

  deliver(channel: EventChannel, payload: unknown): void {
    const queues = this.channels.get(channel);
    if (!queues) return;
    for (const queue of queues) queue.push(payload);
  }

  add<C extends EventChannel>(channel: C): EventQueue<EventPayloads[C]> {
    let queues = this.channels.get(channel);
    if (!queues) {
      this.channels.set(channel, (queues = new Set()));
      this.onChannel(channel, true);
    }
    const subscribed = queues;
    const queue = new EventQueue<unknown>(this.maxQueued, () => {
      subscribed.delete(queue);
      if (subscribed.size === 0 && this.channels.get(channel) === subscribed) {
        this.channels.delete(channel);
        this.onChannel(channel, false);
      }
    });
    subscribed.add(queue);
    return queue as EventQueue<EventPayloads[C]>;
  }

  /** A subscription that ends with `error` at its first `next()` (the bus cannot deliver now). */
  failed<C extends EventChannel>(error: Error): EventQueue<EventPayloads[C]> {
    const queue = new EventQueue<EventPayloads[C]>(1, () => undefined);
    queue.fail(error);
    return queue;
  }

  /** Ends every subscription with `error` (after what each already has queued). */
  failAll(error: Error): void {
    for (const queues of [...this.channels.values()]) {
      for (const queue of [...queues]) queue.fail(error);
    }
  }

  count(channel: EventChannel): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  get activeChannels(): EventChannel[] {
    return [...this.channels.keys()];
  }
}
