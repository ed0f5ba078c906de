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
  // Slow pages, so a round is still running when the toggle flips.
  env = await startSyncEnv({ messagesPerMailbox: 1500, latencyMs: 40 });
  await env.server.ok(
    `mutation { createProject(input: { name: "life", unitBudget: 100000 }) { id } }`,
  );
});
afterAll(() => env.stop());

const SET_ENABLED = `mutation($id: ID!, $on: Boolean!) { setIntegrationEnabled(id: $id, enabled: $on) { enabled disabledReason } }`;
const expectedCount = (email: string) =>
  new Set(
    expectedMessages(env.sim.groundTruth(email), { mailbox: email, syncFrom: null }).map(
      (m) => m.internetMessageId,
    ),
  ).size;

async function create(name: string, email: string) {
  const created = await createIntegration(env, {
    project: "life",
    name,
    mailboxes: [{ email, allTime: true }],
  });
  return created;
}

describe("enable, disable, delete and quota", () => {
  it("disabling stops a round at a page boundary, keeps what was committed, and re-enabling resumes", async () => {
    const { server, tenant } = env;
    const email = tenant.mailboxes.alice;
    const integration = await create("toggle", email);
    const mailbox = integration.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.messagesStored > 0);
    const toggled = await server.ok<{
      setIntegrationEnabled: { enabled: boolean; disabledReason: string };
    }>(SET_ENABLED, { id: integration.id, on: false });
    expect(toggled.setIntegrationEnabled).toEqual({ enabled: false, disabledReason: "USER" });
    const partial = (await bucketMessages(server, mailbox.bucket.id)).length;
    await new Promise((r) => setTimeout(r, 1500));
    const stillPartial = (await bucketMessages(server, mailbox.bucket.id)).length;
    expect(stillPartial).toBe(partial);
    expect(partial).toBeLessThan(expectedCount(email));

    await server.ok(SET_ENABLED, { id: integration.id, on: true });
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 90_000);
    const stored = await bucketMessages(server, mailbox.bucket.id);
    expect(stored.length).toBe(expectedCount(email));
    expect(new Set(stored.map((m) => m.internetMessageId)).size).toBe(stored.length);
  }, 120_000);

  it("deleting an integration stops it and keeps its buckets and messages", async () => {
    const { server, tenant } = env;
    const integration = await create("doomed", tenant.mailboxes.bob);
    const mailbox = integration.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 90_000);
    const before = (await bucketMessages(server, mailbox.bucket.id)).length;
    expect(
      await server.ok(`mutation($id: ID!) { deleteIntegration(id: $id) }`, { id: integration.id }),
    ).toEqual({ deleteIntegration: true });
    expect(
      (
        await server.ok<{ integration: null }>(`query($id: ID!) { integration(id: $id) { id } }`, {
          id: integration.id,
        })
      ).integration,
    ).toBeNull();
    expect((await bucketMessages(server, mailbox.bucket.id)).length).toBe(before);
    const rows = (await server.app.deps.db.dataSource.query(
      `SELECT COUNT(*) AS n FROM integration WHERE id = '${integration.id}'`,
    )) as { n: number | string }[];
    expect(Number(rows[0]!.n)).toBe(0);
  }, 120_000);

  it("a first sync reports its volume and an ETA while it runs, and neither once done", async () => {
    const { server, tenant } = env;
    await server.ok(`mutation { createProject(input: { name: "eta" }) { id } }`);
    const created = await createIntegration(env, {
      project: "eta",
      name: "first-sync",
      mailboxes: [{ email: tenant.mailboxes.alice, allTime: true }],
    });
    const mailbox = created.mailboxes[0]!;
    const PROGRESS = `query($id: ID!) { mailbox(id: $id) { sync { status messagesSeen messagesExpected etaSeconds } } }`;
    type Progress = {
      status: string;
      messagesSeen: number;
      messagesExpected: number | null;
      etaSeconds: number | null;
    };
    const withEta: Progress[] = [];
    const deadline = Date.now() + 90_000;
    for (;;) {
      const { sync } = (
        await server.ok<{ mailbox: { sync: Progress } }>(PROGRESS, { id: mailbox.id })
      ).mailbox;
      if (sync.status === "UP_TO_DATE") {
        expect(sync.etaSeconds).toBeNull();
        break;
      }
      if (sync.etaSeconds !== null) withEta.push(sync);
      if (Date.now() > deadline) throw new Error(`first sync not done: ${JSON.stringify(sync)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Seen mid-sync (the dashboard's progress would read it): what is left at the current rate.
    expect(withEta.length).toBeGreaterThan(0);
    for (const p of withEta) {
      expect(p.status).toBe("SYNCING");
      expect(p.messagesExpected).toBeGreaterThan(0);
      expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
    }
  }, 120_000);

  it("a used-up unit budget pauses with QUOTA and raising it resumes, each message charged once", async () => {
    const { server, tenant } = env;
    await server.ok(
      `mutation { createProject(input: { name: "budget", unitBudget: 100 }) { id } }`,
    );
    const created = await createIntegration(env, {
      project: "budget",
      name: "capped",
      mailboxes: [{ email: tenant.mailboxes.carol, allTime: true }],
    });
    const integration = created;
    const mailbox = integration.mailboxes[0]!;
    const stopped = await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "DISABLED");
    const paused = await server.ok<{
      integration: { enabled: boolean; disabledReason: string; lastError: string | null };
      project: { usage: { unitsCharged: number; messagesCreated: number } };
    }>(
      `query($id: ID!) { integration(id: $id) { enabled disabledReason lastError } project(name: "budget") { usage { unitsCharged messagesCreated } } }`,
      { id: integration.id },
    );
    expect(paused.integration).toMatchObject({ enabled: false, disabledReason: "QUOTA" });
    // What the paused integration and its mailbox say is in a dashboard user's words: where to
    // raise the budget, no API field to change (issue 15, bug 6).
    for (const said of [paused.integration.lastError, stopped.sync.lastError]) {
      expect(said).toMatch(/unit budget is used up.*Usage page/);
      expect(said).not.toMatch(/unitBudget|unitsCharged|updateProject|setIntegrationEnabled/);
    }
    expect(paused.project.usage).toEqual({ unitsCharged: 100, messagesCreated: 100 });
    expect((await bucketMessages(server, mailbox.bucket.id)).length).toBe(100);

    await server.ok(
      `mutation { updateProject(name: "budget", input: { unitBudget: 1000000 }) { id } }`,
    );
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 90_000);
    const total = expectedCount(tenant.mailboxes.carol);
    const usage = await server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "budget") { usage { unitsCharged } } }`,
    );
    expect(usage.project.usage.unitsCharged).toBe(total);
    expect((await bucketMessages(server, mailbox.bucket.id)).length).toBe(total);
  }, 120_000);
});
