import { createPrivateKey, generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CREATE,
  DELETE,
  type IntegrationView,
  READ,
  SET_ENABLED,
  UPDATE,
  UPDATE_CONNECTION,
  VALIDATE,
  VALIDATE_STORED,
  certificateConnection,
  expectRefused,
  rows,
  secretConnection,
} from "../support/integration-api.js";
import { snapshot } from "../support/snapshot.js";
import {
  startSyncEnv,
  type SyncEnv,
  waitForFreshRound,
  waitForMailbox,
} from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";

/**
 * DOMAIN.md "Integrations" through the GraphQL endpoint, against the tenant simulator. Syncs run
 * every second here, so only the deletion test gives an enabled integration valid credentials and a
 * mailbox; every other integration has no mailbox, is disabled or has credentials that get no
 * token — nothing syncs behind a "changes nothing" check.
 */

let env: SyncEnv;
let server: TestServer;

beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 20 });
  server = env.server;
  await server.ok(
    `mutation { a: createProject(input: { name: "ops" }) { id } b: createProject(input: { name: "other" }) { id } }`,
  );
});
afterAll(() => env?.stop());

async function create(input: Record<string, unknown>): Promise<IntegrationView> {
  const data = await server.ok<{ createIntegration: IntegrationView }>(CREATE, {
    input: { project: "ops", ...input },
  });
  return data.createIntegration;
}

const read = async (id: string): Promise<IntegrationView | null> =>
  (await server.ok<{ integration: IntegrationView | null }>(READ, { id })).integration;

describe("integration names", () => {
  it("creates an integration with its connection as given, the title defaulting to the name", async () => {
    const { tenant } = env;
    const created = await create({ name: "exchange-main", connection: secretConnection(tenant) });
    expect(created).toMatchObject({
      name: "exchange-main",
      title: "exchange-main",
      api: "GRAPH",
      authMethod: "CLIENT_SECRET",
      access: "APPLICATION",
      authorityUrl: tenant.authorityUrl,
      clientId: tenant.app.clientId,
      graphEndpoint: tenant.graphEndpoint,
      ewsUrl: null,
      serviceUsername: null,
      certificateThumbprint: null,
      hasSecret: true,
      enabled: true,
      disabledReason: null,
      lastError: null,
      warnings: [],
      project: { name: "ops" },
      credentials: { status: "VALID", error: null, mailboxes: [] },
      mailboxes: [],
    });
    expect(await read(created.id)).toEqual(created);
  });

  it.each([
    ["an empty name", ""],
    ["a space", "has space"],
    ["a slash", "a/b"],
    ["a dot", "exchange.main"],
    ["257 characters", "x".repeat(257)],
    ["non-ASCII letters", "ünïcode"],
  ])("refuses a name with %s (BAD_USER_INPUT input.name), changing nothing", async (_, name) => {
    await expectRefused(
      server,
      CREATE,
      { input: { project: "ops", name, connection: secretConnection(env.tenant) } },
      { code: "BAD_USER_INPUT", field: "input.name", message: [/API name/, /letters|characters/] },
    );
  });

  it("accepts every allowed character and the longest name", async () => {
    for (const name of ["A-z_0-9", "y".repeat(256)]) {
      const created = await create({ name, connection: secretConnection(env.tenant) });
      expect(created.name).toBe(name);
    }
  });

  it("answers CONFLICT for a name taken in the project, and accepts it in another project", async () => {
    const connection = secretConnection(env.tenant);
    await create({ name: "taken", connection });
    await expectRefused(
      server,
      CREATE,
      { input: { project: "ops", name: "taken", title: "Another", connection } },
      { code: "CONFLICT", message: ["'taken'", "'ops'"] },
    );
    const elsewhere = await create({ project: "other", name: "taken", connection });
    expect(elsewhere).toMatchObject({ name: "taken", project: { name: "other" } });
  });

  it("has no mutation input that accepts a name after creation", async () => {
    const { tenant } = env;
    const created = await create({ name: "immutable", connection: secretConnection(tenant) });
    // Inline literals: GraphQL validation refuses an input field the type does not define.
    const connection = Object.entries(secretConnection(tenant))
      .map(([key, value]) => (/^[A-Z_]+$/.test(value) ? `${key}: ${value}` : `${key}: "${value}"`))
      .join(", ");
    const renames = [
      `mutation($id: ID!) { updateIntegration(id: $id, input: { name: "renamed" }) { id } }`,
      `mutation($id: ID!) { updateIntegration(id: $id, input: { title: "t", name: "renamed" }) { id } }`,
      `mutation($id: ID!) { updateIntegrationConnection(id: $id, connection: { ${connection}, name: "renamed" }) { id } }`,
    ];
    for (const query of renames) {
      const error = await expectRefused(
        server,
        query,
        { id: created.id },
        { code: "GRAPHQL_VALIDATION_FAILED" },
      );
      expect(error.message).toMatch(
        /^Field "name" is not defined by type "(UpdateIntegrationInput|ConnectionInput)"\.$/,
      );
    }
    // A name-less field in the same position is what the inputs do accept.
    const retitled = await server.ok<{ updateIntegration: IntegrationView }>(UPDATE, {
      id: created.id,
      input: { title: "Immutable name, new title" },
    });
    expect(retitled.updateIntegration).toMatchObject({
      name: "immutable",
      title: "Immutable name, new title",
    });
    expect(Date.parse(retitled.updateIntegration.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(created.updatedAt),
    );
    const reconnected = await server.ok<{ updateIntegrationConnection: IntegrationView }>(
      UPDATE_CONNECTION,
      { id: created.id, connection: certificateConnection(tenant) },
    );
    expect(reconnected.updateIntegrationConnection).toMatchObject({
      name: "immutable",
      title: "Immutable name, new title",
      authMethod: "CERTIFICATE",
    });
    expect((await read(created.id))?.name).toBe("immutable");
  });
});

/** A PEM key Mailstream must refuse: EC (Entra needs RSA) and a passphrase-protected RSA key. */
const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const encryptedKey = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" },
  publicKeyEncoding: { type: "spki", format: "pem" },
}).privateKey;

