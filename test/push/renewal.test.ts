import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketMessages } from "../support/sync-env.js";
import { pushState, startPushEnv, subscribedMailbox, until, type PushEnv } from "./push-env.js";

/**
 * Renewal across a restart with 2-minute subscriptions: Graph (the simulator) grants 120 s, and
 * MAILSTREAM_PUSH_RENEW_BEFORE=110 makes the job renew ~12 s after creation — its due time is in
 * the database, so the process that renews is a new one.
 */
let env: PushEnv;
beforeAll(async () => {
  env = await startPushEnv({ env: { MAILSTREAM_PUSH_RENEW_BEFORE: "110" } });
  env.sim.subscriptions.settings.grantedLifetimeSeconds = 120;
});
afterAll(() => env.stop());

describe("renewal", () => {
  it("renews a 2-minute subscription well before it expires, after a server restart, with the clientState still known", async () => {
    const email = env.tenant.mailboxes.alice;
    const mailbox = await subscribedMailbox(env, "renew", email);
    const [sub] = env.sim.subscriptions.ofMailbox(email);
    const firstExpiry = sub!.expirationDateTime;
    expect(firstExpiry - Date.now()).toBeLessThanOrEqual(120_000);
    expect(sub!.renewals).toBe(0);

    // Down before the renewal is due; the new process finds it due in the database.
    const restartedAt = Date.now();
    env.server = await env.server.restart();
    await until(
      () => sub!.renewals,
      (n) => n >= 1,
      30_000,
      "a renewal",
    );
    const patch = env.sim.subscriptions.operations.find(
      (o) => o.op === "PATCH {id}" && o.subscriptionId === sub!.id,
    )!;
    expect(patch.status).toBe(200);
    expect(patch.at).toBeGreaterThan(restartedAt);
    // Well ahead: renewed with more than a minute left.
    expect(firstExpiry - patch.at).toBeGreaterThan(60_000);
    expect(sub!.expirationDateTime).toBeGreaterThan(firstExpiry);
    const view = await pushState(env.server, mailbox.id);
    expect(view.sync.push).toBe("ACTIVE");
    expect(new Date(view.sync.pushExpiresAt!).getTime()).toBe(sub!.expirationDateTime);
    // Same subscription, no new one; the restarted process opens its sealed clientState.
    expect(env.sim.subscriptions.ofMailbox(email).map((s) => s.id)).toEqual([sub!.id]);
    const fresh = env.sim.deliver(email, { subject: "After restart" });
    await until(
      () => bucketMessages(env.server, mailbox.bucketId),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      5_000,
      "notified mail after restart",
    );
  });

  it("a notified round stopped by a restart is run again by the restarted process, not left to the safety poll", async () => {
    const email = env.tenant.mailboxes.bob;
    const mailbox = await subscribedMailbox(env, "restart-mid-round", email);
    await new Promise((r) => setTimeout(r, 2_000)); // the catch-up round after subscribing
    // The notified round's requests for this mailbox hang until the server is gone.
    const hang = env.sim.faults.add({
      target: "graph",
      mailbox: email,
      pathIncludes: "/messages",
      times: Number.POSITIVE_INFINITY,
      action: { type: "delay", ms: 10_000 },
    });
    const fresh = env.sim.deliver(email, { subject: "Notified before a restart" });
    await until(
      () => env.sim.faults.fired(hang),
      (n) => n > 0,
      10_000,
      "the notified round",
    );
    env.server = await env.server.restart();
    env.sim.faults.remove(hang);
    // Polling is 15 minutes away: only the round asked for again brings it.
    await until(
      () => bucketMessages(env.server, mailbox.bucketId),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      10_000,
      "the notified mail after the restart",
    );
  });
});
