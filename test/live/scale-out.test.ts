import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoTenant, seedDemoTenant, type Simulator } from "../../simulator/index.js";
import { createScratchDatabase } from "../support/database.js";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.js";
import {
  bucketMessages,
  createIntegration,
  waitForFreshRound,
  waitForMailbox,
} from "../support/sync-env.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/test-server.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import {
  connect,
  createProject,
  eventually,
  incomingMessage,
  type ProjectRef,
  settle,
  storeAndPublish,
} from "./fixtures.js";

/**
 * Two servers of one deployment (DOMAIN.md, Running on several servers): one scratch PostgreSQL
 * database, a private Redis (killed and restarted here), each server its own data dir. What one
 * stores, the other's subscribers see and its attachments route serves; when Redis dies, live
 * subscriptions end with EVENTS_UNAVAILABLE, nothing stored is lost, and both recover by themselves.
 */

const POSTGRES = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const METRICS_TOKEN = "metrics-token-0123456789abcdef";

let redis: PrivateRedis;
let dropDatabase: () => Promise<void>;
let databaseUrl: string;
let sim: Simulator;
let tenant: DemoTenant;
let a: TestServer;
let b: TestServer;
let env: Record<string, string>;
let project: ProjectRef;
let bucketId: string;
let mailboxId: string;
const bigContent = randomBytes(600_000); // three chunks in the database

const MESSAGE_ADDED = `subscription($p: String!) { messageAdded(project: $p) { sequenceId message { subject internetMessageId } } }`;
interface MessageAdded {
  messageAdded: { sequenceId: string; message: { subject: string; internetMessageId: string } };
}
const PROGRESS = `subscription($p: String!) { syncProgress(project: $p) { mailbox { id } sync { status } } }`;

/** B runs no sync rounds (no leases yet to keep two servers off one mailbox): A is the one syncing. */
function serverOn(dataDir: string, runSync: boolean): Promise<TestServer> {
  return startTestServer({
    env,
    runSync,
    exchange: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
    reuse: { dataDir, databaseUrl },
  });
}