interface ConnectionCase {
  rule: string;
  connection: () => Record<string, unknown>;
  field: string;
  message: RegExp;
  /** updateIntegrationConnection keeps a stored secret left out for the same method. */
  notOnUpdate?: boolean;
}

const ewsUrl = "https://mail.contoso.com/EWS/Exchange.asmx";

const connectionCases: ConnectionCase[] = [
  {
    rule: "NTLM with APPLICATION access",
    connection: () => ({
      ...secretConnection(env.tenant),
      api: "EWS",
      authMethod: "NTLM",
      ewsUrl,
    }),
    field: "access",
    message: /NTLM supports delegate access only/,
  },
  {
    rule: "GRAPH with SERVICE_USER access",
    connection: () => ({
      ...secretConnection(env.tenant),
      access: "SERVICE_USER",
      serviceUsername: env.tenant.serviceUser.username,
      servicePassword: env.tenant.serviceUser.password,
    }),
    field: "access",
    message: /Graph API does not support service user access/,
  },
  {
    rule: "GRAPH with NTLM",
    connection: () => ({
      ...secretConnection(env.tenant),
      authMethod: "NTLM",
      access: "SERVICE_USER",
      serviceUsername: env.tenant.serviceUser.username,
      servicePassword: env.tenant.serviceUser.password,
    }),
    field: "authMethod",
    message: /Graph API does not support NTLM/,
  },
  {
    rule: "CLIENT_SECRET without clientSecret",
    connection: () => ({ ...secretConnection(env.tenant), clientSecret: null }),
    field: "clientSecret",
    message: /CLIENT_SECRET method needs clientSecret/,
    notOnUpdate: true,
  },
  {
    rule: "CLIENT_SECRET with a blank clientSecret",
    connection: () => ({ ...secretConnection(env.tenant), clientSecret: "   " }),
    field: "clientSecret",
    message: /CLIENT_SECRET method needs clientSecret/,
  },
  {
    rule: "CERTIFICATE without privateKey",
    connection: () => ({ ...certificateConnection(env.tenant), privateKey: null }),
    field: "privateKey",
    message: /CERTIFICATE method needs privateKey/,
  },
  {
    rule: "CERTIFICATE without certificateThumbprint",
    connection: () => ({ ...certificateConnection(env.tenant), certificateThumbprint: null }),
    field: "certificateThumbprint",
    message: /CERTIFICATE method needs certificateThumbprint/,
  },
  {
    rule: "SERVICE_USER without servicePassword",
    connection: () => ({
      ...secretConnection(env.tenant),
      api: "EWS",
      authMethod: "NTLM",
      access: "SERVICE_USER",
      clientSecret: null,
      serviceUsername: env.tenant.serviceUser.username,
      ewsUrl,
    }),
    field: "servicePassword",
    message: /Service user access needs servicePassword/,
  },
  {
    rule: "SERVICE_USER without serviceUsername",
    connection: () => ({
      ...secretConnection(env.tenant),
      api: "EWS",
      authMethod: "NTLM",
      access: "SERVICE_USER",
      servicePassword: "Sim-Passw0rd!",
      ewsUrl,
    }),
    field: "serviceUsername",
    message: /Service user access needs serviceUsername/,
  },
  {
    rule: "EWS without ewsUrl",
    connection: () => ({ ...secretConnection(env.tenant), api: "EWS" }),
    field: "ewsUrl",
    message: /EWS needs ewsUrl/,
  },
  {
    rule: "an http ewsUrl",
    connection: () => ({
      ...secretConnection(env.tenant),
      api: "EWS",
      ewsUrl: "http://mail.contoso.com/EWS/Exchange.asmx",
    }),
    field: "ewsUrl",
    message: /ewsUrl must use https/,
  },
  {
    rule: "CLIENT_SECRET without authorityUrl",
    connection: () => {
      const { authorityUrl: _omitted, ...connection } = secretConnection(env.tenant);
      return connection;
    },
    field: "authorityUrl",
    message:
      /CLIENT_SECRET method signs in through the Microsoft identity platform, so it needs authorityUrl/,
  },
  {
    rule: "CERTIFICATE with a null clientId",
    connection: () => ({ ...certificateConnection(env.tenant), clientId: null }),
    field: "clientId",
    message:
      /CERTIFICATE method signs in through the Microsoft identity platform, so it needs clientId/,
  },
  {
    rule: "an http authority",
    connection: () => ({
      ...secretConnection(env.tenant),
      authorityUrl: env.tenant.authorityUrl.replace(/^https:/, "http:"),
    }),
    field: "authorityUrl",
    message: /authorityUrl must use https/,
  },
  {
    rule: "an http Microsoft authority",
    connection: () => ({
      ...secretConnection(env.tenant),
      authorityUrl: "http://login.microsoftonline.com/contoso.onmicrosoft.com",
    }),
    field: "authorityUrl",
    message: /authorityUrl must use https/,
  },
  {
    rule: "an authority without a tenant",
    connection: () => ({
      ...secretConnection(env.tenant),
      authorityUrl: "https://login.microsoftonline.com/",
    }),
    field: "authorityUrl",
    message: /authorityUrl has no tenant/,
  },
  {
    rule: "a multi-tenant authority",
    connection: () => ({
      ...secretConnection(env.tenant),
      authorityUrl: "https://login.microsoftonline.com/common",
    }),
    field: "authorityUrl",
    message: /"common" is a multi-tenant alias/,
  },
  {
    rule: "a client id that is not a GUID",
    connection: () => ({ ...secretConnection(env.tenant), clientId: "mailstream-app" }),
    field: "clientId",
    message: /clientId must be the Application \(client\) ID, a GUID/,
  },
  {
    rule: "a thumbprint of 39 hex digits",
    connection: () => ({
      ...certificateConnection(env.tenant),
      certificateThumbprint: env.tenant.app.certificate.sha1Thumbprint.slice(1),
    }),
    field: "certificateThumbprint",
    message: /has 39 hex digits; it must have 40 \(SHA-1\) or 64 \(SHA-256\)/,
  },
  {
    rule: "a thumbprint that is not hexadecimal",
    connection: () => ({
      ...certificateConnection(env.tenant),
      certificateThumbprint: `Z${env.tenant.app.certificate.sha1Thumbprint.slice(1)}`,
    }),
    field: "certificateThumbprint",
    message: /certificateThumbprint must be hexadecimal/,
  },
  {
    rule: "a private key that is not PEM",
    connection: () => ({ ...certificateConnection(env.tenant), privateKey: "not-a-key-0d9f1c" }),
    field: "privateKey",
    message: /privateKey must be a PEM private key/,
  },
  {
    rule: "the certificate PEM instead of the key",
    connection: () => ({
      ...certificateConnection(env.tenant),
      privateKey: env.tenant.app.certificate.certPem,
    }),
    field: "privateKey",
    message: /privateKey must be a PEM private key/,
  },
  {
    rule: "a PEM private key with a damaged body",
    connection: () => ({
      ...certificateConnection(env.tenant),
      privateKey:
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----",
    }),
    field: "privateKey",
    message: /privateKey could not be read as a PEM private key/,
  },
  {
    rule: "an EC private key",
    connection: () => ({ ...certificateConnection(env.tenant), privateKey: ecKey }),
    field: "privateKey",
    message: /privateKey is a ec key; Microsoft Entra certificate credentials need an RSA key/,
  },
  {
    rule: "a passphrase-protected private key",
    connection: () => ({ ...certificateConnection(env.tenant), privateKey: encryptedKey }),
    field: "privateKey",
    message: /privateKey is protected by a passphrase/,
  },
];

