import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExpectedRules, expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegration,
  secretConnection,
  startSyncEnv,
  type SyncEnv,
  waitForMailbox,
} from "../support/sync-env.js";

/**
 * The same exactness cases over both APIs (DOMAIN.md: "Sync over EWS follows every rule of the
 * Sync section"): Graph, and EWS with an app-only token and impersonation, which reaches every
 * mailbox of the tenant. Each API has a project of its own.
 */
const APIS = ["GRAPH", "EWS"] as const;
type Api = (typeof APIS)[number];

let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 500 });
  for (const api of APIS)
    await env.server.ok(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, {
      n: projectOf(api),
    });
});
afterAll(() => env.stop());

const projectOf = (api: Api) => `filters-${api.toLowerCase()}`;
const connectionOf = (api: Api) =>
  api === "GRAPH"
    ? secretConnection(env.tenant)
    : { ...secretConnection(env.tenant), api: "EWS", graphEndpoint: null, ewsUrl: env.sim.ewsUrl };

const ids = (list: { internetMessageId: string }[]) => list.map((m) => m.internetMessageId);

/** The bucket holds each selected Message-ID exactly once (copies in two folders are one message). */
function expectExactly(
  stored: { internetMessageId: string }[],
  expected: { internetMessageId: string }[],
) {
  expect(new Set(ids(stored)).size).toBe(stored.length);
  expect([...new Set(ids(stored))].sort()).toEqual([...new Set(ids(expected))].sort());
}

async function syncWith(
  api: Api,
  name: string,
  email: string,
  rules: Omit<ExpectedRules, "mailbox">,
) {
  const { server, sim } = env;
  const { syncFrom, ...filters } = rules;
  const created = await createIntegration(env, {
    project: projectOf(api),
    connection: connectionOf(api),
    name,
    mailboxes: [
      {
        email,
        ...(syncFrom ? { syncFrom: syncFrom.toISOString() } : { allTime: true }),
        filters,
      },
    ],
  });
  const mailbox = created.mailboxes[0]!;
  await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
  // Read through the API under test: the simulator's Exchange saw the mailbox over EWS.
  if (api === "EWS")
    expect(sim.ewsRecord().principals.some((p) => p.mailboxes.includes(email.toLowerCase()))).toBe(
      true,
    );
  const stored = await bucketMessages(server, mailbox.bucket.id);
  const expected = expectedMessages(sim.groundTruth(email), { mailbox: email, ...rules });
  return { stored, expected };
}

describe.each(APIS)("filters select exactly what DOMAIN.md says, over %s", (api) => {
  it("folder allow/deny with nesting, escaped slashes and unicode names", async () => {
    const rules = {
      syncFrom: null,
      allowedFolders: [
        "Root/Top of Information Store/Inbox/Invoices\\/Receipts",
        "root/top of information store/INBOX/Projects/",
        "Root/Top of Information Store/Inbox/Ünïcödé – 日本語 📬",
      ],
      deniedFolders: ["Root/Top of Information Store/Inbox/Projects/Alpha/Deep"],
    };
    const { stored, expected } = await syncWith(api, "folders", env.tenant.mailboxes.alice, rules);
    expect(expected.length).toBeGreaterThan(20);
    expect(new Set(stored.map((m) => m.folder))).toContain(
      "Root/Top of Information Store/Inbox/Invoices\\/Receipts",
    );
    expect(
      stored.some((m) =>
        m.folder.startsWith("Root/Top of Information Store/Inbox/Projects/Alpha/Deep"),
      ),
    ).toBe(false);
    expectExactly(stored, expected);
  });

  it("wildcard public-suffix domains and allow lists (deny wins)", async () => {
    const tenantDomain = env.tenant.domain;
    const rules = {
      syncFrom: new Date("2023-03-01T00:00:00Z"),
      allowedDomains: ["reinfer.*", tenantDomain, "fabrikam.com"],
      deniedDomains: ["fabrikam.com"],
    };
    const { stored, expected } = await syncWith(api, "domains", env.tenant.mailboxes.bob, rules);
    expect(expected.length).toBeGreaterThan(5);
    expectExactly(stored, expected);
  });

  it("participant deny list and denied domains", async () => {
    const carol = env.tenant.mailboxes.carol;
    // Deny the most frequent external correspondent of carol's mail.
    const counts = new Map<string, number>();
    for (const m of env.sim.groundTruth(carol))
      counts.set(m.from.address.toLowerCase(), (counts.get(m.from.address.toLowerCase()) ?? 0) + 1);
    const frequent = [...counts.entries()]
      .filter(([a]) => a !== carol)
      .sort((a, b) => b[1] - a[1])[0]![0];
    const rules = {
      syncFrom: null,
      deniedParticipants: [frequent.toUpperCase()],
      deniedDomains: ["gmail.com", "yahoo.co.jp"],
    };
    const { stored, expected } = await syncWith(api, "participants", carol, rules);
    expect(expected.length).toBeLessThan([...env.sim.groundTruth(carol)].length);
    expectExactly(stored, expected);
  });

  it("one message per Message-ID when two mailboxes share a bucket", async () => {
    const { server, tenant, sim } = env;
    const { alice, bob } = tenant.mailboxes;
    const created = await createIntegration(env, {
      project: projectOf(api),
      connection: connectionOf(api),
      name: "shared",
      mailboxes: [
        {
          email: alice,
          allTime: true,
          bucket: { newBucket: { project: projectOf(api), name: "shared-bucket" } },
        },
      ],
    });
    const first = created.mailboxes[0]!;
    const bobBox = await server.ok<{ addMailbox: { id: string } }>(
      `mutation($i: ID!, $input: MailboxInput!) { addMailbox(integrationId: $i, input: $input) { id } }`,
      {
        i: created.id,
        input: { email: bob, allTime: true, bucket: { existingBucketId: first.bucket.id } },
      },
    );
    await waitForMailbox(server, first.id, (v) => v.sync.status === "UP_TO_DATE");
    await waitForMailbox(server, bobBox.addMailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const stored = await bucketMessages(server, first.bucket.id);
    const fromAlice = ids(
      expectedMessages(sim.groundTruth(alice), { mailbox: alice, syncFrom: null }),
    );
    const fromBob = ids(expectedMessages(sim.groundTruth(bob), { mailbox: bob, syncFrom: null }));
    const expected = new Set([...fromAlice, ...fromBob]);
    const sharedCount = new Set(fromAlice).size + new Set(fromBob).size - expected.size;
    expect(sharedCount).toBeGreaterThan(0);
    expect(stored.length).toBe(expected.size);
    expect(new Set(ids(stored))).toEqual(expected);
  });
});
