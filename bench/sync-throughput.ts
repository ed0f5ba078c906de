// Sync throughput benchmarks (issue "sync engine"); results in bench/README.md.
//   npm run bench:sync              both parts below
//   PART=ceiling|engine npm run bench:sync
// - ceiling: Graph at 150 ms per request, a 100k-message mailbox over 8 folders: measured
//   messages/s as a share of the theoretical ceiling 4 requests in flight × page size ÷ latency.
// - engine: no latency; messages/s stored by Mailstream as a ratio to a bare pager that fetches
//   the same pages with the same client (same concurrency) and discards them; peak RSS; and the
//   per-core ratio: Mailstream's server CPU per stored message over the irreducible work, measured
//   in this same run — JSON.parse of the same listing pages as bytes off the wire, and inserting
//   the same message and attachment rows with raw prepared statements, one transaction per page.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { simulatorCaDir } from "./simulator-ca.js";
import { parseAllowedHosts } from "../server/domain/egress-rule.js";
import { createGraphMailSourceFactory, OutboundHttp } from "../server/exchange/index.js";
import { MESSAGE_SELECT } from "../server/exchange/graph-types.js";
import { BASELINE_PAGE_SIZE, PAGE_SIZE } from "../server/sync/folder-sync.js";
import { startSimulator, type Simulator } from "../simulator/index.js";

/** The Node flags of `npm start` (package.json): Node 24's V8 otherwise grows semi-spaces to 64 MB. */
const START_NODE_FLAGS = ["--max-semi-space-size=16"];
const FOLDERS = Array.from({ length: 8 }, (_, i) => ({ path: [`Folder ${i + 1}`], weight: 1 }));
const TOKEN = "ms_bench_admin_token_0123456789abcdef";
/** The simulator listens on loopback, which integrations may not reach by default. */
const SIMULATOR_HOSTS = "localhost,127.0.0.1,::1";

async function tenantWith(sim: Simulator, messages: number) {
  const tenant = sim.addTenant({ name: "bench", domains: ["bench.example"], seed: 11 });
  const app = tenant.addApp({ displayName: "bench" });
  const secret = app.addSecret();
  const email = "big@bench.example";
  tenant.addMailbox({
    email,
    messages,
    folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 0 }, ...FOLDERS],
  });
  const connection = {
    api: "GRAPH" as const,
    authMethod: "CLIENT_SECRET" as const,
    access: "APPLICATION" as const,
    authorityUrl: sim.authorityUrl(tenant),
    clientId: app.clientId,
    clientSecret: secret.value,
    graphEndpoint: sim.graphUrl,
    ewsUrl: null,
    serviceUsername: null,
    certificateThumbprint: null,
  };
  return { email, connection };
}

/**
 * Fetches the same pages the sync fetches — a delta walked to its link, then the keyset listing
 * with attachment metadata expanded — with the product's client and limiter, storing nothing.
 */
