import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMessages } from "../support/expected-sync.js";
import {
  bucketMessages,
  createIntegrationWith,
  startSyncEnv,
  type SyncEnv,
  waitForMailbox,
} from "../support/sync-env.js";

/**
 * EWS under Exchange's faults and limits (DOMAIN.md, EWS): ErrorServerBusy as 500, 503 and in a
 * 200 answer (the principal waits BackOffMilliseconds), plain 503s and 500s, resets, slow answers,
 * a mailbox move in progress, an item gone between FindItem and GetItem — the sync still ends with
 * exactly the expected set, charged once, and the simulator saw no back-off violation, no request
 * over the concurrency limit, and at most one NTLM handshake per connection. A service user's
 * budget is shared by every mailbox it reads.
 */
let env: SyncEnv;
beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 200 });
  await env.server.ok(`mutation { createProject(input: { name: "busy" }) { id } }`);
});
afterAll(() => env?.stop());

const ntlm = () => ({
  api: "EWS",
  authMethod: "NTLM",
  access: "SERVICE_USER",
  ewsUrl: env.sim.ewsUrl,
  serviceUsername: env.tenant.ews.serviceUser.username,
  servicePassword: env.tenant.ews.serviceUser.password,
});

/**
 * The simulator counts every request that arrives while a back-off runs, including those the
 * client had already sent (on other connections) before the busy answer reached it — on this
 * shared 2-core machine the event loop may take a while to read it. A client that ignores
 * BackOffMilliseconds sends right on through the whole back-off; so none may arrive more than
 * IN_FLIGHT_MS after a busy answer (of `minBackOffMs` or more) was sent.
 */
const IN_FLIGHT_MS = 250;
function expectNoBackOffViolation(
  violations: { earlyByMs: number; operation?: string }[],
  minBackOffMs: number,
): void {
  const late = violations.filter((v) => v.earlyByMs < minBackOffMs - IN_FLIGHT_MS);
  expect(late).toEqual([]);
}

async function expectExact(email: string, bucketId: string): Promise<number> {
  const stored = await bucketMessages(env.server, bucketId);
  const storedIds = stored.map((m) => m.internetMessageId);
  expect(new Set(storedIds).size).toBe(storedIds.length);
  const expected = expectedMessages(env.sim.groundTruth(email), { mailbox: email, syncFrom: null });
  expect(new Set(storedIds)).toEqual(new Set(expected.map((m) => m.internetMessageId)));
  return expected.length;
}

describe("an EWS sync under faults", () => {
  it("survives busy storms, 503s, 500s, resets, slow answers and a mailbox move, honouring every back-off", async () => {
    const { sim, tenant, server } = env;
    const email = tenant.mailboxes.alice;
    const faults = [
      { action: { type: "ewsServerBusy", backOffMs: 1500, httpStatus: 500 }, times: 2, skip: 3 },
      { action: { type: "ewsServerBusy", backOffMs: 1200, httpStatus: 503 }, times: 2, skip: 8 },
      {
        action: { type: "ewsServerBusy", backOffMs: 1200, httpStatus: 200 },
        times: 2,
        skip: 12,
        pathIncludes: "GetItem",
      },
      { action: { type: "status", status: 503 }, times: 3, skip: 5 },
      { action: { type: "status", status: 500 }, times: 2, skip: 10, pathIncludes: "FindItem" },
      { action: { type: "reset" }, times: 3, skip: 15 },
      { action: { type: "delay", ms: 300 }, times: 4, skip: 6 },
      {
        action: { type: "ewsError", code: "ErrorMailboxMoveInProgress" },
        times: 1,
        skip: 20,
        pathIncludes: "SyncFolderItems",
      },
    ] as const;
    for (const fault of faults)
      sim.addFault({ target: "ews", mailbox: email, ...fault, action: { ...fault.action } });
    const created = await createIntegrationWith(server, {
      project: "busy",
      name: "storm",
      connection: ntlm(),
      mailboxes: [{ email, allTime: true, syncAttachments: true }],
    });
    const mailbox = created.mailboxes[0]!;
    const state = await waitForMailbox(
      server,
      mailbox.id,
      (v) => v.sync.status === "UP_TO_DATE",
      90_000,
    );
    expect(state.sync.lastError).toBeNull();
    expect(
      sim.faults
        .list()
        .filter((f) => f.rule.target === "ews")
        .map((f) => [f.rule.action.type, f.fired]),
    ).toEqual(faults.map((f) => [f.action.type, f.times]));
    const count = await expectExact(email, mailbox.bucket.id);
    const usage = await server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "busy") { usage { unitsCharged } } }`,
    );
    expect(usage.project.usage.unitsCharged).toBe(count);

    const record = sim.ewsRecord();
    expectNoBackOffViolation(record.backOffViolations, 1200);
    const principal = record.principals.find((p) => p.mailboxes.includes(email))!;
    expect(principal.serverBusySent).toBeGreaterThanOrEqual(6);
    expect(principal.overConcurrencyLimit).toBe(0);
    for (const c of record.connections.filter((c) => c.principal === principal.principal))
      expect(c.handshakes).toBeLessThanOrEqual(1);
  }, 120_000);

  it("shares one service user's budget across all its mailboxes and integrations", async () => {
    const { sim, tenant, server } = env;
    const before = sim.ewsRecord().principals.find((p) => p.principal.includes("svc-ews"));
    const integrations = await Promise.all(
      [
        ["shared-a", [tenant.mailboxes.bob]],
        ["shared-b", [tenant.mailboxes.erin, tenant.mailboxes.alice]],
      ].map(([name, emails]) =>
        createIntegrationWith(server, {
          project: "busy",
          name: name as string,
          connection: ntlm(),
          mailboxes: (emails as string[]).map((email) => ({ email, allTime: true })),
        }),
      ),
    );
    for (const created of integrations)
      for (const mailbox of created.mailboxes)
        await waitForMailbox(server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE", 90_000);
    const after = sim.ewsRecord().principals.find((p) => p.principal.includes("svc-ews"))!;
    expect(after.requests).toBeGreaterThan(before?.requests ?? 0);
    // Our budget per principal (10) holds across three mailboxes and two integrations.
    expect(after.maxInFlight).toBeLessThanOrEqual(10);
    expect(after.overConcurrencyLimit).toBe(0);
    expectNoBackOffViolation(sim.ewsRecord().backOffViolations, 1200);
    await expectExact(tenant.mailboxes.bob, integrations[0]!.mailboxes[0]!.bucket.id);
  }, 120_000);
});
