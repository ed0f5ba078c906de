import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages, folderText } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegrationWith,
  simulatedTenant,
  startSyncEnv,
  type SyncEnv,
  waitForFreshRound,
  waitForMailbox,
} from "../support/sync-env.js";

/**
 * EWS sync end to end (DOMAIN.md, EWS and Sync) through the GraphQL API against the simulator's
 * Exchange, with the exactness checks of the Graph suites: exactly the messages the rules select,
 * each once, with their folder paths and attachments, charged once; live delivery, move and
 * delete; an expired SyncState; and the server's per-principal record (in flight, back-off,
 * NTLM handshakes per connection).
 */
let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 300 });
  await env.server.ok(`mutation { createProject(input: { name: "onprem" }) { id } }`);
});
afterAll(() => env?.stop());

const ids = (list: { internetMessageId: string }[]) =>
  new Set(list.map((m) => m.internetMessageId));

function ntlmConnection() {
  const { tenant, sim } = env;
  return {
    api: "EWS",
    authMethod: "NTLM",
    access: "SERVICE_USER",
    ewsUrl: sim.ewsUrl,
    serviceUsername: tenant.ews.serviceUser.username,
    servicePassword: tenant.ews.serviceUser.password,
  };
}

async function usage(project: string) {
  return (
    await env.server.ok<{
      project: { usage: { messagesCreated: number; unitsCharged: number } };
    }>(`query($p: String!) { project(name: $p) { usage { messagesCreated unitsCharged } } }`, {
      p: project,
    })
  ).project.usage;
}

describe("a first EWS sync", () => {
  it("stores exactly the selected messages, once, with folder paths and attachments; the principal stays within Exchange's limits", async () => {
    const { tenant, server, sim } = env;
    const alice = tenant.mailboxes.alice;
    const syncFrom = new Date("2023-06-01T00:00:00Z");
    const filters = {
      deniedFolders: ["Root/Top of Information Store/Deleted Items"],
      deniedDomains: ["gmail.com"],
    };
    const created = await createIntegrationWith(server, {
      project: "onprem",
      name: "exchange2019",
      connection: ntlmConnection(),
      mailboxes: [
        { email: alice, syncFrom: syncFrom.toISOString(), filters, syncAttachments: true },
      ],
    });
    expect(created).toMatchObject({ enabled: true, credentials: { status: "VALID" } });
    const mailbox = created.mailboxes[0]!;
    const state = await waitForMailbox(
      server,
      mailbox.id,
      (v) => v.sync.status === "UP_TO_DATE" || v.sync.status === "ERROR",
    );
    expect(state.sync.lastError).toBeNull();
    const stored = await bucketMessages(server, mailbox.bucket.id);
    const expected = expectedMessages(sim.groundTruth(alice), {
      mailbox: alice,
      syncFrom,
      ...filters,
    });
    expect(expected.length).toBeGreaterThan(50);
    const storedIds = stored.map((m) => m.internetMessageId);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    expect(new Set(storedIds)).toEqual(ids(expected));
    expect(state.sync.messagesStored).toBe(expected.length);
    expect(await usage("onprem")).toEqual({
      messagesCreated: expected.length,
      unitsCharged: expected.length,
    });

    // Same folder paths as Graph's, and every attachment with its content type and contents.
    const byId = new Map(stored.map((m) => [m.internetMessageId, m]));
    let attachments = 0;
    for (const truth of expected) {
      const message = byId.get(truth.internetMessageId)!;
      expect(message.folder).toBe(folderText(truth.folderPath));
      expect(message.subject).toBe(truth.subject ?? "");
      expect(message.attachments.map((a) => a.name).sort()).toEqual(
        truth.attachments.map((a) => a.name).sort(),
      );
      for (const a of message.attachments) {
        const t = truth.attachments.find((x) => x.name === a.name)!;
        attachments++;
        expect(a.inline).toBe(t.isInline);
        if (t.kind === "item") expect(a.contentType).toBe("message/rfc822");
        else if (t.contentType) expect(a.contentType).toBe(t.contentType);
        if (t.kind === "reference") expect(a.reference).toBeNull();
        else expect(a.reference).not.toBeNull();
      }
    }
    expect(attachments).toBeGreaterThan(0);

    // Exchange's limits, as the simulator recorded them for this service user.
    const record = sim.ewsRecord();
    const principal = record.principals.find((p) => p.mailboxes.includes(alice.toLowerCase()))!;
    expect(principal).toBeDefined();
    expect(principal.maxInFlight).toBeLessThanOrEqual(27);
    expect(principal.overConcurrencyLimit).toBe(0);
    expect(principal.backOffViolations).toBe(0);
    const mine = record.connections.filter((c) => c.principal === principal.principal);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) expect(c.handshakes).toBeLessThanOrEqual(1);
    // Fewer handshakes than connection slots, whatever the number of requests.
    expect(principal.handshakes).toBeLessThanOrEqual(10 + 1);
    expect(principal.requests).toBeGreaterThan(principal.handshakes * 5);

    // EWS requests are counted on /metrics as Graph's are (by API and status; /metrics is open
    // without MAILSTREAM_METRICS_TOKEN). Every SOAP request answered 200; the NTLM challenges 401.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const ok = /^mailstream_exchange_requests_total\{api="ews",status="200"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(ok?.[1])).toBeGreaterThan(principal.handshakes * 5);
  }, 90_000);
});

