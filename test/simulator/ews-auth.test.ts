import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator, Tenant } from "../../simulator/index.js";
import { clientAuthenticate, clientNegotiate } from "../../simulator/ews/ntlm.js";
import { EwsConnection, dig, getFolderXml, impersonation, soap } from "./ews-helpers.js";
import { postToken } from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

let sim: Simulator;
let tenant: Tenant;
let appId: string;
let appSecret: string;
let restrictedId: string;
let restrictedSecret: string;
const [alice, bob, carol, dave, gone] = ["alice", "bob", "carol", "dave", "gone"].map(
  (n) => `${n}@contoso.com`,
) as [string, string, string, string, string];
const svc = { user: "svc", domain: "CONTOSO", password: "S3rvice!pw" };

beforeAll(async () => {
  sim = await startTestSimulator();
  tenant = sim.addTenant({ name: "contoso", domains: ["contoso.com"], seed: 5 });
  for (const email of [alice, bob, carol, gone]) tenant.addMailbox({ email, messages: 30 });
  tenant.addMailbox({ email: dave, kind: "unlicensed", messages: 0 });
  tenant.addServiceUser({
    upn: "svc@contoso.com",
    password: svc.password,
    fullAccessTo: [alice, bob, dave, gone],
  });
  tenant.addServiceUser({ upn: "locked@contoso.com", password: "pw", locked: true });
  const app = tenant.addApp();
  appId = app.clientId;
  appSecret = app.addSecret().value;
  const restricted = tenant.addApp({ displayName: "restricted" });
  restrictedId = restricted.clientId;
  restrictedSecret = restricted.addSecret().value;
  restricted.setAccessPolicies([{ mode: "RestrictAccess", mailboxes: [alice] }]);
  sim.deleteMailbox(gone);
});

afterAll(() => sim.stop());

function responseMessage(answer: { body?: Record<string, unknown> }): Record<string, unknown> {
  const [operation] = Object.keys(answer.body ?? {});
  return dig(
    answer.body,
    operation ?? "",
    "ResponseMessages",
    operation?.replace(/Response$/, "ResponseMessage") ?? "",
  ) as Record<string, unknown>;
}

