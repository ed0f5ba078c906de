import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, type ClusterProcess, startCluster } from "../support/cluster.js";
import { simulatedTenant } from "../support/sync-env.js";

/**
 * Change notifications on several processes (DOMAIN.md: Change notifications; Running on several
 * servers): the processes share one public URL, as behind a load balancer, so a notification may
 * reach any of them — here always the one that does not hold the mailbox — and the round still
 * runs on the holder within seconds, although polling would wait 15 minutes.
 */
let cluster: Cluster;
let balancer: Server;
/** Where the balancer sends the next request, and what it forwarded to whom. */
let target: ClusterProcess;
const forwarded: { path: string; to: string }[] = [];

beforeAll(async () => {
  balancer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const to = target;
      forwarded.push({ path: req.url ?? "", to: to.name });
      fetch(`${to.url}${req.url}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      }).then(
        async (answer) => {
          res.writeHead(answer.status, {
            "content-type": answer.headers.get("content-type") ?? "text/plain",
          });
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => balancer.listen(0, "127.0.0.1", resolve));
  const publicUrl = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  cluster = await startCluster({
    names: ["push-a", "push-b"],
    env: {
      MAILSTREAM_PUBLIC_URL: publicUrl,
      MAILSTREAM_SYNC_INTERVAL: "900",
      MAILSTREAM_SAFETY_POLL_INTERVAL: "900",
      MAILSTREAM_LEASE_TTL: "5",
    },
  });
  target = cluster.processes[0]!;
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  await new Promise((resolve) => balancer?.close(resolve));
});

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read().catch(() => last);
    if (last !== undefined && done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms, last ${JSON.stringify(last)}`);
}

describe("change notifications on two processes", () => {
  it("a notification that reaches the process not holding the mailbox syncs it within 5 s", async () => {
    const { connection, tenant } = simulatedTenant(cluster.sim, "contoso", 5);
    const email = "alice@contoso.com";
    tenant.addMailbox({ email, messages: 20 });
    const via = cluster.processes[0]!;
    await via.gql(`mutation { createProject(input: { name: "push-cluster" }) { id } }`);
    const created = await via.gql<{
      createIntegration: { mailboxes: { id: string; bucket: { id: string } }[] };
    }>(
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { mailboxes { id bucket { id } } } }`,
      {
        input: {
          project: "push-cluster",
          name: "exchange",
          connection,
          mailboxes: [{ email: email, allTime: true }],
        },
      },
    );
    const mailbox = created.createIntegration.mailboxes[0]!;
    const sync = () =>
      via.gql<{ mailbox: { sync: { push: string; heldBy: { name: string } | null } } }>(
        `query($id: ID!) { mailbox(id: $id) { sync { push heldBy { name } } } }`,
        { id: mailbox.id },
      );
    const active = await waitFor(
      "push active",
      sync,
      (d) => d.mailbox.sync.push === "ACTIVE" && d.mailbox.sync.heldBy !== null,
      60_000,
    );
    const holder = active.mailbox.sync.heldBy!.name;
    target = cluster.processes.find((p) => p.name !== holder)!;
    const before = forwarded.length;

    const delivered = Date.now();
    const fresh = cluster.sim.deliver(email, {
      subject: "Pushed past the holder",
    });
    await waitFor(
      "the new message in the bucket",
      () =>
        target.gql<{
          bucket: { messages: { edges: { node: { internetMessageId: string } }[] } };
        }>(
          `query($id: ID!) { bucket(id: $id) { messages(first: 5) { edges { node { internetMessageId } } } } }`,
          { id: mailbox.bucket.id },
        ),
      (d) =>
        d.bucket.messages.edges.some((e) => e.node.internetMessageId === fresh.internetMessageId),
      5_000,
    );
    expect(Date.now() - delivered).toBeLessThan(5_000);
    // The notification went to the other process only; the holder ran the round.
    const notified = forwarded.slice(before).filter((f) => f.path.startsWith("/notifications/"));
    expect(notified.length).toBeGreaterThan(0);
    expect(notified.every((f) => f.to !== holder)).toBe(true);
    const graphRequests = cluster.sim.origins.stats(email);
    expect(graphRequests.overlaps).toEqual([]);
  });
});
