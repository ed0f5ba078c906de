import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExpectedRules, expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegration,
  startSyncEnv,
  type SyncEnv,
  waitForMailbox,
} from "../support/sync-env.js";

let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 500 });
  await env.server.ok(`mutation { createProject(input: { name: "filters" }) { id } }`);
});
afterAll(() => env.stop());

const ids = (list: { internetMessageId: string }[]) => list.map((m) => m.internetMessageId);

/** The bucket holds each selected Message-ID exactly once (copies in two folders are one message). */
function expectExactly(
  stored: { internetMessageId: string }[],
  expected: { internetMessageId: string }[],
) {
  expect(new Set(ids(stored)).size).toBe(stored.length);
  expect([...new Set(ids(stored))].sort()).toEqual([...new Set(ids(expected))].sort());
}

async function syncWith(name: string, email: string, rules: Omit<ExpectedRules, "mailbox">) {
  const { server, sim } = env;
  const { syncFrom, ...filters } = rules;
  const created = await createIntegration(env, {
    project: "filters",
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
  const stored = await bucketMessages(server, mailbox.bucket.id);
  const expected = expectedMessages(sim.groundTruth(email), { mailbox: email, ...rules });
  return { stored, expected };
}

describe("filters select exactly what DOMAIN.md says", () => {
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
    const { stored, expected } = await syncWith("folders", env.tenant.mailboxes.alice, rules);
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
    const { stored, expected } = await syncWith("domains", env.tenant.mailboxes.bob, rules);
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
    const { stored, expected } = await syncWith("participants", carol, rules);
    expect(expected.length).toBeLessThan([...env.sim.groundTruth(carol)].length);
    expectExactly(stored, expected);
  });

  it("one message per Message-ID when two mailboxes share a bucket", async () => {
    const { server, tenant, sim } = env;
    const { alice, bob } = tenant.mailboxes;
    const created = await createIntegration(env, {
      project: "filters",
      name: "shared",
      mailboxes: [
        {
          email: alice,
          allTime: true,
          bucket: { newBucket: { project: "filters", name: "shared-bucket" } },
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
