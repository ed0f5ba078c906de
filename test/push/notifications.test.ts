import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../live/fixtures.js";
import { bucketMessages } from "../support/sync-env.js";
import { ADMIN_TOKEN } from "../support/test-server.js";
import {
  pushState,
  roundsSeen,
  startPushEnv,
  stats,
  subscribedMailbox,
  until,
  type PushEnv,
} from "./push-env.js";

let env: PushEnv;
let alice: { id: string; bucketId: string; integrationId: string };
const sockets: { dispose(): unknown }[] = [];

beforeAll(async () => {
  env = await startPushEnv();
  alice = await subscribedMailbox(env, "push", env.tenant.mailboxes.alice);
});
afterAll(async () => {
  for (const s of sockets) await s.dispose();
  await env.stop();
});

const notificationUrl = () => `${env.publicUrl}/notifications/graph`;
const post = (url: string, body: unknown) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const subscriptionOf = (email: string) => {
  const [sub] = env.sim.subscriptions.ofMailbox(email);
  if (!sub) throw new Error(`no subscription for ${email}`);
  return sub;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const MESSAGE_ADDED = `subscription($project: String!, $bucketId: ID) {
  messageAdded(project: $project, bucketId: $bucketId) { message { internetMessageId subject } }
}`;

describe("the notification endpoint", () => {
  it("answers Graph's validation handshake on both URLs: the decoded token as text/plain, at once", async () => {
    for (const url of [notificationUrl(), `${notificationUrl()}/lifecycle`]) {
      const token = "Validation: Testing client application reachability <b>&</b> 1+1";
      const started = Date.now();
      const response = await fetch(`${url}?validationToken=${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await response.text()).toBe(token);
    }
  });

  it("refuses a body that is not a notification collection (400), and is not under /graphql auth", async () => {
    const response = await fetch(notificationUrl(), { method: "POST", body: "nonsense" });
    expect(response.status).toBe(400);
  });
});

describe("subscriptions", () => {
  it("subscribes a mailbox after its first round: its messages, created/updated/deleted, a lifecycle URL, Graph's mail limit, a random clientState stored sealed", async () => {
    const sub = subscriptionOf(env.tenant.mailboxes.alice);
    expect(sub.resource.toLowerCase()).toBe(
      `/users/${encodeURIComponent(env.tenant.mailboxes.alice)}/messages`.toLowerCase(),
    );
    expect([...sub.changeType].sort()).toEqual(["created", "deleted", "updated"]);
    expect(sub.notificationUrl).toBe(notificationUrl());
    expect(sub.lifecycleNotificationUrl).toBe(`${notificationUrl()}/lifecycle`);
    const minutes = (sub.expirationDateTime - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(7 * 24 * 60 - 60);
    expect(minutes).toBeLessThanOrEqual(10_080);
    expect(sub.clientState?.length ?? 0).toBeGreaterThanOrEqual(32);
    // Both URLs were validated by the handshake before Graph created it.
    expect(
      env.sim.subscriptions.sent.filter((s) => s.kind === "validation" && s.status === 200).length,
    ).toBeGreaterThanOrEqual(2);

    const view = await pushState(env.server, alice.id);
    expect(view.sync.push).toBe("ACTIVE");
    expect(new Date(view.sync.pushExpiresAt!).getTime()).toBe(sub.expirationDateTime);

    // Sealed at rest (SQLite's files, when on SQLite) and never logged.
    const clientState = sub.clientState!;
    if (!env.server.databaseUrl)
      for (const file of filesUnder(env.server.dataDir))
        expect(readFileSync(file).includes(clientState), file).toBe(false);
    expect(env.server.logs.join("").includes(clientState)).toBe(false);
  });

  it("brings new mail into the bucket and onto messageAdded within 5 s with a 15-minute safety poll", async () => {
    const ws = connect(env.server, ADMIN_TOKEN);
    sockets.push(ws);
    const live = ws.subscribe<{
      messageAdded: { message: { internetMessageId: string } };
    }>(MESSAGE_ADDED, { project: "push", bucketId: alice.bucketId });
    await until(
      () => env.server.app.deps.events.subscriberCount("messageAdded"),
      (n) => n > 0,
      5_000,
      "messageAdded subscriber",
    );
    const email = env.tenant.mailboxes.alice;
    for (let i = 0; i < 2; i++) {
      const delivered = Date.now();
      const fresh = env.sim.deliver(email, { subject: `Pushed ${i}` });
      await until(
        () =>
          live.data.some(
            (d) => d.messageAdded.message.internetMessageId === fresh.internetMessageId,
          ),
        Boolean,
        5_000,
        "messageAdded of the new message",
      );
      expect(Date.now() - delivered).toBeLessThan(5_000);
      const stored = await bucketMessages(env.server, alice.bucketId);
      expect(stored.some((m) => m.internetMessageId === fresh.internetMessageId)).toBe(true);
    }
    expect(live.errors).toEqual([]);
    const after = await stats(env.server);
    expect(after.accepted).toBeGreaterThanOrEqual(2);
  });

  it("a move is followed within 5 s too (notification for the delete and the create)", async () => {
    const email = env.tenant.mailboxes.alice;
    const victim = [...env.sim.groundTruth(email)].find((m) => m.folderPath.at(-1) === "Inbox")!;
    env.sim.moveMessage(email, victim.id, ["Archive"]);
    await until(
      () => bucketMessages(env.server, alice.bucketId),
      (list) =>
        list.find((m) => m.internetMessageId === victim.internetMessageId)?.folder ===
        "Root/Top of Information Store/Archive",
      5_000,
      "moved message re-foldered",
    );
  });
});

describe("checks on notifications", () => {
  it("ignores and counts notifications with a wrong clientState or an unknown subscription: no round runs", async () => {
    const email = env.tenant.mailboxes.alice;
    const sub = subscriptionOf(email);
    await sleep(1_000); // rounds of earlier tests are over
    const before = await stats(env.server);
    const rounds = roundsSeen(env.sim, email);
    const forged = (subscriptionId: string, clientState: string | undefined) => ({
      value: [
        {
          subscriptionId,
          ...(clientState === undefined ? {} : { clientState }),
          changeType: "created",
          resource: `Users/x/Messages/y`,
          tenantId: env.tenant.tenantId,
          subscriptionExpirationDateTime: new Date(sub.expirationDateTime).toISOString(),
        },
      ],
    });
    const answers = await Promise.all([
      post(notificationUrl(), forged(sub.id, "guessed")),
      post(notificationUrl(), forged(sub.id, `${sub.clientState!.slice(0, -1)}x`)),
      post(notificationUrl(), forged(sub.id, undefined)),
      post(notificationUrl(), forged("00000000-0000-0000-0000-000000000000", sub.clientState!)),
      post(`${notificationUrl()}/lifecycle`, {
        value: [{ subscriptionId: sub.id, clientState: "guessed", lifecycleEvent: "missed" }],
      }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const after = await until(
      () => stats(env.server),
      (s) => s.rejected >= before.rejected + 5,
      5_000,
      "rejections counted",
    );
    expect(after.accepted).toBe(before.accepted);
    // The same count on GET /metrics.
    const metrics = await (await fetch(`${env.server.url}/metrics`)).text();
    const rejected = /mailstream_push_notifications_total\{outcome="rejected"\} (\d+)/.exec(
      metrics,
    );
    expect(Number(rejected?.[1])).toBe(after.rejected);
    await sleep(1_500);
    expect(roundsSeen(env.sim, email)).toBe(rounds);
  });

  it("coalesces a burst: 30 notifications for one mailbox run one round, plus at most one queued", async () => {
    const email = env.tenant.mailboxes.alice;
    const sub = subscriptionOf(email);
    const real = env.sim.subscriptions.sent.findLast(
      (s) => s.kind === "change" && s.subscriptionId === sub.id,
    )!;
    await sleep(1_000);
    const rounds = roundsSeen(env.sim, email);
    const before = await stats(env.server);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => post(notificationUrl(), real.body)),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await until(
      () => stats(env.server),
      (s) => s.accepted >= before.accepted + 30,
      5_000,
      "burst accepted",
    );
    await sleep(2_500);
    const ran = roundsSeen(env.sim, email) - rounds;
    expect(ran).toBeGreaterThanOrEqual(1);
    expect(ran).toBeLessThanOrEqual(2);
  });
});

describe("lifecycle notifications", () => {
  it("missed → a round runs", async () => {
    const email = env.tenant.mailboxes.alice;
    await sleep(1_000);
    const rounds = roundsSeen(env.sim, email);
    expect(await env.sim.subscriptions.lifecycle(subscriptionOf(email).id, "missed")).toBe(202);
    await until(
      () => roundsSeen(env.sim, email),
      (n) => n > rounds,
      5_000,
      "a round",
    );
  });

  it("reauthorizationRequired → reauthorized and renewed (PATCH); notifications flow again", async () => {
    const email = env.tenant.mailboxes.alice;
    const sub = subscriptionOf(email);
    const renewals = sub.renewals;
    expect(await env.sim.subscriptions.lifecycle(sub.id, "reauthorizationRequired")).toBe(202);
    await until(
      () => sub.renewals,
      (n) => n > renewals,
      10_000,
      "renewal PATCH",
    );
    expect(sub.needsReauthorization).toBe(false);
    const fresh = env.sim.deliver(email, { subject: "After reauthorization" });
    await until(
      () => bucketMessages(env.server, alice.bucketId),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      5_000,
      "mail after reauthorization",
    );
  });

  it("subscriptionRemoved → a new subscription, a catch-up round, and notifications again", async () => {
    const email = env.tenant.mailboxes.alice;
    const old = subscriptionOf(email);
    // Mail that arrives while the subscription is gone comes in by the catch-up round.
    expect(await env.sim.subscriptions.lifecycle(old.id, "subscriptionRemoved")).toBe(202);
    const meanwhile = env.sim.deliver(email, { subject: "While removed" });
    const replaced = await until(
      () => env.sim.subscriptions.ofMailbox(email),
      (subs) => subs.length === 1 && subs[0]!.id !== old.id,
      10_000,
      "a new subscription",
    );
    expect(replaced[0]!.clientState).not.toBe(old.clientState);
    await until(
      () => bucketMessages(env.server, alice.bucketId),
      (list) => list.some((m) => m.internetMessageId === meanwhile.internetMessageId),
      10_000,
      "catch-up round",
    );
    const fresh = env.sim.deliver(email, { subject: "After recreation" });
    await until(
      () => bucketMessages(env.server, alice.bucketId),
      (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
      5_000,
      "mail after recreation",
    );
    // The old subscription's id is unknown from now on.
    const before = await stats(env.server);
    await post(notificationUrl(), {
      value: [{ subscriptionId: old.id, clientState: old.clientState, changeType: "created" }],
    });
    await until(
      () => stats(env.server),
      (s) => s.rejected > before.rejected,
      5_000,
      "rejected",
    );
  });
});

describe("subscriptions end with the sync", () => {
  const UPDATE = `mutation($id: ID!, $enabled: Boolean) { updateMailbox(id: $id, input: { enabled: $enabled }) { id } }`;

  it("disabling a mailbox deletes its subscription (polling state says why); enabling subscribes again", async () => {
    const email = env.tenant.mailboxes.bob;
    const bob = await subscribedMailbox(env, "push-bob", email);
    await env.server.ok(UPDATE, { id: bob.id, enabled: false });
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
    expect(
      env.sim.subscriptions.operations.some((o) => o.op === "DELETE {id}" && o.status === 204),
    ).toBe(true);
    expect((await pushState(env.server, bob.id)).sync.push).not.toBe("ACTIVE");

    await env.server.ok(UPDATE, { id: bob.id, enabled: true });
    await until(
      () => env.sim.subscriptions.ofMailbox(email).length,
      (n) => n === 1,
      20_000,
      "resubscribed",
    );

    await env.server.ok(`mutation($id: ID!) { removeMailbox(id: $id) }`, { id: bob.id });
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
  });

  it("deleting the integration deletes its mailboxes' subscriptions", async () => {
    const email = env.tenant.mailboxes.carol;
    const carol = await subscribedMailbox(env, "push-carol", email);
    expect(env.sim.subscriptions.ofMailbox(email)).toHaveLength(1);
    await env.server.ok(`mutation($id: ID!) { deleteIntegration(id: $id) }`, {
      id: carol.integrationId,
    });
    expect(env.sim.subscriptions.ofMailbox(email)).toEqual([]);
    // Alice (another integration) keeps hers.
    expect(env.sim.subscriptions.ofMailbox(env.tenant.mailboxes.alice)).toHaveLength(1);
  });
});
