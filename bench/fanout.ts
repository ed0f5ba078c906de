// Fan-out benchmark: 1,000 graphql-ws subscribers of messageAdded against a raw `ws` broadcast of
// the same JSON to the same number of clients, in the same run. Run: npm run bench:fanout
// (SUBSCRIBERS, BURST_EVENTS, PACED_EVENTS, PACED_RATE override the defaults).
import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";
import { publishMessagesAdded } from "../server/messages/message-events.js";
import type { MessageRow } from "../server/storage/entities/index.js";
import { storeMessages } from "../server/storage/message-store.js";
import { startTestServer } from "../test/support/test-server.js";
import { createProject, createToken, incomingMessage } from "../test/live/fixtures.js";

const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 1000);
const CLIENT_PROCESSES = 2;
const BURST_EVENTS = Number(process.env.BURST_EVENTS ?? 200);
const PACED_EVENTS = Number(process.env.PACED_EVENTS ?? 100);
/** Events per second in the latency phase (each delivered to every subscriber). */
const PACED_RATE = Number(process.env.PACED_RATE ?? 20);

const QUERY = `subscription($project: String!) {
  messageAdded(project: $project) {
    project bucketId sequenceId
    message { id subject receivedAt folder from { name address } }
  }
}`;

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));

interface PhaseResult {
  deliveries: number;
  expected: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

class Clients {
  private readonly children: ChildProcess[] = [];

  async connect(mode: "graphql" | "raw", url: string, token: string): Promise<void> {
    const script = fileURLToPath(new URL("./fanout-clients.ts", import.meta.url));
    const share = Math.ceil(SUBSCRIBERS / CLIENT_PROCESSES);
    await Promise.all(
      Array.from({ length: CLIENT_PROCESSES }, (_, i) => {
        const child = fork(script, [], {
          execArgv: ["--import", "tsx"],
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        this.children.push(child);
        const count = Math.min(share, SUBSCRIBERS - i * share);
        return new Promise<void>((resolve, reject) => {
          child.once("message", () => resolve());
          child.once("exit", (code) => reject(new Error(`client process exited with ${code}`)));
          child.send({
            cmd: "connect",
            mode,
            url,
            count,
            token,
            query: QUERY,
            variables: { project: "bench" },
          });
        });
      }),
    );
  }

  async report(): Promise<Map<string, number[]>> {
    const all = new Map<string, number[]>();
    const parts = await Promise.all(
      this.children.map(
        (child) =>
          new Promise<[string, number[]][]>((resolve) => {
            child.once("message", (m: { received: [string, number[]][] }) => resolve(m.received));
            child.send({ cmd: "report" });
          }),
      ),
    );
    for (const part of parts)
      for (const [seq, times] of part) all.set(seq, [...(all.get(seq) ?? []), ...times]);
    return all;
  }

  /** Waits until every client has every event (or `timeoutMs` passes), then reports. */
  async collect(sequenceIds: string[], timeoutMs: number): Promise<Map<string, number[]>> {
    const expected = sequenceIds.length * SUBSCRIBERS;
    const merged = new Map<string, number[]>();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const [seq, times] of await this.report())
        merged.set(seq, [...(merged.get(seq) ?? []), ...times]);
      const count = [...merged.values()].reduce((n, t) => n + t.length, 0);
      if (count >= expected || Date.now() > deadline) return merged;
      await sleep(100);
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) => new Promise((resolve) => child.once("exit", resolve).send({ cmd: "close" })),
      ),
    );
    this.children.length = 0;
  }
}

function measure(published: Map<string, number>, received: Map<string, number[]>): PhaseResult {
  const latencies: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const [seq, at] of published) {
    first = Math.min(first, at);
    for (const t of received.get(seq) ?? []) {
      latencies.push(t - at);
      last = Math.max(last, t);
    }
  }
  latencies.sort((a, b) => a - b);
  const seconds = (last - first) / 1000;
  return {
    deliveries: latencies.length,
    expected: published.size * SUBSCRIBERS,
    seconds,
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
  };
}

