import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DemoTenant,
  seedDemoTenant,
  type Simulator,
  startSimulator,
} from "../../simulator/index.js";
import { ensureClientBuilt, REPO_ROOT } from "./client-build.js";

/**
 * The demo as a library (`npm run demo`, `npm run screenshot`): the tenant simulator in this
 * process with a seeded tenant that keeps receiving mail, the real server as a child process that
 * trusts the simulator's CA through NODE_EXTRA_CA_CERTS (Node reads it at process start only; no
 * TLS check is disabled), and a demo project whose integration syncs two mailboxes, all set up
 * through the GraphQL API.
 */
export interface DemoOptions {
  /** Where the server listens (default 127.0.0.1). */
  host?: string;
  /** Default 4000; 0 picks a free port. */
  port?: number;
  /** Simulator ports (default 0: any free port). */
  loginPort?: number;
  graphPort?: number;
  controlPort?: number;
  /** Added to every simulated Microsoft request (default 50 ms), so progress is visible. */
  latencyMs?: number;
  /** Seeded messages per demo mailbox (default 5,000). */
  messagesPerMailbox?: number;
  /** A new message into alice's or bob's Inbox this often (default 4,000 ms; 0: never). */
  deliverEveryMs?: number;
  /** MAILSTREAM_SYNC_INTERVAL of the server (default 5 s). */
  syncIntervalSeconds?: number;
  /** Default: generated. */
  adminToken?: string;
  /** The server's LOG_LEVEL (default info); its log goes to `serverLog`. */
  logLevel?: string;
  /** Progress lines (building the client, waiting for the server). */
  log?: (line: string) => void;
}

export interface DemoMailbox {
  id: string;
  email: string;
  bucket: { id: string; name: string };
}

export interface Demo {
  /** The server's base URL (dashboard at `/`, GraphQL at `/graphql`). */
  url: string;
  /** The demo integration's page. */
  dashboardUrl: string;
  adminToken: string;
  project: string;
  integration: { id: string; name: string; title: string; mailboxes: DemoMailbox[] };
  sim: Simulator;
  tenant: DemoTenant;
  /** The simulator's CA certificate, the one the server trusts. */
  caFile: string;
  /** Temporary directory holding the server's data, the CA and `server.log`; removed by stop(). */
  dir: string;
  serverLog: string;
  /** The server log's last lines (the file goes with stop()). */
  serverLogTail(lines?: number): string;
  server: ChildProcess;
  /** Settles when the server process exits (on its own or through stop()). */
  serverExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Messages delivered by the ticker so far. */
  delivered(): number;
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops the ticker, the server (SIGTERM, then SIGKILL to its process group) and the simulator. */
  stop(): Promise<void>;
}

/** A failure with a message meant for the person who ran the demo. */
export class DemoError extends Error {}

