import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bucketMessages } from "../support/sync-env.js";
import { startPushEnv, subscribedMailbox, until, type PushEnv } from "./push-env.js";

/**
 * A notified round is cheaper than a full one (docs/push.md): a `created` notification names its
 * message, the round GETs the message's parentFolderId and runs that folder's delta only. Anything
 * uncertain (a deletion, a folder the mailbox has no checkpoint of) runs the full round. The mail
 * itself still comes through the delta, within 5 s.
 */
let env: PushEnv;
let alice: { id: string; bucketId: string };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  env = await startPushEnv();
  alice = await subscribedMailbox(env, "scoped", env.tenant.mailboxes.alice);
});
afterAll(() => env.stop());

const email = () => env.tenant.mailboxes.alice.toLowerCase();
const graphRequests = (from: number) =>
  env.sim.requestLog.slice(from).filter((e) => e.target === "graph" && e.mailbox === email());
const quiet = async () => {
  // Rounds of earlier steps (the catch-up after subscribing) are over when the log stands still.
  let last = -1;
  while (env.sim.requestLog.length !== last) {
    last = env.sim.requestLog.length;
    await sleep(1_000);
  }
};

/** Delivers, waits for the message in the bucket (≤ 5 s) and for its round to end; its requests. */
async function deliverAndCount(spec: { subject: string; folder?: string[] }) {
  await quiet();
  const from = env.sim.requestLog.length;
  const delivered = Date.now();
  const fresh = env.sim.deliver(env.tenant.mailboxes.alice, spec);
  await until(
    () => bucketMessages(env.server, alice.bucketId),
    (list) => list.some((m) => m.internetMessageId === fresh.internetMessageId),
    5_000,
    `${spec.subject} in the bucket`,
  );
  const latency = Date.now() - delivered;
  await quiet();
  return { latency, requests: graphRequests(from) };
}

const isFolderWalk = (path: string) => path.toLowerCase().includes("/mailfolders/msgfolderroot");

describe("notified rounds", () => {
  it("a message delivered into one synced folder costs its lookup and that folder's delta, far fewer requests than a full round, and arrives within 5 s", async () => {
    // The full round, as polling (or a notification without a usable resource) runs it.
    await quiet();
    const fullFrom = env.sim.requestLog.length;
    await env.server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: alice.id });
    await until(
      () => graphRequests(fullFrom).some((e) => isFolderWalk(e.path)),
      Boolean,
      5_000,
      "a full round",
    );
    await quiet();
    const full = graphRequests(fullFrom);
    expect(full.filter((e) => isFolderWalk(e.path))).toHaveLength(1);
    const fullDeltas = full.filter((e) => e.path.includes("/messages/delta")).length;
    expect(fullDeltas).toBeGreaterThan(5);

    const notified = await deliverAndCount({ subject: "Into the Inbox", folder: ["Inbox"] });
    expect(notified.latency).toBeLessThan(5_000);
    const paths = notified.requests.map((e) => e.path);
    expect(paths.some(isFolderWalk)).toBe(false);
    expect(paths.filter((p) => p.includes("/messages/delta"))).toHaveLength(1);
    const lookups = paths.filter((p) => /\/messages\/[^/]+$/.test(p.split("?")[0]!));
    expect(lookups.filter((p) => !p.split("?")[0]!.endsWith("/delta"))).toHaveLength(1);
    expect(notified.requests.length).toBeLessThan(full.length / 3);

    // A second folder the same way (Inbox/… is synced too).
    const again = await deliverAndCount({ subject: "Into the Archive", folder: ["Archive"] });
    expect(again.requests.map((e) => e.path).some(isFolderWalk)).toBe(false);
    expect(again.requests.length).toBeLessThan(full.length / 3);

    const metrics = await (await fetch(`${env.server.url}/metrics`)).text();
    expect(
      Number(/mailstream_notified_rounds_total\{kind="scoped"\} (\d+)/.exec(metrics)?.[1]),
    ).toBeGreaterThanOrEqual(2);
  });

  it("a folder created after the last full round has no checkpoint: the full round runs, finds the folder and its message within 5 s", async () => {
    env.sim.createFolder(env.tenant.mailboxes.alice, ["Inbox"], "Brand new");
    const result = await deliverAndCount({
      subject: "Into a new folder",
      folder: ["Inbox", "Brand new"],
    });
    expect(result.latency).toBeLessThan(5_000);
    expect(result.requests.map((e) => e.path).some(isFolderWalk)).toBe(true);
    const stored = await bucketMessages(env.server, alice.bucketId);
    expect(stored.find((m) => m.subject === "Into a new folder")?.folder).toBe(
      "Root/Top of Information Store/Inbox/Brand new",
    );
  });

  it("a deletion (no folder to look at) runs the full round", async () => {
    await quiet();
    const victim = [...env.sim.groundTruth(env.tenant.mailboxes.alice)].find(
      (m) => m.folderPath.at(-1) === "Inbox",
    )!;
    const from = env.sim.requestLog.length;
    env.sim.deleteMessage(env.tenant.mailboxes.alice, victim.id);
    await until(
      () => graphRequests(from).some((e) => isFolderWalk(e.path)),
      Boolean,
      5_000,
      "a full round after the deletion",
    );
  });
});