/** Publishes `events` back to back (yielding to I/O between them), then paced; measures both. */
async function runPhases(
  clients: Clients,
  publish: (row: MessageRow) => void,
  burst: MessageRow[],
  paced: MessageRow[],
): Promise<{ burst: PhaseResult; paced: PhaseResult }> {
  const burstAt = new Map<string, number>();
  for (const row of burst) {
    burstAt.set(row.sequenceId, now());
    publish(row);
    await yieldToIo();
  }
  const burstResult = measure(burstAt, await clients.collect([...burstAt.keys()], 60_000));
  await sleep(500);
  const pacedAt = new Map<string, number>();
  const start = now();
  for (const [i, row] of paced.entries()) {
    const due = start + (i * 1000) / PACED_RATE;
    while (now() < due) await sleep(Math.max(0, Math.min(5, due - now())));
    pacedAt.set(row.sequenceId, now());
    publish(row);
  }
  const pacedResult = measure(pacedAt, await clients.collect([...pacedAt.keys()], 60_000));
  return { burst: burstResult, paced: pacedResult };
}

async function main(): Promise<void> {
  const server = await startTestServer();
  try {
    const { project, bucketIds } = await createProject(server, "bench");
    const reader = await createToken(server, [
      { project: "bench", permissions: ["MESSAGES_READ"] },
    ]);
    const { db, events } = server.app.deps;
    const store = async (count: number) =>
      (
        await db.transaction((m) =>
          storeMessages(
            m,
            project.id,
            bucketIds.inbox!,
            Array.from({ length: count }, () => incomingMessage()),
            new Date(),
          ),
        )
      ).created;
    const rawRows = { burst: await store(BURST_EVENTS), paced: await store(PACED_EVENTS) };
    const gqlRows = { burst: await store(BURST_EVENTS), paced: await store(PACED_EVENTS) };

    // Baseline: the JSON graphql-ws would send for each event, broadcast by a bare ws server in
    // this same process to the same number of clients.
    const json = new Map<string, string>();
    for (const row of [...rawRows.burst, ...rawRows.paced]) {
      const data = await server.ok<{ message: Record<string, unknown> }>(
        `query($id: ID!) { message(id: $id) { id subject receivedAt folder from { name address } } }`,
        { id: row.id },
      );
      json.set(
        row.sequenceId,
        JSON.stringify({
          id: "1",
          type: "next",
          payload: {
            data: {
              messageAdded: {
                project: "bench",
                bucketId: row.bucketId,
                sequenceId: row.sequenceId,
                message: data.message,
              },
            },
          },
        }),
      );
    }
    const rawHttp = createServer();
    const raw = new WebSocketServer({ server: rawHttp });
    await new Promise<void>((resolve) => rawHttp.listen(0, "127.0.0.1", resolve));
    const rawUrl = `ws://127.0.0.1:${(rawHttp.address() as AddressInfo).port}`;

    const clients = new Clients();
    await clients.connect("raw", rawUrl, reader.token);
    const rawResult = await runPhases(
      clients,
      (row) => {
        const text = json.get(row.sequenceId)!;
        for (const socket of raw.clients) socket.send(text);
      },
      rawRows.burst,
      rawRows.paced,
    );
    await clients.close();
    raw.close();
    rawHttp.close();

    const before = events.subscriberCount("messageAdded");
    await clients.connect("graphql", `${server.url.replace(/^http/, "ws")}/graphql`, reader.token);
    while (events.subscriberCount("messageAdded") < before + SUBSCRIBERS) await sleep(20);
    const gqlResult = await runPhases(
      clients,
      (row) => publishMessagesAdded(events, project, [row]),
      gqlRows.burst,
      gqlRows.paced,
    );
    await clients.close();

    const line = (name: string, r: PhaseResult) =>
      `${name.padEnd(28)} ${r.deliveries}/${r.expected} delivered, ${Math.round(r.perSecond).toLocaleString("en")} msg/s, ` +
      `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`;
    console.log(`fan-out to ${SUBSCRIBERS} subscribers (${CLIENT_PROCESSES} client processes)`);
    console.log(line(`raw ws, burst of ${BURST_EVENTS}`, rawResult.burst));
    console.log(line(`graphql-ws, burst of ${BURST_EVENTS}`, gqlResult.burst));
    console.log(line(`raw ws, ${PACED_RATE}/s paced`, rawResult.paced));
    console.log(line(`graphql-ws, ${PACED_RATE}/s paced`, gqlResult.paced));
    const ratio = gqlResult.burst.perSecond / rawResult.burst.perSecond;
    const lost =
      gqlResult.burst.expected -
      gqlResult.burst.deliveries +
      gqlResult.paced.expected -
      gqlResult.paced.deliveries;
    console.log(
      `throughput ratio graphql-ws/raw: ${ratio.toFixed(2)} (target >= 0.3); ` +
        `p99 at ${PACED_RATE} events/s: ${gqlResult.paced.p99.toFixed(1)} ms (target < 250); lost events: ${lost} (target 0)`,
    );
  } finally {
    await server.stop();
  }
}

await main();
