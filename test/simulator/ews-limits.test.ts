import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import type { EwsRecordSnapshot } from "../../simulator/ews/ews-record.js";
import { EwsConnection, dig, getFolderXml, impersonation, list, soap } from "./ews-helpers.js";
import { postToken } from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let token: string;
let clientId: string;
const alice = "alice@tailspin.com";
const bob = "bob@tailspin.com";
const svc = { user: "svc", domain: "TAILSPIN", password: "Tailspin-pw1" };

beforeAll(async () => {
  sim = await startTestSimulator({ controlPort: 0 });
  const tenant = sim.addTenant({ name: "tailspin", domains: ["tailspin.com"], seed: 3 });
  tenant.addMailbox({ email: alice, messages: 40 });
  tenant.addMailbox({ email: bob, messages: 40 });
  tenant.addServiceUser({
    upn: "svc@tailspin.com",
    password: svc.password,
    fullAccessTo: [alice, bob],
  });
  const app = tenant.addApp();
  clientId = app.clientId;
  const secret = app.addSecret().value;
  const answer = await postToken(sim, tenant.id, {
    grant_type: "client_credentials",
    client_id: app.clientId,
    client_secret: secret,
    scope: `${sim.ewsOrigin}/.default`,
  });
  token = String(answer.body.access_token);
});

afterEach(() => {
  sim.faults.clear();
  sim.resetEwsRecord();
});

afterAll(() => sim.stop());

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${sim.controlUrl ?? ""}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

function asApp(mailbox: string): Promise<Response> {
  return fetch(sim.ewsUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "text/xml; charset=utf-8",
      "x-anchormailbox": mailbox,
    },
    body: soap(
      `<m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`,
      impersonation(mailbox),
    ),
  });
}

