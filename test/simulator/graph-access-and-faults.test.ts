import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Simulator, Tenant } from "../../simulator/index.js";
import {
  appToken,
  graphGet,
  postToken,
  type GraphCollection,
  type GraphErrorBody,
} from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let tenant: Tenant;
let token: string;
let restrictedToken: string;
let clientId: string;
let secret: string;
const [alice, bob, carol, dave, erin, gone] = ["alice", "bob", "carol", "dave", "erin", "gone"].map(
  (n) => `${n}@litware.com`,
) as [string, string, string, string, string, string];

beforeAll(async () => {
  sim = await startTestSimulator();
  tenant = sim.addTenant({ name: "litware", domains: ["litware.com"], seed: 11 });
  const app = tenant.addApp();
  clientId = app.clientId;
  secret = app.addSecret().value;
  const restricted = tenant.addApp();
  const restrictedSecret = restricted.addSecret().value;
  restricted.setAccessPolicies([{ mode: "RestrictAccess", mailboxes: [alice] }]);
  for (const email of [alice, bob, carol, gone]) tenant.addMailbox({ email, messages: 120 });
  tenant.addMailbox({ email: dave, kind: "unlicensed", messages: 0 });
  tenant.addMailbox({ email: erin, kind: "onPremises", messages: 0 });
  tenant.addServiceUser({ upn: "svc@litware.com", password: "pw", fullAccessTo: [bob] });
  token = await appToken(sim, tenant.id, clientId, secret);
  restrictedToken = await appToken(sim, tenant.id, restricted.clientId, restrictedSecret);
});

afterEach(() => {
  sim.faults.clear();
  sim.setLatency(0);
});

afterAll(() => sim.stop());

const inbox = (email: string): string => `/users/${email}/mailFolders/inbox`;

describe("bearer tokens", () => {
  it("refuses a missing, foreign, revoked or expired token with 401 InvalidAuthenticationToken", async () => {
    const missing = await graphGet<GraphErrorBody>(sim, undefined, inbox(alice));
    expect([missing.status, missing.body.error.code]).toEqual([401, "InvalidAuthenticationToken"]);
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    const forged = await graphGet<GraphErrorBody>(sim, `${token.slice(0, -4)}AAAA`, inbox(alice));
    expect(forged.status).toBe(401);

    const fresh = await appToken(sim, tenant.id, clientId, secret);
    sim.expireAccessTokens({ clientId });
    const expired = await graphGet<GraphErrorBody>(sim, fresh, inbox(alice));
    expect(expired.body.error.message).toMatch(/expired/);
    const renewed = await appToken(sim, tenant.id, clientId, secret);
    expect((await graphGet(sim, renewed, inbox(alice))).status).toBe(200);

    sim.revokeTokens({ clientId });
    const revoked = await graphGet<GraphErrorBody>(sim, renewed, inbox(alice));
    expect([revoked.status, revoked.body.error.message]).toEqual([
      401,
      "Access token has been revoked.",
    ]);
    token = await appToken(sim, tenant.id, clientId, secret);
  });

  it("lets tokens run out after the configured lifetime", async () => {
    sim.setTokenLifetime(1);
    try {
      const short = await appToken(sim, tenant.id, clientId, secret);
      expect((await graphGet(sim, short, inbox(alice))).status).toBe(200);
      // Valid for at least its expires_in (1 s), rounded up to the next second at most.
      await new Promise((r) => setTimeout(r, 2100));
      expect((await graphGet(sim, short, inbox(alice))).status).toBe(401);
    } finally {
      sim.setTokenLifetime(3599);
    }
  });
});