describe("connection rules", () => {
  let existing: IntegrationView;
  beforeAll(async () => {
    existing = await create({ name: "rules-target", connection: secretConnection(env.tenant) });
  });

  it.each(connectionCases)(
    "refuses $rule with BAD_USER_INPUT naming the rule, on create, validate and update",
    async ({ connection, field, message, notOnUpdate }) => {
      const given = connection();
      const secrets = [given.clientSecret, given.privateKey, given.servicePassword].filter(
        (s): s is string => typeof s === "string" && s.trim().length > 8,
      );
      const entryPoints: [string, Record<string, unknown>, string][] = [
        [
          CREATE,
          { input: { project: "ops", name: "refused", connection: given } },
          "input.connection",
        ],
        [VALIDATE, { connection: given, mailboxes: [env.tenant.mailboxes.alice] }, "connection"],
      ];
      if (!notOnUpdate) {
        entryPoints.push([UPDATE_CONNECTION, { id: existing.id, connection: given }, "connection"]);
      }
      for (const [query, variables, prefix] of entryPoints) {
        const error = await expectRefused(server, query, variables, {
          code: "BAD_USER_INPUT",
          field: `${prefix}.${field}`,
          message: [message],
        });
        for (const secret of secrets) expect(error.message).not.toContain(secret);
      }
    },
  );

  it("refuses on update a method change that leaves the new method's secret out", async () => {
    // A secret left out keeps the stored one only while the method stays the same.
    await expectRefused(
      server,
      UPDATE_CONNECTION,
      {
        id: existing.id,
        connection: { ...certificateConnection(env.tenant), privateKey: null },
      },
      { code: "BAD_USER_INPUT", field: "connection.privateKey", message: [/needs privateKey/] },
    );
  });
});

