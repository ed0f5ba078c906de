// Several server processes on one PostgreSQL (issue "several servers"); results in bench/README.md.
//   npm run bench:cluster                 all parts
//   PART=sync|takeover npm run bench:cluster
//   MAILBOXES=1000 MESSAGES=50 LATENCY_MS=100 KILLS=5
// - sync: 1,000 mailboxes × 50 messages, Graph at LATENCY_MS per request, two processes: seconds
//   until every mailbox is up to date, and each process's peak RSS (VmHWM).
//   Before it, the same work on one process with 16 rounds at once (the same concurrency in all):
//   coordination overhead as throughput of two / one.
// - takeover: two processes hold 40 mailboxes; SIGKILL the one holding more, time until the other
//   holds every mailbox; start a replacement; KILLS times. Default MAILSTREAM_LEASE_TTL (15 s).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { simulatorCaDir } from "./simulator-ca.js";
import pg from "pg";
import { startSimulator, type Simulator } from "../simulator/index.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TOKEN = "ms_bench_cluster_token_0123456789abcdef";
const SIMULATOR_HOSTS = "localhost,127.0.0.1,::1";
const MAILBOXES = Number(process.env.MAILBOXES ?? 1000);
const MESSAGES = Number(process.env.MESSAGES ?? 50);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 100);
const KILLS = Number(process.env.KILLS ?? 5);
/** A small mailbox's folders: most mail in the Inbox, some sent and archived. */
const FOLDERS = [
  { path: ["Inbox"], wellKnownName: "inbox", weight: 3 },
  { path: ["Sent Items"], wellKnownName: "sentitems", weight: 1 },
  { path: ["Archive"], wellKnownName: "archive", weight: 1 },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  url: string;
}

class Deployment {
  readonly procs: Proc[] = [];
  private readonly dirs: string[] = [];
  private readonly secretKey = randomBytes(32).toString("base64");

  private constructor(
    readonly databaseUrl: string,
    readonly db: pg.Client,
    private readonly drop: () => Promise<void>,
  ) {}