describe("NTLM", () => {
  it("answers without credentials with 401 offering Negotiate and NTLM", async () => {
    const conn = new EwsConnection(sim.ewsUrl);
    const answer = await conn.post(getFolderXml("inbox", alice));
    expect(answer.status).toBe(401);
    expect(answer.authenticate).toEqual(expect.arrayContaining(["Negotiate", "NTLM"]));
    conn.close();
  });

  it("authenticates the connection once: later requests on it need no header, a new one handshakes again", async () => {
    sim.resetEwsRecord();
    const conn = new EwsConnection(sim.ewsUrl);
    const first = await conn.ntlm(svc, getFolderXml("inbox", alice));
    expect(first.status).toBe(200);
    expect(dig(responseMessage(first), "ResponseCode")).toBe("NoError");
    expect(dig(responseMessage(first), "Folders", "Folder", "DisplayName")).toBe("Inbox");
    for (let i = 0; i < 3; i++) {
      const again = await conn.post(getFolderXml("inbox", bob));
      expect(again.status).toBe(200);
    }
    const other = new EwsConnection(sim.ewsUrl);
    expect((await other.post(getFolderXml("inbox", alice))).status).toBe(401);
    expect(
      (
        await other.ntlm(
          { ...svc, user: "svc@contoso.com", domain: "" },
          getFolderXml("inbox", alice),
        )
      ).status,
    ).toBe(200);
    const record = sim.ewsRecord();
    const principal = record.principals.find((p) => p.principal === "user:svc@contoso.com");
    expect(principal).toMatchObject({ handshakes: 2, requests: 5, mailboxes: [alice, bob] });
    const used = record.connections.filter((c) => c.handshakes > 0);
    expect(used.map((c) => [c.handshakes, c.requests])).toEqual([
      [1, 4],
      [1, 1],
    ]);
    conn.close();
    other.close();
  });

  it("refuses a wrong password, an unknown user, a locked account, NTLMv1 and an AUTHENTICATE without a challenge, and records why", async () => {
    sim.resetEwsRecord();
    const attempts: [Parameters<EwsConnection["ntlm"]>[0], string][] = [
      [{ ...svc, password: "wrong" }, "wrongPassword"],
      [{ ...svc, user: "nobody" }, "unknownUser"],
      [{ user: "locked", domain: "CONTOSO", password: "pw" }, "lockedAccount"],
      [{ ...svc, v1: true }, "ntlmV1NotAccepted"],
    ];
    for (const [creds] of attempts) {
      const conn = new EwsConnection(sim.ewsUrl);
      const answer = await conn.ntlm(creds, getFolderXml("inbox", alice));
      expect(answer.status).toBe(401);
      conn.close();
    }
    // The AUTHENTICATE leg on another connection than the NEGOTIATE (what per-request clients get wrong).
    const a = new EwsConnection(sim.ewsUrl);
    const b = new EwsConnection(sim.ewsUrl);
    const challenge = await a.negotiate(getFolderXml("inbox", alice));
    const stray = await b.post(getFolderXml("inbox", alice), {
      authorization: `NTLM ${clientAuthenticate(challenge, svc)}`,
    });
    expect(stray.status).toBe(401);
    a.close();
    b.close();
    const { ntlmFailures } = sim.ewsRecord();
    expect(ntlmFailures.map((f) => f.reason)).toEqual([
      ...attempts.map(([, reason]) => reason),
      "noChallengeOnConnection",
    ]);
    expect(ntlmFailures[0]).toMatchObject({ user: "svc", domain: "CONTOSO" });
    expect(JSON.stringify(ntlmFailures)).not.toContain(svc.password);
  });

  it("accepts NTLM inside Negotiate, raw or wrapped in SPNEGO as Windows sends it", async () => {
    const der = (tag: number, body: Buffer): Buffer => {
      const n = body.length;
      const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
      return Buffer.concat([Buffer.from([tag, ...len]), body]);
    };
    const ntlmOid = Buffer.from("060a2b06010401823702020a", "hex");
    const spnegoOid = Buffer.from("06062b0601050502", "hex");
    const init = (ntlm: Buffer): string =>
      der(
        0x60,
        Buffer.concat([
          spnegoOid,
          der(
            0xa0,
            der(0x30, Buffer.concat([der(0xa0, der(0x30, ntlmOid)), der(0xa2, der(0x04, ntlm))])),
          ),
        ]),
      ).toString("base64");
    const resp = (ntlm: Buffer): string =>
      der(0xa1, der(0x30, der(0xa2, der(0x04, ntlm)))).toString("base64");

    const conn = new EwsConnection(sim.ewsUrl);
    const xml = getFolderXml("inbox", alice);
    const first = await conn.post(xml, {
      authorization: `Negotiate ${init(Buffer.from(clientNegotiate(), "base64"))}`,
    });
    expect(first.status).toBe(401);
    const token = Buffer.from(
      /^Negotiate (\S+)$/.exec(first.authenticate[0] ?? "")?.[1] ?? "",
      "base64",
    );
    expect(token[0]).toBe(0xa1);
    const type2 = token.subarray(token.indexOf(Buffer.from("NTLMSSP\0"))).toString("base64");
    const done = await conn.post(xml, {
      authorization: `Negotiate ${resp(Buffer.from(clientAuthenticate(type2, svc), "base64"))}`,
    });
    expect(done.status).toBe(200);
    expect(done.authenticate).toEqual(["Negotiate oQcwBaADCgEA"]);
    conn.close();

    const raw = new EwsConnection(sim.ewsUrl);
    const challenge = await raw.post(xml, { authorization: `Negotiate ${clientNegotiate()}` });
    const type2raw = /^Negotiate (\S+)$/.exec(challenge.authenticate[0] ?? "")?.[1] ?? "";
    expect(
      (await raw.post(xml, { authorization: `Negotiate ${clientAuthenticate(type2raw, svc)}` }))
        .status,
    ).toBe(200);
    raw.close();
  });

  it("gives delegate access to Full Access mailboxes only, and tells missing mailboxes apart", async () => {
    const conn = new EwsConnection(sim.ewsUrl);
    await conn.ntlm(svc, getFolderXml("inbox", alice));
    const codes: Record<string, unknown> = {};
    for (const email of [carol, dave, gone, "nobody@contoso.com"]) {
      const answer = await conn.post(getFolderXml("inbox", email));
      expect(answer.status).toBe(200);
      const message = responseMessage(answer);
      expect(message["@_ResponseClass"]).toBe("Error");
      codes[email] = message.ResponseCode;
    }
    expect(codes).toEqual({
      [carol]: "ErrorAccessDenied",
      [dave]: "ErrorNonExistentMailbox",
      [gone]: "ErrorNonExistentMailbox",
      "nobody@contoso.com": "ErrorNonExistentMailbox",
    });
    // The service user has no mailbox of its own: a distinguished id must name one.
    const noMailbox = await conn.post(getFolderXml("inbox"));
    expect(responseMessage(noMailbox).ResponseCode).toBe("ErrorMissingEmailAddress");
    conn.close();
  });

  it("answers a request the schema refuses with a soap:Fault", async () => {
    const conn = new EwsConnection(sim.ewsUrl);
    await conn.ntlm(svc, getFolderXml("inbox", alice));
    const bad = await conn.post(getFolderXml("nosuchfolder", alice));
    expect(bad.status).toBe(500);
    expect(dig(bad.body, "Fault", "detail", "ResponseCode")).toBe("ErrorSchemaValidation");
    const notXml = await conn.post("this is not xml <<");
    expect(notXml.status).toBe(500);
    expect(dig(notXml.body, "Fault", "faultcode")).toMatch(/ErrorSchemaValidation/);
    conn.close();
  });
});