describe("EWS", () => {
  const retirement = /Exchange Online retired Exchange Web Services on 2026-10-01/;

  it("warns that Exchange Online retired EWS on 2026-10-01, and creates the integration disabled when no token is acquired", async () => {
    const { tenant, sim } = env;
    const tenantId = randomUUID();
    const identityCalls = sim.requestLog.filter((e) => e.target === "identity").length;
    const created = await create({
      name: "ews-online",
      connection: {
        ...secretConnection(tenant),
        api: "EWS",
        authorityUrl: `https://login.microsoftonline.com/${tenantId}`,
        ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
      },
      mailboxes: [{ email: tenant.mailboxes.alice, allTime: true }],
    });
    expect(created.warnings).toHaveLength(1);
    expect(created.warnings[0]).toMatch(retirement);
    expect(created.warnings[0]).toMatch(/Use api GRAPH instead/);
    // Microsoft's real identity platform is not reachable from here (nor allowed): no token, so
    // the integration is kept (with its configuration) but disabled, saying why.
    const reason = /Could not reach the identity platform/;
    expect(created).toMatchObject({
      api: "EWS",
      ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
      authorityUrl: `https://login.microsoftonline.com/${tenantId}`,
      enabled: false,
      disabledReason: "SYNC_ERROR",
      hasSecret: true,
      credentials: {
        status: "INVALID",
        mailboxes: [{ email: tenant.mailboxes.alice, access: "ERROR" }],
      },
    });
    expect(created.lastError).toMatch(reason);
    expect(created.credentials.error).toMatch(reason);
    expect(created.mailboxes.map((m) => m.email)).toEqual([tenant.mailboxes.alice]);
    // Nothing was sent to an identity platform (and nowhere near Microsoft's real one).
    expect(sim.requestLog.filter((e) => e.target === "identity")).toHaveLength(identityCalls);
    expect((await read(created.id))?.warnings).toEqual(created.warnings);
  });

  it("gives the same warning for any authority when the EWS host is Exchange Online's", async () => {
    const created = await create({
      name: "ews-online-host",
      connection: {
        ...secretConnection(env.tenant),
        api: "EWS",
        ewsUrl: "https://outlook.office365.com/EWS/Exchange.asmx",
      },
    });
    expect(created.warnings.some((w) => retirement.test(w))).toBe(true);
  });

  it("creates an NTLM integration without authorityUrl and clientId, and returns both as null", async () => {
    const created = await create({
      name: "ews-ntlm-no-identity",
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        serviceUsername: "CONTOSO\\svc-mailstream",
        servicePassword: "onprem-password-7e1c",
        ewsUrl,
      },
    });
    expect(created).toMatchObject({
      api: "EWS",
      authMethod: "NTLM",
      authorityUrl: null,
      clientId: null,
      hasSecret: true,
      warnings: [],
    });
    expect(await read(created.id)).toMatchObject({ authorityUrl: null, clientId: null });
  });

  it("gives no retirement warning for a self-hosted Exchange reached with NTLM", async () => {
    const created = await create({
      name: "ews-onprem",
      connection: {
        api: "EWS",
        authMethod: "NTLM",
        access: "SERVICE_USER",
        authorityUrl: env.tenant.authorityUrl,
        clientId: env.tenant.app.clientId,
        serviceUsername: "CONTOSO\\svc-mailstream",
        servicePassword: "onprem-password-7e1c",
        ewsUrl,
      },
    });
    expect(created).toMatchObject({
      api: "EWS",
      authMethod: "NTLM",
      access: "SERVICE_USER",
      serviceUsername: "CONTOSO\\svc-mailstream",
      ewsUrl,
      warnings: [],
      hasSecret: true,
      enabled: false,
      disabledReason: "SYNC_ERROR",
      credentials: { status: "INVALID" },
    });
  });
});

