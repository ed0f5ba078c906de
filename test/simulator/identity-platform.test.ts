import { constants, createPrivateKey, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateClientCertificate,
  type ClientCertificate,
  type Simulator,
  type Tenant,
} from "../../simulator/index.js";
import { postToken } from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

let sim: Simulator;
let tenant: Tenant;
let clientId: string;
let secret: string;
let expiredClientId: string;
let expiredSecret: string;
let cert: ClientCertificate;
let otherCert: ClientCertificate;

beforeAll(async () => {
  sim = await startTestSimulator();
  tenant = sim.addTenant({ name: "fabrikam", domains: ["fabrikam.com"], seed: 3 });
  [cert, otherCert] = await Promise.all([generateClientCertificate(), generateClientCertificate()]);
  const app = tenant.addApp();
  clientId = app.clientId;
  secret = app.addSecret().value;
  app.addCertificate(cert.certPem);
  const expired = tenant.addApp();
  expiredClientId = expired.clientId;
  expiredSecret = expired.addSecret({ expiresAt: new Date(Date.now() - 1000) }).value;
  tenant.addServiceUser({ upn: "svc@fabrikam.com", password: "correct horse" });
});

afterAll(() => sim.stop());

const scope = (): string => `${sim.graphUrl}/.default`;

function assertion(opts: {
  key?: string;
  alg?: "RS256" | "PS256";
  x5t?: string;
  "x5t#S256"?: string;
  claims?: Record<string, unknown>;
}): string {
  const alg = opts.alg ?? "PS256";
  const header: Record<string, unknown> = { alg, typ: "JWT" };
  if (opts.x5t) header.x5t = Buffer.from(opts.x5t, "hex").toString("base64url");
  if (opts["x5t#S256"])
    header["x5t#S256"] = Buffer.from(opts["x5t#S256"], "hex").toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: `${sim.loginUrl}/${tenant.id}/oauth2/v2.0/token`,
    iss: clientId,
    sub: clientId,
    jti: "1",
    nbf: now,
    exp: now + 600,
    ...opts.claims,
  };
  const input = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const key = createPrivateKey(opts.key ?? cert.privateKeyPem);
  const signature =
    alg === "PS256"
      ? sign("sha256", Buffer.from(input), {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        })
      : sign("sha256", Buffer.from(input), key);
  return `${input}.${signature.toString("base64url")}`;
}

function withAssertion(jwt: string): Record<string, string> {
  return {
    grant_type: "client_credentials",
    client_id: clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: jwt,
    scope: scope(),
  };
}

