import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegrationWith,
  simulatedTenant,
  waitForMailbox,
  startSimulatorAndServer,
} from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";

/**
 * A bulk import (a migration, a PST upload) gives thousands of messages one received second.
 * Graph orders and filters by receivedDateTime only, so a keyset on it must not step over a tie.
 */
let sim: Simulator;
let server: TestServer;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sim, server, stop } = await startSimulatorAndServer());
  await server.ok(`mutation { createProject(input: { name: "ties" }) { id } }`);
});
afterAll(() => stop());

const SECOND = new Date("2024-03-01T09:30:00Z");

async function connect(name: string, count: number) {
  const { tenant, connection } = simulatedTenant(sim, name, count);
  const email = `import@${name}.com`;
  // Every seeded message lands in the Inbox at the same second.
  tenant.addMailbox({
    email,
    messages: count,
    receivedFrom: SECOND,
    receivedTo: SECOND,
    folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 1 }],
  });
  const created = await createIntegrationWith(server, {
    project: "ties",
    name,
    connection,
    mailboxes: [{ email, allTime: true }],
  });
  return { email, mailbox: created.mailboxes[0]! };
}

async function expectExact(email: string, bucketId: string): Promise<void> {
  const expected = expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom: null });
  const stored = await bucketMessages(server, bucketId);
  const ids = stored.map((m) => m.internetMessageId);
  expect(new Set(ids).size).toBe(ids.length);
  // Copies of one email in several folders are one message (identity by Message-ID).
  expect(ids.length).toBe(new Set(expected.map((m) => m.internetMessageId)).size);
  expect(new Set(ids)).toEqual(new Set(expected.map((m) => m.internetMessageId)));
}

describe("messages sharing one received second", () => {
  it.each([3_000, 20_000])(
    "a fresh mailbox with %i messages in one second syncs exactly",
    async (count) => {
      const { email, mailbox } = await connect(`tie${count}`, count);
      const inbox = [...sim.groundTruth(email)].filter(
        (m) => m.folderPath.at(-1) === "Inbox" && m.receivedDateTime === "2024-03-01T09:30:00Z",
      );
      expect(inbox.length).toBeGreaterThan(count * 0.9);
      await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 150_000);
      await expectExact(email, mailbox.bucket.id);
    },
    200_000,
  );

  it("an incremental round that receives 3,000 messages of one second stores them all", async () => {
    const { email, mailbox } = await connect("tiedelivery", 50);
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 60_000);
    const at = new Date("2025-06-01T08:00:00Z");
    for (let i = 0; i < 3_000; i++) sim.deliver(email, { receivedAt: at, subject: `bulk ${i}` });
    const deadline = Date.now() + 90_000;
    for (;;) {
      const stored = await server.ok<{ bucket: { messageCount: number } }>(
        `query($id: ID!) { bucket(id: $id) { messageCount } }`,
        { id: mailbox.bucket.id },
      );
      if (stored.bucket.messageCount >= 3_050 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 60_000);
    await expectExact(email, mailbox.bucket.id);
  }, 200_000);
});