describe("credentials that get no token", () => {
  const cases: [string, () => Record<string, unknown>, RegExp][] = [
    [
      "a wrong secret",
      () => ({ ...secretConnection(env.tenant), clientSecret: "wrong-secret-value-3b7f" }),
      /^AADSTS7000215: Invalid client secret provided/,
    ],
    [
      "an expired secret",
      () => secretConnection(env.tenant, env.tenant.expiredSecretApp),
      /^AADSTS7000222: The provided client secret keys for app '[0-9a-f-]{36}' are expired/,
    ],
    [
      "an unknown client",
      () => ({ ...secretConnection(env.tenant), clientId: randomUUID() }),
      /^AADSTS700016: Application with identifier '[0-9a-f-]{36}' was not found in the directory/,
    ],
    [
      "an unknown tenant",
      () => ({
        ...secretConnection(env.tenant),
        authorityUrl: env.tenant.authorityUrl.replace(env.tenant.tenantId, randomUUID()),
      }),
      /^AADSTS90002: Tenant '[0-9a-f-]{36}' not found/,
    ],
  ];

  it.each(cases)(
    "creates the integration disabled (SYNC_ERROR) with the identity platform's error for %s",
    async (label, connection, error) => {
      const { tenant } = env;
      const name = `no-token-${label.replace(/\W+/g, "-")}`;
      const created = await create({
        name,
        connection: connection(),
        mailboxes: [{ email: tenant.mailboxes.alice, allTime: true }],
      });
      expect(created).toMatchObject({
        name,
        enabled: false,
        disabledReason: "SYNC_ERROR",
        hasSecret: true,
        credentials: {
          status: "INVALID",
          mailboxes: [
            {
              email: tenant.mailboxes.alice,
              access: "ERROR",
              error: "Not checked: no access token",
            },
          ],
        },
      });
      expect(created.lastError).toMatch(error);
      expect(created.credentials.error).toBe(created.lastError);
      expect(created.credentials.checkedAt).not.toBeNull();
      expect(created.lastError).not.toContain("wrong-secret-value-3b7f");
      // Created with its mailbox, so a script can fix it with updateIntegrationConnection.
      expect(created.mailboxes).toHaveLength(1);
      expect(await read(created.id)).toMatchObject({
        enabled: false,
        disabledReason: "SYNC_ERROR",
      });
    },
  );
});

