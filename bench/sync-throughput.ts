// Sync throughput benchmarks (issue "sync engine"); results in bench/README.md.
//   npm run bench:sync              both parts below
//   PART=ceiling|engine npm run bench:sync
// - ceiling: Graph at 150 ms per request, a 100k-message mailbox over 8 folders: measured
//   messages/s as a share of the theoretical ceiling 4 requests in flight × page size ÷ latency.
// - engine: no latency; messages/s stored by Mailstream as a ratio to a bare pager that fetches
//   the same pages with the same client (same concurrency) and discards them; peak RSS.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../server/app/create-app.js";
import { loadConfig } from "../server/config/config.js";
import { createGraphMailSourceFactory, GraphCredentialChecker } from "../server/exchange/index.js";
import { createLogger } from "../server/observability/logger.js";
import { BASELINE_PAGE_SIZE, PAGE_SIZE } from "../server/sync/folder-sync.js";
import {
  CA_CERT_FILE,
  loadOrCreateCertificateAuthority,
  startSimulator,
  type Simulator,
} from "../simulator/index.js";

const FOLDERS = Array.from({ length: 8 }, (_, i) => ({ path: [`Folder ${i + 1}`], weight: 1 }));
const TOKEN = "ms_bench_admin_token_0123456789abcdef";

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
  const source = createGraphMailSourceFactory()(connection);
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
  return { count, seconds: (performance.now() - started) / 1000 };
}

async function syncWithMailstream(
  email: string,
  connection: Awaited<ReturnType<typeof tenantWith>>["connection"],
) {
  const dataDir = mkdtempSync(join(tmpdir(), "mailstream-bench-"));
  const app = await createApp(
    loadConfig({
      PORT: "0",
      MAILSTREAM_DATA_DIR: dataDir,
      MAILSTREAM_ADMIN_TOKEN: TOKEN,
      MAILSTREAM_SYNC_INTERVAL: "3600",
      LOG_LEVEL: "warn",
    }),
    {
      credentialChecker: new GraphCredentialChecker(),
      mailSourceFactory: createGraphMailSourceFactory(),
      logger: createLogger("warn"),
    },
  );
  const { url } = await app.start();
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
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  await gql(`mutation { createProject(input: { name: "bench" }) { id } }`);
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
  clearInterval(sampler);
  await app.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { stored, seconds, peakRssMb: Math.round(peakRss / 1e6) };
}

async function ceiling(caDir: string) {
  const latencyMs = 150;
  const sim = await startSimulator({ caDir, latencyMs });
  const { email, connection } = await tenantWith(sim, Number(process.env.MESSAGES ?? 100_000));
  const run = await syncWithMailstream(email, connection);
  await sim.stop();
  const ceilingRate = (4 * PAGE_SIZE) / (latencyMs / 1000);
  const rate = run.stored / run.seconds;
  console.log(
    `ceiling: ${run.stored} messages in ${run.seconds.toFixed(1)} s = ${Math.round(rate)} msg/s; ceiling 4 x ${PAGE_SIZE} / ${latencyMs} ms = ${Math.round(ceilingRate)} msg/s`,
  );
  console.log(
    `ceiling ratio measured/ceiling: ${(rate / ceilingRate).toFixed(2)} (target >= 0.8); peak RSS ${run.peakRssMb} MB`,
  );
}

async function engine(caDir: string) {
  const sim = await startSimulator({ caDir });
  const { email, connection } = await tenantWith(sim, Number(process.env.MESSAGES ?? 30_000));
  const bare = await barePager(email, connection);
  const run = await syncWithMailstream(email, connection);
  await sim.stop();
  const bareRate = bare.count / bare.seconds;
  const rate = run.stored / run.seconds;
  console.log(
    `bare pager: ${bare.count} messages in ${bare.seconds.toFixed(1)} s = ${Math.round(bareRate)} msg/s`,
  );
  console.log(
    `mailstream: ${run.stored} messages stored in ${run.seconds.toFixed(1)} s = ${Math.round(rate)} msg/s`,
  );
  console.log(
    `engine ratio mailstream/bare: ${(rate / bareRate).toFixed(2)} (target >= 0.5); peak RSS ${run.peakRssMb} MB (target <= 300)`,
  );
}

async function main() {
  // Node reads NODE_EXTRA_CA_CERTS only at start: make the simulator's CA, then run again trusting it.
  if (!process.env.MAILSTREAM_BENCH_CA_DIR) {
    const caDir = mkdtempSync(join(tmpdir(), "mailstream-bench-ca-"));
    await loadOrCreateCertificateAuthority(caDir);
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url)],
      {
        stdio: "inherit",
        env: {
          ...process.env,
          MAILSTREAM_BENCH_CA_DIR: caDir,
          NODE_EXTRA_CA_CERTS: join(caDir, CA_CERT_FILE),
        },
      },
    );
    rmSync(caDir, { recursive: true, force: true });
    process.exit(child.status ?? 1);
  }
  const caDir = process.env.MAILSTREAM_BENCH_CA_DIR;
  const part = process.env.PART ?? "all";
  if (part === "all" || part === "engine") await engine(caDir);
  if (part === "all" || part === "ceiling") await ceiling(caDir);
}

await main();
