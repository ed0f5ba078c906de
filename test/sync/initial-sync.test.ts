import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegration,
  startSyncEnv,
  type SyncEnv,
  waitForMailbox,
} from "../support/sync-env.js";

let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 400 });
  await env.server.ok(`mutation { createProject(input: { name: "ops" }) { id } }`);
});
afterAll(() => env.stop());

describe("a first sync", () => {
  it("stores exactly the messages the rules select, each once, charged once", async () => {
    const { tenant, server, sim } = env;
    const alice = tenant.mailboxes.alice;
    const syncFrom = new Date("2023-06-01T00:00:00Z");
    const filters = {
      deniedFolders: ["Root/Top of Information Store/Deleted Items"],
      deniedDomains: ["gmail.com"],
    };
    const created = await createIntegration(env, {
      project: "ops",
      name: "exchange",
      mailboxes: [{ email: alice, syncFrom: syncFrom.toISOString(), filters }],
    });
    const integration = created;
    expect(integration.credentials.status).toBe("VALID");
    expect(integration.credentials.mailboxes).toEqual([
      { email: alice, access: "ACCESSIBLE", error: null },
    ]);
    const mailbox = integration.mailboxes[0]!;

    const state = await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const stored = await bucketMessages(server, mailbox.bucket.id);
    const expected = expectedMessages(sim.groundTruth(alice), {
      mailbox: alice,
      syncFrom,
      ...filters,
    });
    expect(expected.length).toBeGreaterThan(50);
    const ids = stored.map((m) => m.internetMessageId);
    expect(new Set(ids).size).toBe(ids.length);
    const expectedIds = new Set(expected.map((m) => m.internetMessageId));
    expect(new Set(ids)).toEqual(expectedIds);
    expect(state.sync.messagesStored).toBe(expectedIds.size);

    const usage = await server.ok<{
      project: { usage: { messagesCreated: number; unitsCharged: number } };
    }>(`{ project(name: "ops") { usage { messagesCreated unitsCharged } } }`);
    expect(usage.project.usage).toEqual({
      messagesCreated: expectedIds.size,
      unitsCharged: expectedIds.size,
    });

    // The first sync's volume bounds what it stored; done, it has no ETA. The ledger holds it all.
    const progress = await server.ok<{
      mailbox: { sync: { messagesExpected: number | null; etaSeconds: number | null } };
      project: { usageByDay: { mailbox: string; units: number }[] };
    }>(
      `query($id: ID!) { mailbox(id: $id) { sync { messagesExpected etaSeconds } } project(name: "ops") { usageByDay { mailbox units } } }`,
      { id: mailbox.id },
    );
    expect(progress.mailbox.sync.messagesExpected).toBeGreaterThanOrEqual(expectedIds.size);
    expect(progress.mailbox.sync.etaSeconds).toBeNull();
    const ledger = progress.project.usageByDay.filter((r) => r.mailbox === alice);
    expect(ledger.reduce((n, r) => n + r.units, 0)).toBe(expectedIds.size);
  });
});

describe("a bucket of another project", () => {
  it("receives the mailbox's messages, charged to the bucket's project and readable there", async () => {
    const { tenant, server } = env;
    await server.ok(`mutation { createProject(input: { name: "archive" }) { id } }`);
    const bucket = await server.ok<{ createBucket: { id: string } }>(
      `mutation { createBucket(input: { project: "archive", name: "from-ops" }) { id } }`,
    );
    const created = await createIntegration(env, {
      project: "ops",
      name: "cross",
      mailboxes: [
        {
          email: tenant.mailboxes.bob,
          allTime: true,
          bucket: { existingBucketId: bucket.createBucket.id },
        },
      ],
    });
    const mailbox = created.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const stored = await bucketMessages(server, bucket.createBucket.id);
    const usage = await server.ok<{ archive: { usage: { unitsCharged: number } } }>(
      `{ archive: project(name: "archive") { usage { unitsCharged } } }`,
    );
    expect(stored.length).toBeGreaterThan(0);
    expect(usage.archive.usage.unitsCharged).toBe(stored.length);
    const token = await server.ok<{ createApiToken: { token: string } }>(
      `mutation { createApiToken(input: { name: "archive-reader", grants: [{ project: "archive", permissions: [BUCKETS_READ, MESSAGES_READ] }] }) { token } }`,
    );
    const page = await server.ok<{ bucket: { messages: { edges: { node: { id: string } }[] } } }>(
      `query($id: ID!) { bucket(id: $id) { messages(first: 1) { edges { node { id } } } } }`,
      { id: bucket.createBucket.id },
      token.createApiToken.token,
    );
    const one = await server.ok<{ message: { subject: string } | null }>(
      `query($id: ID!) { message(id: $id) { subject } }`,
      { id: page.bucket.messages.edges[0]!.node.id },
      token.createApiToken.token,
    );
    expect(one.message).not.toBeNull();
  });
});
