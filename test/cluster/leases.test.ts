import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../../simulator/tenant-directory.js";
import { type Cluster, type ClusterProcess, startCluster } from "../support/cluster.js";
import { expectedMessages } from "../support/expected-sync.js";
import { exited } from "../support/node-process.js";
import { allBucketMessages, simulatedTenant } from "../support/sync-env.js";

/**
 * Three server processes on one PostgreSQL database share the mailboxes through leases
 * (DOMAIN.md, Running on several servers). One cluster for the whole file; the scenarios run in
 * order and kill, pause and cut off processes as they go.
 */
const TTL_SECONDS = 5;
const EWS_CONFIGURED = 26;
let cluster: Cluster;
let connection: ReturnType<typeof simulatedTenant>["connection"];
let tenant: Tenant;

beforeAll(async () => {
  cluster = await startCluster({
    names: ["proc-a", "proc-b", "proc-c"],
    latencyMs: 20,
    // A long interval: a round that follows a request within seconds was run because of it.
    // EWS configured at 26 per principal, far above 27 ÷ 3: what holds three processes' sum
    // within 27 is the division by the live processes, not the configuration.
    env: {
      MAILSTREAM_LEASE_TTL: String(TTL_SECONDS),
      MAILSTREAM_SYNC_INTERVAL: "60",
      MAILSTREAM_EWS_CONCURRENCY: String(EWS_CONFIGURED),
    },
  });
  const made = simulatedTenant(cluster.sim, "fabrikam", 13);
  connection = made.connection;
  tenant = made.tenant;
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

interface Created {
  mailboxes: { id: string; email: string; bucket: { id: string } }[];
}

/** A project with one integration of these mailboxes (all time), made through `via`. */
async function integrationOf(via: ClusterProcess, project: string, emails: string[]) {
  await via.gql(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, {
    n: project,
  });
  const data = await via.gql<{ createIntegration: Created }>(
    `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { mailboxes { id email bucket { id } } } }`,
    {
      input: {
        project,
        name: "exchange",
        connection,
        mailboxes: emails.map((email) => ({ email, allTime: true })),
      },
    },
  );
  return data.createIntegration.mailboxes;
}

interface SyncView {
  status: string;
  messagesStored: number;
  startedAt: string | null;
  heldBy: { name: string } | null;
}

const alive = (): ClusterProcess[] =>
  cluster.processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);

async function syncOf(id: string, via = alive()[0]!): Promise<SyncView> {
  const data = await via.gql<{ mailbox: { sync: SyncView } }>(
    `query($id: ID!) { mailbox(id: $id) { sync { status messagesStored startedAt heldBy { name } } } }`,
    { id },
  );
  return data.mailbox.sync;
}

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read().catch(() => last);
    if (last !== undefined && done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached, last ${JSON.stringify(last)}`);
}

/** Every message of a bucket by Message-ID, through the API of `via`. */
async function bucketIds(bucketId: string, via = alive()[0]!): Promise<string[]> {
  return (await allBucketMessages(via.gql, bucketId)).map((m) => m.internetMessageId);
}

/** The bucket holds exactly the mailbox's messages, each once. */
async function expectExact(email: string, bucketId: string): Promise<number> {
  const ids = await bucketIds(bucketId);
  const expected = expectedMessages(cluster.sim.groundTruth(email), {
    mailbox: email,
    syncFrom: null,
  }).map((m) => m.internetMessageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(new Set(ids)).toEqual(new Set(expected));
  return ids.length;
}

async function expectChargedOnce(project: string, messages: number): Promise<void> {
  const data = await alive()[0]!.gql<{
    project: { usage: { unitsCharged: number; messagesCreated: number } };
  }>(`query($p: String!) { project(name: $p) { usage { unitsCharged messagesCreated } } }`, {
    p: project,
  });
  expect(data.project.usage).toEqual({ unitsCharged: messages, messagesCreated: messages });
}

/**
 * No mailbox had requests of two processes in flight at once (the simulator's origin record), and
 * Graph's limit of 4 in flight per mailbox held for the app all processes share (the simulator's
 * admission counter; a 5th is answered 429 and retried, which Graph allows).
 */
function expectOneProcessAtATime(emails: string[]): void {
  for (const email of emails) {
    expect(cluster.sim.origins.stats(email).overlaps, email).toEqual([]);
    const admitted = cluster.sim.mailboxStats(email);
    expect(admitted.maxInFlight, email).toBeLessThanOrEqual(4);
  }
}

const processOf = (origin: string): string => /\(([^)]+)\)/.exec(origin)?.[1] ?? origin;

async function largeMailbox(name: string, messages: number): Promise<string> {
  const email = `${name}@fabrikam.com`;
  tenant.addMailbox({ email, messages });
  return email;
}

async function snapshot(mailboxId: string, bucketId: string) {
  const q = async (sql: string) => (await cluster.db.query(sql, [mailboxId])).rows;
  return {
    checkpoints: await q(
      `SELECT folder_id, status, delta_link, next_link, listing_cursor, messages_seen, updated_at FROM folder_checkpoint WHERE mailbox_id = $1 ORDER BY folder_id`,
    ),
    sync: await q(`SELECT * FROM mailbox_sync WHERE mailbox_id = $1`),
    // Not owner and epoch: the resumed process may be handed the lease again (fair share) —
    // what it must not do is commit anything of the round it was paused in.
    lease: await q(`SELECT due_at, requested, failures FROM mailbox_lease WHERE mailbox_id = $1`),
    skipped: await q(`SELECT * FROM skipped_message WHERE mailbox_id = $1`),
    messages: (
      await cluster.db.query(
        `SELECT count(*)::int AS n, max(updated_at) AS last FROM message WHERE bucket_id = $1`,
        [bucketId],
      )
    ).rows,
  };
}

describe("several server processes on one PostgreSQL", () => {
  let group: Created["mailboxes"];

  it("share the mailboxes: every bucket exact, charged once, each process syncing some, one at a time per mailbox", async () => {
    const emails = Array.from({ length: 6 }, (_, i) => `team${i}@fabrikam.com`);
    for (const email of emails) tenant.addMailbox({ email, messages: 60 });
    group = await integrationOf(cluster.processes[0]!, "group", emails);
    for (const mailbox of group)
      await waitFor(
        mailbox.email,
        () => syncOf(mailbox.id),
        (s) => s.status === "UP_TO_DATE",
        120_000,
      );
    let total = 0;
    for (const mailbox of group) total += await expectExact(mailbox.email, mailbox.bucket.id);
    await expectChargedOnce("group", total);
    expectOneProcessAtATime(emails);
    const syncedBy = new Set(
      emails.flatMap((e) => Object.keys(cluster.sim.origins.stats(e).requests).map(processOf)),
    );
    expect(syncedBy).toEqual(new Set(["proc-a", "proc-b", "proc-c"]));
    // Fair share: 6 mailboxes, 3 processes, 2 each.
    const holders = await Promise.all(group.map((m) => syncOf(m.id)));
    const perProcess = new Map<string, number>();
    for (const h of holders)
      perProcess.set(h.heldBy!.name, (perProcess.get(h.heldBy!.name) ?? 0) + 1);
    expect([...perProcess.values()].sort()).toEqual([2, 2, 2]);
  }, 240_000);

  it("runs syncMailbox sent to one process at once on the process holding the mailbox", async () => {
    const mailbox = group[0]!;
    const holder = (await syncOf(mailbox.id)).heldBy!.name;
    const other = cluster.processes.find((p) => p.name !== holder)!;
    cluster.sim.resetStats();
    const delivered = cluster.sim.deliver(mailbox.email, { subject: "asked for" });
    const asked = Date.now();
    await other.gql(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailbox.id });
    await waitFor(
      "the new message",
      () => bucketIds(mailbox.bucket.id, other),
      (ids) => ids.includes(delivered.internetMessageId),
      30_000,
    );
    // Well inside the 60 s interval, and every request came from the holder.
    expect(Date.now() - asked).toBeLessThan(20_000);
    const origins = Object.keys(cluster.sim.origins.stats(mailbox.email).requests).map(processOf);
    expect(origins).toEqual([holder]);
  }, 30_000);

  it("keeps one EWS service user within Exchange's 27 in flight across three processes (each at 27 ÷ 3 = 9), the sync exact", async () => {
    const { sim } = cluster;
    const emails = Array.from({ length: 9 }, (_, i) => `ews${i}@fabrikam.com`);
    for (const email of emails) tenant.addMailbox({ email, messages: 120 });
    const password = "Ews-Passw0rd!";
    tenant.addServiceUser({ upn: "svc-ews@fabrikam.com", password, fullAccessTo: emails });
    // Every answer slowed, so requests pile up to each process's budget; and the simulator's own
    // EWSMaxConcurrency lifted, so it counts everything that arrives instead of refusing the 28th.
    const simLimit = sim.ewsRecord().maxConcurrency;
    sim.setEwsMaxConcurrency(1_000);
    sim.resetEwsRecord();
    const slow = sim.addFault({
      target: "ews",
      times: Infinity,
      action: { type: "delay", ms: 150 },
    });
    const via = cluster.processes[0]!;
    let created: Created["mailboxes"];
    let integrationId: string;
    try {
      await via.gql(`mutation { createProject(input: { name: "onprem" }) { id } }`);
      const data = await via.gql<{ createIntegration: Created & { id: string } }>(
        `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id mailboxes { id email bucket { id } } } }`,
        {
          input: {
            project: "onprem",
            name: "exchange2019",
            connection: {
              api: "EWS",
              authMethod: "NTLM",
              access: "SERVICE_USER",
              ewsUrl: sim.ewsUrl,
              serviceUsername: "FABRIKAM\\svc-ews",
              servicePassword: password,
            },
            // Attachments too: each message's contents are fetched concurrently, so the budget binds.
            mailboxes: emails.map((email) => ({ email, allTime: true, syncAttachments: true })),
          },
        },
      );
      created = data.createIntegration.mailboxes;
      integrationId = data.createIntegration.id;
      const holders = new Set<string>();
      for (const mailbox of created) {
        const done = await waitFor(
          mailbox.email,
          () => syncOf(mailbox.id),
          (s) => s.status === "UP_TO_DATE",
          120_000,
        );
        if (done.heldBy) holders.add(done.heldBy.name);
      }
      expect(holders).toEqual(new Set(["proc-a", "proc-b", "proc-c"]));
      const principal = sim
        .ewsRecord()
        .principals.find((p) => p.mailboxes.includes(emails[0]!.toLowerCase()))!;
      expect(new Set(principal.mailboxes)).toEqual(new Set(emails));
      // Each process at ⌊27 ÷ 3⌋ = 9, so the sum stays within Exchange's 27 (3 × 26 without it).
      expect(principal.maxInFlight).toBeLessThanOrEqual(3 * 9);
      expect(principal.maxInFlight).toBeLessThanOrEqual(27);
      // The budget was used: several processes had requests in flight together.
      expect(principal.maxInFlight).toBeGreaterThan(9);
      expect(principal.overConcurrencyLimit).toBe(0);
      for (const p of cluster.processes) {
        const metrics = await (await fetch(`${p.url}/metrics`)).text();
        expect(metrics, p.name).toMatch(/^mailstream_ews_principal_budget 9$/m);
        expect(metrics, p.name).toMatch(/^mailstream_sync_processes_live 3$/m);
      }
    } finally {
      sim.faults.remove(slow);
      sim.setEwsMaxConcurrency(simLimit);
    }
    let total = 0;
    for (const mailbox of created) total += await expectExact(mailbox.email, mailbox.bucket.id);
    await expectChargedOnce("onprem", total);
    // The scenarios after this one keep the load they were written for.
    await via.gql(`mutation($id: ID!) { deleteIntegration(id: $id) }`, { id: integrationId });
  }, 180_000);

  it("finishes a large mailbox exactly on another process after its holder is killed, charged once", async () => {
    cluster.sim.setLatency(100);
    const email = await largeMailbox("archive", 1500);
    const [mailbox] = await integrationOf(alive()[0]!, "killed", [email]);
    const mid = await waitFor(
      "mid-sync",
      () => syncOf(mailbox!.id),
      (s) => s.status === "SYNCING" && s.messagesStored > 0 && s.heldBy !== null,
    );
    const victim = cluster.byName(mid.heldBy!.name);
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    await exited(victim.child);
    const after = await waitFor(
      "taken over",
      () => syncOf(mailbox!.id),
      (s) => s.heldBy !== null && s.heldBy.name !== victim.name,
      30_000,
    );
    // Within the TTL (and a scheduler tick or two).
    expect(Date.now() - killedAt).toBeLessThan(TTL_SECONDS * 1000 + 4_000);
    await waitFor(
      "up to date",
      () => syncOf(mailbox!.id),
      (s) => s.status === "UP_TO_DATE",
    );
    expect(after.heldBy!.name).not.toBe(victim.name);
    const stored = await expectExact(email, mailbox!.bucket.id);
    await expectChargedOnce("killed", stored);
    expectOneProcessAtATime([email]);
  }, 90_000);

  it("never commits another page from a paused holder once another process took its mailbox over", async () => {
    const email = await largeMailbox("paused", 1500);
    const [mailbox] = await integrationOf(alive()[0]!, "paused", [email]);
    const mid = await waitFor(
      "mid-sync",
      () => syncOf(mailbox!.id),
      (s) => s.status === "SYNCING" && s.messagesStored > 0 && s.heldBy !== null,
    );
    const paused = cluster.byName(mid.heldBy!.name);
    paused.child.kill("SIGSTOP");
    const others = () => alive().filter((p) => p !== paused);
    await waitFor(
      "taken over and done",
      () => syncOf(mailbox!.id, others()[0]),
      (s) => s.status === "UP_TO_DATE" && s.heldBy !== null && s.heldBy.name !== paused.name,
    );
    // The new holder has recorded its round's end (the next due time) too.
    await waitFor(
      "round recorded",
      async () =>
        (
          await cluster.db.query(
            `SELECT due_at > now() + interval '10 seconds' AS later FROM mailbox_lease WHERE mailbox_id = $1`,
            [mailbox!.id],
          )
        ).rows[0] as { later: boolean },
      (row) => row.later,
    );
    const before = await snapshot(mailbox!.id, mailbox!.bucket.id);
    paused.child.kill("SIGCONT");
    // Its timers, renewals and answers in flight run now; give them time to try their commits.
    await new Promise((r) => setTimeout(r, 3_000));
    await waitFor(
      "the paused process answering again",
      () => syncOf(mailbox!.id, paused),
      () => true,
      10_000,
    );
    const afterwards = await snapshot(mailbox!.id, mailbox!.bucket.id);
    expect(afterwards).toEqual(before);
    const stored = await expectExact(email, mailbox!.bucket.id);
    await expectChargedOnce("paused", stored);
  }, 90_000);

  it("recovers without restarts when PostgreSQL is unreachable mid-sync, and the sync ends exact", async () => {
    const email = await largeMailbox("outage", 1500);
    const [mailbox] = await integrationOf(alive()[0]!, "outage", [email]);
    await waitFor(
      "mid-sync",
      () => syncOf(mailbox!.id),
      (s) => s.status === "SYNCING" && s.messagesStored > 0,
    );
    const running = alive();
    await cluster.proxy.cut();
    // Longer than a lease: every process loses its leases and must claim them again.
    await new Promise((r) => setTimeout(r, (TTL_SECONDS + 1) * 1000));
    await cluster.proxy.restore();
    cluster.sim.setLatency(20);
    await waitFor(
      "up to date after the outage",
      () => syncOf(mailbox!.id),
      (s) => s.status === "UP_TO_DATE",
      60_000,
    );
    for (const p of running) expect(p.child.exitCode, p.name).toBeNull();
    const stored = await expectExact(email, mailbox!.bucket.id);
    await expectChargedOnce("outage", stored);
    // Every surviving process serves the API and the group's mailboxes still sync on request.
    const target = group[1]!;
    const delivered = cluster.sim.deliver(target.email, { subject: "after the outage" });
    for (const p of running) await p.gql(`query { projects { name } }`);
    await running[running.length - 1]!.gql(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, {
      id: target.id,
    });
    await waitFor(
      "mail after the outage",
      () => bucketIds(target.bucket.id),
      (ids) => ids.includes(delivered.internetMessageId),
      20_000,
    );
  }, 120_000);
});
