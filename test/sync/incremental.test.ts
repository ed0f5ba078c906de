import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegration,
  startSyncEnv,
  type SyncEnv,
  waitForFreshRound,
  waitForMailbox,
} from "../support/sync-env.js";

let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 400 });
  await env.server.ok(`mutation { createProject(input: { name: "live" }) { id } }`);
});
afterAll(() => env.stop());

const UPDATE = `mutation($id: ID!, $input: UpdateMailboxInput!) { updateMailbox(id: $id, input: $input) { id } }`;
const ids = (list: { internetMessageId: string }[]) =>
  new Set(list.map((m) => m.internetMessageId));

async function create(name: string, mailbox: Record<string, unknown>) {
  const created = await createIntegration(env, {
    project: "live",
    name,
    mailboxes: [mailbox],
  });
  return created.mailboxes[0]!;
}

describe("incremental rounds", () => {
  it("picks up new, moved and deleted mail: new stored, moved re-foldered, deleted kept", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.alice;
    const mailbox = await create("incremental", { email, allTime: true });
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const before = await bucketMessages(server, mailbox.bucket.id);

    const fresh = sim.deliver(email, { subject: "Brand new order", folder: ["Inbox", "Orders"] });
    const victim = [...sim.groundTruth(email)].find((m) => m.folderPath.at(-1) === "Inbox")!;
    const moved = sim.moveMessage(email, victim.id, ["Archive"]);
    const gone = [...sim.groundTruth(email)].find((m) => m.folderPath.at(-1) === "Newsletters")!;
    sim.deleteMessage(email, gone.id);

    await waitForFreshRound(server, mailbox.id);
    const after = await bucketMessages(server, mailbox.bucket.id);
    expect(after.length).toBe(before.length + 1);
    expect(after.find((m) => m.internetMessageId === fresh.internetMessageId)?.folder).toBe(
      "Root/Top of Information Store/Inbox/Orders",
    );
    expect(after.find((m) => m.internetMessageId === moved.internetMessageId)?.folder).toBe(
      "Root/Top of Information Store/Archive",
    );
    expect(after.some((m) => m.internetMessageId === gone.internetMessageId)).toBe(true);
  });

  it("moving syncFrom earlier backfills only the older range; later deletes nothing", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.bob;
    const late = new Date("2024-06-01T00:00:00Z");
    const early = new Date("2023-09-01T00:00:00Z");
    const mailbox = await create("backfill", { email, syncFrom: late.toISOString() });
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const first = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(first)).toEqual(
      ids(expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom: late })),
    );

    await server.ok(UPDATE, { id: mailbox.id, input: { syncFrom: early.toISOString() } });
    await waitForFreshRound(server, mailbox.id);
    const widened = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(widened)).toEqual(
      ids(expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom: early })),
    );
    expect(widened.length).toBeGreaterThan(first.length);

    await server.ok(UPDATE, { id: mailbox.id, input: { syncFrom: late.toISOString() } });
    await waitForFreshRound(server, mailbox.id);
    expect((await bucketMessages(server, mailbox.bucket.id)).length).toBe(widened.length);
  });

  it("a widened participant filter backfills what the old one left out; narrowing deletes nothing", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.carol;
    const mailbox = await create("widen", {
      email,
      allTime: true,
      filters: { deniedDomains: ["fabrikam.com", "gmail.com"] },
    });
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const narrow = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(narrow)).toEqual(
      ids(
        expectedMessages(sim.groundTruth(email), {
          mailbox: email,
          syncFrom: null,
          deniedDomains: ["fabrikam.com", "gmail.com"],
        }),
      ),
    );

    await server.ok(UPDATE, {
      id: mailbox.id,
      input: { filters: { deniedDomains: ["gmail.com"] } },
    });
    await waitForFreshRound(server, mailbox.id);
    const wide = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(wide)).toEqual(
      ids(
        expectedMessages(sim.groundTruth(email), {
          mailbox: email,
          syncFrom: null,
          deniedDomains: ["gmail.com"],
        }),
      ),
    );
    expect(wide.length).toBeGreaterThan(narrow.length);

    await server.ok(UPDATE, {
      id: mailbox.id,
      input: { filters: { deniedDomains: ["gmail.com", "reinfer.*"] } },
    });
    await waitForFreshRound(server, mailbox.id);
    expect((await bucketMessages(server, mailbox.bucket.id)).length).toBe(wide.length);
  });

  it("a widened folder filter syncs the newly allowed folders", async () => {
    const { sim, tenant, server } = env;
    const target = tenant.mailboxes.alice;
    const inboxOnly = {
      allowedFolders: ["Root/Top of Information Store/Inbox"],
      deniedFolders: ["Root/Top of Information Store/Inbox/Projects"],
    };
    const mailbox = await create("widen-folders", {
      email: target,
      allTime: true,
      filters: inboxOnly,
    });
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    // A list left out of `filters` stays as it was; an empty list clears it.
    await server.ok(UPDATE, { id: mailbox.id, input: { filters: { deniedFolders: [] } } });
    await waitForFreshRound(server, mailbox.id);
    const stored = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(stored)).toEqual(
      ids(
        expectedMessages(sim.groundTruth(target), {
          mailbox: target,
          syncFrom: null,
          allowedFolders: ["Root/Top of Information Store/Inbox"],
        }),
      ),
    );
  });

  it("resync discards checkpoints and enumerates again: nothing duplicated, removed or charged twice", async () => {
    const { server, tenant } = env;
    const email = tenant.mailboxes.bob;
    const mailbox = await create("resync", { email, allTime: true });
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const checkpoints = await server.ok<{
      mailbox: {
        checkpoints: {
          folder: string;
          status: string;
          hasDeltaLink: boolean;
          messagesSeen: number;
        }[];
      };
    }>(
      `query($id: ID!) { mailbox(id: $id) { checkpoints { folder status hasDeltaLink messagesSeen } } }`,
      {
        id: mailbox.id,
      },
    );
    expect(checkpoints.mailbox.checkpoints.length).toBeGreaterThan(5);
    expect(
      checkpoints.mailbox.checkpoints.every((c) => c.status === "IDLE" && c.hasDeltaLink),
    ).toBe(true);
    const before = await bucketMessages(server, mailbox.bucket.id);
    const usage = async () =>
      (
        await server.ok<{ project: { usage: { unitsCharged: number } } }>(
          `{ project(name: "live") { usage { unitsCharged } } }`,
        )
      ).project.usage.unitsCharged;
    const charged = await usage();
    const since = Date.now();
    await server.ok(`mutation($id: ID!) { resyncMailbox(id: $id) { id } }`, { id: mailbox.id });
    await waitForFreshRound(server, mailbox.id, 60_000, since);
    const after = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(after)).toEqual(ids(before));
    expect(after.length).toBe(before.length);
    expect(await usage()).toBe(charged);
  });
});
