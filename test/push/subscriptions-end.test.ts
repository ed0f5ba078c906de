import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { envelopeKeyId } from "../../server/auth/secret-box.js";
import { GraphSubscriptionRow } from "../../server/storage/entities/index.js";
import { childEnv, runScript } from "../support/node-process.js";
import { UPDATE_CONNECTION } from "../support/integration-api.js";
import { bucketMessages, waitForFreshRound } from "../support/sync-env.js";
import {
  pushState,
  roundsSeen,
  startPushEnv,
  stats,
  subscribedMailbox,
  until,
  type PushEnv,
} from "./push-env.js";

/**
 * DOMAIN.md "Change notifications": subscriptions of mailboxes that stop syncing are deleted — a
 * removed mailbox, an integration switched to EWS (docs/migration.md) — and their notifications
 * are no longer accepted; `npm run rotate-key` re-seals the stored clientStates, so notifications
 * keep being accepted after a rotation.
 */
let env: PushEnv;
beforeAll(async () => {
  env = await startPushEnv();
});
afterAll(() => env.stop());

const notificationUrl = () => `${env.publicUrl}/notifications/graph`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A late (or replayed) notification of a deleted subscription: 202, ignored and counted. */
async function expectReplayRejected(subscriptionId: string): Promise<void> {
  const before = await stats(env.server);
  expect(await replayLastNotification(subscriptionId)).toBe(202);
  const after = await until(
    () => stats(env.server),
    (s) => s.rejected > before.rejected,
    5_000,
    "rejected",
  );
  expect(after.accepted).toBe(before.accepted);
}

/** Posts what Graph posted last for this subscription (a valid id and clientState), again. */
async function replayLastNotification(subscriptionId: string): Promise<number> {
  const real = env.sim.subscriptions.sent.findLast(
    (s) => s.kind === "change" && s.subscriptionId === subscriptionId,
  );
  if (!real) throw new Error(`no notification was sent for ${subscriptionId}`);
  const response = await fetch(notificationUrl(), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(real.body),
  });
  return response.status;
}

/** A delivery whose notification went out (and so can be replayed later). */
async function deliverAndWait(email: string, bucketId: string, subject: string): Promise<void> {
  const fresh = env.sim.deliver(email, { subject });
  await until(
    () => bucketMessages(env.server, bucketId),
    (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
    5_000,
    `${subject} in the bucket`,
  );
}

const deletedAtGraph = (subscriptionId: string) =>
  env.sim.subscriptions.operations.some(
    (o) => o.op === "DELETE {id}" && o.subscriptionId === subscriptionId && o.status === 204,
  );

describe("subscriptions end when the mailbox stops syncing", () => {
  it("removeMailbox (without disabling first) deletes the subscription at Graph; its notifications are then ignored and counted, and run no round", async () => {
    const email = env.tenant.mailboxes.alice;
    const alice = await subscribedMailbox(env, "removed", email);
    const [sub] = env.sim.subscriptions.ofMailbox(email);
    await deliverAndWait(email, alice.bucketId, "Before removal");

    await env.server.ok(`mutation($id: ID!) { removeMailbox(id: $id) }`, { id: alice.id });
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
    expect(deletedAtGraph(sub!.id)).toBe(true);
    const rows = await env.server.app.deps.db.read((m) =>
      m.findBy(GraphSubscriptionRow, { mailboxId: alice.id }),
    );
    expect(rows).toEqual([]);

    const rounds = roundsSeen(env.sim, email);
    await expectReplayRejected(sub!.id);
    // Nor is the mailbox subscribed again once the job looks (every 2 s).
    await sleep(4_000);
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
    expect(roundsSeen(env.sim, email)).toBe(rounds);
  });

  it("switching the integration to EWS deletes its mailboxes' subscriptions at Graph and stops accepting their notifications; the mailbox says POLLING", async () => {
    const email = env.tenant.mailboxes.bob;
    const bob = await subscribedMailbox(env, "migrated", email);
    const [sub] = env.sim.subscriptions.ofMailbox(email);
    await deliverAndWait(email, bob.bucketId, "Before the switch");

    const switchedAt = Date.now();
    await env.server.ok(UPDATE_CONNECTION, {
      id: bob.integrationId,
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        ewsUrl: env.sim.ewsUrl,
        serviceUsername: env.tenant.ews.serviceUser.username,
        servicePassword: env.tenant.ews.serviceUser.password,
      },
    });
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
    expect(deletedAtGraph(sub!.id)).toBe(true);

    await expectReplayRejected(sub!.id);

    // It is enumerated over EWS at once (its next poll was 15 minutes away), and no new Graph
    // subscription is made for it.
    await waitForFreshRound(env.server, bob.id, 10_000, switchedAt);
    await sleep(4_000);
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
    const view = await pushState(env.server, bob.id);
    expect(view.sync.push).toBe("POLLING");
    expect(view.sync.pushReason).toMatch(/EWS/);
  });
});

describe("key rotation", () => {
  it("npm run rotate-key re-seals the clientStates: after the rotation and a restart, notifications are still accepted and bring mail within 5 s", async () => {
    const email = env.tenant.mailboxes.carol;
    const carol = await subscribedMailbox(env, "rotated", email);
    const [sub] = env.sim.subscriptions.ofMailbox(email);
    const envelope = async () =>
      (
        await env.server.app.deps.db.read((m) =>
          m.findOneByOrFail(GraphSubscriptionRow, { mailboxId: carol.id }),
        )
      ).clientStateEnvelope!;
    const keyBefore = envelopeKeyId(await envelope());

    let rotation = { code: null as number | null, stdout: "", stderr: "" };
    env.server = await env.server.restart({}, async () => {
      rotation = await runScript(
        "server/cli/rotate-key.ts",
        [],
        childEnv({
          MAILSTREAM_DATA_DIR: env.server.dataDir,
          DATABASE_URL: env.server.databaseUrl ?? undefined,
        }),
      );
    });
    expect(rotation.stderr).toBe("");
    expect(rotation.code).toBe(0);
    expect(rotation.stdout).toMatch(/Key file now holds the primary key only/);
    // The clientState moved to the new key (the old one is gone from the key file).
    const keyAfter = envelopeKeyId(await envelope());
    expect(keyAfter).not.toBe(keyBefore);
    expect(rotation.stdout).toContain(`Primary key: ${keyAfter}`);
    // Never printed.
    expect(rotation.stdout + rotation.stderr).not.toContain(sub!.clientState!);

    // Same subscription at Graph; the restarted server opens its clientState under the new key.
    expect(env.sim.subscriptions.ofMailbox(email).map((s) => s.id)).toEqual([sub!.id]);
    const before = await stats(env.server);
    const fresh = env.sim.deliver(email, { subject: "After the rotation" });
    await until(
      () => bucketMessages(env.server, carol.bucketId),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      5_000,
      "notified mail after the rotation",
    );
    const after = await stats(env.server);
    expect(after.accepted).toBeGreaterThan(before.accepted);
    expect(after.rejected).toBe(before.rejected);
    expect((await pushState(env.server, carol.id)).sync.push).toBe("ACTIVE");
  });
});