export const DEMO_PROJECT = "demo";
export const DEMO_INTEGRATION = "contoso-mail";
/** Bob's domain filter; the ticker sends him mail from these domains. */
const BOB_DOMAINS = ["fabrikam.com", "northwind.com.au"];
const BOB_SYNC_FROM = "2024-01-01T00:00:00.000Z";
/** SIGTERM gives the server 10 s (RUNNING.md); past that it is killed. */
const SERVER_STOP_MS = 12_000;
const SERVER_START_MS = 45_000;

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 4000;
  const adminToken = options.adminToken ?? `ms_demo_${randomBytes(18).toString("hex")}`;

  const port = requestedPort === 0 ? await freePort(host) : requestedPort;
  await assertPortFree(host, port);
  ensureClientBuilt(log);

  const dir = await mkdtemp(join(tmpdir(), "mailstream-demo-"));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const caDir = join(dir, "simulator");
    const dataDir = join(dir, "server");
    await mkdir(dataDir);
    let sim: Simulator;
    try {
      sim = await startSimulator({
        caDir,
        hostname: "localhost",
        loginPort: options.loginPort ?? 0,
        graphPort: options.graphPort ?? 0,
        controlPort: options.controlPort ?? 0,
        latencyMs: options.latencyMs ?? 50,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new DemoError(
          `A simulator port is already in use (${(error as Error).message}). Choose other ports with DEMO_LOGIN_PORT, DEMO_GRAPH_PORT and DEMO_CONTROL_PORT, or leave them unset for free ones.`,
        );
      }
      throw error;
    }
    cleanups.push(() => sim.stop());
    const tenant = await seedDemoTenant(sim, {
      messagesPerMailbox: options.messagesPerMailbox ?? 5000,
    });
    const caFile = await trustBundle(dir, sim.ca.certFile!);

    const serverLog = join(dir, "server.log");
    const server = spawnServer({
      host,
      port,
      dataDir,
      caFile,
      adminToken,
      serverLog,
      syncIntervalSeconds: options.syncIntervalSeconds ?? 5,
      logLevel: options.logLevel ?? "info",
    });
    const serverExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => server.once("exit", (code, signal) => resolve({ code, signal })),
    );
    // Last resort when this process exits without stop() (an uncaught error, process.exit).
    const killOnExit = () => killGroup(server, "SIGKILL");
    process.once("exit", killOnExit);
    cleanups.push(async () => void process.off("exit", killOnExit));
    cleanups.push(() => stopServer(server, serverExit));

    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    log(`Starting the Mailstream server at ${url} …`);
    await waitForHealth(url, server, serverLog);
    const gql = graphqlClient(url, adminToken);

    await gql(`mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`, {
      input: {
        name: DEMO_PROJECT,
        title: "Demo",
        description: "Created by npm run demo: a simulated Microsoft 365 tenant.",
      },
    });
    const created = await gql<{ createIntegration: CreatedIntegration }>(CREATE_INTEGRATION, {
      input: {
        project: DEMO_PROJECT,
        name: DEMO_INTEGRATION,
        title: "Contoso mail",
        enabled: true,
        connection: {
          api: "GRAPH",
          authMethod: "CLIENT_SECRET",
          access: "APPLICATION",
          authorityUrl: tenant.authorityUrl,
          clientId: tenant.app.clientId,
          clientSecret: tenant.app.clientSecret,
          graphEndpoint: tenant.graphEndpoint,
        },
        mailboxes: [
          { email: tenant.mailboxes.alice, allTime: true, syncAttachments: true },
          {
            email: tenant.mailboxes.bob,
            allTime: false,
            syncFrom: BOB_SYNC_FROM,
            filters: { allowedDomains: BOB_DOMAINS },
            syncAttachments: false,
          },
        ],
      },
    });
    const integration = created.createIntegration;
    const check = integration.credentials;
    const inaccessible = check.mailboxes.filter((m) => m.access !== "ACCESSIBLE");
    if (check.status !== "VALID" || inaccessible.length > 0) {
      throw new DemoError(
        `The demo integration's credentials did not validate against the simulator: ${JSON.stringify(check)}. See ${serverLog}.`,
      );
    }

    let delivered = 0;
    const deliverEvery = options.deliverEveryMs ?? 4000;
    const ticker =
      deliverEvery > 0
        ? setInterval(() => {
            try {
              deliverDemoMessage(sim, tenant, delivered);
              delivered++;
            } catch (error) {
              log(`Could not deliver a demo message: ${(error as Error).message}`);
            }
          }, deliverEvery)
        : undefined;
    cleanups.push(async () => clearInterval(ticker));

    let stopping: Promise<void> | null = null;
    return {
      url,
      dashboardUrl: `${url}/p/${DEMO_PROJECT}/integrations/${DEMO_INTEGRATION}`,
      adminToken,
      project: DEMO_PROJECT,
      integration: {
        id: integration.id,
        name: integration.name,
        title: integration.title,
        mailboxes: integration.mailboxes,
      },
      sim,
      tenant,
      caFile,
      dir,
      serverLog,
      serverLogTail: (lines) => logTail(serverLog, lines),
      server,
      serverExit,
      delivered: () => delivered,
      gql,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

const CREATE_INTEGRATION = `mutation($input: CreateIntegrationInput!) {
  createIntegration(input: $input) {
    id name title
    credentials { status error mailboxes { email access error } }
    mailboxes { id email bucket { id name } }
  }
}`;

interface CreatedIntegration {
  id: string;
  name: string;
  title: string;
  credentials: {
    status: string;
    error: string | null;
    mailboxes: { email: string; access: string; error: string | null }[];
  };
  mailboxes: DemoMailbox[];
}

const SUBJECTS = [
  (n: number) => `New order #${40_000 + n} received`,
  (n: number) => `Invoice INV-${9_000 + n} – payment due in 30 days`,
  (n: number) => `Shipment ${70_000 + n} left the warehouse`,
  (n: number) => `Re: Delivery window for order #${40_000 + n}`,
  (n: number) => `Ticket [#${5_000 + n}] opened: damaged parcel`,
];
const SENDERS = [
  { name: "Fabrikam Orders", address: "orders@fabrikam.com" },
  { name: "Northwind Billing", address: "billing@northwind.com.au" },
  { name: "Fabrikam Logistics", address: "logistics@fabrikam.com" },
];

/** The n-th message of the ticker: alternately to alice and bob, a CSV attachment every third. */
export function deliverDemoMessage(sim: Simulator, tenant: DemoTenant, n: number): void {
  const to = n % 2 === 0 ? tenant.mailboxes.alice : tenant.mailboxes.bob;
  const from = SENDERS[n % SENDERS.length]!;
  const subject = SUBJECTS[n % SUBJECTS.length]!(n);
  const withAttachment = n % 3 === 2;
  sim.deliver(to, {
    subject,
    from,
    toRecipients: [{ name: to.split("@")[0]!, address: to }],
    body: {
      contentType: "html",
      content: `<p>Hello,</p><p>${subject}.</p><p>This message was delivered by <code>npm run demo</code> at ${new Date().toISOString()}.</p>`,
    },
    attachments: withAttachment
      ? [
          {
            name: `order-${40_000 + n}.csv`,
            contentType: "text/csv",
            content: `sku,quantity,unit_price\nFAB-${100 + n},${1 + (n % 7)},${(12.5 + n).toFixed(2)}\nNW-${200 + n},2,4.99\n`,
          },
        ]
      : undefined,
  });
}

/** The simulator's CA, plus whatever NODE_EXTRA_CA_CERTS this process already trusted. */
async function trustBundle(dir: string, caFile: string): Promise<string> {
  const inherited = process.env.NODE_EXTRA_CA_CERTS;
  if (!inherited) return caFile;
  const previous = await readFile(inherited, "utf8").catch(() => "");
  const bundle = join(dir, "trusted-cas.pem");
  await writeFile(bundle, `${previous}\n${await readFile(caFile, "utf8")}`);
  return bundle;
}

function spawnServer(o: {
  host: string;
  port: number;
  dataDir: string;
  caFile: string;
  adminToken: string;
  serverLog: string;
  syncIntervalSeconds: number;
  logLevel: string;
}): ChildProcess {
  // Nothing of this shell's own Mailstream configuration (DATABASE_URL, REDIS_URL, MAILSTREAM_*)
  // reaches the demo server: it always starts on a fresh SQLite data dir.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === "DATABASE_URL" || key === "REDIS_URL" || key.startsWith("MAILSTREAM_")) continue;
    if (key.startsWith("npm_")) continue;
    env[key] = value;
  }
  Object.assign(env, {
    HOST: o.host,
    PORT: String(o.port),
    MAILSTREAM_DATA_DIR: o.dataDir,
    MAILSTREAM_ADMIN_TOKEN: o.adminToken,
    MAILSTREAM_SYNC_INTERVAL: String(o.syncIntervalSeconds),
    NODE_EXTRA_CA_CERTS: o.caFile,
    // The simulated tenant listens on loopback, which integrations may not reach by default.
    MAILSTREAM_ALLOWED_HOSTS: "localhost,127.0.0.1,::1",
    LOG_LEVEL: o.logLevel,
  });
  const out = openSync(o.serverLog, "a");
  try {
    // Its own process group: a Ctrl-C in the terminal reaches only the demo, which then stops the
    // server with one SIGTERM (and can kill the whole group if it hangs).
    return spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "server/main.ts")], {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", out, out],
      detached: true,
    });
  } finally {
    closeSync(out);
  }
}