const healthz = async (server: TestServer) => {
  const response = await fetch(`${server.url}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

/** Polls /healthz until it answers `status` (or gives up after 15 s) and answers the last reply. */
async function healthBecomes(server: TestServer, status: number) {
  const deadline = Date.now() + 15_000;
  let health = await healthz(server);
  while (health.status !== status && Date.now() < deadline) {
    await settle(100);
    health = await healthz(server);
  }
  return health;
}

async function metricsOf(server: TestServer): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

/** The sum of a series' samples whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      sum += Number(match[3]);
      found = true;
    }
  }
  return found ? sum : Number.NaN;
}

/** Waits until `server`'s bus has a local subscriber on the channel and Redis acknowledged it. */
async function listening(server: TestServer, channel: "messageAdded" | "syncProgress", n = 1) {
  await eventually(
    () => server.app.services.events.subscriberCount(channel) >= n,
    5_000,
    `${channel} subscriber`,
  );
  await settle(150);
}

async function streamSubjects(server: TestServer, name: string): Promise<string[]> {
  const subjects: string[] = [];
  for (;;) {
    const data = await server.ok<{
      project: {
        stream: {
          fetch: {
            sequenceId: string;
            isEndSequence: boolean;
            results: { message: { subject: string } }[];
          };
        };
      };
    }>(
      `query($p: String!, $n: String!) { project(name: $p) { stream(name: $n) { fetch(size: 100) { sequenceId isEndSequence results { message { subject } } } } } }`,
      { p: project.name, n: name },
    );
    const batch = data.project.stream.fetch;
    subjects.push(...batch.results.map((r) => r.message.subject));
    if (batch.results.length === 0) return subjects;
    await server.ok(
      `mutation($p: String!, $n: String!, $s: String!) { advanceStream(project: $p, name: $n, sequenceId: $s) { position } }`,
      { p: project.name, n: name, s: batch.sequenceId },
    );
    if (batch.isEndSequence) return subjects;
  }
}

beforeAll(async () => {
  redis = await startPrivateRedis();
  const scratch = await createScratchDatabase(POSTGRES);
  databaseUrl = scratch.url;
  dropDatabase = scratch.drop;
  sim = await startTestSimulator();
  tenant = await seedDemoTenant(sim, { messagesPerMailbox: 12 });
  env = {
    REDIS_URL: redis.url,
    MAILSTREAM_REDIS_PREFIX: `test-${randomBytes(6).toString("hex")}:`,
    MAILSTREAM_SECRET_KEY: randomBytes(32).toString("base64"),
    MAILSTREAM_SYNC_INTERVAL: "1",
    MAILSTREAM_METRICS_TOKEN: METRICS_TOKEN,
  };
  const dirA = mkdtempSync(join(tmpdir(), "mailstream-a-"));
  const dirB = mkdtempSync(join(tmpdir(), "mailstream-b-"));
  [a, b] = await Promise.all([serverOn(dirA, true), serverOn(dirB, false)]);
  const made = await createProject(a, "group");
  project = made.project;
  bucketId = made.bucketIds.inbox!;
  await a.ok(`mutation($input: CreateStreamInput!) { createStream(input: $input) { id } }`, {
    input: { project: "group", name: "all", bucketIds: [bucketId] },
  });
}, 90_000);

afterAll(async () => {
  // The servers keep their data dirs' cleanup; the shared database is dropped once, at the end.
  await Promise.allSettled([a?.app.stop(), b?.app.stop()]);
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await sim?.stop();
  await dropDatabase?.();
  await redis?.stop();
});

describe("two servers, one PostgreSQL database and Redis", () => {
  it("delivers on B what A stores and syncs, and B serves the attachments A stored", async () => {
    const connection = connect(b, ADMIN_TOKEN);
    const added = connection.subscribe<MessageAdded>(MESSAGE_ADDED, { p: "group" });
    const progress = connection.subscribe<unknown>(PROGRESS, { p: "group" });
    await listening(b, "messageAdded");
    await listening(b, "syncProgress");

    // Stored by A's storage path, published once through Redis, delivered by B.
    await storeAndPublish(a, project, bucketId, [
      incomingMessage({ subject: "direct 1" }),
      incomingMessage({ subject: "direct 2" }),
    ]);
    await eventually(() => added.data.length === 2, 5_000, "A's messages on B");
    expect(added.data.map((d) => d.messageAdded.message.subject)).toEqual(["direct 1", "direct 2"]);

    const email = tenant.mailboxes.alice;
    sim.deliver(email, {
      subject: "with a large attachment",
      attachments: [
        { name: "big.bin", contentType: "application/octet-stream", content: bigContent },
      ],
    });
    const created = await createIntegration(
      { server: a, tenant },
      {
        project: "group",
        name: "exchange",
        mailboxes: [
          { email, allTime: true, syncAttachments: true, bucket: { existingBucketId: bucketId } },
        ],
      },
    );
    mailboxId = created.mailboxes[0]!.id;
    await waitForMailbox(a, mailboxId, (v) => v.sync.status === "UP_TO_DATE");
    const stored = await bucketMessages(b, bucketId);
    await eventually(() => added.data.length === stored.length, 10_000, "every message on B");
    expect(new Set(added.data.map((d) => d.messageAdded.message.internetMessageId))).toEqual(
      new Set(stored.map((m) => m.internetMessageId)),
    );
    expect(progress.data.length).toBeGreaterThan(0);
    expect(progress.errors).toEqual([]);

    const big = stored.flatMap((m) => m.attachments).find((x) => x.name === "big.bin")!;
    expect(big.reference).toBeTruthy();
    for (const server of [b, a]) {
      const response = await fetch(`${server.url}/attachments/${big.reference}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-length")).toBe(String(bigContent.length));
      const body = Buffer.from(await response.arrayBuffer());
      expect(createHash("sha256").update(body).digest("hex")).toBe(
        createHash("sha256").update(bigContent).digest("hex"),
      );
    }
    // Nothing on local disk: the contents live in the database.
    expect(existsSync(join(a.dataDir, "attachments"))).toBe(false);
    expect(existsSync(join(b.dataDir, "attachments"))).toBe(false);
    connection.dispose();
  });

  it("refuses to start a process whose key cannot open the stored secrets, naming MAILSTREAM_SECRET_KEY", async () => {
    const other = mkdtempSync(join(tmpdir(), "mailstream-c-"));
    const wrongKey = startTestServer({
      env: { ...env, MAILSTREAM_SECRET_KEY: randomBytes(32).toString("base64") },
      reuse: { dataDir: other, databaseUrl },
    });
    await expect(wrongKey).rejects.toThrow(/MAILSTREAM_SECRET_KEY/);
    const { MAILSTREAM_SECRET_KEY: _unset, ...withoutKey } = env;
    const noKey = startTestServer({ env: withoutKey, reuse: { dataDir: other, databaseUrl } });
    await expect(noKey).rejects.toThrow(/MAILSTREAM_SECRET_KEY/);
  });

  it("exposes the named metrics with plausible values after a sync", async () => {
    await eventually(
      () => b.app.services.events.subscriberCount("messageAdded") === 0,
      5_000,
      "the first test's subscriptions to end",
    );
    const [ma, mb] = await Promise.all([metricsOf(a), metricsOf(b)]);
    const stored = (await bucketMessages(a, bucketId)).length;
    const synced = stored - 2; // the two stored directly are not the sync's
    const byMailbox = { mailbox_id: mailboxId };
    // A synced (B runs no rounds): A stored every synced message, B none.
    expect(sample(ma, "mailstream_sync_messages_stored_total", byMailbox)).toBe(synced);
    expect(sample(mb, "mailstream_sync_messages_stored_total", byMailbox)).toBeNaN();
    expect(
      sample(ma, "mailstream_sync_rounds_total", { ...byMailbox, outcome: "up_to_date" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(ma, "mailstream_sync_rounds_total", { outcome: "failed" })).toBeNaN();
    expect(
      sample(ma, "mailstream_exchange_requests_total", { api: "graph", status: "200" }),
    ).toBeGreaterThan(3);
    expect(sample(ma, "mailstream_sync_lag_seconds", byMailbox)).toBeLessThan(60);
    expect(sample(mb, "mailstream_sync_lag_seconds", byMailbox)).toBeLessThan(60);
    // A holds the lease of the one mailbox it syncs; B runs no rounds and holds none.
    expect(sample(ma, "mailstream_sync_leases_held")).toBe(1);
    expect(sample(mb, "mailstream_sync_leases_held") || 0).toBe(0);
    expect(
      sample(ma, "mailstream_graphql_operations_total", {
        operation: "anonymous",
        type: "mutation",
        transport: "http",
        outcome: "ok",
      }),
    ).toBeGreaterThan(0);
    expect(
      sample(mb, "mailstream_graphql_operation_duration_seconds_count", {
        type: "subscription",
        transport: "ws",
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(mb, "mailstream_event_bus_lag_seconds_count", { transport: "redis" })).toBe(
      sample(mb, "mailstream_event_bus_events_received_total"),
    );
    expect(sample(mb, "mailstream_event_bus_lag_seconds_count")).toBeGreaterThan(stored);
    expect(sample(mb, "mailstream_event_bus_connected")).toBe(1);
    expect(sample(mb, "mailstream_live_subscriptions")).toBe(0);
    const unauthorised = await fetch(`${a.url}/metrics`);
    expect(unauthorised.status).toBe(401);
  });

  it("survives a Redis restart: subscriptions end with EVENTS_UNAVAILABLE, nothing is lost, both recover", async () => {
    const connection = connect(b, ADMIN_TOKEN);
    const before = connection.subscribe<MessageAdded>(MESSAGE_ADDED, { p: "group" });
    await listening(b, "messageAdded");
    const liveBefore = sample(await metricsOf(b), "mailstream_live_subscriptions");
    expect(liveBefore).toBe(1);

    await redis.kill();
    await eventually(() => before.errors.length > 0, 5_000, "the subscription's error");
    expect(before.errors[0]).toMatchObject({
      message: expect.stringMatching(/Subscribe again.*streams API/),
      extensions: { code: "EVENTS_UNAVAILABLE" },
    });
    for (const server of [a, b]) {
      expect(await healthBecomes(server, 503)).toEqual({
        status: 503,
        body: { status: "unavailable", database: "ok", redis: "unreachable" },
      });
    }
    // A subscription started now is refused the same way at once.
    const during = connection.subscribe<MessageAdded>(MESSAGE_ADDED, { p: "group" });
    await eventually(() => during.errors.length > 0, 5_000, "the refusal during the outage");
    expect(during.errors[0]?.extensions?.code).toBe("EVENTS_UNAVAILABLE");

    // Work goes on meanwhile: what is stored now is only missing from live events.
    await storeAndPublish(a, project, bucketId, [incomingMessage({ subject: "during outage" })]);
    sim.deliver(tenant.mailboxes.alice, { subject: "synced during outage" });
    const since = Date.now();
    await a.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailboxId });
    await waitForFreshRound(a, mailboxId, 30_000, since);

    await redis.start();
    for (const server of [a, b]) {
      expect(await healthBecomes(server, 200)).toEqual({ status: 200, body: { status: "ok" } });
    }

    const after = connection.subscribe<MessageAdded>(MESSAGE_ADDED, { p: "group" });
    await listening(b, "messageAdded");
    await storeAndPublish(a, project, bucketId, [incomingMessage({ subject: "after restart" })]);
    await eventually(() => after.data.length === 1, 5_000, "an event after the restart");
    expect(after.data[0]!.messageAdded.message.subject).toBe("after restart");
    expect(after.errors).toEqual([]);

    // The streams API lost nothing: every message, the outage's included, exactly once.
    const subjects = await streamSubjects(b, "all");
    const inBucket = await bucketMessages(b, bucketId);
    expect(subjects.length).toBe(inBucket.length);
    expect(new Set(subjects).size).toBe(subjects.length);
    expect(subjects).toEqual(
      expect.arrayContaining([
        "direct 1",
        "during outage",
        "synced during outage",
        "after restart",
      ]),
    );
    expect(
      sample(await metricsOf(a), "mailstream_event_bus_publish_failures_total"),
    ).toBeGreaterThan(0);
    connection.dispose();
  });
});
