import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import {
  bucketMessages,
  createIntegrationWith,
  simulatedTenant,
  waitForMailbox,
  startSimulatorAndServer,
} from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";

/**
 * The same Message-ID reached by several folder workers and several mailboxes at once, all
 * storing into one bucket: every round stores it once, and none fails on the unique index.
 */
let sim: Simulator;
let server: TestServer;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sim, server, stop } = await startSimulatorAndServer());
});
afterAll(() => stop());

describe("concurrent rounds over mailboxes that share Message-IDs", () => {
  it("store each message once, with no error state and no database error", async () => {
    const { tenant, connection } = simulatedTenant(sim, "shared", 11);
    const mailboxes = ["one@shared.com", "two@shared.com", "three@shared.com"];
    const folders = [["Inbox"], ["Archive"], ["Projects"], ["Receipts"]];
    for (const email of mailboxes) {
      tenant.addMailbox({
        email,
        messages: 0,
        folders: folders.map((path, i) => ({ path, wellKnownName: i === 0 ? "inbox" : undefined })),
      });
    }
    const COUNT = 600;
    const received = Date.parse("2025-02-01T00:00:00Z");
    for (let i = 0; i < COUNT; i++) {
      // Every message is in every mailbox and every folder: 12 copies of one Message-ID.
      for (const email of mailboxes)
        for (const folder of folders)
          sim.deliver(email, {
            folder,
            internetMessageId: `<shared-${i}@shared.com>`,
            subject: `shared ${i}`,
            receivedAt: new Date(received + i * 1000),
          });
    }
    await server.ok(`mutation { createProject(input: { name: "race" }) { id } }`);
    const bucket = await server.ok<{ createBucket: { id: string } }>(
      `mutation { createBucket(input: { project: "race", name: "shared" }) { id } }`,
    );
    const created = await createIntegrationWith(server, {
      project: "race",
      name: "shared",
      connection,
      mailboxes: mailboxes.map((email) => ({
        email,
        allTime: true,
        bucket: { existingBucketId: bucket.createBucket.id },
      })),
    });
    const states = new Set<string>();
    const errors = new Set<string>();
    for (const mailbox of created.mailboxes) {
      await waitForMailbox(
        server,
        mailbox.id,
        (v) => {
          states.add(v.sync.status);
          if (v.sync.lastError) errors.add(v.sync.lastError);
          return v.sync.status === "UP_TO_DATE";
        },
        120_000,
      );
    }
    expect(errors).toEqual(new Set());
    expect(states.has("FAILED")).toBe(false);
    expect(server.logs.filter((line) => /duplicate key|UNIQUE constraint/i.test(line))).toEqual([]);
    const stored = await bucketMessages(server, bucket.createBucket.id);
    const ids = stored.map((m) => m.internetMessageId);
    expect(ids.length).toBe(COUNT);
    expect(new Set(ids).size).toBe(COUNT);
    const usage = await server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "race") { usage { unitsCharged } } }`,
    );
    expect(usage.project.usage.unitsCharged).toBe(COUNT);
  }, 180_000);
});
