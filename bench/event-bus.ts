// Event-bus benchmark: the same events through the in-process bus and through Redis (two buses on
// one Redis, as two server processes), in the same run: publish → subscriber receipt lag (p50,
// p95, p99) while paced, and deliveries per second in a burst. Run: npm run bench:events
// (REDIS_URL, SUBSCRIBERS, PACED_EVENTS, PACED_RATE, BURST_EVENTS override the defaults).
import { randomBytes } from "node:crypto";
import { createInProcessEventBus, type EventBus } from "../server/events/event-bus.js";
import { RedisEventBus } from "../server/events/redis-event-bus.js";
import { createLogger } from "../server/observability/logger.js";
import { Metrics } from "../server/observability/metrics.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 100);
const PACED_EVENTS = Number(process.env.PACED_EVENTS ?? 1000);
const PACED_RATE = Number(process.env.PACED_RATE ?? 500);
const BURST_EVENTS = Number(process.env.BURST_EVENTS ?? 10_000);

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Result {
  delivered: number;
  expected: number;
  p50: number;
  p95: number;
  p99: number;
  perSecond: number;
}

/** Publishes `count` events on `from` (paced at `rate`/s, or back to back when null). */
async function phase(from: EventBus, to: EventBus, count: number, rate: number | null) {
  const lags: number[] = [];
  let last = 0;
  const subscriptions = Array.from({ length: SUBSCRIBERS }, () => to.subscribe("messageAdded"));
  const consumers = subscriptions.map(async (subscription) => {
    for (let got = 0; got < count; got++) {
      const next = await subscription.next();
      if (next.done) return;
      const t = now();
      lags.push(t - Number(next.value.messageId));
      last = Math.max(last, t);
    }
  });
  await sleep(200); // the SUBSCRIBE reached Redis
  const start = now();
  for (let i = 0; i < count; i++) {
    if (rate !== null) {
      const due = start + (i * 1000) / rate;
      while (now() < due) await sleep(Math.max(0, Math.min(2, due - now())));
    } else if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    from.publish("messageAdded", {
      messageId: String(now()),
      bucketId: "b",
      projectId: "p",
      projectName: "bench",
      sequenceId: String(i + 1),
    });
  }
  await Promise.race([Promise.all(consumers), sleep(60_000)]);
  for (const subscription of subscriptions) await subscription.return?.();
  lags.sort((a, b) => a - b);
  return {
    delivered: lags.length,
    expected: count * SUBSCRIBERS,
    p50: percentile(lags, 50),
    p95: percentile(lags, 95),
    p99: percentile(lags, 99),
    perSecond: lags.length / ((last - start) / 1000),
  } satisfies Result;
}

const line = (label: string, r: Result) =>
  `${label.padEnd(28)} ${r.delivered}/${r.expected} delivered, ${Math.round(r.perSecond).toLocaleString("en")} deliveries/s, lag p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms`;

async function main(): Promise<void> {
  const metrics = new Metrics({ defaultMetrics: false });
  const log = createLogger("silent");
  const prefix = `bench-${randomBytes(6).toString("hex")}:`;
  const memory = createInProcessEventBus({ metrics });
  const publisher = new RedisEventBus({ url: REDIS_URL, prefix, log, metrics });
  const receiver = new RedisEventBus({ url: REDIS_URL, prefix, log, metrics });
  if (!(await publisher.whenConnected(5_000)) || !(await receiver.whenConnected(5_000)))
    throw new Error(`Redis at ${REDIS_URL} is not reachable`);
  try {
    console.log(`event bus, ${SUBSCRIBERS} subscribers in the receiving process`);
    const memPaced = await phase(memory, memory, PACED_EVENTS, PACED_RATE);
    console.log(line(`in-process, ${PACED_RATE}/s paced`, memPaced));
    const redisPaced = await phase(publisher, receiver, PACED_EVENTS, PACED_RATE);
    console.log(line(`Redis, ${PACED_RATE}/s paced`, redisPaced));
    const memBurst = await phase(memory, memory, BURST_EVENTS, null);
    console.log(line(`in-process, burst ${BURST_EVENTS}`, memBurst));
    const redisBurst = await phase(publisher, receiver, BURST_EVENTS, null);
    console.log(line(`Redis, burst ${BURST_EVENTS}`, redisBurst));
    console.log(
      `Redis − in-process lag at ${PACED_RATE}/s: p50 +${(redisPaced.p50 - memPaced.p50).toFixed(2)} ms, p95 +${(redisPaced.p95 - memPaced.p95).toFixed(2)} ms; burst throughput ratio Redis/in-process ${(redisBurst.perSecond / memBurst.perSecond).toFixed(2)}; lost ${memPaced.expected - memPaced.delivered + redisPaced.expected - redisPaced.delivered + memBurst.expected - memBurst.delivered + redisBurst.expected - redisBurst.delivered}`,
    );
  } finally {
    await Promise.all([publisher.close(), receiver.close()]);
  }
}

await main();
