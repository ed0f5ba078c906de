// Push against polling (issue 14); results in bench/README.md.
//   npm run bench:push                 200 + 200 mailboxes, a message every 100 ms to each side, 2 minutes
//   BENCH_SECONDS=30 npm run bench:push
//   BENCH_MAILBOXES=50 BENCH_LATENCY_MS=100 npm run bench:push
// Two Mailstream servers run at the same time against one simulated Graph (its latency
// BENCH_LATENCY_MS, default 100 ms), each with its own tenant of BENCH_MAILBOXES mailboxes: one with
// change notifications (MAILSTREAM_PUBLIC_URL, safety poll 15 min), one polling at the default
// MAILSTREAM_SYNC_INTERVAL (60 s). Every 100 ms a message is delivered to a random mailbox of each
// tenant. Measured per side: delivery → messageAdded latency (p50/p95/max) over graphql-ws, and
// Graph requests (all of them: delta, folders, lookups, subscriptions) per mailbox-hour during the
// window. Then an idle phase (no deliveries): requests per mailbox-hour of idle mailboxes, over
// BENCH_IDLE_SECONDS for push (default 930: longer than the 15-minute safety poll, so each push
// mailbox's safety round falls in it once) and min(BENCH_IDLE_SECONDS, 180) for polling (steady
// at one round a minute). For push, each delivery's wait is split by stage from the simulator's
// records: delivery → notification POST, POST → the round's first request for it (the server's
// queueing), → messageAdded (the round itself, the store, the event).
//   BENCH_IDLE_SECONDS=0 npm run bench:push   without the idle phase
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { simulatorCaDir } from "./simulator-ca.js";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { startSimulator, type Simulator } from "../simulator/index.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const TOKEN = "ms_bench_admin_token_0123456789abcdef";
const SIMULATOR_HOSTS = "localhost,127.0.0.1,::1";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 120);
const MAILBOXES = Number(process.env.BENCH_MAILBOXES ?? 200);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 100);
const EVERY_MS = Number(process.env.BENCH_EVERY_MS ?? 100);
/** Eight folders per mailbox, as the arithmetic assumes (the simulator's default has 50). */
const FOLDERS = [
  { path: ["Inbox"], wellKnownName: "inbox", weight: 4 },
  { path: ["Sent Items"], wellKnownName: "sentitems", weight: 1 },
  { path: ["Drafts"], wellKnownName: "drafts", weight: 1 },
  { path: ["Deleted Items"], wellKnownName: "deleteditems", weight: 1 },
  { path: ["Junk Email"], wellKnownName: "junkemail", weight: 1 },
  { path: ["Archive"], wellKnownName: "archive", weight: 1 },
  { path: ["Inbox", "Orders"], weight: 1 },
  { path: ["Inbox", "Invoices"], weight: 1 },
];
/** After the last delivery, how long stragglers may take (a polling interval and a round). */
const DRAIN_MS = 90_000;
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 930);
/** Polling's idle cost is steady (a round a minute): a shorter window measures it. */
const POLL_IDLE_SECONDS = Math.min(IDLE_SECONDS, 180);

interface Side {
  name: "push" | "polling";
  clientId: string;
  emails: string[];
  url: string;
  process: ChildProcess;
  dataDir: string;
  delivered: Map<string, number>;
  latencies: number[];
  /** Per delivered message (by internetMessageId): its REST id, delivery and arrival (epoch ms). */
  timeline: Map<string, { restId: string; deliveredAt: number; arrivedAt: number | null }>;
  dispose: () => void;
}

