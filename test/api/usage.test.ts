import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { storeIntegration } from "../support/stored-integration.js";
import { snapshot } from "../support/snapshot.js";
import { QUOTA_MESSAGE } from "../../server/sync/sync-errors.js";

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
