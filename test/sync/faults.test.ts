import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, eventually, settle } from "../live/fixtures.js";
import { expectedMessages } from "../support/expected-sync.js";
import { ADMIN_TOKEN } from "../support/test-server.js";
import {
  bucketMessages,
  createIntegration,
  secretConnection,
  startSyncEnv,
  type SyncEnv,
  waitForMailbox,
} from "../support/sync-env.js";

let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 600 });
  await env.server.ok(`mutation { createProject(input: { name: "faults" }) { id } }`);
});
afterAll(() => env.stop());

async function syncAllTime(name: string, email: string) {
  const created = await createIntegration(env, {
    project: "faults",
    name,
    mailboxes: [{ email, allTime: true }],
  });
  return created.mailboxes[0]!;
}

async function expectExactSet(email: string, bucketId: string) {
  const stored = await bucketMessages(env.server, bucketId);
  const expected = new Set(
    expectedMessages(env.sim.groundTruth(email), { mailbox: email, syncFrom: null }).map(
      (m) => m.internetMessageId,
    ),
  );
  const ids = stored.map((m) => m.internetMessageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(expected);
  return expected.size;
}

describe("a sync under Graph faults ends with the same exact set", () => {
  it("survives 429 storms, 503s, 504s, 500s, resets, slow pages, token expiry and a 410 mid-round", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.alice;
    const faults = [
      {
        action: { type: "status", status: 429, code: "ApplicationThrottled", retryAfterSeconds: 0 },
        times: 6,
        skip: 3,
      },
      {
        action: { type: "status", status: 503, retryAfterSeconds: 0 },
        times: 3,
        skip: 4,
        pathIncludes: "/delta",
      },
      { action: { type: "status", status: 504 }, times: 2, skip: 14 },
      { action: { type: "status", status: 500 }, times: 2, skip: 6, pathIncludes: "/messages" },
      { action: { type: "reset" }, times: 3, skip: 25 },
      { action: { type: "delay", ms: 300 }, times: 4, skip: 5 },
      {
        action: { type: "status", status: 410, code: "SyncStateNotFound" },
        times: 1,
        skip: 12,
        pathIncludes: "/delta",
      },
    ] as const;
    for (const fault of faults)
      sim.addFault({ target: "graph", mailbox: email, ...fault, action: { ...fault.action } });
    sim.setTokenLifetime(2);
    const mailbox = await syncAllTime("storm", email);
    const state = await waitForMailbox(
      server,
      mailbox.id,
      (v) => v.sync.status === "UP_TO_DATE",
      90_000,
    );
    expect(state.sync.lastError).toBeNull();
    sim.setTokenLifetime(3600);
    // Every fault really fired (a test that never met a fault would prove nothing).
    expect(
      sim.faults.list().map((f) => [f.rule.action.type, f.rule.pathIncludes, f.fired]),
    ).toEqual(
      faults.map((f) => [f.action.type, "pathIncludes" in f ? f.pathIncludes : undefined, f.times]),
    );
    const count = await expectExactSet(email, mailbox.bucket.id);
    const usage = await server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "faults") { usage { unitsCharged } } }`,
    );
    expect(usage.project.usage.unitsCharged).toBe(count);
    expect(sim.mailboxStats(email).maxInFlight).toBeLessThanOrEqual(4);
  });

  it("re-enumerates a folder whose delta token expired between rounds, without duplicates", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.bob;
    const mailbox = await syncAllTime("expired-delta", email);
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    sim.expireDeltaTokens(email);
    const delivered = sim.deliver(email, { subject: "after the token expired" });
    await server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailbox.id });
    await waitForMailbox(
      server,
      mailbox.id,
      (v) => v.sync.status === "UP_TO_DATE" && v.sync.messagesSeen > 0,
    );
    await expectExactSet(email, mailbox.bucket.id);
    const stored = await bucketMessages(server, mailbox.bucket.id);
    expect(stored.some((m) => m.internetMessageId === delivered.internetMessageId)).toBe(true);
  });
});

/** integrationEvents of the project, over a real graphql-ws connection (subscribed on return). */
async function watchIntegrationEvents() {
  const connection = connect(env.server, ADMIN_TOKEN);
  const received = connection.subscribe<{
    integrationEvents: { kind: string; integrationId: string };
  }>(`subscription { integrationEvents(project: "faults") { kind integrationId } }`);
  await settle(); // the subscription is registered once the socket has said `subscribe`
  return { data: received.data, dispose: () => connection.dispose() };
}

describe("errors sorted by kind", () => {
  it("disables a mailbox that disappears (not found) and keeps the error", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.carol;
    const mailbox = await syncAllTime("vanishing", email);
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const events = await watchIntegrationEvents();
    sim.deleteMailbox(email);
    await server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailbox.id });
    const state = await waitForMailbox(
      server,
      mailbox.id,
      (v) => v.disabledReason === "SYNC_ERROR",
    );
    expect(state.enabled).toBe(false);
    expect(state.sync.lastError).toMatch(/ErrorInvalidUser|not found|does not exist/i);
    // …and the change is announced live.
    await eventually(
      () => events.data.some((e) => e.integrationEvents.kind === "MAILBOX_DISABLED"),
      10_000,
    );
    events.dispose();
  });

  it("disables the integration when its credentials stop working", async () => {
    const { sim, tenant, server } = env;
    const created = await createIntegration(env, {
      project: "faults",
      name: "revoked",
      connection: secretConnection(tenant, tenant.restrictedApp),
      mailboxes: [{ email: tenant.mailboxes.bob, allTime: true }],
    });
    const mailbox = created.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const events = await watchIntegrationEvents();
    sim
      .tenant(tenant.tenantId)
      .apps.get(tenant.restrictedApp.clientId.toLowerCase())!
      .removeCredentials();
    sim.revokeTokens({ clientId: tenant.restrictedApp.clientId });
    await server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailbox.id });
    const deadline = Date.now() + 30_000;
    type IntegrationState = {
      enabled: boolean;
      disabledReason: string | null;
      lastError: string | null;
    };
    let integration: IntegrationState | null = null;
    while (Date.now() < deadline) {
      integration = (
        await server.ok<{ integration: IntegrationState | null }>(
          `query($id: ID!) { integration(id: $id) { enabled disabledReason lastError } }`,
          { id: created.id },
        )
      ).integration;
      if (integration?.disabledReason === "SYNC_ERROR") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(integration).toMatchObject({ enabled: false, disabledReason: "SYNC_ERROR" });
    expect(integration!.lastError).toMatch(/AADSTS/);
    await eventually(
      () =>
        events.data.some(
          (e) =>
            e.integrationEvents.kind === "DISABLED" &&
            e.integrationEvents.integrationId === created.id,
        ),
      10_000,
    );
    events.dispose();
  });
});