describe("mailbox access", () => {
  it("answers as Graph does for unknown, unlicensed, on-premises and deleted mailboxes", async () => {
    const unknown = await graphGet<GraphErrorBody>(sim, token, inbox("nobody@litware.com"));
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "ErrorInvalidUser"]);
    for (const email of [dave, erin]) {
      const answer = await graphGet<GraphErrorBody>(sim, token, inbox(email));
      expect([answer.status, answer.body.error.code]).toEqual([404, "MailboxNotEnabledForRESTAPI"]);
    }
    const daveUser = await graphGet(sim, token, `/users/${dave}`);
    expect(daveUser.status).toBe(200);
    expect((await graphGet(sim, token, inbox(gone))).status).toBe(200);
    sim.deleteMailbox(gone);
    const deleted = await graphGet<GraphErrorBody>(sim, token, inbox(gone));
    expect([deleted.status, deleted.body.error.code]).toEqual([404, "ErrorInvalidUser"]);
    const deletedUser = await graphGet<GraphErrorBody>(sim, token, `/users/${gone}`);
    expect(deletedUser.body.error.code).toBe("Request_ResourceNotFound");
  });

  it("applies the application access policy to mail, not to the user object", async () => {
    expect((await graphGet(sim, restrictedToken, inbox(alice))).status).toBe(200);
    const denied = await graphGet<GraphErrorBody>(sim, restrictedToken, inbox(carol));
    expect([denied.status, denied.body.error.code]).toEqual([403, "ErrorAccessDenied"]);
    expect(denied.body.error.message).toContain("Access to OData is disabled");
    expect((await graphGet(sim, restrictedToken, `/users/${carol}`)).status).toBe(200);
  });

  it("needs an application mail permission granted to the app", async () => {
    const unconsented = tenant.addApp({ roles: [] });
    const tok = await appToken(sim, tenant.id, unconsented.clientId, unconsented.addSecret().value);
    const denied = await graphGet<GraphErrorBody>(sim, tok, inbox(alice));
    expect([denied.status, denied.body.error.code, denied.body.error.message]).toEqual([
      403,
      "ErrorAccessDenied",
      "Access is denied. Check credentials and try again.",
    ]);
    const user = await graphGet<GraphErrorBody>(sim, tok, `/users/${alice}`);
    expect([user.status, user.body.error.code]).toEqual([403, "Authorization_RequestDenied"]);
  });

  it("gives a service user its delegated mailboxes only", async () => {
    const answer = await postToken(sim, tenant.id, {
      grant_type: "password",
      client_id: clientId,
      client_secret: secret,
      username: "svc@litware.com",
      password: "pw",
      scope: `${sim.graphUrl}/.default openid profile offline_access`,
    });
    const delegated = String(answer.body.access_token);
    expect((await graphGet(sim, delegated, inbox(bob))).status).toBe(200);
    const other = await graphGet<GraphErrorBody>(sim, delegated, inbox(alice));
    expect([other.status, other.body.error.code]).toEqual([403, "ErrorAccessDenied"]);
  });
});

describe("per-app-per-mailbox limits", () => {
  it("throttles a fifth concurrent request with 429 ApplicationThrottled and Retry-After", async () => {
    sim.setLatency(400);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => graphGet<GraphErrorBody>(sim, token, inbox(bob))),
    );
    const throttled = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.body.error.code).toBe("ApplicationThrottled");
    expect(throttled[0]?.headers.get("retry-after")).toBe("1");
    expect(sim.mailboxStats(bob).maxInFlight).toBe(4);
  });

  it("throttles once the request budget of the window is spent", async () => {
    const local = await startTestSimulator({
      limits: { budgetRequests: 3, budgetWindowMs: 60_000 },
    });
    try {
      const t = local.addTenant({ name: "budget", seed: 1 });
      const app = t.addApp();
      const s = app.addSecret().value;
      t.addMailbox({ email: "x@budget.com", messages: 1 });
      const tok = await appToken(local, t.id, app.clientId, s);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await graphGet(local, tok, inbox("x@budget.com"))).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await local.stop();
    }
  });
});