async function waitForHealth(url: string, server: ChildProcess, serverLog: string): Promise<void> {
  const deadline = Date.now() + SERVER_START_MS;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      const tail = logTail(serverLog);
      const inUse = /EADDRINUSE/.test(tail);
      throw new DemoError(
        inUse
          ? `The server could not listen on ${url}: the port is already in use. Set PORT to another port.`
          : `The server exited (${server.exitCode ?? server.signalCode}) before it was ready:\n${tail}`,
      );
    }
    const healthy = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return;
    if (Date.now() > deadline) {
      throw new DemoError(
        `The server did not become healthy within ${SERVER_START_MS / 1000} s:\n${logTail(serverLog)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no server log)";
  }
}

async function stopServer(
  server: ChildProcess,
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  server.kill("SIGTERM");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), SERVER_STOP_MS));
  if ((await Promise.race([exit, timer])) === "timeout") {
    killGroup(server, "SIGKILL");
    await exit;
  }
}

/** Signals the server's process group (it was spawned detached, so it leads one). */
function killGroup(server: ChildProcess, signal: NodeJS.Signals): void {
  if (server.exitCode !== null || server.signalCode !== null || !server.pid) return;
  try {
    process.kill(-server.pid, signal);
  } catch {
    // Already gone.
  }
}

function graphqlClient(url: string, token: string) {
  return async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (body.errors?.length || !body.data) {
      throw new DemoError(
        `GraphQL request failed: ${body.errors?.map((e) => e.message).join("; ") ?? response.status}`,
      );
    }
    return body.data;
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new DemoError(
              `Port ${port} on ${host} is already in use (another Mailstream or demo?). Stop it, or run with PORT=<free port> npm run demo.`,
            )
          : error.code === "EACCES"
            ? new DemoError(`Port ${port} on ${host} needs privileges; choose PORT above 1023.`)
            : error,
      );
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