describe("setIntegrationEnabled", () => {
  it("turns an integration off with reason USER and on again", async () => {
    const created = await create({ name: "toggled", connection: secretConnection(env.tenant) });
    const off = await server.ok<{ setIntegrationEnabled: IntegrationView }>(SET_ENABLED, {
      id: created.id,
      enabled: false,
    });
    expect(off.setIntegrationEnabled).toMatchObject({
      enabled: false,
      disabledReason: "USER",
      credentials: { status: "VALID" },
    });
    expect(await read(created.id)).toMatchObject({ enabled: false, disabledReason: "USER" });
    const on = await server.ok<{ setIntegrationEnabled: IntegrationView }>(SET_ENABLED, {
      id: created.id,
      enabled: true,
    });
    expect(on.setIntegrationEnabled).toMatchObject({
      enabled: true,
      disabledReason: null,
      lastError: null,
    });
  });

  it("creates an integration disabled by the user when asked, with its credentials still checked", async () => {
    const created = await create({
      name: "created-off",
      enabled: false,
      connection: secretConnection(env.tenant),
    });
    expect(created).toMatchObject({
      enabled: false,
      disabledReason: "USER",
      credentials: { status: "VALID" },
    });
  });

  it("refuses to switch on an integration whose credentials get no token, keeping its reason and error", async () => {
    const created = await create({
      name: "still-broken",
      connection: { ...secretConnection(env.tenant), clientSecret: "still-wrong-5a1d" },
    });
    expect(created.disabledReason).toBe("SYNC_ERROR");
    await expectRefused(
      server,
      SET_ENABLED,
      { id: created.id, enabled: true },
      {
        code: "CONFLICT",
        message: [
          /credentials/,
          /AADSTS7000215/,
          /updateIntegrationConnection/,
          /validateIntegrationCredentials/,
        ],
      },
    );
    // Switching it off by hand is always possible; on again is still refused.
    const off = await server.ok<{ setIntegrationEnabled: IntegrationView }>(SET_ENABLED, {
      id: created.id,
      enabled: false,
    });
    expect(off.setIntegrationEnabled).toMatchObject({ enabled: false, disabledReason: "USER" });
    expect(off.setIntegrationEnabled.lastError).toMatch(/AADSTS7000215/);
    await expectRefused(
      server,
      SET_ENABLED,
      { id: created.id, enabled: true },
      { code: "CONFLICT", message: [/AADSTS7000215/] },
    );
  });
});

describe("deleteIntegration", () => {
  it("stops its syncs at once and removes its configuration and secrets; its buckets and messages stay", async () => {
    const { sim, tenant } = env;
    const email = "archive@contoso.com";
    sim.tenant(tenant.tenantId).addMailbox({ email, messages: 15 });
    const created = await create({
      name: "to-delete",
      connection: secretConnection(tenant),
      mailboxes: [{ email, allTime: true }],
    });
    const [mailbox] = created.mailboxes;
    await waitForMailbox(server, mailbox!.id, (v) => v.sync.status === "UP_TO_DATE");
    const bucketQuery = `query($id: ID!) { bucket(id: $id) { id name messageCount messages(first: 100) { totalCount edges { node { mailbox internetMessageId } } } } }`;
    type BucketView = {
      bucket: {
        id: string;
        name: string;
        messageCount: number;
        messages: { totalCount: number; edges: { node: { mailbox: string } }[] };
      } | null;
    };
    const before = (await server.ok<BucketView>(bucketQuery, { id: mailbox!.bucket.id })).bucket!;
    expect(before.messageCount).toBeGreaterThan(0);
    // Rounds recur (every second here), so silence after the deletion means something.
    await waitForFreshRound(server, mailbox!.id, 10_000);
    const [stored] = await rows(server, "integration", "id = ?", [created.id]);
    const envelope = stored!.secret_envelope as string;
    expect(envelope.length).toBeGreaterThan(20);

    expect(
      (await server.ok<{ deleteIntegration: boolean }>(DELETE, { id: created.id }))
        .deleteIntegration,
    ).toBe(true);
    const graphCalls = () =>
      sim.requestLog.filter((e) => e.target === "graph" && e.mailbox === email).length;
    const callsAtDelete = graphCalls();

    expect(await read(created.id)).toBeNull();
    expect(
      (
        await server.ok<{ mailbox: unknown }>(`query($id: ID!) { mailbox(id: $id) { id } }`, {
          id: mailbox!.id,
        })
      ).mailbox,
    ).toBeNull();
    const listed = await server.ok<{ project: { integrations: { name: string }[] } }>(
      `{ project(name: "ops") { integrations { name } } }`,
    );
    expect(listed.project.integrations.map((i) => i.name)).not.toContain("to-delete");
    expect(await rows(server, "integration", "id = ?", [created.id])).toEqual([]);
    expect(await rows(server, "mailbox", "integration_id = ?", [created.id])).toEqual([]);
    for (const table of ["mailbox_sync", "folder_checkpoint"]) {
      expect(await rows(server, table, "mailbox_id = ?", [mailbox!.id])).toEqual([]);
    }
    const everything = await snapshot(server);
    expect(everything).not.toContain(envelope);
    expect(everything).not.toContain(tenant.app.clientSecret);

    const after = (await server.ok<BucketView>(bucketQuery, { id: mailbox!.bucket.id })).bucket!;
    expect(after).toEqual(before);
    expect(after.messages.edges.every((e) => e.node.mailbox === email)).toBe(true);
    const usage = await server.ok<{ project: { usage: { messagesCreated: number } } }>(
      `{ project(name: "ops") { usage { messagesCreated } } }`,
    );
    expect(usage.project.usage.messagesCreated).toBeGreaterThanOrEqual(before.messageCount);

    // Syncs run every second here: two more seconds without a request to the mailbox.
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(graphCalls()).toBe(callsAtDelete);

    await expectRefused(server, DELETE, { id: created.id }, { code: "NOT_FOUND" });
  });
});