async function barePager(
  email: string,
  connection: Awaited<ReturnType<typeof tenantWith>>["connection"],
) {
  // The simulator listens on loopback: allowed here as the server allows it (MAILSTREAM_ALLOWED_HOSTS).
  const outbound = new OutboundHttp({ allowedHosts: parseAllowedHosts(SIMULATOR_HOSTS) });
  const source = createGraphMailSourceFactory({ outbound })(connection);
  const folders = (await source.listFolders(email)).filter((f) => !f.isSearchFolder);
  const started = performance.now();
  let count = 0;
  const queue = [...folders];
  const worker = async () => {
    for (let folder = queue.shift(); folder; folder = queue.shift()) {
      let link: string | null = null;
      do {
        const page = await source.deltaPage(email, folder.id, {
          link,
          receivedFrom: new Date(0),
          pageSize: BASELINE_PAGE_SIZE,
        });
        link = page.nextLink;
      } while (link);
      let from: Date | null = null;
      for (;;) {
        const page = await source.listPage(email, folder.id, {
          receivedFrom: from,
          receivedBefore: null,
          top: PAGE_SIZE,
          expandAttachments: true,
        });
        count += page.messages.length;
        if (page.messages.length < PAGE_SIZE) break;
        from = page.messages.at(-1)!.receivedAt;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const seconds = (performance.now() - started) / 1000;
  await outbound.close();
  return { count, seconds };
}

/**
 * Runs the real server as its own process (as deployed; the simulator stands in for Microsoft's
 * remote service) and syncs the mailbox through the public API. Peak RSS is the server's VmHWM.
 */
async function syncWithMailstream(
  email: string,
  connection: Awaited<ReturnType<typeof tenantWith>>["connection"],
) {
  const dataDir = mkdtempSync(join(tmpdir(), "mailstream-bench-"));
  const port = await freePort();
  // The built server, as `npm start` runs it, with its Node flags (tsx would add its compiler to
  // the measured memory). BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles it.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server = spawn(
    process.execPath,
    [...START_NODE_FLAGS, ...nodeArgs, "dist/server/main.js"],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
        PORT: String(port),
        MAILSTREAM_DATA_DIR: dataDir,
        MAILSTREAM_ADMIN_TOKEN: TOKEN,
        MAILSTREAM_SYNC_INTERVAL: "3600",
        MAILSTREAM_ALLOWED_HOSTS: SIMULATOR_HOSTS,
        LOG_LEVEL: "warn",
        NODE_ENV: "production",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (
    let i = 0;
    i < 300 &&
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  await gql(`mutation { createProject(input: { name: "bench" }) { id } }`);
  const cpuBefore = cpuSeconds(server.pid!);
  const started = performance.now();
  const created = await gql<{ createIntegration: { mailboxes: { id: string }[] } }>(
    `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { mailboxes { id } } }`,
    {
      input: { project: "bench", name: "bench", connection, mailboxes: [{ email, allTime: true }] },
    },
  );
  const id = created.createIntegration.mailboxes[0]!.id;
  let stored = 0;
  for (;;) {
    const { mailbox } = await gql<{
      mailbox: { sync: { status: string; messagesStored: number } };
    }>(`query($id: ID!) { mailbox(id: $id) { sync { status messagesStored } } }`, { id });
    stored = mailbox.sync.messagesStored;
    if (mailbox.sync.status === "UP_TO_DATE" || mailbox.sync.status === "FAILED") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(server.pid!) - cpuBefore;
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const peakRssMb = Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  return { stored, seconds, peakRssMb, cpu, dataDir };
}

/**
 * The listing pages as Graph sends them, raw bytes: a plain HTTPS client with a client-credentials
 * token, the same $filter/$orderby/$top/$select/$expand and keyset as the sync's listing.
 */
async function rawListingPages(
  sim: Simulator,
  email: string,
  connection: Awaited<ReturnType<typeof tenantWith>>["connection"],
): Promise<Buffer[]> {
  const tokenAnswer = await fetch(`${connection.authorityUrl}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: connection.clientId,
      client_secret: connection.clientSecret,
      scope: `${sim.graphUrl}/.default`,
    }),
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const get = async (url: string) => {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, prefer: 'IdType="ImmutableId"' },
    });
    if (!res.ok) throw new Error(`raw pager: HTTP ${res.status} for ${url}`);
    return Buffer.from(await res.arrayBuffer());
  };
  const base = `${sim.graphUrl}/v1.0/users/${encodeURIComponent(email)}`;
  const folders = JSON.parse(
    (await get(`${base}/mailFolders?$top=100&includeHiddenFolders=true`)).toString(),
  ) as { value: { id: string; totalItemCount: number }[] };
  const pages: Buffer[] = [];
  for (const folder of folders.value) {
    let from: string | null = null;
    for (;;) {
      const query = new URLSearchParams({
        $orderby: "receivedDateTime asc",
        $top: String(PAGE_SIZE),
        $select: MESSAGE_SELECT.join(","),
        $expand: "attachments($select=id,name,contentType,size,isInline)",
        ...(from ? { $filter: `receivedDateTime ge ${from}` } : {}),
      });
      const bytes = await get(`${base}/mailFolders/${folder.id}/messages?${query}`);
      pages.push(bytes);
      const messages = (JSON.parse(bytes.toString()) as { value: { receivedDateTime: string }[] })
        .value;
      if (messages.length < PAGE_SIZE) break;
      from = messages.at(-1)!.receivedDateTime;
    }
  }
  return pages;
}

/**
 * CPU seconds of the irreducible work for `stored` messages: decode + JSON.parse every raw page,
 * then insert Mailstream's own stored rows (messages and attachments, read back from its
 * database) into an empty copy of its schema with raw prepared statements, a transaction per page.
 */
function irreducibleCpu(pages: Buffer[], dataDir: string): { cpu: number; rows: number } {
  const source = new Database(join(dataDir, "mailstream.sqlite"), { readonly: true });
  const tables = ["message", "attachment"];
  const rows = Object.fromEntries(
    tables.map((t) => [t, source.prepare(`SELECT * FROM "${t}"`).raw().all() as unknown[][]]),
  );
  const schema = tables.map(
    (t) =>
      (
        source
          .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
          .get(t) as {
          sql: string;
        }
      ).sql,
  );
  const indexes = (
    source
      .prepare(
        `SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('message', 'attachment') AND sql IS NOT NULL`,
      )
      .all() as { sql: string }[]
  ).map((r) => r.sql);
  source.close();
  const target = new Database(join(dataDir, "irreducible.sqlite"));
  target.pragma("journal_mode = WAL");
  // The same columns and indexes; no project/bucket rows here, so foreign keys are not checked.
  target.pragma("foreign_keys = OFF");
  for (const sql of [...schema, ...indexes]) target.exec(sql);
  const insert = Object.fromEntries(
    tables.map((t) => {
      const width = rows[t]![0]?.length ?? 1;
      return [
        t,
        target.prepare(`INSERT INTO "${t}" VALUES (${Array(width).fill("?").join(", ")})`),
      ];
    }),
  );
  const messages = rows.message!;
  const attachments = rows.attachment!;
  const perPage = Math.ceil(
    attachments.length / Math.max(1, Math.ceil(messages.length / PAGE_SIZE)),
  );
  const started = process.cpuUsage();
  for (const page of pages) JSON.parse(page.toString("utf8"));
  for (let i = 0, a = 0; i < messages.length; i += PAGE_SIZE, a += perPage) {
    target.transaction(() => {
      for (const row of messages.slice(i, i + PAGE_SIZE)) insert.message!.run(...row);
      for (const row of attachments.slice(a, a + perPage)) insert.attachment!.run(...row);
    })();
  }
  const used = process.cpuUsage(started);
  target.close();
  return { cpu: (used.user + used.system) / 1e6, rows: messages.length };
}

/** User + system CPU time of a process so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
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

async function ceiling(caDir: string) {
  const latencyMs = 150;
  const sim = await startSimulator({ caDir, latencyMs });
  const { email, connection } = await tenantWith(sim, Number(process.env.MESSAGES ?? 100_000));
  await barePager(email, connection); // fills the simulator's render cache, untimed
  // What the simulator and client deliver at all at this latency.
  const bare = await barePager(email, connection);
  const run = await syncWithMailstream(email, connection);
  rmSync(run.dataDir, { recursive: true, force: true });
  await sim.stop();
  const ceilingRate = (4 * PAGE_SIZE) / (latencyMs / 1000);
  const rate = run.stored / run.seconds;
  console.log(
    `bare pager at ${latencyMs} ms: ${Math.round(bare.count / bare.seconds)} msg/s (${(bare.count / bare.seconds / ceilingRate).toFixed(2)} of the ceiling)`,
  );
  console.log(
    `ceiling: ${run.stored} messages in ${run.seconds.toFixed(1)} s = ${Math.round(rate)} msg/s (server CPU ${run.cpu.toFixed(1)} s); ceiling 4 x ${PAGE_SIZE} / ${latencyMs} ms = ${Math.round(ceilingRate)} msg/s`,
  );
  console.log(
    `ceiling ratio measured/ceiling: ${(rate / ceilingRate).toFixed(2)} (target >= 0.8); server peak RSS ${run.peakRssMb} MB`,
  );
}

async function engine(caDir: string) {
  const sim = await startSimulator({ caDir });
  const { email, connection } = await tenantWith(sim, Number(process.env.MESSAGES ?? 30_000));
  await barePager(email, connection); // fills the simulator's render cache, untimed
  const bare = await barePager(email, connection);
  const run = await syncWithMailstream(email, connection);
  const pages = await rawListingPages(sim, email, connection);
  await sim.stop();
  const floor = irreducibleCpu(pages, run.dataDir);
  rmSync(run.dataDir, { recursive: true, force: true });
  const bareRate = bare.count / bare.seconds;
  const rate = run.stored / run.seconds;
  console.log(
    `bare pager: ${bare.count} messages in ${bare.seconds.toFixed(1)} s = ${Math.round(bareRate)} msg/s`,
  );
  console.log(
    `mailstream: ${run.stored} messages stored in ${run.seconds.toFixed(1)} s = ${Math.round(rate)} msg/s (server CPU ${run.cpu.toFixed(1)} s)`,
  );
  console.log(
    `engine ratio mailstream/bare: ${(rate / bareRate).toFixed(2)} (target >= 0.5); server peak RSS ${run.peakRssMb} MB (target <= 300)`,
  );
  const perMessage = (run.cpu / run.stored) * 1e6;
  const floorPerMessage = (floor.cpu / floor.rows) * 1e6;
  console.log(
    `irreducible work: ${floorPerMessage.toFixed(1)} us/message (JSON.parse of ${pages.length} raw pages + raw inserts of ${floor.rows} stored rows)`,
  );
  console.log(
    `per-core ratio: mailstream ${perMessage.toFixed(1)} us of server CPU per stored message / irreducible ${floorPerMessage.toFixed(1)} us = ${(perMessage / floorPerMessage).toFixed(2)} (target <= 2.5; <= 75 us would follow Graph's ceiling on one core)`,
  );
}

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

async function main() {
  const caDir = await simulatorCaDir(import.meta.url, { build: true });
  const part = process.env.PART ?? "all";
  if (part === "all" || part === "engine") await engine(caDir);
  if (part === "all" || part === "ceiling") await ceiling(caDir);
}

await main();