describe("incremental EWS rounds", () => {
  it("picks up new, moved and deleted mail: new stored, moved re-foldered, deleted kept, nothing charged twice", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.bob;
    const created = await createIntegrationWith(server, {
      project: "onprem",
      name: "live",
      connection: ntlmConnection(),
      mailboxes: [{ email, allTime: true }],
    });
    const mailbox = created.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const before = await bucketMessages(server, mailbox.bucket.id);
    expect(ids(before)).toEqual(
      ids(expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom: null })),
    );
    const charged = (await usage("onprem")).unitsCharged;

    const fresh = sim.deliver(email, { subject: "Brand new order", folder: ["Inbox", "Orders"] });
    const victim = [...sim.groundTruth(email)].find((m) => m.folderPath.at(-1) === "Inbox")!;
    const moved = sim.moveMessage(email, victim.id, ["Archive"]);
    const gone = [...sim.groundTruth(email)].find((m) => m.folderPath.at(-1) === "Newsletters")!;
    sim.deleteMessage(email, gone.id);

    await waitForFreshRound(server, mailbox.id);
    const after = await bucketMessages(server, mailbox.bucket.id);
    expect(after.length).toBe(before.length + 1);
    expect(new Set(after.map((m) => m.internetMessageId)).size).toBe(after.length);
    expect(after.find((m) => m.internetMessageId === fresh.internetMessageId)?.folder).toBe(
      "Root/Top of Information Store/Inbox/Orders",
    );
    expect(after.find((m) => m.internetMessageId === moved.internetMessageId)?.folder).toBe(
      "Root/Top of Information Store/Archive",
    );
    expect(after.some((m) => m.internetMessageId === gone.internetMessageId)).toBe(true);
    expect((await usage("onprem")).unitsCharged).toBe(charged + 1);

    // An expired SyncState (ErrorInvalidSyncStateData): the folder is enumerated again, no duplicate.
    sim.expireEwsSyncStates(email);
    const late = sim.deliver(email, { subject: "After the expiry", folder: ["Inbox"] });
    await waitForFreshRound(server, mailbox.id);
    const again = await bucketMessages(server, mailbox.bucket.id);
    expect(again.length).toBe(after.length + 1);
    expect(new Set(again.map((m) => m.internetMessageId)).size).toBe(again.length);
    expect(again.some((m) => m.internetMessageId === late.internetMessageId)).toBe(true);
    expect((await usage("onprem")).unitsCharged).toBe(charged + 2);
  }, 90_000);
});

describe("a large EWS folder", () => {
  it("syncs a folder of 6,000 messages since syncFrom exactly (SyncFolderItems pages of 512, FindItem pages of 500)", async () => {
    const { sim, server } = env;
    const { tenant } = simulatedTenant(sim, "bigews", 9);
    const email = "archive@bigews.com";
    const syncFrom = new Date("2024-01-01T00:00:00Z");
    tenant.addMailbox({
      email,
      messages: 6_300,
      receivedFrom: new Date("2023-12-25T00:00:00Z"),
      receivedTo: new Date("2024-06-30T00:00:00Z"),
      folders: [{ path: ["Inbox"], wellKnownName: "inbox", weight: 1 }],
    });
    tenant.addServiceUser({
      upn: "svc@bigews.com",
      password: "Big-Passw0rd!",
      fullAccessTo: [email],
    });
    const expected = expectedMessages(sim.groundTruth(email), { mailbox: email, syncFrom });
    expect(expected.length).toBeGreaterThanOrEqual(6_000);
    const created = await createIntegrationWith(server, {
      project: "onprem",
      name: "archive",
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        ewsUrl: sim.ewsUrl,
        serviceUsername: "svc@bigews.com",
        servicePassword: "Big-Passw0rd!",
      },
      mailboxes: [{ email, syncFrom: syncFrom.toISOString() }],
    });
    const mailbox = created.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 150_000);
    const stored = await bucketMessages(server, mailbox.bucket.id);
    const storedIds = stored.map((m) => m.internetMessageId);
    expect(new Set(storedIds).size).toBe(storedIds.length);
    expect(new Set(storedIds)).toEqual(ids(expected));
    const principal = sim
      .ewsRecord()
      .principals.find((p) => p.principal.includes("svc@bigews.com"))!;
    expect(principal.handshakes).toBeLessThanOrEqual(10);
    expect(principal.backOffViolations).toBe(0);
  }, 180_000);
});