describe("secrets are write-only", () => {
  it("reports hasSecret and never returns a secret, on any query or mutation answer or log line", async () => {
    const { tenant } = env;
    const pem = tenant.app.certificate.privateKeyPem;
    const pkcs8 = createPrivateKey(pem).export({ type: "pkcs8", format: "pem" }).toString();
    const keyBody = (text: string) =>
      text.split("\n").filter((l) => /^[A-Za-z0-9+/=]{40,}$/.test(l));
    const secrets = [
      tenant.app.clientSecret,
      tenant.serviceUser.password,
      ...keyBody(pem),
      ...keyBody(pkcs8),
    ];
    expect(secrets.length).toBeGreaterThan(10);

    const answers: unknown[] = [];
    const made = [
      await create({ name: "secret-a", connection: secretConnection(tenant) }),
      await create({ name: "secret-b", connection: certificateConnection(tenant) }),
      await create({
        name: "secret-c",
        connection: {
          api: "EWS",
          authMethod: "NTLM",
          access: "SERVICE_USER",
          authorityUrl: tenant.authorityUrl,
          clientId: tenant.app.clientId,
          serviceUsername: tenant.serviceUser.username,
          servicePassword: tenant.serviceUser.password,
          ewsUrl,
        },
      }),
    ];
    answers.push(...made);
    for (const integration of made) {
      expect(integration.hasSecret, integration.name).toBe(true);
      answers.push(await read(integration.id));
      answers.push(await server.ok(UPDATE, { id: integration.id, input: { title: "t" } }));
      answers.push(await server.ok(VALIDATE_STORED, { id: integration.id }));
      answers.push(await server.ok(SET_ENABLED, { id: integration.id, enabled: false }));
      answers.push(
        await server.ok(
          `query($name: String!) { project(name: "ops") { integration(name: $name) { id hasSecret } } }`,
          {
            name: integration.name,
          },
        ),
      );
    }
    answers.push(
      await server.ok(
        `mutation($id: ID!, $connection: ConnectionInput!) { updateIntegrationConnection(id: $id, connection: $connection) { id hasSecret certificateThumbprint } }`,
        { id: made[0]!.id, connection: certificateConnection(tenant) },
      ),
    );
    answers.push(
      await server.ok(VALIDATE, {
        connection: certificateConnection(tenant),
        mailboxes: [tenant.mailboxes.alice],
      }),
    );
    answers.push(await server.ok(`{ projects { name integrations { id hasSecret clientId } } }`));
    const text = JSON.stringify(answers) + server.logs.join("");
    expect(text).toContain(made[1]!.id);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // And at rest, no table holds one in clear.
    const stored = await snapshot(server);
    for (const secret of secrets) expect(stored).not.toContain(secret);
  });
});
