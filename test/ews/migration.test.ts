import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import { UPDATE_CONNECTION, secretConnection } from "../support/integration-api.js";
import {
  bucketMessages,
  createIntegrationWith,
  startSyncEnv,
  type SyncEnv,
  waitForFreshRound,
  waitForMailbox,
} from "../support/sync-env.js";

/**
 * Migration from EWS to Graph and back (DOMAIN.md, Migration from EWS to Graph): an EWS sync,
 * then updateIntegrationConnection to api GRAPH — the same bucket holds exactly the same messages
 * (matched by Message-ID, and a message without one by the identity both APIs compute), usage is
 * unchanged, new mail arrives through Graph, and no request goes to EWS once the switch is saved.
 */
let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 150 });
  await env.server.ok(`mutation { createProject(input: { name: "moving" }) { id } }`);
});
afterAll(() => env?.stop());

const usage = async () =>
  (
    await env.server.ok<{ project: { usage: { messagesCreated: number; unitsCharged: number } } }>(
      `{ project(name: "moving") { usage { messagesCreated unitsCharged } } }`,
    )
  ).project.usage;
const ewsRequests = () => env.sim.ewsRecord().principals.reduce((n, p) => n + p.requests, 0);
const graphRequests = (mailbox: string) =>
  env.sim.requestLog.filter((e) => e.target === "graph" && e.mailbox === mailbox).length;

describe("EWS → Graph", () => {
  it("keeps the bucket exact, charges nothing again, and never calls EWS after the switch", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.alice;
    // A draft-like message without a Message-ID, on both APIs.
    const anonymous = sim.deliver(email, {
      subject: "No Message-ID here",
      folder: ["Inbox"],
      from: { name: "Drafts", address: "drafts@fabrikam.com" },
      sender: { name: "Drafts", address: "drafts@fabrikam.com" },
      toRecipients: [{ name: "Alice", address: email }],
      ccRecipients: [],
      bccRecipients: [],
      internetMessageId: "",
      renderedAs: { internetMessageId: null },
    });
    const created = await createIntegrationWith(server, {
      project: "moving",
      name: "exchange",
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        ewsUrl: sim.ewsUrl,
        serviceUsername: tenant.ews.serviceUser.username,
        servicePassword: tenant.ews.serviceUser.password,
      },
      mailboxes: [{ email, allTime: true, filters: { deniedDomains: ["gmail.com"] } }],
    });
    const mailbox = created.mailboxes[0]!;
    await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
    const expected = () =>
      expectedMessages(sim.groundTruth(email), {
        mailbox: email,
        syncFrom: null,
        deniedDomains: ["gmail.com"],
      });
    const viaEws = await bucketMessages(server, mailbox.bucket.id);
    expect(viaEws.length).toBe(expected().length);
    const anonymousStored = viaEws.filter((m) => m.subject === anonymous.subject);
    expect(anonymousStored).toHaveLength(1);
    expect(anonymousStored[0]!.internetMessageId).toMatch(/@no-message-id\.invalid>$/);
    const charged = await usage();
    expect(charged.unitsCharged).toBe(viaEws.length);

    const graphBefore = graphRequests(email);
    const switched = await server.ok<{
      updateIntegrationConnection: {
        api: string;
        enabled: boolean;
        credentials: { status: string };
      };
    }>(UPDATE_CONNECTION, { id: created.id, connection: secretConnection(tenant) });
    expect(switched.updateIntegrationConnection).toMatchObject({
      api: "GRAPH",
      enabled: true,
      credentials: { status: "VALID" },
    });
    const ewsAtSwitch = ewsRequests();

    await waitForFreshRound(server, mailbox.id);
    const viaGraph = await bucketMessages(server, mailbox.bucket.id);
    expect(graphRequests(email)).toBeGreaterThan(graphBefore);
    const graphIds = viaGraph.map((m) => m.internetMessageId);
    expect(new Set(graphIds).size).toBe(graphIds.length);
    expect(new Set(graphIds)).toEqual(new Set(viaEws.map((m) => m.internetMessageId)));
    expect(await usage()).toEqual(charged);

    // New mail arrives through Graph, charged once.
    const fresh = sim.deliver(email, {
      subject: "After the migration",
      folder: ["Inbox"],
      from: { name: "Orders", address: "orders@fabrikam.com" },
      sender: { name: "Orders", address: "orders@fabrikam.com" },
      toRecipients: [{ name: "Alice", address: email }],
      ccRecipients: [],
      bccRecipients: [],
    });
    await waitForFreshRound(server, mailbox.id);
    const later = await bucketMessages(server, mailbox.bucket.id);
    expect(later.map((m) => m.internetMessageId)).toContain(fresh.internetMessageId);
    expect(later.length).toBe(viaGraph.length + 1);
    expect(new Set(later.map((m) => m.internetMessageId))).toEqual(
      new Set([...viaGraph.map((m) => m.internetMessageId), fresh.internetMessageId]),
    );
    expect((await usage()).unitsCharged).toBe(charged.unitsCharged + 1);
    expect(ewsRequests()).toBe(ewsAtSwitch);

    // And back to EWS: still exact, still charged once.
    const graphAtSwitchBack = { count: 0 };
    await server.ok(UPDATE_CONNECTION, {
      id: created.id,
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        ewsUrl: sim.ewsUrl,
        serviceUsername: tenant.ews.serviceUser.username,
        servicePassword: tenant.ews.serviceUser.password,
      },
    });
    graphAtSwitchBack.count = graphRequests(email);
    await waitForFreshRound(server, mailbox.id);
    const back = await bucketMessages(server, mailbox.bucket.id);
    expect(new Set(back.map((m) => m.internetMessageId))).toEqual(
      new Set(later.map((m) => m.internetMessageId)),
    );
    expect(back.length).toBe(later.length);
    expect((await usage()).unitsCharged).toBe(charged.unitsCharged + 1);
    expect(ewsRequests()).toBeGreaterThan(ewsAtSwitch);
    expect(graphRequests(email)).toBe(graphAtSwitchBack.count);
  }, 120_000);
});
