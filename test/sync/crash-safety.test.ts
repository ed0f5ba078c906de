import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import { type CrashTenant, startCrashTenant, syncThroughKills } from "../support/kill-mid-sync.js";
import { secretConnection } from "../support/sync-env.js";

const TOKEN = "ms_crash_test_admin_token_0123456789";
let env: CrashTenant;

beforeAll(async () => {
  env = await startCrashTenant("mailstream-crash-");
});
afterAll(async () => {
  await env.stop();
});

describe("crash safety", () => {
  it("kill -9 at random moments mid-sync loses and duplicates nothing, and charges each message once", async () => {
    const email = env.tenant.mailboxes.alice;
    const outcome = await syncThroughKills({
      dataDir: env.dataDir,
      token: TOKEN,
      email,
      connection: secretConnection(env.tenant),
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
