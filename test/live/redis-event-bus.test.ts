import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { MessageAddedPayload } from "../../server/events/event-bus.js";
import { RedisEventBus } from "../../server/events/redis-event-bus.js";
import { createLogger } from "../../server/observability/logger.js";
import { Metrics } from "../../server/observability/metrics.js";

/** Two buses on the shared Redis with a channel prefix of this test's own: two "processes". */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test-${randomBytes(6).toString("hex")}:`;
const buses: RedisEventBus[] = [];
afterAll(() => Promise.all(buses.map((bus) => bus.close())));

async function bus(): Promise<{ bus: RedisEventBus; metrics: Metrics }> {
  const metrics = new Metrics({ defaultMetrics: false });
  const made = new RedisEventBus({ url: REDIS_URL, prefix, log: createLogger("silent"), metrics });
  buses.push(made);
  expect(await made.whenConnected(5_000)).toBe(true);
  return { bus: made, metrics };
}

const event = (n: number): MessageAddedPayload => ({
  messageId: `m${n}`,
  bucketId: "b",
  projectId: "p",
  projectName: "alpha",
  sequenceId: String(n),
});

async function take<T>(iterator: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe("the Redis event bus", () => {
  it("delivers each event once per process, as one object shared by that process's subscribers, in order", async () => {
    const [one, two] = await Promise.all([bus(), bus()]);
    const here = [one.bus.subscribe("messageAdded"), one.bus.subscribe("messageAdded")];
    const there = [two.bus.subscribe("messageAdded"), two.bus.subscribe("messageAdded")];
    const progress = two.bus.subscribe("syncProgress");
    await new Promise((resolve) => setTimeout(resolve, 150)); // SUBSCRIBE acknowledged
    for (let n = 1; n <= 50; n++) one.bus.publish("messageAdded", event(n));
    const at = new Date("2026-03-01T10:00:00.123Z");
    one.bus.publish("syncProgress", {
      mailboxId: "mb",
      integrationId: "i",
      projectId: "p",
      projectName: "alpha",
      at,
    });
    const [a1, a2, b1, b2] = await Promise.all([...here, ...there].map((it) => take(it, 50)));
    expect(b1!.map((e) => e.sequenceId)).toEqual(Array.from({ length: 50 }, (_, i) => `${i + 1}`));
    for (const list of [a1, a2, b2]) expect(list).toEqual(b1);
    // Parsed once per process: subscribers of one process share the object (per-event caches).
    expect(a1![0]).toBe(a2![0]);
    expect(b1![7]).toBe(b2![7]);
    expect(a1![0]).not.toBe(b1![0]);
    const [delivered] = await take(progress, 1);
    expect(delivered!.at).toEqual(at);
    expect(delivered!.at).toBeInstanceOf(Date);
    const text = (await two.metrics.exposition()).body;
    expect(text).toMatch(/mailstream_event_bus_lag_seconds_count\{transport="redis"\} 51/);
    expect(text).toMatch(/mailstream_event_bus_events_received_total\{channel="messageAdded"\} 50/);
    for (const it of [...here, ...there, progress]) await it.return!();
    expect(one.bus.subscriberCount("messageAdded")).toBe(0);
  });

  it("ends subscriptions with EVENTS_UNAVAILABLE when it closes, and refuses new ones", async () => {
    const { bus: closing } = await bus();
    const subscription = closing.subscribe("integrationEvents");
    const pending = subscription.next().catch((error: unknown) => error);
    await closing.close();
    expect(await pending).toMatchObject({ code: "EVENTS_UNAVAILABLE" });
    await expect(closing.subscribe("messageAdded").next()).rejects.toMatchObject({
      code: "EVENTS_UNAVAILABLE",
    });
    expect(closing.connected).toBe(false);
  });
});
