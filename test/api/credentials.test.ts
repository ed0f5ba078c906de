import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClientCertificate, type ClientCertificate } from "../../simulator/index.js";
import {
  CREATE,
  type CredentialCheckView,
  type IntegrationView,
  UPDATE_CONNECTION,
  VALIDATE,
  VALIDATE_STORED,
  certificateConnection,
  expectRefused,
  rows,
  secretConnection,
} from "../support/integration-api.js";
import { startSyncEnv, type SyncEnv, waitForMailbox } from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";

/**
 * "Validate & save credentials" (DOMAIN.md Integrations) through the GraphQL endpoint: the real
 * msal-node and Graph client against the simulated identity platform and Graph. Integrations that
 * would sync are created disabled (or have no token) until the last test, so that nothing writes
 * to the database behind a "changes nothing" check.
 */

let env: SyncEnv;
let server: TestServer;
/** A certificate the tenant has never seen (another key pair). */
let stranger: ClientCertificate;

beforeAll(async () => {
  [env, stranger] = await Promise.all([
    startSyncEnv({ messagesPerMailbox: 20, env: { MAILSTREAM_SYNC_INTERVAL: "60" } }),
    generateClientCertificate({ commonName: "not-registered" }),
  ]);
  server = env.server;
  await server.ok(`mutation { createProject(input: { name: "creds" }) { id } }`);
});
afterAll(() => env?.stop());

async function validate(
  connection: Record<string, unknown>,
  mailboxes: string[] = [env.tenant.mailboxes.alice],
): Promise<CredentialCheckView> {
  return (
    await server.ok<{ validateCredentials: CredentialCheckView }>(VALIDATE, {
      connection,
      mailboxes,
    })
  ).validateCredentials;
}

async function create(input: Record<string, unknown>): Promise<IntegrationView> {
  return (
    await server.ok<{ createIntegration: IntegrationView }>(CREATE, {
      input: { project: "creds", ...input },
    })
  ).createIntegration;
}

const validateStored = async (id: string): Promise<CredentialCheckView> =>
  (
    await server.ok<{ validateIntegrationCredentials: CredentialCheckView }>(VALIDATE_STORED, {
      id,
    })
  ).validateIntegrationCredentials;

const envelopeOf = async (id: string): Promise<string> =>
  (await rows(server, "integration", "id = ?", [id]))[0]!.secret_envelope as string;

const tokenRequests = (clientId?: string) =>
  env.sim.requestLog.filter(
    (e) =>
      e.target === "identity" &&
      e.path.endsWith("/oauth2/v2.0/token") &&
      (!clientId || e.clientId === clientId),
  );

