import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { storeIntegration } from "../support/stored-integration.js";
import { snapshot } from "../support/snapshot.js";
import { QUOTA_MESSAGE } from "../../server/sync/sync-errors.js";
import { storeMessages } from "../../server/storage/message-store.js";
import { incomingMessage, storeAndPublish } from "../live/fixtures.js";

const SET_ENABLED = `mutation($id: ID!, $enabled: Boolean!) {
  setIntegrationEnabled(id: $id, enabled: $enabled) { enabled disabledReason }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

/** API field and argument names a dashboard user should never be told to change. */
const API_NAMES = /unitBudget|unitsCharged|disabledReason|updateProject|setIntegrationEnabled/;

describe("a used-up unit budget", () => {
  it("refuses to switch an integration on at once, saying what to do and where, without API field names", async () => {
    await server.ok(`mutation { createProject(input: { name: "spent", unitBudget: 0 }) { id } }`);
    const row = await storeIntegration(server.app.deps.db, server.app.deps.secrets, {
      secrets: { clientSecret: "budget-test-secret" },
      projectName: "spent",
      name: "paused",
      enabled: false,
    });
    const before = await snapshot(server);
    const refused = await server.gql(SET_ENABLED, { id: row.id, enabled: true });
    const error = refused.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: "CONFLICT", reason: "QUOTA" });
    expect(error?.message).toMatch(/unit budget/);
    expect(error?.message).toMatch(/Usage page/);
    expect(error?.message).not.toMatch(API_NAMES);
    expect(await snapshot(server)).toBe(before);

    // With room again it switches on.
    await server.ok(`mutation { updateProject(name: "spent", input: { unitBudget: 10 }) { id } }`);
    const enabled = await server.ok<{ setIntegrationEnabled: { enabled: boolean } }>(SET_ENABLED, {
      id: row.id,
      enabled: true,
    });
    expect(enabled.setIntegrationEnabled.enabled).toBe(true);
  });

  it("pauses syncing with a message in the same words", () => {
    expect(QUOTA_MESSAGE).toMatch(/Usage page/);
    expect(QUOTA_MESSAGE).not.toMatch(API_NAMES);
  });
});

const USAGE_BY_DAY = `query($project: String!, $from: DateTime, $to: DateTime) {
  project(name: $project) {
    usage { unitsCharged }
    usageByDay(from: $from, to: $to) { day integrationId integrationName mailbox units messages }
  }
}`;

describe("usage over time", () => {
  it("keeps a ledger of units per day, integration and mailbox, written with the charge", async () => {
    const { createProject: made } = await server.ok<{ createProject: { id: string } }>(
      `mutation { createProject(input: { name: "ledger", unitBudget: 5 }) { id } }`,
    );
    const bucket = await server.ok<{ createBucket: { id: string } }>(
      `mutation { createBucket(input: { project: "ledger", name: "inbox" }) { id } }`,
    );
    const integration = await storeIntegration(server.app.deps.db, server.app.deps.secrets, {
      secrets: { clientSecret: "ledger-secret" },
      projectName: "ledger",
      name: "exchange",
    });
    const store = (day: string, count: number, mailbox: string) =>
      server.app.deps.db.transaction((m) =>
        storeMessages(
          m,
          made.id,
          bucket.createBucket.id,
          Array.from({ length: count }, () => incomingMessage()),
          new Date(`${day}T12:00:00Z`),
          { integrationId: integration.id, mailbox },
        ),
      );
    await store("2026-03-01", 2, "orders@contoso.com");
    await store("2026-03-01", 1, "orders@contoso.com");
    await store("2026-03-01", 1, "sales@contoso.com");
    // Over the budget of 5: only one more is stored and charged, so only one is in the ledger.
    const over = await store("2026-03-03", 3, "orders@contoso.com");
    expect(over.created).toHaveLength(1);
    await storeAndPublish(server, { id: made.id, name: "ledger" }, bucket.createBucket.id, []);

    const data = await server.ok<{
      project: { usage: { unitsCharged: number }; usageByDay: Record<string, unknown>[] };
    }>(USAGE_BY_DAY, {
      project: "ledger",
      from: "2026-02-01T00:00:00Z",
      to: "2026-03-31T00:00:00Z",
    });
    const row = (day: string, mailbox: string, units: number) => ({
      day,
      integrationId: integration.id,
      integrationName: "exchange",
      mailbox,
      units,
      messages: units,
    });
    expect(data.project.usageByDay).toEqual([
      row("2026-03-01", "orders@contoso.com", 3),
      row("2026-03-01", "sales@contoso.com", 1),
      row("2026-03-03", "orders@contoso.com", 1),
    ]);
    const total = data.project.usageByDay.reduce((sum, r) => sum + (r.units as number), 0);
    expect(total).toBe(data.project.usage.unitsCharged);

    const oneDay = await server.ok<{ project: { usageByDay: { day: string }[] } }>(USAGE_BY_DAY, {
      project: "ledger",
      from: "2026-03-02T00:00:00Z",
      to: "2026-03-03T23:59:59Z",
    });
    expect(oneDay.project.usageByDay.map((r) => r.day)).toEqual(["2026-03-03"]);
  });

  it("refuses a reversed or too long range, naming the argument", async () => {
    for (const [from, to, field] of [
      ["2026-03-05T00:00:00Z", "2026-03-01T00:00:00Z", "from"],
      ["2024-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "from"],
    ] as const) {
      const result = await server.gql(USAGE_BY_DAY, { project: "ledger", from, to });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
  });
});