describe("throttling faults", () => {
  it("sends ErrorServerBusy with BackOffMilliseconds as HTTP 500, 503 or in a 200 answer, and records requests that come back too early", async () => {
    const conn = new EwsConnection(sim.ewsUrl);
    expect((await conn.ntlm(svc, getFolderXml("inbox", alice))).status).toBe(200);
    const { id } = await control<{ id: string }>("POST", "/faults", {
      target: "ews",
      pathIncludes: "GetFolder",
      times: 1,
      action: { type: "ewsServerBusy", backOffMs: 400, httpStatus: 500 },
    });
    expect(id).toMatch(/^fault-/);
    const busy = await conn.post(getFolderXml("inbox", alice));
    expect(busy.status).toBe(500);
    expect(dig(busy.body, "Fault", "detail", "ResponseCode")).toBe("ErrorServerBusy");
    expect(dig(busy.body, "Fault", "detail", "MessageXml", "Value")).toEqual({
      "#text": "400",
      "@_Name": "BackOffMilliseconds",
    });
    // Too early: a violation, even for another mailbox (the budget is the principal's).
    expect((await conn.post(getFolderXml("inbox", bob))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 450));
    expect((await conn.post(getFolderXml("inbox", alice))).status).toBe(200);
    const record = await control<EwsRecordSnapshot>("GET", "/ews/record");
    expect(record.backOffViolations).toHaveLength(1);
    expect(record.backOffViolations[0]).toMatchObject({
      principal: "user:svc@tailspin.com",
      operation: "GetFolder",
    });
    expect(record.backOffViolations[0]?.earlyByMs).toBeGreaterThan(0);
    expect(record.principals[0]).toMatchObject({ serverBusySent: 1, backOffViolations: 1 });

    sim.addFault({
      target: "ews",
      action: { type: "ewsServerBusy", backOffMs: 1, httpStatus: 503 },
    });
    const busy503 = await conn.post(getFolderXml("inbox", alice));
    expect([busy503.status, dig(busy503.body, "Fault", "detail", "ResponseCode")]).toEqual([
      503,
      "ErrorServerBusy",
    ]);
    await new Promise((r) => setTimeout(r, 5));
    sim.addFault({
      target: "ews",
      action: { type: "ewsServerBusy", backOffMs: 1, httpStatus: 200 },
    });
    const busy200 = await conn.post(getFolderXml("inbox", alice));
    expect(busy200.status).toBe(200);
    const message = dig(
      busy200.body,
      "GetFolderResponse",
      "ResponseMessages",
      "GetFolderResponseMessage",
    );
    expect(dig(message, "ResponseCode")).toBe("ErrorServerBusy");
    expect(dig(message, "MessageXml", "Value", "@_Name")).toBe("BackOffMilliseconds");
    conn.close();
  });

  it("answers plain 503s, resets connections (which then handshake again), slows down, and fails one item or a whole mailbox", async () => {
    const conn = new EwsConnection(sim.ewsUrl);
    expect((await conn.ntlm(svc, getFolderXml("inbox", alice))).status).toBe(200);
    sim.addFault({ target: "ews", action: { type: "status", status: 503 } });
    expect((await conn.post(getFolderXml("inbox", alice))).status).toBe(503);
    sim.addFault({ target: "ews", action: { type: "delay", ms: 250 } });
    const started = Date.now();
    expect((await conn.post(getFolderXml("inbox", alice))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);

    sim.addFault({
      target: "ews",
      mailbox: bob,
      action: { type: "ewsError", code: "ErrorMailboxMoveInProgress" },
    });
    const moving = await conn.post(getFolderXml("inbox", bob));
    expect(
      dig(
        moving.body,
        "GetFolderResponse",
        "ResponseMessages",
        "GetFolderResponseMessage",
        "ResponseCode",
      ),
    ).toBe("ErrorMailboxMoveInProgress");

    const [first, second] = [...sim.groundTruth(alice)];
    sim.addFault({
      target: "ews",
      itemId: second?.restId,
      times: Number.POSITIVE_INFINITY,
      action: { type: "ewsError", code: "ErrorItemNotFound" },
    });
    const items = await conn.post(
      soap(
        `<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape></m:ItemShape><m:ItemIds><t:ItemId Id="${first?.restId}"/><t:ItemId Id="${second?.restId}"/></m:ItemIds></m:GetItem>`,
      ),
    );
    expect(
      list(dig(items.body, "GetItemResponse", "ResponseMessages", "GetItemResponseMessage")).map(
        (m) => m.ResponseCode,
      ),
    ).toEqual(["NoError", "ErrorItemNotFound"]);

    sim.addFault({ target: "ews", action: { type: "reset" } });
    await expect(conn.post(getFolderXml("inbox", alice))).rejects.toThrow();
    // A new connection: unauthenticated again.
    expect((await conn.post(getFolderXml("inbox", alice))).status).toBe(401);
    expect((await conn.ntlm(svc, getFolderXml("inbox", alice))).status).toBe(200);
    const record = sim.ewsRecord();
    expect(record.connections.filter((c) => c.handshakes > 0).map((c) => c.handshakes)).toEqual([
      1, 1,
    ]);
    expect(record.principals[0]?.handshakes).toBe(2);
    conn.close();
  });
});

describe("concurrency", () => {
  it("records requests in flight per principal across mailboxes and refuses beyond EWSMaxConcurrency", async () => {
    expect(sim.ewsRecord().maxConcurrency).toBe(27);
    // A smaller limit keeps the test independent of how fast 30 TLS connections open here.
    await control("PUT", "/ews/max-concurrency", { n: 5 });
    sim.addFault({
      target: "ews",
      times: Number.POSITIVE_INFINITY,
      action: { type: "delay", ms: 1000 },
    });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        asApp(i % 2 ? alice : bob).then(async (r) => ({ status: r.status, text: await r.text() })),
      ),
    );
    await control("PUT", "/ews/max-concurrency", { n: 27 });
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 500);
    expect(refused).toHaveLength(3);
    expect(refused[0]?.text).toContain("ErrorExceededConnectionCount");
    // The last slot is released when the server sees the answer's socket done.
    let record = await control<EwsRecordSnapshot>("GET", "/ews/record");
    for (let i = 0; i < 50 && record.principals.some((p) => p.inFlight > 0); i++) {
      await new Promise((r) => setTimeout(r, 20));
      record = await control<EwsRecordSnapshot>("GET", "/ews/record");
    }
    const app = record.principals.find((p) => p.principal === `app:${clientId}`);
    expect(app).toMatchObject({
      maxInFlight: 5,
      overConcurrencyLimit: 3,
      requests: 8,
      inFlight: 0,
    });
    expect([...(app?.mailboxes ?? [])].sort()).toEqual([alice, bob]);
    expect(
      record.requests
        .filter((r) => r.principal === `app:${clientId}` && r.status === 200)
        .every((r) => r.anchorMailbox === r.mailbox),
    ).toBe(true);
  });
});
