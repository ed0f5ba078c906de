import { afterAll, describe, expect, it } from "vitest";
import { bucketMessages, createIntegration, waitForMailbox } from "../support/sync-env.js";
import { freePort, pushState, startPushEnv, until, type PushEnv } from "./push-env.js";

/** A refused subscription (403, or a notification URL that fails the handshake) means polling. */
const envs: PushEnv[] = [];
afterAll(async () => {
  for (const env of envs) await env.stop();
});

async function mailboxOf(env: PushEnv, email: string) {
  await env.server.ok(`mutation { createProject(input: { name: "fallback" }) { id } }`);
  const created = await createIntegration(env, {
    project: "fallback",
    name: "fallback",
    mailboxes: [{ email, allTime: true }],
  });
  const mailbox = created.mailboxes[0]!;
  await waitForMailbox(env.server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
  return mailbox;
}

describe("fallback to polling", () => {
  it("when Graph refuses the subscription (403): POLLING with the reason, and mail still syncs by polling", async () => {
    const env = await startPushEnv({ env: { MAILSTREAM_SYNC_INTERVAL: "1" } });
    envs.push(env);
    env.sim.subscriptions.settings.refuse = {
      status: 403,
      code: "ExtensionError",
      message: "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]",
    };
    const email = env.tenant.mailboxes.alice;
    const mailbox = await mailboxOf(env, email);
    const view = await until(
      () => pushState(env.server, mailbox.id),
      (v) => v.sync.push === "POLLING",
      15_000,
      "POLLING",
    );
    expect(view.sync.pushReason).toMatch(/refused/);
    expect(view.sync.pushReason).toMatch(/403/);
    expect(view.sync.pushReason).toMatch(/polled every 1 s/);
    expect(env.sim.subscriptions.list()).toEqual([]);
    const fresh = env.sim.deliver(email, { subject: "Polled" });
    await until(
      () => bucketMessages(env.server, mailbox.bucket.id),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      10_000,
      "polled mail",
    );
  });

  it("when a subscription is lost and cannot be made again: POLLING, and the next poll follows the sync interval, not the 15-minute safety net", async () => {
    const env = await startPushEnv({ env: { MAILSTREAM_SYNC_INTERVAL: "2" } });
    envs.push(env);
    const email = env.tenant.mailboxes.bob;
    const mailbox = await mailboxOf(env, email);
    await until(
      () => pushState(env.server, mailbox.id),
      (v) => v.sync.push === "ACTIVE",
      15_000,
      "ACTIVE",
    );
    // The catch-up round after subscribing schedules the next poll at the safety interval.
    await new Promise((r) => setTimeout(r, 3_000));
    env.sim.subscriptions.settings.refuse = {
      status: 403,
      code: "ExtensionError",
      message: "Operation: Create; Exception: [Status Code: Forbidden; Reason: Forbidden]",
    };
    const [sub] = env.sim.subscriptions.ofMailbox(email);
    expect(await env.sim.subscriptions.lifecycle(sub!.id, "subscriptionRemoved")).toBe(202);
    await until(
      () => pushState(env.server, mailbox.id),
      (v) => v.sync.push === "POLLING",
      15_000,
      "POLLING",
    );
    // No subscription, so no notification: only a poll brings this message.
    const fresh = env.sim.deliver(email, { subject: "After push was lost" });
    await until(
      () => bucketMessages(env.server, mailbox.bucket.id),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      10_000,
      "polled mail after push was lost",
    );
  });

  it("when the public URL does not answer the handshake: no subscription, POLLING with Graph's validation error", async () => {
    // Nothing listens at this public URL, so Graph's validation request fails.
    const env = await startPushEnv({
      publicUrl: `http://127.0.0.1:${await freePort()}/mailstream`,
    });
    envs.push(env);
    const email = env.tenant.mailboxes.bob;
    const mailbox = await mailboxOf(env, email);
    const view = await until(
      () => pushState(env.server, mailbox.id),
      (v) => v.sync.push === "POLLING",
      20_000,
      "POLLING",
    );
    expect(view.sync.pushReason).toMatch(/ValidationError/);
    expect(env.sim.subscriptions.list()).toEqual([]);
    expect(
      env.sim.subscriptions.sent.some((s) => s.kind === "validation" && s.status !== 200),
    ).toBe(true);
  });

  it("when Graph allows shorter subscriptions than asked for, asks again within the limit it names", async () => {
    const env = await startPushEnv();
    envs.push(env);
    env.sim.subscriptions.settings.maxExpirationMinutes = 4230;
    const email = env.tenant.mailboxes.carol;
    const mailbox = await mailboxOf(env, email);
    await until(
      () => pushState(env.server, mailbox.id),
      (v) => v.sync.push === "ACTIVE",
      20_000,
      "ACTIVE",
    );
    const [sub] = env.sim.subscriptions.ofMailbox(email);
    expect((sub!.expirationDateTime - Date.now()) / 60_000).toBeLessThanOrEqual(4230);
    expect(
      env.sim.subscriptions.operations.filter((o) => o.op === "POST" && o.status === 400),
    ).toHaveLength(1);
  });
});