describe("faults", () => {
  it("fires a burst of 429s with Retry-After, then serves normally", async () => {
    sim.addFault({
      mailbox: alice,
      times: 2,
      action: { type: "status", status: 429, retryAfterSeconds: 2 },
    });
    const a = await graphGet<GraphErrorBody>(sim, token, inbox(alice));
    const b = await graphGet<GraphErrorBody>(sim, token, inbox(alice));
    const c = await graphGet(sim, token, inbox(alice));
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.headers.get("retry-after")).toBe("2");
    expect(a.body.error.code).toBe("ApplicationThrottled");
  });

  it("answers 503, 504 and 500 as configured, only for matching paths", async () => {
    sim.addFault({ pathIncludes: "/messages", times: 1, action: { type: "status", status: 503 } });
    sim.addFault({ pathIncludes: "/messages", times: 1, action: { type: "status", status: 504 } });
    sim.addFault({ pathIncludes: "/messages", times: 1, action: { type: "status", status: 500 } });
    expect((await graphGet(sim, token, inbox(alice))).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await graphGet(sim, token, `${inbox(alice)}/messages?$top=1`)).status);
    expect(statuses).toEqual([503, 504, 500, 200]);
  });

  it("resets the connection", async () => {
    sim.addFault({ mailbox: alice, action: { type: "reset" } });
    await expect(graphGet(sim, token, inbox(alice))).rejects.toThrow(/fetch failed/);
    expect((await graphGet(sim, token, inbox(alice))).status).toBe(200);
  });

  it("slows answers down", async () => {
    sim.addFault({ mailbox: alice, action: { type: "delay", ms: 300 } });
    const started = Date.now();
    expect((await graphGet(sim, token, inbox(alice))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe("attachments", () => {
  interface Attachment {
    "@odata.type": string;
    id: string;
    name: string;
    contentType: string | null;
    size: number;
    isInline: boolean;
    contentBytes?: string;
  }

  it("lists file, item and reference attachments and serves their raw $value", async () => {
    const truth = [...sim.groundTruth(alice), ...sim.groundTruth(bob), ...sim.groundTruth(carol)];
    const withKind = (kind: string) =>
      truth.find((m) => m.attachments.some((a) => a.kind === kind));
    const delivered = sim.deliver(alice, {
      attachments: [
        { name: "a.txt", contentType: "text/plain", content: "hello" },
        { name: "Fwd", kind: "item", content: "Subject: x\r\n\r\nbody" },
        { name: "plan.docx", kind: "reference" },
      ],
    });
    for (const message of [withKind("file"), delivered]) {
      if (!message) throw new Error("the seed produced no message with a file attachment");
      const listed = await graphGet<GraphCollection<Attachment>>(
        sim,
        token,
        `/users/${message.mailbox}/messages/${message.id}/attachments`,
      );
      expect(listed.body.value.map((a) => a.id)).toEqual(message.attachments.map((a) => a.id));
      for (const a of listed.body.value) {
        const truthAttachment = message.attachments.find((t) => t.id === a.id);
        expect(a["@odata.type"]).toBe(`#microsoft.graph.${truthAttachment?.kind}Attachment`);
        expect(a.size).toBe(truthAttachment?.size);
        if (truthAttachment?.kind === "reference") {
          const raw = await graphGet<GraphErrorBody>(
            sim,
            token,
            `/users/${message.mailbox}/messages/${message.id}/attachments/${a.id}/$value`,
          );
          expect(raw.status).toBe(400);
          continue;
        }
        const raw = await graphGet<Buffer>(
          sim,
          token,
          `/users/${message.mailbox}/messages/${message.id}/attachments/${a.id}/$value`,
        );
        expect(raw.status).toBe(200);
        expect(
          Buffer.compare(raw.body, sim.attachmentContent(message.mailbox, message.id, a.id)),
        ).toBe(0);
        if (truthAttachment?.kind === "item")
          expect(raw.headers.get("content-type")).toBe("message/rfc822");
        if (truthAttachment?.kind === "file")
          expect(Buffer.from(a.contentBytes ?? "", "base64").length).toBe(a.size);
      }
    }
    const selected = await graphGet<GraphCollection<Attachment>>(
      sim,
      token,
      `/users/${alice}/messages/${delivered.id}/attachments?$select=id,name,size`,
    );
    expect(selected.body.value[0]).toEqual({
      "@odata.type": "#microsoft.graph.fileAttachment",
      id: delivered.attachments[0]?.id,
      name: "a.txt",
      size: 5,
    });
  });
});
