import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import { type CrashTenant, startCrashTenant, syncThroughKills } from "../support/kill-mid-sync.js";

/**
 * kill -9 mid-sync over EWS: the SyncState checkpoints are saved with the pages they cover, so a
 * server killed at any moment and started again stores every message exactly once, charged once.
 */
const TOKEN = "ms_ews_crash_test_admin_token_0123456";
let env: CrashTenant;

beforeAll(async () => {
  env = await startCrashTenant("mailstream-ews-crash-");
});
afterAll(async () => {
  await env.stop();
});

describe("crash safety over EWS", () => {
  it("kill -9 at random moments mid-sync loses and duplicates nothing, and charges each message once", async () => {
    const email = env.tenant.mailboxes.alice;
    const outcome = await syncThroughKills({
      dataDir: env.dataDir,
      token: TOKEN,
      email,
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        ewsUrl: env.sim.ewsUrl,
        serviceUsername: env.tenant.ews.serviceUser.username,
        servicePassword: env.tenant.ews.serviceUser.password,
      },
    });
    expect(outcome.kills).toBeGreaterThanOrEqual(2);
    expect(outcome.finalExit.code).toBe(0);

    const expected = new Set(
      expectedMessages(env.sim.groundTruth(email), { mailbox: email, syncFrom: null }).map(
        (m) => m.internetMessageId,
      ),
    );
    const ids = outcome.internetMessageIds;
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(expected);
    expect(outcome.messageCount).toBe(expected.size);
    expect(outcome.usage).toEqual({
      unitsCharged: expected.size,
      messagesCreated: expected.size,
    });
  }, 180_000);
});
