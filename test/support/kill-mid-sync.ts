import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DemoTenant, seedDemoTenant, type Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import { childEnv, exited, freePort, startScript } from "./node-process.js";
import { allBucketMessages } from "./sync-env.js";
import { SIMULATOR_HOSTS } from "./test-server.js";

/**
 * The kill -9 mid-sync harness of the crash-safety tests (Graph: test/sync/crash-safety.test.ts,
 * EWS: test/ews/ews-crash.test.ts): a real server process on one data directory, killed with
 * SIGKILL at moments spread over a mailbox's first round and started again, until the mailbox is
 * up to date; then what it stored and charged, for the test to compare with the ground truth.
 */

export interface CrashTenant {
  sim: Simulator;
  tenant: DemoTenant;
  dataDir: string;
  stop(): Promise<void>;
}

/** Slow pages and many messages: a round runs for several seconds, so kills land mid-sync. */
export async function startCrashTenant(dataDirPrefix: string): Promise<CrashTenant> {
  const sim = await startTestSimulator({ latencyMs: 60 });
  const tenant = await seedDemoTenant(sim, { messagesPerMailbox: 2500 });
  const dataDir = mkdtempSync(join(tmpdir(), dataDirPrefix));
  return {
    sim,
    tenant,
    dataDir,
    async stop() {
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startServer(dataDir: string, token: string) {
  const port = await freePort();
  const { child } = startScript(
    "server/main.ts",
    childEnv({
      PORT: String(port),
      MAILSTREAM_DATA_DIR: dataDir,
      MAILSTREAM_ADMIN_TOKEN: token,
      MAILSTREAM_SYNC_INTERVAL: "1",
      MAILSTREAM_ALLOWED_HOSTS: SIMULATOR_HOSTS,
      LOG_LEVEL: "warn",
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  return { child, gql };
}

type Sync = { status: string; messagesStored: number };

export interface KillMidSyncOutcome {
  /** Times the server was killed mid-round (a kill is skipped once the mailbox is up to date). */
  kills: number;
  /** The bucket's messages, every page of them, as Internet message ids. */
  internetMessageIds: string[];
  messageCount: number;
  usage: { unitsCharged: number; messagesCreated: number };
  /** How the last server process ended after SIGTERM. */
  finalExit: { code: number | null; signal: string | null };
}

/**
 * Creates project "crash" with an integration over `connection` syncing `email` (all time, with
 * attachments), kills the server at four moments of its first round (fewer if it is up to date
 * sooner), lets the last one finish, and answers what the bucket holds and the project was charged.
 */
export async function syncThroughKills(options: {
  dataDir: string;
  token: string;
  email: string;
  connection: Record<string, unknown>;
}): Promise<KillMidSyncOutcome> {
  const { dataDir, token, email, connection } = options;
  let server = await startServer(dataDir, token);
  try {
    await server.gql(`mutation { createProject(input: { name: "crash" }) { id } }`);
    const created = await server.gql<{
      createIntegration: { mailboxes: { id: string; bucket: { id: string } }[] };
    }>(
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { mailboxes { id bucket { id } } } }`,
      {
        input: {
          project: "crash",
          name: "crash",
          connection,
          mailboxes: [{ email, allTime: true, syncAttachments: true }],
        },
      },
    );
    const mailbox = created.createIntegration.mailboxes[0]!;
    const state = () =>
      server.gql<{ mailbox: { sync: Sync } }>(
        `query($id: ID!) { mailbox(id: $id) { sync { status messagesStored } } }`,
        { id: mailbox.id },
      );

    let kills = 0;
    for (const delayMs of [700, 1300, 500, 1100]) {
      await new Promise((r) => setTimeout(r, delayMs));
      const before = (await state()).mailbox.sync;
      if (before.status === "UP_TO_DATE") break;
      server.child.kill("SIGKILL");
      await exited(server.child);
      kills++;
      server = await startServer(dataDir, token);
    }

    const deadline = Date.now() + 120_000;
    while ((await state()).mailbox.sync.status !== "UP_TO_DATE" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const rows = await server.gql<{
      bucket: { messageCount: number };
      project: { usage: { unitsCharged: number; messagesCreated: number } };
    }>(
      `query($id: ID!) { bucket(id: $id) { messageCount } project(name: "crash") { usage { unitsCharged messagesCreated } } }`,
      { id: mailbox.bucket.id },
    );
    const ids = (await allBucketMessages(server.gql, mailbox.bucket.id)).map(
      (m) => m.internetMessageId,
    );
    server.child.kill("SIGTERM");
    const finalExit = await exited(server.child);
    return {
      kills,
      internetMessageIds: ids,
      messageCount: rows.bucket.messageCount,
      usage: rows.project.usage,
      finalExit,
    };
  } finally {
    // A failure part-way leaves no server behind.
    if (server.child.exitCode === null && server.child.signalCode === null)
      server.child.kill("SIGKILL");
  }
}