describe("OpenID discovery", () => {
  it("serves the v2.0 document per tenant with endpoints under the same host", async () => {
    for (const name of [tenant.id, "fabrikam.com", "fabrikam.onmicrosoft.com"]) {
      const res = await fetch(`${sim.loginUrl}/${name}/v2.0/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as Record<string, string>;
      expect(doc.token_endpoint).toBe(`${sim.loginUrl}/${tenant.id}/oauth2/v2.0/token`);
      expect(doc.issuer).toBe(`${sim.loginUrl}/${tenant.id}/v2.0`);
      expect(new URL(doc.jwks_uri ?? "").host).toBe(new URL(sim.loginUrl).host);
    }
  });

  it("answers AADSTS90002 for an unknown tenant", async () => {
    const res = await fetch(
      `${sim.loginUrl}/00000000-0000-0000-0000-00000000dead/v2.0/.well-known/openid-configuration`,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe("invalid_request");
    expect(body.error_codes).toEqual([90002]);
  });
});

describe("client credentials with a secret", () => {
  it("issues a bearer token for the Graph resource", async () => {
    const answer = await postToken(sim, tenant.id, {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: scope(),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: "Bearer", expires_in: 3599 });
    const claims = JSON.parse(
      Buffer.from(String(answer.body.access_token).split(".")[1] ?? "", "base64url").toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({
      aud: sim.graphUrl,
      tid: tenant.id,
      appid: clientId,
      roles: ["Mail.Read", "User.Read.All"],
    });
  });

  it.each([
    [
      "a wrong secret",
      () => ({ client_id: clientId, client_secret: "wrong" }),
      401,
      "invalid_client",
      7000215,
    ],
    [
      "an expired secret",
      () => ({ client_id: expiredClientId, client_secret: expiredSecret }),
      401,
      "invalid_client",
      7000222,
    ],
    [
      "an unknown client",
      () => ({ client_id: "11111111-2222-3333-4444-555555555555", client_secret: secret }),
      400,
      "unauthorized_client",
      700016,
    ],
    ["no credential", () => ({ client_id: clientId }), 401, "invalid_client", 7000218],
  ])("refuses %s with its AADSTS code", async (_name, form, status, error, code) => {
    const answer = await postToken(sim, tenant.id, {
      grant_type: "client_credentials",
      scope: scope(),
      ...form(),
    });
    expect(answer.status).toBe(status);
    expect(answer.body.error).toBe(error);
    expect(answer.body.error_codes).toEqual([code]);
    expect(String(answer.body.error_description)).toMatch(new RegExp(`^AADSTS${code}: `));
    expect(answer.body.trace_id).toBeTypeOf("string");
  });

  it("refuses an unknown tenant (AADSTS90002) and a tenant-less authority (AADSTS50059)", async () => {
    const form = {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: scope(),
    };
    expect((await postToken(sim, "nosuchtenant.example", form)).body.error_codes).toEqual([90002]);
    expect((await postToken(sim, "common", form)).body.error_codes).toEqual([50059]);
  });

  it("refuses a scope without /.default and an unknown resource", async () => {
    const base = { grant_type: "client_credentials", client_id: clientId, client_secret: secret };
    expect(
      (await postToken(sim, tenant.id, { ...base, scope: `${sim.graphUrl}/Mail.Read` })).body
        .error_codes,
    ).toEqual([1002012]);
    expect(
      (await postToken(sim, tenant.id, { ...base, scope: "https://graph.example.org/.default" }))
        .body.error_codes,
    ).toEqual([500011]);
  });
});

describe("client credentials with a certificate assertion", () => {
  it("accepts PS256 with x5t#S256 and RS256 with x5t", async () => {
    const ps = await postToken(
      sim,
      tenant.id,
      withAssertion(assertion({ "x5t#S256": cert.sha256Thumbprint })),
    );
    expect(ps.status).toBe(200);
    const rs = await postToken(
      sim,
      tenant.id,
      withAssertion(assertion({ alg: "RS256", x5t: cert.sha1Thumbprint })),
    );
    expect(rs.status).toBe(200);
    const claims = JSON.parse(
      Buffer.from(String(rs.body.access_token).split(".")[1] ?? "", "base64url").toString(),
    ) as Record<string, unknown>;
    expect(claims.appidacr).toBe("2");
  });

  it("accepts the token endpoint named by a verified domain as audience", async () => {
    const jwt = assertion({
      "x5t#S256": cert.sha256Thumbprint,
      claims: { aud: `${sim.loginUrl}/fabrikam.com/oauth2/v2.0/token` },
    });
    expect((await postToken(sim, "fabrikam.com", withAssertion(jwt))).status).toBe(200);
  });

  it.each([
    [
      "signed by another key",
      () => assertion({ key: otherCert.privateKeyPem, "x5t#S256": cert.sha256Thumbprint }),
      700027,
      /invalid signature/,
    ],
    [
      "naming an unregistered certificate",
      () => assertion({ key: otherCert.privateKeyPem, "x5t#S256": otherCert.sha256Thumbprint }),
      700027,
      /key was not found/,
    ],
    [
      "with a wrong audience",
      () =>
        assertion({
          "x5t#S256": cert.sha256Thumbprint,
          claims: { aud: "https://login.example.org/token" },
        }),
      700023,
      /audience/,
    ],
    [
      "that expired",
      () =>
        assertion({
          "x5t#S256": cert.sha256Thumbprint,
          claims: { exp: Math.floor(Date.now() / 1000) - 60 },
        }),
      700024,
      /valid time range/,
    ],
    [
      "issued for another client",
      () =>
        assertion({
          "x5t#S256": cert.sha256Thumbprint,
          claims: { iss: "someone-else", sub: "someone-else" },
        }),
      700021,
      /doesn't match/,
    ],
  ])("refuses an assertion %s", async (_name, make, code, text) => {
    const answer = await postToken(sim, tenant.id, withAssertion(make()));
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe("invalid_client");
    expect(answer.body.error_codes).toEqual([code]);
    expect(String(answer.body.error_description)).toMatch(text);
  });

  it("refuses a malformed assertion with AADSTS50027", async () => {
    const answer = await postToken(sim, tenant.id, withAssertion("not.a.jwt!"));
    expect(answer.body.error_codes).toEqual([50027]);
  });
});

describe("resource-owner password (service users)", () => {
  const form = (username: string, password: string): Record<string, string> => ({
    grant_type: "password",
    client_id: clientId,
    client_secret: secret,
    username,
    password,
    scope: `${sim.graphUrl}/.default openid profile offline_access`,
  });

  it("issues an access token with an id_token and client_info for MSAL's account", async () => {
    const answer = await postToken(sim, tenant.id, form("svc@fabrikam.com", "correct horse"));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: "Bearer" });
    expect(answer.body.id_token).toBeTypeOf("string");
    const info = JSON.parse(
      Buffer.from(String(answer.body.client_info), "base64url").toString(),
    ) as Record<string, string>;
    expect(info.utid).toBe(tenant.id);
  });

  it("answers AADSTS50126 for a wrong password and AADSTS50034 for an unknown user", async () => {
    const wrong = await postToken(sim, tenant.id, form("svc@fabrikam.com", "battery staple"));
    expect([wrong.status, wrong.body.error, wrong.body.error_codes]).toEqual([
      400,
      "invalid_grant",
      [50126],
    ]);
    const unknown = await postToken(sim, tenant.id, form("nobody@fabrikam.com", "x"));
    expect(unknown.body.error_codes).toEqual([50034]);
  });
});

describe("identity faults", () => {
  it("answers a switched-on 503 with Retry-After, then recovers", async () => {
    sim.addFault({ target: "identity", times: 1, action: { type: "status", status: 503 } });
    const form = {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: secret,
      scope: scope(),
    };
    const failed = await postToken(sim, tenant.id, form);
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("1");
    expect(failed.body.error).toBe("temporarily_unavailable");
    expect((await postToken(sim, tenant.id, form)).status).toBe(200);
  });
});
