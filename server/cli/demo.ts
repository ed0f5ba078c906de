// `npm run demo`: the server, the dashboard and the tenant simulator with a demo integration that
// syncs live (shared/contract/RUNNING.md). Ctrl-C or SIGTERM stops everything.
import { type Demo, DemoError, startDemo } from "./start-demo.js";

function integerEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DemoError(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

const say = (line = "") => process.stdout.write(`${line}\n`);

function printSummary(demo: Demo, deliverEveryMs: number): void {
  const { tenant, sim } = demo;
  const rows = (pairs: [string, string][]) => {
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) say(`  ${k.padEnd(width)}  ${v}`);
  };
  say();
  say("Mailstream demo is running.");
  say();
  rows([
    ["Dashboard", demo.dashboardUrl],
    ["Admin token", `${demo.adminToken}   (paste it on the sign-in page)`],
    ["GraphQL", `${demo.url}/graphql`],
  ]);
  say();
  say(
    "Tenant simulator (a stand-in for Microsoft 365, trusted by the server via NODE_EXTRA_CA_CERTS):",
  );
  rows([
    ["Identity platform", sim.loginUrl],
    ["Graph", sim.graphUrl],
    ["Control API", sim.controlUrl ?? "—"],
    ["CA file", demo.caFile],
  ]);
  say();
  say(
    `Project "${demo.project}", integration "${demo.integration.name}": alice (all time, with attachments) and bob (since 2024, fabrikam.com and northwind.com.au only).`,
  );
  if (deliverEveryMs > 0)
    say(
      `New mail arrives for alice and bob every ${deliverEveryMs / 1000} s, with an attachment every third message.`,
    );
  say();
  say("Try the wizard yourself (Integrations → New integration):");
  rows([
    ["OAuth authority URL", tenant.authorityUrl],
    ["OAuth client ID", tenant.app.clientId],
    ["Client secret", tenant.app.clientSecret],
    ["Graph endpoint", `${tenant.graphEndpoint}   (under "National cloud")`],
    [
      "Mailboxes",
      `${tenant.mailboxes.carol} (licensed), ${tenant.mailboxes.dave} (unlicensed), ${tenant.mailboxes.erin} (on-premises)`,
    ],
    [
      "Expired secret",
      `client ${tenant.expiredSecretApp.clientId}, secret ${tenant.expiredSecretApp.clientSecret}`,
    ],
  ]);
  say("  Any other secret is refused with AADSTS7000215.");
  say(
    "  The seeded mail was received from 2023 to 2024 (plus what arrives now): choose All time, or a date before 2025.",
  );
  say();
  say(`Server log (pid ${demo.server.pid}): ${demo.serverLog}`);
  say(`Data (removed on exit): ${demo.dir}`);
  say("Press Ctrl-C to stop.");
  say();
}

const MAILBOX_STATES = `query($id: ID!) { mailbox(id: $id) { email sync { status messagesStored lastSyncedAt } bucket { messageCount } } }`;

/** One line per mailbox once its first round is complete. */
function reportFirstRounds(demo: Demo): () => void {
  const started = Date.now();
  const pending = new Set(demo.integration.mailboxes.map((m) => m.id));
  const timer = setInterval(async () => {
    for (const id of [...pending]) {
      const data = await demo
        .gql<{
          mailbox: {
            email: string;
            sync: { status: string; lastSyncedAt: string | null };
            bucket: { messageCount: number };
          } | null;
        }>(MAILBOX_STATES, { id })
        .catch(() => null);
      const mailbox = data?.mailbox;
      if (mailbox?.sync.status === "UP_TO_DATE" && mailbox.sync.lastSyncedAt) {
        pending.delete(id);
        say(
          `${mailbox.email} is up to date after ${Math.round((Date.now() - started) / 1000)} s: ${mailbox.bucket.messageCount.toLocaleString("en")} messages in its bucket.`,
        );
      }
    }
    if (pending.size === 0) clearInterval(timer);
  }, 1000);
  return () => clearInterval(timer);
}

let stopping = false;

async function main(): Promise<void> {
  const deliverEveryMs = integerEnv("DEMO_DELIVER_EVERY_MS", 4000, 0, 3_600_000);
  const options = {
    host: process.env.HOST || "127.0.0.1",
    port: integerEnv("PORT", 4000, 0, 65535),
    loginPort: integerEnv("DEMO_LOGIN_PORT", 0, 0, 65535),
    graphPort: integerEnv("DEMO_GRAPH_PORT", 0, 0, 65535),
    controlPort: integerEnv("DEMO_CONTROL_PORT", 0, 0, 65535),
    latencyMs: integerEnv("DEMO_LATENCY_MS", 50, 0, 10_000),
    messagesPerMailbox: integerEnv("DEMO_MESSAGES", 5000, 0, 1_000_000),
    deliverEveryMs,
    adminToken: process.env.MAILSTREAM_ADMIN_TOKEN || undefined,
    logLevel: process.env.LOG_LEVEL || "info",
    log: (line: string) => say(line),
  };
  let stopReports = () => undefined as void;
  const starting = startDemo(options);
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    stopReports();
    say(`\n${why}: stopping the server and the simulator…`);
    // A signal during start-up waits for it to finish (or fail, which cleans up by itself).
    const demo = await starting.catch(() => null);
    await demo?.stop();
    say("Stopped.");
    process.exit(code);
  };
  // Registered before anything starts, so Ctrl-C during start-up also cleans up.
  process.on("SIGINT", () => void stop("Interrupted", 0));
  process.on("SIGTERM", () => void stop("Terminated", 0));

  const demo = await starting;
  if (stopping) return;
  printSummary(demo, deliverEveryMs);
  stopReports = reportFirstRounds(demo);
  void demo.serverExit.then(({ code, signal }) => {
    if (stopping) return;
    process.stderr.write(
      `The server exited unexpectedly (${code ?? signal}). Its last log lines:\n${demo.serverLogTail()}\n`,
    );
    void stop("Server gone", 1);
  });
}

main().catch((error: unknown) => {
  if (stopping) return; // stop() reports and exits.
  if (error instanceof DemoError) process.stderr.write(`npm run demo: ${error.message}\n`);
  else process.stderr.write(`npm run demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
