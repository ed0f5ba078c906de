import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoTenant, seedDemoTenant, type Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import { expectedMessages } from "../support/expected-sync.js";
import { childEnv, exited, freePort, startScript } from "../support/node-process.js";
import { SIMULATOR_HOSTS } from "../support/test-server.js";

/**
 * kill -9 mid-sync over EWS: the SyncState checkpoints are saved with the pages they cover, so a
 * server killed at any moment and started again stores every message exactly once, charged once.
 */
const TOKEN = "ms_ews_crash_test_admin_token_0123456";
let sim: Simulator;
let tenant: DemoTenant;
let dataDir: string;

beforeAll(async () => {
  // Slow pages and many messages: a round runs for several seconds, so kills land mid-sync.
  sim = await startTestSimulator({ latencyMs: 60 });
  tenant = await seedDemoTenant(sim, { messagesPerMailbox: 2500 });
  dataDir = mkdtempSync(join(tmpdir(), "mailstream-ews-crash-"));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startServer() {
  const port = await freePort();
  const { child } = startScript(
    "server/main.ts",
    childEnv({
      PORT: String(port),
      MAILSTREAM_DATA_DIR: dataDir,
      MAILSTREAM_ADMIN_TOKEN: TOKEN,
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
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  return { child, gql };
}

type Sync = { status: string; messagesStored: number };

describe("crash safety over EWS", () => {
  it("kill -9 at random moments mid-sync loses and duplicates nothing, and charges each message once", async () => {
    const email = tenant.mailboxes.alice;
    let server = await startServer();
    await server.gql(`mutation { createProject(input: { name: "crash" }) { id } }`);
    const created = await server.gql<{
      createIntegration: { mailboxes: { id: string; bucket: { id: string } }[] };
    }>(
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { mailboxes { id bucket { id } } } }`,
      {
        input: {
          project: "crash",
          name: "crash",
          connection: {
            api: "EWS",
            authMethod: "NTLM",
            access: "SERVICE_USER",
            ewsUrl: sim.ewsUrl,
            serviceUsername: tenant.ews.serviceUser.username,
            servicePassword: tenant.ews.serviceUser.password,
          },
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
      server = await startServer();
    }
    expect(kills).toBeGreaterThanOrEqual(2);

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
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: {
        bucket: {
          messages: {
            edges: { node: { internetMessageId: string } }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        };
      } = await server.gql(
        `query($id: ID!, $after: String) { bucket(id: $id) { messages(first: 200, after: $after) { edges { node { internetMessageId } } pageInfo { hasNextPage endCursor } } } }`,
        { id: mailbox.bucket.id, after },
      );
      ids.push(...page.bucket.messages.edges.map((e) => e.node.internetMessageId));
      if (!page.bucket.messages.pageInfo.hasNextPage) break;
      after = page.bucket.messages.pageInfo.endCursor;
    }
    server.child.kill("SIGTERM");
    expect((await exited(server.child)).code).toBe(0);

    const expected = new Set(
      expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom: null }).map(
        (m) => m.internetMessageId,
      ),
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(expected);
    expect(rows.bucket.messageCount).toBe(expected.size);
    expect(rows.project.usage).toEqual({
      unitsCharged: expected.size,
      messagesCreated: expected.size,
    });
  }, 180_000);
});
