import { describe, expect, it } from "vitest";
import {
  type SyncProgressPayload,
  createInProcessEventBus,
} from "../../server/events/event-bus.js";
import { filterEvents } from "../../server/events/event-streams.js";
import {
  ProgressPublisher,
  withCoalescedProgress,
} from "../../server/events/progress-publisher.js";

const project = { id: "p1", name: "alpha" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Collects what a subscriber receives, with arrival times. */
function collect<T>(iterator: AsyncIterator<T>) {
  const received: { value: T; at: number }[] = [];
  const done = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      received.push({ value: next.value, at: Date.now() });
    }
  })();
  return { received, done };
}

describe("the in-process event bus", () => {
  it("delivers each event, in order, to every subscriber of its channel and stops at return()", async () => {
    const bus = createInProcessEventBus();
    const a = collect(bus.subscribe("messageAdded"));
    const b = collect(bus.subscribe("messageAdded"));
    const progress = collect(bus.subscribe("syncProgress"));
    expect(bus.subscriberCount("messageAdded")).toBe(2);
    const event = (n: number) => ({
      messageId: `m${n}`,
      bucketId: "b",
      projectId: "p1",
      projectName: "alpha",
      sequenceId: String(n),
    });
    for (let n = 1; n <= 100; n++) bus.publish("messageAdded", event(n));
    await sleep(10);
    expect(a.received.map((r) => r.value.sequenceId)).toEqual(
      Array.from({ length: 100 }, (_, i) => String(i + 1)),
    );
    expect(b.received.map((r) => r.value)).toEqual(a.received.map((r) => r.value));
    expect(b.received[0]!.value).toBe(a.received[0]!.value); // one shared object per event
    expect(progress.received).toEqual([]);
  });

  it("ends an idle subscription at once when it is returned, and unsubscribes it", async () => {
    const bus = createInProcessEventBus();
    const iterator = filterEvents(bus.subscribe("integrationEvents"), () => true);
    const pending = iterator.next();
    await iterator.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(bus.subscriberCount("integrationEvents")).toBe(0);
  });

  it("stops a subscriber that falls too far behind with an error telling it to re-query", async () => {
    const bus = createInProcessEventBus({ maxQueued: 5 });
    const slow = bus.subscribe("messageAdded");
    for (let n = 1; n <= 8; n++) {
      bus.publish("messageAdded", {
        messageId: `m${n}`,
        bucketId: "b",
        projectId: "p",
        projectName: "p",
        sequenceId: String(n),
      });
    }
    const delivered: string[] = [];
    await expect(
      (async () => {
        for (;;) {
          const next = await slow.next();
          if (next.done) return;
          delivered.push(next.value.sequenceId);
        }
      })(),
    ).rejects.toMatchObject({ extensions: { code: "SUBSCRIPTION_OVERFLOW" } });
    expect(delivered).toEqual(["1", "2", "3", "4", "5"]);
    expect(bus.subscriberCount("messageAdded")).toBe(0);
  });
});

describe("progress coalescing", () => {
  const report = (bus: ReturnType<typeof withCoalescedProgress>, mailboxId: string) =>
    bus.publish("syncProgress", {
      mailboxId,
      integrationId: "i1",
      projectId: project.id,
      projectName: project.name,
      at: new Date(),
    });

  it("publishes the first report at once, then at most one event per interval per mailbox, never dropping the last", async () => {
    const inner = createInProcessEventBus();
    const publisher = new ProgressPublisher(inner, { intervalMs: 50 });
    const bus = withCoalescedProgress(inner, publisher);
    const events = collect<SyncProgressPayload>(bus.subscribe("syncProgress"));

    const started = Date.now();
    report(bus, "mb1");
    await sleep(0);
    expect(events.received).toHaveLength(1); // not held back
    let reports = 1;
    while (Date.now() - started < 400) {
      report(bus, "mb1");
      reports++;
      if (reports % 50 === 0) await sleep(1);
    }
    const lastReportAt = Date.now();
    await sleep(120);
    const mb1 = events.received.filter((e) => e.value.mailboxId === "mb1");
    expect(reports).toBeGreaterThan(100);
    expect(mb1.length).toBeLessThanOrEqual(Math.ceil(400 / 50) + 2);
    expect(mb1.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < mb1.length; i++)
      expect(mb1[i]!.at - mb1[i - 1]!.at).toBeGreaterThanOrEqual(40);
    expect(mb1.at(-1)!.at).toBeGreaterThanOrEqual(lastReportAt); // the trailing event follows the last report
    expect(mb1.at(-1)!.value).toMatchObject({
      mailboxId: "mb1",
      integrationId: "i1",
      projectId: "p1",
      projectName: "alpha",
    });
    publisher.dispose();
  });

  it("coalesces each mailbox on its own and flushes what is pending on dispose", async () => {
    const inner = createInProcessEventBus();
    const publisher = new ProgressPublisher(inner, { intervalMs: 10_000 });
    const events = collect<SyncProgressPayload>(inner.subscribe("syncProgress"));
    publisher.report("a", "i1", project);
    publisher.report("b", "i1", project);
    publisher.report("a", "i1", project);
    publisher.report("a", "i2", project);
    await sleep(0);
    expect(events.received.map((e) => e.value.mailboxId)).toEqual(["a", "b"]);
    publisher.dispose();
    await sleep(0);
    expect(events.received.map((e) => [e.value.mailboxId, e.value.integrationId])).toEqual([
      ["a", "i1"],
      ["b", "i1"],
      ["a", "i2"],
    ]);
    publisher.report("a", "i1", project);
    await sleep(0);
    expect(events.received).toHaveLength(3);
  });
});
