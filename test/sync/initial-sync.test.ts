import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  CREATE_INTEGRATION,
  type CreatedIntegration,
  secretConnection,
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
    const created = await server.ok<{ createIntegration: CreatedIntegration }>(CREATE_INTEGRATION, {
      input: {
        project: "ops",
        name: "exchange",
        connection: secretConnection(tenant),
        mailboxes: [{ email: alice, syncFrom: syncFrom.toISOString(), filters }],
      },
    });
    const integration = created.createIntegration;
    expect(integration.credentials.status).toBe("VALID");
    expect(integration.credentials.mailboxes).toEqual([{ email: alice, access: "ACCESSIBLE", error: null }]);
    const mailbox = integration.mailboxes[0]!;

    const state = await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const stored = await bucketMessages(server, mailbox.bucket.id);
    const expected = expectedMessages(sim.groundTruth(alice), { mailbox: alice, syncFrom, ...filters });
    expect(expected.length).toBeGreaterThan(50);
    const ids = stored.map((m) => m.internetMessageId);
    expect(new Set(ids).size).toBe(ids.length);
    const expectedIds = new Set(expected.map((m) => m.internetMessageId));
    expect(new Set(ids)).toEqual(expectedIds);
    expect(state.sync.messagesStored).toBe(expectedIds.size);

    const usage = await server.ok<{ project: { usage: { messagesCreated: number; unitsCharged: number } } }>(
      `{ project(name: "ops") { usage { messagesCreated unitsCharged } } }`,
    );
    expect(usage.project.usage).toEqual({ messagesCreated: expectedIds.size, unitsCharged: expectedIds.size });
  });
});