/** User + system CPU seconds of a process so far (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tenantOf(sim: Simulator, name: string) {
  const tenant = sim.addTenant({ name, domains: [`${name}.example`], seed: name.length });
  const app = tenant.addApp({ displayName: name });
  const secret = app.addSecret();
  const emails = Array.from({ length: MAILBOXES }, (_, i) => `user${i}@${name}.example`);
  for (const email of emails) tenant.addMailbox({ email, messages: 5, folders: FOLDERS });
  const connection = {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: sim.authorityUrl(tenant),
    clientId: app.clientId,
    clientSecret: secret.value,
    graphEndpoint: sim.graphUrl,
  };
  return { emails, connection, clientId: app.clientId };
}

async function startServer(env: Record<string, string>): Promise<{
  url: string;
  process: ChildProcess;
  dataDir: string;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), "mailstream-bench-push-"));
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
      MAILSTREAM_DATA_DIR: dataDir,
      MAILSTREAM_ADMIN_TOKEN: TOKEN,
      MAILSTREAM_ALLOWED_HOSTS: SIMULATOR_HOSTS,
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  return { url, process: child, dataDir };
}

async function gql<T>(url: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function setUp(sim: Simulator, name: "push" | "polling"): Promise<Side> {
  const { emails, connection, clientId } = tenantOf(sim, name);
  const port = await freePort();
  const env: Record<string, string> =
    name === "push"
      ? {
          PORT: String(port),
          MAILSTREAM_PUBLIC_URL: `http://127.0.0.1:${port}`,
          MAILSTREAM_SAFETY_POLL_INTERVAL: "900",
        }
      : { PORT: String(port) };
  const server = await startServer(env);
  await gql(server.url, `mutation { createProject(input: { name: "bench" }) { id } }`);
  // createIntegration takes at most 500 mailboxes per call.
  await gql(
    server.url,
    `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
    {
      input: {
        project: "bench",
        name: "bench",
        connection,
        mailboxes: emails.map((email) => ({ email, allTime: true })),
      },
    },
  );
  const side: Side = {
    name,
    clientId,
    emails,
    ...server,
    delivered: new Map(),
    latencies: [],
    timeline: new Map(),
    dispose: () => undefined,
  };
  const client = createClient({
    url: `${server.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${TOKEN}` },
  });
  side.dispose = client.subscribe<{ messageAdded: { message: { internetMessageId: string } } }>(
    {
      query: `subscription { messageAdded(project: "bench") { message { internetMessageId } } }`,
    },
    {
      next: (result) => {
        const id = result.data?.messageAdded.message.internetMessageId;
        const at = id === undefined ? undefined : side.delivered.get(id);
        if (at !== undefined) {
          side.latencies.push(performance.now() - at);
          side.delivered.delete(id!);
          const entry = side.timeline.get(id!);
          if (entry) entry.arrivedAt = Date.now();
        }
      },
      error: (error) => console.error(`${name}: messageAdded failed`, error),
      complete: () => undefined,
    },
  );
  return side;
}

async function waitReady(side: Side): Promise<void> {
  const started = performance.now();
  for (;;) {
    const data = await gql<{
      project: { integrations: { mailboxes: { sync: { status: string; push: string } }[] }[] };
    }>(
      side.url,
      `{ project(name: "bench") { integrations { mailboxes { sync { status push } } } } }`,
    );
    const mailboxes = data.project.integrations.flatMap((i) => i.mailboxes);
    const synced = mailboxes.filter((m) => m.sync.status === "UP_TO_DATE").length;
    const active = mailboxes.filter((m) => m.sync.push === "ACTIVE").length;
    const ready = synced === MAILBOXES && (side.name === "polling" || active === MAILBOXES);
    if (ready) {
      console.log(
        `${side.name}: ${MAILBOXES} mailboxes synced${side.name === "push" ? " and subscribed" : ""} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      return;
    }
    if (performance.now() - started > 600_000)
      throw new Error(`${side.name}: not ready (${synced} synced, ${active} subscribed)`);
    await sleep(1_000);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(caDir: string): Promise<void> {
  const sim = await startSimulator({ caDir, latencyMs: LATENCY_MS, requestLogSize: 5_000_000 });
  console.log(
    `bench:push — ${MAILBOXES} mailboxes per side, a message every ${EVERY_MS} ms to each side for ${SECONDS} s, Graph latency ${LATENCY_MS} ms`,
  );
  // One side after the other, so neither takes CPU from the other on a small machine.
  const sides: (Side & {
    requests: number;
    windowSeconds: number;
    cpuSeconds: number;
    idleRequests: number;
    idleSeconds: number;
    idleRounds: number;
  })[] = [];
  for (const name of ["push", "polling"] as const) {
    const side = await setUp(sim, name);
    await waitReady(side);
    await sleep(5_000); // the catch-up rounds after subscribing are over
    const logStart = sim.requestLog.length;
    const cpuStart = cpuSeconds(side.process.pid!);
    const windowStart = performance.now();
    let n = 0;
    while (performance.now() - windowStart < SECONDS * 1000) {
      const email = side.emails[Math.floor(Math.random() * side.emails.length)]!;
      const truth = sim.deliver(email, { subject: `bench ${n}` });
      side.delivered.set(truth.internetMessageId, performance.now());
      side.timeline.set(truth.internetMessageId, {
        restId: truth.restId,
        deliveredAt: Date.now(),
        arrivedAt: null,
      });
      n++;
      await sleep(Math.max(0, windowStart + n * EVERY_MS - performance.now()));
    }
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const requests = sim.requestLog
      .slice(logStart)
      .filter((r) => r.target === "graph" && r.clientId === side.clientId).length;
    const cpu = cpuSeconds(side.process.pid!) - cpuStart;
    const drainUntil = performance.now() + DRAIN_MS;
    while (side.delivered.size > 0 && performance.now() < drainUntil) await sleep(500);
    // Idle: no deliveries; what keeping idle mailboxes in sync costs (polls, or safety rounds).
    await sleep(5_000); // the last rounds are over
    const idleStart = sim.requestLog.length;
    const idleStarted = performance.now();
    const idleFor = side.name === "push" ? IDLE_SECONDS : POLL_IDLE_SECONDS;
    if (idleFor > 0) {
      console.log(`${side.name}: idle for ${idleFor} s`);
      await sleep(idleFor * 1000);
    }
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const idleLog = sim.requestLog
      .slice(idleStart)
      .filter((r) => r.target === "graph" && r.clientId === side.clientId);
    sides.push({
      ...side,
      requests,
      windowSeconds,
      cpuSeconds: cpu,
      delivered: new Map([["n", n]]),
      idleRequests: idleLog.length,
      idleSeconds,
      idleRounds: idleLog.filter((r) => r.path.includes("msgfolderroot")).length,
    });
    side.dispose();
    side.process.kill("SIGTERM");
    await new Promise((r) =>
      side.process.exitCode !== null ? r(null) : side.process.once("exit", r),
    );
    rmSync(side.dataDir, { recursive: true, force: true });
  }

  const perMailboxHour: Record<string, number> = {};
  console.log("");
  console.log(
    "| side    | delivered | arrived | p50 ms | p95 ms | max ms | Graph requests | per mailbox-hour | server CPU s |",
  );
  console.log(
    "| ------- | --------- | ------- | ------ | ------ | ------ | -------------- | ---------------- | ------------ |",
  );
  for (const side of sides) {
    const sorted = [...side.latencies].sort((a, b) => a - b);
    perMailboxHour[side.name] = side.requests / MAILBOXES / (side.windowSeconds / 3600);
    console.log(
      `| ${side.name.padEnd(7)} | ${String(side.delivered.get("n")).padStart(9)} | ${String(sorted.length).padStart(7)} | ${percentile(sorted, 50).toFixed(0).padStart(6)} | ${percentile(sorted, 95).toFixed(0).padStart(6)} | ${(sorted.at(-1) ?? Number.NaN).toFixed(0).padStart(6)} | ${String(side.requests).padStart(14)} | ${perMailboxHour[side.name]!.toFixed(1).padStart(16)} | ${side.cpuSeconds.toFixed(1).padStart(12)} |`,
    );
  }
  const idlePerMailboxHour: Record<string, number> = {};
  console.log("");
  console.log("| idle    | window s | Graph requests | full rounds | per mailbox-hour |");
  console.log("| ------- | -------- | -------------- | ----------- | ---------------- |");
  for (const side of sides) {
    idlePerMailboxHour[side.name] =
      side.idleSeconds > 0 ? side.idleRequests / MAILBOXES / (side.idleSeconds / 3600) : Number.NaN;
    console.log(
      `| ${side.name.padEnd(7)} | ${side.idleSeconds.toFixed(0).padStart(8)} | ${String(side.idleRequests).padStart(14)} | ${String(side.idleRounds).padStart(11)} | ${idlePerMailboxHour[side.name]!.toFixed(1).padStart(16)} |`,
    );
  }
  const push = sides[0]!;
  const pushSorted = [...push.latencies].sort((a, b) => a - b);
  console.log("");
  console.log(
    `push p95 ${(percentile(pushSorted, 95) / 1000).toFixed(2)} s (target <= 3 s); Graph requests per mailbox-hour push / polling = ${(perMailboxHour.push! / perMailboxHour.polling!).toFixed(3)} while mail arrives, ${(idlePerMailboxHour.push! / idlePerMailboxHour.polling!).toFixed(3)} idle (target <= 0.1)`,
  );
  // Where each push delivery waited: the notification's POST, the server before its round's first
  // request for the message (the lookup, or a full round's folder walk), and the round to the event.
  const lookupAt = new Map<string, number>();
  for (const r of sim.requestLog) {
    if (r.target !== "graph" || r.clientId !== push.clientId || r.at === undefined) continue;
    const m = /\/messages\/([^/?]+)\?\$select=parentFolderId$/.exec(r.path);
    if (m && !lookupAt.has(decodeURIComponent(m[1]!)))
      lookupAt.set(decodeURIComponent(m[1]!), r.at);
  }
  const postAt = new Map<string, { at: number; answeredAt: number }>();
  for (const sent of sim.subscriptions.sent) {
    if (sent.kind !== "change") continue;
    const resource = (sent.body as { value?: { resource?: string }[] }).value?.[0]?.resource;
    const restId = resource?.split("/").at(-1);
    if (restId && !postAt.has(restId))
      postAt.set(restId, { at: sent.at, answeredAt: sent.at + sent.durationMs });
  }
  const stages = {
    toPost: [] as number[],
    answer: [] as number[],
    queued: [] as number[],
    round: [] as number[],
  };
  let scoped = 0;
  let arrived = 0;
  for (const entry of push.timeline.values()) {
    if (entry.arrivedAt === null) continue;
    arrived++;
    const post = postAt.get(entry.restId);
    const lookup = lookupAt.get(entry.restId);
    if (!post) continue;
    stages.toPost.push(post.at - entry.deliveredAt);
    stages.answer.push(post.answeredAt - post.at);
    if (lookup === undefined || lookup < post.at) continue;
    scoped++;
    stages.queued.push(lookup - post.at);
    stages.round.push(entry.arrivedAt - lookup);
  }
  const show = (name: string, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `${name} p50 ${percentile(sorted, 50).toFixed(0)} ms p95 ${percentile(sorted, 95).toFixed(0)} ms`;
  };
  console.log(
    `push stages (${scoped} of ${arrived} arrived by a scoped round): ${show("delivery → POST", stages.toPost)}; ${show("POST answered in", stages.answer)}; ${show("POST → lookup (queued)", stages.queued)}; ${show("lookup → messageAdded", stages.round)}`,
  );
  const posts = sim.subscriptions.sent.filter((s) => s.kind === "change");
  const postMs = posts.map((p) => p.durationMs).sort((a, b) => a - b);
  const mine = sim.requestLog.filter((r) => r.target === "graph" && r.clientId === push.clientId);
  const rounds = mine.filter((r) => r.path.includes("msgfolderroot")).length;
  const statuses: Record<string, number> = {};
  for (const r of mine) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const durations = mine.map((r) => (r as { durationMs: number }).durationMs).sort((a, b) => a - b);
  console.log(
    `push: ${posts.length} notifications posted (answered in p50 ${percentile(postMs, 50)} ms, max ${postMs.at(-1)} ms); ${rounds} rounds; Graph statuses ${JSON.stringify(statuses)}, request time p50 ${percentile(durations, 50)} ms p95 ${percentile(durations, 95)} ms`,
  );
  await sim.stop();
}

async function main(): Promise<void> {
  const caDir = await simulatorCaDir(import.meta.url);
  await run(caDir);
}

await main();
