import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATE_FILTERED_DELTA_CAP, type Simulator } from "../../simulator/index.js";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegrationWith,
  simulatedTenant,
  waitForMailbox,
  startSimulatorAndServer,
} from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";

let sim: Simulator;
let server: TestServer;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sim, server, stop } = await startSimulatorAndServer());
});
afterAll(() => stop());

describe("the 5,000-message cap of a date-filtered delta", () => {
  it("loses nothing from a folder with 12,000 messages since syncFrom", async () => {
    const { tenant, connection } = simulatedTenant(sim, "bigco", 7);
    const email = "archive@bigco.com";
    const syncFrom = new Date("2024-01-01T00:00:00Z");
    tenant.addMailbox({
      email,
      messages: 12_900,
      receivedFrom: new Date("2023-12-20T00:00:00Z"),
      receivedTo: new Date("2024-06-30T00:00:00Z"),
      folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 1 }],
    });
    const expected = expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom });
    expect(expected.length).toBeGreaterThanOrEqual(12_000);
    expect(expected.length).toBeGreaterThan(DATE_FILTERED_DELTA_CAP * 2);

    await server.ok(`mutation { createProject(input: { name: "big" }) { id } }`);
    const created = await createIntegrationWith(server, {
      project: "big",
      name: "archive",
      connection,
      mailboxes: [{ email, syncFrom: syncFrom.toISOString() }],
    });
    const mailbox = created.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 120_000);
    const stored = await bucketMessages(server, mailbox.bucket.id);
    const ids = stored.map((m) => m.internetMessageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(expected.map((m) => m.internetMessageId)));
  }, 180_000);
});