async function ewsToken(clientId: string, secret: string): Promise<string> {
  const answer = await postToken(sim, tenant.id, {
    grant_type: "client_credentials",
    client_id: clientId,
    client_secret: secret,
    scope: `${sim.ewsOrigin}/.default`,
  });
  return String(answer.body.access_token);
}

describe("bearer tokens", () => {
  it("issues app-only tokens for the EWS host with full_access_as_app (and Graph tokens without it)", async () => {
    const token = await ewsToken(appId, appSecret);
    const claims = JSON.parse(
      Buffer.from(token.split(".")[1] ?? "", "base64url").toString(),
    ) as Record<string, unknown>;
    expect(claims.aud).toBe(`${sim.ewsOrigin}/`);
    expect(claims.roles).toEqual(["full_access_as_app"]);
    const graph = await postToken(sim, tenant.id, {
      grant_type: "client_credentials",
      client_id: appId,
      client_secret: appSecret,
      scope: `${sim.graphUrl}/.default`,
    });
    const graphClaims = JSON.parse(
      Buffer.from(String(graph.body.access_token).split(".")[1] ?? "", "base64url").toString(),
    ) as Record<string, unknown>;
    expect(graphClaims.roles).not.toContain("full_access_as_app");
  });

  it("impersonates with an app-only token, refuses without the header or outside the app's policy", async () => {
    const token = await ewsToken(appId, appSecret);
    const conn = new EwsConnection(sim.ewsUrl);
    const headers = (box: string): Record<string, string> => ({
      authorization: `Bearer ${token}`,
      "x-anchormailbox": box,
    });
    const ok = await conn.post(soapWith(impersonation(carol)), headers(carol));
    expect(ok.status).toBe(200);
    expect(responseMessage(ok).ResponseCode).toBe("NoError");
    const missing = await conn.post(getFolderXml("inbox", carol), headers(carol));
    expect(missing.status).toBe(500);
    expect(dig(missing.body, "Fault", "detail", "ResponseCode")).toBe(
      "ErrorInvalidExchangeImpersonationHeaderData",
    );
    const unknown = await conn.post(
      soapWith(impersonation("nobody@contoso.com")),
      headers("nobody@contoso.com"),
    );
    expect(dig(unknown.body, "Fault", "detail", "ResponseCode")).toBe("ErrorNonExistentMailbox");

    const restricted = await ewsToken(restrictedId, restrictedSecret);
    const allowed = await conn.post(soapWith(impersonation(alice)), {
      authorization: `Bearer ${restricted}`,
    });
    expect(responseMessage(allowed).ResponseCode).toBe("NoError");
    const denied = await conn.post(soapWith(impersonation(bob)), {
      authorization: `Bearer ${restricted}`,
    });
    expect(denied.status).toBe(500);
    expect(dig(denied.body, "Fault", "detail", "ResponseCode")).toBe("ErrorImpersonateUserDenied");
    // A Graph token is not for this host.
    const graph = await postToken(sim, tenant.id, {
      grant_type: "client_credentials",
      client_id: appId,
      client_secret: appSecret,
      scope: `${sim.graphUrl}/.default`,
    });
    const foreign = await conn.post(soapWith(impersonation(alice)), {
      authorization: `Bearer ${String(graph.body.access_token)}`,
    });
    expect(foreign.status).toBe(401);
    const record = sim.ewsRecord();
    expect(record.requests.find((r) => r.principal === `app:${appId}`)?.anchorMailbox).toBe(carol);
    conn.close();
  });

  it("gives a service user's token delegate access", async () => {
    const answer = await postToken(sim, tenant.id, {
      grant_type: "password",
      client_id: appId,
      client_secret: appSecret,
      username: "svc@contoso.com",
      password: svc.password,
      scope: `${sim.ewsOrigin}/.default openid profile offline_access`,
    });
    const token = String(answer.body.access_token);
    const locked = await postToken(sim, tenant.id, {
      grant_type: "password",
      client_id: appId,
      client_secret: appSecret,
      username: "locked@contoso.com",
      password: "pw",
      scope: `${sim.ewsOrigin}/.default`,
    });
    expect(locked.body.error_codes).toEqual([50053]);
    const conn = new EwsConnection(sim.ewsUrl);
    const ok = await conn.post(getFolderXml("inbox", bob), { authorization: `Bearer ${token}` });
    expect(responseMessage(ok).ResponseCode).toBe("NoError");
    const denied = await conn.post(getFolderXml("inbox", carol), {
      authorization: `Bearer ${token}`,
    });
    expect(responseMessage(denied).ResponseCode).toBe("ErrorAccessDenied");
    conn.close();
  });
});

function soapWith(header: string): string {
  return soap(
    `<m:GetFolder><m:FolderShape><t:BaseShape>Default</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder>`,
    header,
  );
}
