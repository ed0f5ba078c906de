import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClientCertificate, type ClientCertificate } from "../../simulator/index.js";
import {
  countRequests,
  isTokenRequest,
  startExchangeFixture,
  type Credential,
  type ExchangeFixture,
} from "./exchange-fixture.js";

let fx: ExchangeFixture;
let stranger: ClientCertificate;

beforeAll(async () => {
  [fx, stranger] = await Promise.all([
    startExchangeFixture({ messagesPerMailbox: 10 }),
    generateClientCertificate(),
  ]);
});

afterAll(() => fx.stop());

describe("acquireToken succeeds", () => {
  it.each<Credential>(["secret", "certificateSha1", "certificateSha256", "serviceUser"])(
    "with %s and the token reads mail",
    async (credential) => {
      const client = fx.client(fx.connection(credential));
      const token = await client.acquireToken();
      expect(token).toMatchObject({ ok: true });
      expect(token.ok && token.expiresOn.getTime()).toBeGreaterThan(Date.now() + 3000 * 1000);
      const check = await client.checkMailbox(fx.demo.mailboxes.alice);
      expect(check.access).toBe("ACCESSIBLE");
    },
  );

  it("caches the token and fetches a new one only when forced", async () => {
    fx.sim.resetStats();
    const client = fx.client();
    await client.acquireToken();
    await client.acquireToken();
    await Promise.all([client.tokens.getAccessToken(), client.tokens.getAccessToken()]);
    expect(countRequests(fx.sim, isTokenRequest)).toBe(1);
    const current = await client.tokens.getAccessToken();
    await Promise.all([
      client.tokens.refreshAfterRejection(current),
      client.tokens.refreshAfterRejection(current),
    ]);
    expect(countRequests(fx.sim, isTokenRequest)).toBe(2);
    expect(await client.tokens.getAccessToken()).not.toBe(current);
  });
});

describe("acquireToken reports the identity platform's error", () => {
  const cases: [string, () => ReturnType<ExchangeFixture["connection"]>, string][] = [
    [
      "a wrong secret",
      () => fx.connection("secret", { clientSecret: "not-the-secret" }),
      "AADSTS7000215",
    ],
    [
      "an expired secret",
      () =>
        fx.connection("secret", {
          clientId: fx.demo.expiredSecretApp.clientId,
          clientSecret: fx.demo.expiredSecretApp.clientSecret,
        }),
      "AADSTS7000222",
    ],
    [
      "an unknown client",
      () => fx.connection("secret", { clientId: "0badc0de-0000-4000-8000-000000000000" }),
      "AADSTS700016",
    ],
    [
      "an unknown tenant",
      () =>
        fx.connection("secret", {
          authorityUrl: `${fx.sim.loginUrl}/00000000-0000-4000-8000-00000000dead`,
        }),
      "AADSTS90002",
    ],
    [
      "an assertion signed by another key",
      () => fx.connection("certificateSha256", { privateKey: stranger.privateKeyPem }),
      "AADSTS700027",
    ],
    [
      "a thumbprint of an unregistered certificate",
      () => fx.connection("certificateSha1", { certificateThumbprint: stranger.sha1Thumbprint }),
      "AADSTS700027",
    ],
    [
      "a wrong service-user password",
      () => fx.connection("serviceUser", { servicePassword: "wrong" }),
      "AADSTS50126",
    ],
  ];

  it.each(cases)("for %s", async (_name, connection, code) => {
    const conn = connection();
    const token = await fx.client(conn).acquireToken();
    expect(token.ok).toBe(false);
    if (token.ok) return;
    expect(token.kind).toBe("credentials");
    expect(token.code).toBe(code);
    expect(token.message.startsWith(`${code}: `)).toBe(true);
    expect(token.message).not.toMatch(/Trace ID|Correlation ID/);
    for (const secret of [conn.clientSecret, conn.servicePassword, conn.privateKey]) {
      if (secret) expect(token.message).not.toContain(secret);
    }
  });

  it("for a malformed certificate credential, before any request", async () => {
    fx.sim.resetStats();
    const token = await fx
      .client(fx.connection("certificateSha1", { certificateThumbprint: "abc" }))
      .acquireToken();
    expect(token).toMatchObject({
      ok: false,
      kind: "credentials",
      code: "InvalidCertificateCredential",
    });
    expect(countRequests(fx.sim, isTokenRequest)).toBe(0);
  });
});

describe("transient identity failures", () => {
  it("retries a 503 from the token endpoint after its Retry-After", async () => {
    fx.sim.resetStats();
    fx.sim.addFault({
      target: "identity",
      pathIncludes: "/oauth2/v2.0/token",
      times: 1,
      action: { type: "status", status: 503 },
    });
    const started = Date.now();
    const token = await fx.client().acquireToken();
    expect(token.ok).toBe(true);
    expect(countRequests(fx.sim, isTokenRequest)).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("retries a connection reset", async () => {
    fx.sim.resetStats();
    fx.sim.addFault({ target: "identity", times: 1, action: { type: "reset" } });
    expect((await fx.client().acquireToken()).ok).toBe(true);
    expect(countRequests(fx.sim, isTokenRequest)).toBe(2);
  });
});