  static async create(): Promise<Deployment> {
    const name = `mailstream_bench_${randomBytes(5).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    return new Deployment(url.toString(), db, async () => {
      await db.end();
      const again = new pg.Client({ connectionString: ADMIN_URL });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    });
  }

  async start(name: string, env: Record<string, string> = {}): Promise<Proc> {
    const dataDir = mkdtempSync(join(tmpdir(), `mailstream-bench-${name}-`));
    this.dirs.push(dataDir);
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ["--max-semi-space-size=16", join(REPO_ROOT, "dist/server/main.js")],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "ignore", "inherit"],
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: "production",
          PORT: String(port),
          DATABASE_URL: this.databaseUrl,
          MAILSTREAM_DATA_DIR: dataDir,
          MAILSTREAM_SECRET_KEY: this.secretKey,
          MAILSTREAM_ADMIN_TOKEN: TOKEN,
          MAILSTREAM_PROCESS_NAME: name,
          MAILSTREAM_ALLOWED_HOSTS: SIMULATOR_HOSTS,
          MAILSTREAM_SYNC_INTERVAL: "3600",
          LOG_LEVEL: "warn",
          NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
          ...env,
        },
      },
    );
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || i > 600) throw new Error(`${name} did not start`);
      await sleep(100);
    }
    const proc = { name, child, url };
    this.procs.push(proc);
    return proc;
  }

  async gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const live = this.procs.find((p) => p.child.exitCode === null && p.child.signalCode === null)!;
    const res = await fetch(`${live.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  async stop(): Promise<void> {
    for (const p of this.procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill("SIGKILL");
        await new Promise((r) => p.child.once("exit", r));
      }
    }
    await this.drop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak resident set of a process so far (Linux VmHWM), in MB. */
function peakRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** A tenant of `count` small mailboxes (a fresh tenant per run, so each run starts from zero). */
function tenantOf(sim: Simulator, name: string, count: number) {
  const tenant = sim.addTenant({ name, domains: [`${name}.example`], seed: 7 });
  const app = tenant.addApp({ displayName: "bench" });
  const secret = app.addSecret();
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `user${i}@${name}.example`;
    tenant.addMailbox({ email, messages: MESSAGES, folders: FOLDERS });
    emails.push(email);
  }
  const connection = {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: sim.authorityUrl(tenant),
    clientId: app.clientId,
    clientSecret: secret.value,
    graphEndpoint: sim.graphUrl,
  };
  return { emails, connection };
}

/** Creates the mailboxes (500 per integration, the API's limit) and times the sync to the end. */
async function syncAll(deployment: Deployment, sim: Simulator, tenantName: string, count: number) {
  const { emails, connection } = tenantOf(sim, tenantName, count);
  await deployment.gql(`mutation { createProject(input: { name: "bench" }) { id } }`);
  const started = performance.now();
  for (let i = 0; i * 500 < emails.length; i++) {
    await deployment.gql(
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
      {
        input: {
          project: "bench",
          name: `exchange-${i}`,
          connection,
          mailboxes: emails
            .slice(i * 500, (i + 1) * 500)
            .map((email) => ({ email, allTime: true })),
        },
      },
    );
  }
  for (;;) {
    const { rows } = await deployment.db.query<{ done: number; messages: number }>(
      `SELECT (SELECT count(*) FROM mailbox_sync WHERE status = 'UP_TO_DATE')::int AS done,
              (SELECT count(*) FROM message)::int AS messages`,
    );
    if (rows[0]!.done >= count) {
      const seconds = (performance.now() - started) / 1000;
      return { seconds, messages: rows[0]!.messages };
    }
    await sleep(250);
  }
}

async function run(
  sim: Simulator,
  label: string,
  procs: { name: string; rounds: number }[],
): Promise<number> {
  const deployment = await Deployment.create();
  try {
    const [first, ...rest] = procs;
    await deployment.start(first!.name, {
      MAILSTREAM_MAX_CONCURRENT_ROUNDS: String(first!.rounds),
    });
    await Promise.all(
      rest.map((p) =>
        deployment.start(p.name, { MAILSTREAM_MAX_CONCURRENT_ROUNDS: String(p.rounds) }),
      ),
    );
    const result = await syncAll(deployment, sim, `t${randomBytes(3).toString("hex")}`, MAILBOXES);
    const rss = deployment.procs.map((p) => `${p.name} ${peakRssMb(p.child).toFixed(0)} MB`);
    const perProcess = await deployment.db.query<{ name: string; n: number }>(
      `SELECT p.name, count(*)::int AS n FROM mailbox_lease l JOIN sync_process p ON p.id = l.owner GROUP BY p.name ORDER BY p.name`,
    );
    const rate = result.messages / result.seconds;
    console.log(
      `${label}: ${MAILBOXES} mailboxes, ${result.messages} messages in ${result.seconds.toFixed(1)} s ` +
        `(${rate.toFixed(0)} messages/s); peak RSS ${rss.join(", ")}; leases ${perProcess.rows
          .map((r) => `${r.name} ${r.n}`)
          .join(", ")}`,
    );
    return rate;
  } finally {
    await deployment.stop();
  }
}

async function takeover(sim: Simulator): Promise<void> {
  const deployment = await Deployment.create();
  try {
    await deployment.start("p0");
    await deployment.start("p1");
    await syncAll(deployment, sim, `k${randomBytes(3).toString("hex")}`, 40);
    const times: number[] = [];
    for (let kill = 1; kill <= KILLS; kill++) {
      const { rows } = await deployment.db.query<{ name: string; n: number }>(
        `SELECT p.name, count(*)::int AS n FROM mailbox_lease l JOIN sync_process p ON p.id = l.owner GROUP BY p.name ORDER BY n DESC`,
      );
      const victim = deployment.procs.find((p) => p.name === rows[0]!.name)!;
      victim.child.kill("SIGKILL");
      const killed = performance.now();
      await new Promise((r) => victim.child.once("exit", r));
      const survivor = deployment.procs.find(
        (p) => p !== victim && p.child.exitCode === null && p.child.signalCode === null,
      )!;
      for (;;) {
        const held = await deployment.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM mailbox_lease l JOIN sync_process p ON p.id = l.owner
            WHERE p.name = $1 AND l.expires_at > now()`,
          [survivor.name],
        );
        if (held.rows[0]!.n === 40) break;
        await sleep(100);
      }
      const seconds = (performance.now() - killed) / 1000;
      times.push(seconds);
      console.log(
        `takeover ${kill}: ${seconds.toFixed(1)} s (${rows[0]!.n} mailboxes of ${victim.name})`,
      );
      // A replacement joins and takes its share back before the next kill.
      const replacement = await deployment.start(`p${kill + 1}`);
      for (;;) {
        const held = await deployment.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM mailbox_lease l JOIN sync_process p ON p.id = l.owner WHERE p.name = $1`,
          [replacement.name],
        );
        if (held.rows[0]!.n >= 15) break;
        await sleep(200);
      }
    }
    console.log(
      `takeover after SIGKILL over ${KILLS} kills: max ${Math.max(...times).toFixed(1)} s, ` +
        `mean ${(times.reduce((a, b) => a + b, 0) / times.length).toFixed(1)} s (target max ≤ 30 s)`,
    );
  } finally {
    await deployment.stop();
  }
}

async function main() {
  const caDir = await simulatorCaDir(import.meta.url, { build: true });
  const part = process.env.PART ?? "all";
  const sim = await startSimulator({
    caDir,
    latencyMs: LATENCY_MS,
  });
  try {
    console.log(`Graph latency ${LATENCY_MS} ms, ${MAILBOXES} mailboxes × ${MESSAGES} messages`);
    // The two-process run is also the sync measurement (time to up to date, peak RSS).
    if (part === "all" || part === "sync") {
      const one = await run(sim, "one process, 16 rounds", [{ name: "solo", rounds: 16 }]);
      const two = await run(sim, "two processes, 8 rounds each", [
        { name: "a", rounds: 8 },
        { name: "b", rounds: 8 },
      ]);
      console.log(`coordination: two / one = ${(two / one).toFixed(2)} (target ≥ 0.9)`);
    }
    if (part === "all" || part === "takeover") await takeover(sim);
  } finally {
    await sim.stop();
  }
}

await main();