describe("each auth method", () => {
  it("acquires a token with a client secret and proves each mailbox with a mail request", async () => {
    const { tenant, sim } = env;
    const started = Date.now();
    const logged = sim.requestLog.length;
    const check = await validate(secretConnection(tenant), [
      tenant.mailboxes.alice,
      tenant.mailboxes.bob,
    ]);
    expect(check).toMatchObject({
      status: "VALID",
      error: null,
      mailboxes: [
        { email: tenant.mailboxes.alice, access: "ACCESSIBLE", error: null },
        { email: tenant.mailboxes.bob, access: "ACCESSIBLE", error: null },
      ],
    });
    expect(Date.parse(check.checkedAt!)).toBeGreaterThanOrEqual(started - 1000);
    const seen = sim.requestLog.slice(logged);
    expect(
      seen.some(
        (e) => e.target === "identity" && e.status === 200 && e.clientId === tenant.app.clientId,
      ),
    ).toBe(true);
    // A mail endpoint (the Inbox), not the user object: access policies apply to mail only.
    for (const mailbox of [tenant.mailboxes.alice, tenant.mailboxes.bob]) {
      const probes = seen.filter((e) => e.target === "graph" && e.mailbox === mailbox);
      expect(probes.length, mailbox).toBeGreaterThan(0);
      expect(probes.every((e) => e.path.includes("/mailFolders/inbox"))).toBe(true);
    }
  });

  it.each([
    ["SHA-1", (c: ClientCertificate) => c.sha1Thumbprint],
    ["SHA-256", (c: ClientCertificate) => c.sha256Thumbprint],
  ])("acquires a token with a certificate and its %s thumbprint", async (_, thumbprintOf) => {
    const { tenant } = env;
    const thumbprint = thumbprintOf(tenant.app.certificate);
    expect(await validate(certificateConnection(tenant, thumbprint))).toMatchObject({
      status: "VALID",
      error: null,
      mailboxes: [{ email: tenant.mailboxes.alice, access: "ACCESSIBLE" }],
    });
    // Stored as Azure shows it, whichever way it was pasted (lower case, colons, a tool's prefix).
    const pasted = `SHA1 Fingerprint=${thumbprint.toLowerCase().match(/../g)!.join(":")}`;
    const created = await create({
      name: `cert-${thumbprint.length}`,
      connection: certificateConnection(tenant, pasted),
    });
    expect(created).toMatchObject({
      authMethod: "CERTIFICATE",
      certificateThumbprint: thumbprint,
      hasSecret: true,
      enabled: true,
      credentials: { status: "VALID", error: null },
    });
  });

  it("refuses a Graph service user by rule; over EWS a service user signs in against the EWS host", async () => {
    const { tenant } = env;
    const serviceUser = {
      access: "SERVICE_USER",
      serviceUsername: tenant.serviceUser.username,
      servicePassword: tenant.serviceUser.password,
    };
    await expectRefused(
      server,
      VALIDATE,
      {
        connection: { ...secretConnection(tenant), ...serviceUser },
        mailboxes: [tenant.mailboxes.alice],
      },
      {
        code: "BAD_USER_INPUT",
        field: "connection.access",
        message: [/Graph API does not support service user access/],
      },
    );
    // EWS is validated against its own host: a token for a resource the tenant does not know is
    // the identity platform's AADSTS500011; NTLM to a host that does not resolve proves nothing.
    const ews = { api: "EWS", ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx" };
    const requests = tokenRequests().length;
    const token = await validate({ ...secretConnection(tenant), ...serviceUser, ...ews });
    expect(token).toMatchObject({
      status: "INVALID",
      mailboxes: [{ email: tenant.mailboxes.alice, access: "ERROR" }],
    });
    expect(token.error).toMatch(/AADSTS500011/);
    // One password grant, for the EWS host's resource.
    expect(tokenRequests()).toHaveLength(requests + 1);
    const ntlm = await validate({
      ...secretConnection(tenant),
      clientSecret: null,
      authMethod: "NTLM",
      ...serviceUser,
      ...ews,
    });
    expect(ntlm).toMatchObject({ status: "INVALID" });
    expect(ntlm.error).toMatch(/Could not reach the Exchange server/);
    for (const check of [token, ntlm])
      expect(JSON.stringify(check)).not.toContain(tenant.serviceUser.password);
    expect(tokenRequests()).toHaveLength(requests + 1);
  });
});

describe("certificate failures", () => {
  it.each([
    ["SHA-1", (c: ClientCertificate) => c.sha1Thumbprint],
    ["SHA-256", (c: ClientCertificate) => c.sha256Thumbprint],
  ])(
    "answers AADSTS700027 for an assertion signed by another key under the registered %s thumbprint",
    async (_, thumbprintOf) => {
      const { tenant } = env;
      const check = await validate(
        certificateConnection(tenant, thumbprintOf(tenant.app.certificate), stranger.privateKeyPem),
      );
      expect(check).toMatchObject({
        status: "INVALID",
        mailboxes: [
          { email: tenant.mailboxes.alice, access: "ERROR", error: "Not checked: no access token" },
        ],
      });
      expect(check.error).toMatch(/^AADSTS700027: Client assertion contains an invalid signature/);
    },
  );

  it("answers AADSTS700027 for a thumbprint the app has not registered", async () => {
    const { tenant } = env;
    for (const connection of [
      // The stranger's own pair: consistent, but not the app's certificate.
      certificateConnection(tenant, stranger.sha1Thumbprint, stranger.privateKeyPem),
      certificateConnection(tenant, stranger.sha256Thumbprint, stranger.privateKeyPem),
      // The app's key with a thumbprint of another certificate.
      certificateConnection(tenant, stranger.sha1Thumbprint),
    ]) {
      const check = await validate(connection);
      expect(check.status).toBe("INVALID");
      expect(check.error).toMatch(
        /^AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application/,
      );
    }
  });
});

describe("per-mailbox access", () => {
  const expectedChecks = () => {
    const { mailboxes } = env.tenant;
    return {
      [mailboxes.alice]: { access: "ACCESSIBLE", error: null },
      [mailboxes.carol]: {
        access: "ACCESS_DENIED",
        error: expect.stringMatching(/^ErrorAccessDenied: Access to OData is disabled/) as unknown,
      },
      "nobody@contoso.com": {
        access: "NOT_FOUND",
        error: expect.stringMatching(/^ErrorInvalidUser: /) as unknown,
      },
      // Unlicensed and on-premises mailboxes exist but Graph cannot reach them: a status of their
      // own, with Graph's reason and what to do (license it; on-premises: use EWS), since only a
      // change to the mailbox (not to the app) fixes it.
      [mailboxes.dave]: {
        access: "NOT_ENABLED_FOR_REST",
        error: expect.stringMatching(
          /^MailboxNotEnabledForRESTAPI: .*unlicensed.*license.*on-premises.*EWS integration/,
        ) as unknown,
      },
      [mailboxes.erin]: {
        access: "NOT_ENABLED_FOR_REST",
        error: expect.stringMatching(
          /^MailboxNotEnabledForRESTAPI: .*unlicensed.*license.*on-premises.*EWS integration/,
        ) as unknown,
      },
    };
  };
  const byEmail = (check: CredentialCheckView) =>
    Object.fromEntries(check.mailboxes.map(({ email, ...rest }) => [email, rest]));

  it("tells accessible, access denied (application access policy) and not found apart in one check", async () => {
    const { tenant } = env;
    const emails = Object.keys(expectedChecks());
    const check = await validate(secretConnection(tenant, tenant.restrictedApp), emails);
    expect(check.status).toBe("VALID");
    expect(check.error).toBeNull();
    expect(check.mailboxes.map((m) => m.email)).toEqual(emails);
    expect(byEmail(check)).toEqual(expectedChecks());

    // The same check runs on create and on demand, over the integration's mailboxes.
    const created = await create({
      name: "restricted",
      enabled: false,
      connection: secretConnection(tenant, tenant.restrictedApp),
      mailboxes: emails.map((email) => ({ email, allTime: true })),
    });
    expect(created.credentials.status).toBe("VALID");
    expect(byEmail(created.credentials)).toEqual(expectedChecks());
    expect(byEmail(await validateStored(created.id))).toEqual(expectedChecks());

    // Without the policy, carol is readable.
    const open = await validate(secretConnection(tenant), [tenant.mailboxes.carol]);
    expect(open.mailboxes).toEqual([
      { email: tenant.mailboxes.carol, access: "ACCESSIBLE", error: null },
    ]);
  });

  it("refuses a mailbox to check that is not an email address, before any request", async () => {
    const requests = env.sim.requestLog.length;
    for (const [bad, position] of [
      ["not an email", 1],
      ["../x", 1],
    ] as const) {
      await expectRefused(
        server,
        VALIDATE,
        { connection: secretConnection(env.tenant), mailboxes: [env.tenant.mailboxes.alice, bad] },
        { code: "BAD_USER_INPUT", field: `mailboxes.${position}`, message: [/Email address/] },
      );
    }
    expect(env.sim.requestLog).toHaveLength(requests);
  });
});

describe("updateIntegrationConnection", () => {
  let app: ReturnType<ReturnType<SyncEnv["sim"]["tenant"]>["addApp"]>;
  let firstSecret: string;
  let integration: IntegrationView;

  beforeAll(async () => {
    app = env.sim.tenant(env.tenant.tenantId).addApp({ displayName: "Rotating" });
    firstSecret = app.addSecret().value;
    integration = await create({
      name: "rotating",
      enabled: false,
      connection: secretConnection(env.tenant, {
        clientId: app.clientId,
        clientSecret: firstSecret,
      }),
      mailboxes: [{ email: env.tenant.mailboxes.alice, allTime: true }],
    });
    expect(integration.credentials.status).toBe("VALID");
  });

  const connectionWith = (clientSecret: string, clientId = app.clientId) =>
    secretConnection(env.tenant, { clientId, clientSecret });

  it("refuses credentials that get no token with the identity platform's error, keeping the stored ones byte for byte", async () => {
    const { tenant } = env;
    const envelope = await envelopeOf(integration.id);
    const refused: [Record<string, unknown>, RegExp][] = [
      [connectionWith("wrong-new-secret-41c9"), /AADSTS7000215: Invalid client secret provided/],
      [secretConnection(tenant, tenant.expiredSecretApp), /AADSTS7000222: /],
      [
        certificateConnection(
          tenant,
          tenant.app.certificate.sha1Thumbprint,
          stranger.privateKeyPem,
        ),
        /AADSTS700027: /,
      ],
    ];
    for (const [connection, error] of refused) {
      const refusal = await expectRefused(
        server,
        UPDATE_CONNECTION,
        { id: integration.id, connection },
        {
          code: "BAD_USER_INPUT",
          field: "connection",
          message: [
            /No token could be acquired with these credentials, so they were not saved/,
            error,
          ],
        },
      );
      expect(refusal.message).not.toContain("wrong-new-secret-41c9");
      expect(await envelopeOf(integration.id)).toBe(envelope);
    }
    expect(await validateStored(integration.id)).toMatchObject({
      status: "VALID",
      mailboxes: [{ email: tenant.mailboxes.alice, access: "ACCESSIBLE" }],
    });
    expect(await envelopeOf(integration.id)).toBe(envelope);
  });

  it("saves a working new secret with status VALID, and uses it from then on", async () => {
    const secondSecret = app.addSecret().value;
    const envelope = await envelopeOf(integration.id);
    const before = Date.now();
    const saved = (
      await server.ok<{ updateIntegrationConnection: IntegrationView }>(UPDATE_CONNECTION, {
        id: integration.id,
        connection: connectionWith(secondSecret),
      })
    ).updateIntegrationConnection;
    expect(saved).toMatchObject({
      name: "rotating",
      hasSecret: true,
      credentials: {
        status: "VALID",
        error: null,
        mailboxes: [{ email: env.tenant.mailboxes.alice, access: "ACCESSIBLE" }],
      },
      // Switched off by its user: a connection change does not switch it on.
      enabled: false,
      disabledReason: "USER",
    });
    expect(Date.parse(saved.credentials.checkedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect(await envelopeOf(integration.id)).not.toBe(envelope);

    // Only the second secret left in Azure: the stored credentials still work.
    app.removeCredentials();
    app.addSecret({ value: secondSecret });
    expect((await validateStored(integration.id)).status).toBe("VALID");
  });

  it("keeps the stored secret when the same method is saved without one", async () => {
    const envelope = await envelopeOf(integration.id);
    const saved = (
      await server.ok<{ updateIntegrationConnection: IntegrationView }>(UPDATE_CONNECTION, {
        id: integration.id,
        connection: {
          ...connectionWith("unused"),
          clientSecret: null,
          graphEndpoint: `${env.tenant.graphEndpoint}/`,
        },
      })
    ).updateIntegrationConnection;
    expect(saved).toMatchObject({
      hasSecret: true,
      graphEndpoint: env.tenant.graphEndpoint,
      credentials: { status: "VALID" },
    });
    // Re-sealed, yet the same secret: it still signs in.
    expect(await envelopeOf(integration.id)).not.toBe(envelope);
    expect((await validateStored(integration.id)).status).toBe("VALID");
  });

  it("records the secret's expiry with a rotation and warns within 30 days of it", async () => {
    const EXPIRY = `query($id: ID!) { integration(id: $id) { secretExpiresAt secretExpiryWarning } }`;
    const expiry = async () =>
      (
        await server.ok<{
          integration: { secretExpiresAt: string | null; secretExpiryWarning: string | null };
        }>(EXPIRY, { id: integration.id })
      ).integration;
    const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
    const rotate = (connection: Record<string, unknown>) =>
      server.gql(UPDATE_CONNECTION, { id: integration.id, connection });
    const current = app.addSecret().value;

    const soon = inDays(10);
    expect(
      (await rotate({ ...connectionWith(current), secretExpiresAt: soon })).errors,
    ).toBeUndefined();
    expect(await expiry()).toEqual({
      secretExpiresAt: soon,
      secretExpiryWarning: expect.stringMatching(
        /^The secret expires on \d{4}-\d\d-\d\d \(in 10 days\): create a new client secret .* save it on this integration's connection before then\.$/,
      ) as unknown,
    });
    // A refused rotation changes nothing, the recorded expiry included.
    const refused = await rotate({
      ...connectionWith("wrong-rotated-secret"),
      secretExpiresAt: inDays(365),
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await expiry()).secretExpiresAt).toBe(soon);
    expect((await validateStored(integration.id)).status).toBe("VALID");

    // A new secret with its 12-month expiry: no warning.
    const next = app.addSecret().value;
    const later = inDays(365);
    expect(
      (await rotate({ ...connectionWith(next), secretExpiresAt: later })).errors,
    ).toBeUndefined();
    expect(await expiry()).toEqual({ secretExpiresAt: later, secretExpiryWarning: null });
    // A new secret without one: its expiry is unknown, the old one's no longer applies.
    const another = app.addSecret().value;
    expect((await rotate(connectionWith(another))).errors).toBeUndefined();
    expect(await expiry()).toEqual({ secretExpiresAt: null, secretExpiryWarning: null });
    const bad = await rotate({ ...connectionWith(another), secretExpiresAt: "not a date" });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("re-enables an integration disabled by a credential check once the fix is in Azure and re-checked", async () => {
    const later = env.sim.tenant(env.tenant.tenantId).addApp({ displayName: "Consent pending" });
    const secret = "secret-not-yet-added-9d2e~abcdefghijklmnopqrstuvwxyz";
    const broken = await create({
      name: "fixed-in-azure",
      connection: secretConnection(env.tenant, { clientId: later.clientId, clientSecret: secret }),
    });
    expect(broken).toMatchObject({ enabled: false, disabledReason: "SYNC_ERROR" });
    later.addSecret({ value: secret });
    expect((await validateStored(broken.id)).status).toBe("VALID");
    const read = await server.ok<{ integration: IntegrationView }>(
      `query($id: ID!) { integration(id: $id) { enabled disabledReason lastError credentials { status error } } }`,
      { id: broken.id },
    );
    expect(read.integration).toEqual({
      enabled: true,
      disabledReason: null,
      lastError: null,
      credentials: { status: "VALID", error: null },
    });
  });

  // Last: this one syncs.
  it("re-enables an integration disabled with SYNC_ERROR when a working connection is saved, and it syncs", async () => {
    const { tenant } = env;
    const broken = await create({
      name: "fixed-by-update",
      connection: { ...secretConnection(tenant), clientSecret: "typo-in-the-secret-00" },
      mailboxes: [{ email: tenant.mailboxes.bob, allTime: true }],
    });
    expect(broken).toMatchObject({ enabled: false, disabledReason: "SYNC_ERROR" });
    expect(broken.lastError).toMatch(/^AADSTS7000215: /);
    const fixed = (
      await server.ok<{ updateIntegrationConnection: IntegrationView }>(UPDATE_CONNECTION, {
        id: broken.id,
        connection: secretConnection(tenant),
      })
    ).updateIntegrationConnection;
    expect(fixed).toMatchObject({
      enabled: true,
      disabledReason: null,
      lastError: null,
      credentials: {
        status: "VALID",
        error: null,
        mailboxes: [{ email: tenant.mailboxes.bob, access: "ACCESSIBLE" }],
      },
    });
    const state = await waitForMailbox(
      server,
      fixed.mailboxes[0]!.id,
      (v) => v.sync.status === "UP_TO_DATE",
      20_000,
    );
    expect(state.sync.messagesStored).toBeGreaterThan(0);
  });
});
