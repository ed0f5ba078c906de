import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADD_MAILBOX,
  CREATE,
  DELETE,
  ESTIMATE,
  FOLDERS,
  type IntegrationView,
  READ,
  READ_MAILBOX,
  REMOVE_MAILBOX,
  SET_ENABLED,
  UPDATE,
  UPDATE_CONNECTION,
  UPDATE_MAILBOX,
  VALIDATE,
  VALIDATE_STORED,
  expectRefused,
  secretConnection,
} from "../support/integration-api.js";
import { startSyncEnv, type SyncEnv } from "../support/sync-env.js";
import type { TestServer } from "../support/test-server.js";
import { createToken, incomingMessage, storeAndPublish } from "../live/fixtures.js";

/**
 * DOMAIN.md "Projects and permissions" for integrations, mailboxes and messages, through the
 * GraphQL endpoint: a token never learns that another project's objects exist (NOT_FOUND), and
 * lacks an action in a project it can read (FORBIDDEN). Integrations are switched off so nothing
 * syncs, until the last test.
 */

let env: SyncEnv;
let server: TestServer;
/** Project A ("alpha") and B ("beta"), one integration with one mailbox each. */
let a: IntegrationView;
let b: IntegrationView;
let messageId: string;
let bucketA: string;
let tokens: { readA: string; writeA: string; bucketsA: string; messagesA: string };

const SYNC = `mutation($id: ID!) { syncMailbox(id: $id) { id email sync { status } } }`;
const RESYNC = `mutation($id: ID!) { resyncMailbox(id: $id) { id email sync { status } } }`;

beforeAll(async () => {
  env = await startSyncEnv({ messagesPerMailbox: 20, env: { MAILSTREAM_SYNC_INTERVAL: "60" } });
  server = env.server;
  await server.ok(
    `mutation { a: createProject(input: { name: "alpha" }) { id } b: createProject(input: { name: "beta" }) { id } }`,
  );
  const create = async (project: string) =>
    (
      await server.ok<{ createIntegration: IntegrationView }>(CREATE, {
        input: {
          project,
          name: "exchange",
          enabled: false,
          connection: secretConnection(env.tenant),
          mailboxes: [{ email: env.tenant.mailboxes.alice, allTime: true }],
        },
      })
    ).createIntegration;
  [a, b] = [await create("alpha"), await create("beta")];
  bucketA = a.mailboxes[0]!.bucket.id;
  const project = (
    await server.ok<{ project: { id: string; name: string } }>(
      `{ project(name: "alpha") { id name } }`,
    )
  ).project;
  const [message] = await storeAndPublish(server, project, bucketA, [
    incomingMessage({ subject: "Quarterly numbers" }),
  ]);
  messageId = message!.id;
  tokens = {
    readA: (await createToken(server, [{ project: "alpha", permissions: ["INTEGRATIONS_READ"] }]))
      .token,
    writeA: (
      await createToken(server, [
        { project: "alpha", permissions: ["INTEGRATIONS_READ", "INTEGRATIONS_WRITE"] },
      ])
    ).token,
    bucketsA: (await createToken(server, [{ project: "alpha", permissions: ["BUCKETS_READ"] }]))
      .token,
    messagesA: (
      await createToken(server, [
        { project: "alpha", permissions: ["BUCKETS_READ", "MESSAGES_READ"] },
      ])
    ).token,
  };
});
afterAll(() => env?.stop());

/** Every integration and mailbox operation that writes, for an integration and its mailbox. */
function writes(integration: IntegrationView): [string, string, Record<string, unknown>][] {
  const mailbox = integration.mailboxes[0]!.id;
  return [
    ["updateIntegration", UPDATE, { id: integration.id, input: { title: "mine now" } }],
    [
      "updateIntegrationConnection",
      UPDATE_CONNECTION,
      { id: integration.id, connection: secretConnection(env.tenant) },
    ],
    ["validateIntegrationCredentials", VALIDATE_STORED, { id: integration.id }],
    ["setIntegrationEnabled", SET_ENABLED, { id: integration.id, enabled: true }],
    ["deleteIntegration", DELETE, { id: integration.id }],
    [
      "addMailbox",
      ADD_MAILBOX,
      { integrationId: integration.id, input: { email: "new@contoso.com", allTime: true } },
    ],
    ["updateMailbox", UPDATE_MAILBOX, { id: mailbox, input: { syncAttachments: true } }],
    ["removeMailbox", REMOVE_MAILBOX, { id: mailbox }],
    ["syncMailbox", SYNC, { id: mailbox }],
    ["resyncMailbox", RESYNC, { id: mailbox }],
  ];
}

describe("a token with integrations-read on project A", () => {
  it("sees A's integrations, mailboxes and live folders, and nothing of B", async () => {
    const token = tokens.readA;
    const projects = await server.ok<{
      projects: { name: string; integrations: { id: string }[] }[];
    }>(`{ projects { name integrations { id } } }`, {}, token);
    expect(projects.projects).toEqual([{ name: "alpha", integrations: [{ id: a.id }] }]);
    const read = await server.ok<{ integration: IntegrationView }>(READ, { id: a.id }, token);
    expect(read.integration).toMatchObject({
      id: a.id,
      name: "exchange",
      project: { name: "alpha" },
    });
    expect(read.integration.mailboxes.map((m) => m.email)).toEqual([env.tenant.mailboxes.alice]);
    const byName = await server.ok<{ project: { integration: { id: string } } }>(
      `{ project(name: "alpha") { integration(name: "exchange") { id } } }`,
      {},
      token,
    );
    expect(byName.project.integration.id).toBe(a.id);
    const mailbox = await server.ok<{ mailbox: { id: string } }>(
      READ_MAILBOX,
      { id: a.mailboxes[0]!.id },
      token,
    );
    expect(mailbox.mailbox.id).toBe(a.mailboxes[0]!.id);
    const folders = await server.ok<{ mailboxFolders: string[] }>(
      FOLDERS,
      { integrationId: a.id, email: env.tenant.mailboxes.alice },
      token,
    );
    expect(folders.mailboxFolders).toContain("Root/Top of Information Store/Inbox");

    expect(
      (await server.ok<{ project: null }>(`{ project(name: "beta") { id } }`, {}, token)).project,
    ).toBeNull();
    expect(
      (await server.ok<{ integration: null }>(READ, { id: b.id }, token)).integration,
    ).toBeNull();
    expect(
      (await server.ok<{ mailbox: null }>(READ_MAILBOX, { id: b.mailboxes[0]!.id }, token)).mailbox,
    ).toBeNull();
  });

  it.each([
    "updateIntegration",
    "updateIntegrationConnection",
    "validateIntegrationCredentials",
    "setIntegrationEnabled",
    "deleteIntegration",
    "addMailbox",
    "updateMailbox",
    "removeMailbox",
    "syncMailbox",
    "resyncMailbox",
  ])("cannot %s in A (FORBIDDEN), changing nothing", async (operation) => {
    const [, query, variables] = writes(a).find(([name]) => name === operation)!;
    await expectRefused(
      server,
      query,
      variables,
      { code: "FORBIDDEN", message: ["lacks the 'integrations-write' permission"] },
      tokens.readA,
    );
  });

  it("cannot create an integration in A or validate credentials (FORBIDDEN)", async () => {
    await expectRefused(
      server,
      CREATE,
      { input: { project: "alpha", name: "second", connection: secretConnection(env.tenant) } },
      { code: "FORBIDDEN", message: ["'integrations-write'"] },
      tokens.readA,
    );
    await expectRefused(
      server,
      VALIDATE,
      { connection: secretConnection(env.tenant) },
      { code: "FORBIDDEN", message: ["'integrations-write'"] },
      tokens.readA,
    );
  });

  it("needs integrations-write to look into a mailbox that is not one of the integration's", async () => {
    const other = env.tenant.mailboxes.bob;
    const explore: [string, Record<string, unknown>][] = [
      [FOLDERS, { integrationId: a.id, email: other }],
      [ESTIMATE, { integrationId: a.id, mailbox: { email: other, allTime: true } }],
    ];
    const before = env.sim.requestLog.length;
    for (const [query, variables] of explore) {
      await expectRefused(
        server,
        query,
        variables,
        {
          code: "FORBIDDEN",
          message: [
            `${other} is not one of the mailboxes of integration 'exchange'`,
            "'integrations-write'",
          ],
        },
        tokens.readA,
      );
    }
    // Refused before asking Microsoft anything.
    expect(env.sim.requestLog.length).toBe(before);
    const folders = await server.ok<{ mailboxFolders: string[] }>(
      FOLDERS,
      { integrationId: a.id, email: other },
      tokens.writeA,
    );
    expect(folders.mailboxFolders).toContain("Root/Top of Information Store/Inbox");
    // The integration's own mailbox, in any letter case, stays readable with integrations-read.
    const own = await server.ok<{ mailboxFolders: string[] }>(
      FOLDERS,
      { integrationId: a.id, email: env.tenant.mailboxes.alice.toUpperCase() },
      tokens.readA,
    );
    expect(own.mailboxFolders).toContain("Root/Top of Information Store/Inbox");
  });

  it("gets NOT_FOUND for every operation on B's integration and mailbox, worded as for an id that does not exist", async () => {
    const missing: IntegrationView = {
      ...b,
      id: "00000000-0000-4000-8000-00000000000a",
      mailboxes: [{ ...b.mailboxes[0]!, id: "00000000-0000-4000-8000-00000000000b" }],
    };
    for (const token of [tokens.readA, tokens.writeA]) {
      const forB = writes(b);
      const forMissing = writes(missing);
      forB.push(
        [
          "estimateVolume",
          ESTIMATE,
          { integrationId: b.id, mailbox: { email: env.tenant.mailboxes.alice, allTime: true } },
        ],
        ["mailboxFolders", FOLDERS, { integrationId: b.id, email: env.tenant.mailboxes.alice }],
      );
      forMissing.push(
        [
          "estimateVolume",
          ESTIMATE,
          {
            integrationId: missing.id,
            mailbox: { email: env.tenant.mailboxes.alice, allTime: true },
          },
        ],
        [
          "mailboxFolders",
          FOLDERS,
          { integrationId: missing.id, email: env.tenant.mailboxes.alice },
        ],
      );
      for (const [i, [operation, query, variables]] of forB.entries()) {
        const hidden = await expectRefused(server, query, variables, { code: "NOT_FOUND" }, token);
        const [, missingQuery, missingVariables] = forMissing[i]!;
        const absent = await expectRefused(
          server,
          missingQuery,
          missingVariables,
          { code: "NOT_FOUND" },
          token,
        );
        const strip = (text: string) =>
          text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>");
        expect(strip(hidden.message), operation).toBe(strip(absent.message));
        expect(hidden.message).not.toMatch(/beta|permission/);
      }
    }
  });

  it("gets for B's bucket the answer a missing bucket gets", async () => {
    const missing = "00000000-0000-4000-8000-00000000000c";
    const bucketB = b.mailboxes[0]!.bucket.id;
    for (const token of [tokens.bucketsA, tokens.writeA]) {
      const hidden = await expectRefused(
        server,
        `mutation($id: ID!) { deleteBucket(id: $id) }`,
        { id: bucketB },
        { code: "NOT_FOUND" },
        token,
      );
      const absent = await expectRefused(
        server,
        `mutation($id: ID!) { deleteBucket(id: $id) }`,
        { id: missing },
        { code: "NOT_FOUND" },
        token,
      );
      expect(hidden.message.replace(bucketB, "<id>")).toBe(absent.message.replace(missing, "<id>"));
    }
  });

  it("cannot create an integration in B, whose project it cannot see (NOT_FOUND)", async () => {
    for (const token of [tokens.readA, tokens.writeA]) {
      const hidden = await expectRefused(
        server,
        CREATE,
        { input: { project: "beta", name: "intruder", connection: secretConnection(env.tenant) } },
        { code: "NOT_FOUND", message: ["Project 'beta' was not found."] },
        token,
      );
      const absent = await expectRefused(
        server,
        CREATE,
        { input: { project: "gamma", name: "intruder", connection: secretConnection(env.tenant) } },
        { code: "NOT_FOUND" },
        token,
      );
      expect(hidden.message.replace("beta", "gamma")).toBe(absent.message);
    }
  });
});

describe("syncMailbox and resyncMailbox", () => {
  it("need integrations-write: a writer gets past the permission check to the integration's state", async () => {
    for (const query of [SYNC, RESYNC]) {
      await expectRefused(
        server,
        query,
        { id: a.mailboxes[0]!.id },
        { code: "FORBIDDEN", message: ["'integrations-write'"] },
        tokens.readA,
      );
      await expectRefused(
        server,
        query,
        { id: a.mailboxes[0]!.id },
        {
          code: "CONFLICT",
          message: ["Integration 'exchange' is disabled (USER); enable it first."],
        },
        tokens.writeA,
      );
    }
  });
});

describe("messages", () => {
  const BUCKET_MESSAGES = `query($id: ID!) { bucket(id: $id) { name messages { totalCount edges { node { subject } } } } }`;

  it("cannot be read with buckets-read alone (FORBIDDEN), though the bucket can", async () => {
    const token = tokens.bucketsA;
    const bucket = await server.ok<{ bucket: { name: string; messageCount: number } }>(
      `query($id: ID!) { bucket(id: $id) { name messageCount } }`,
      { id: bucketA },
      token,
    );
    expect(bucket.bucket).toEqual({ name: a.mailboxes[0]!.bucket.name, messageCount: 1 });
    for (const [query, variables] of [
      [BUCKET_MESSAGES, { id: bucketA }],
      [`query($id: ID!) { message(id: $id) { subject bodyText } }`, { id: messageId }],
      [`{ project(name: "alpha") { buckets { messages { edges { node { subject } } } } } }`, {}],
    ] as const) {
      const result = await server.gql(query, variables, token);
      expect(result.errors?.[0]?.extensions?.code, query).toBe("FORBIDDEN");
      expect(result.errors?.[0]?.message).toContain("'messages-read'");
      expect(JSON.stringify(result)).not.toContain("Quarterly numbers");
    }
  });

  it("can be read with messages-read (the control for the test above)", async () => {
    const result = await server.ok<{
      bucket: { messages: { totalCount: number; edges: { node: { subject: string } }[] } };
    }>(BUCKET_MESSAGES, { id: bucketA }, tokens.messagesA);
    expect(result.bucket.messages.edges.map((e) => e.node.subject)).toEqual(["Quarterly numbers"]);
    const message = await server.ok<{ message: { subject: string } }>(
      `query($id: ID!) { message(id: $id) { subject } }`,
      { id: messageId },
      tokens.messagesA,
    );
    expect(message.message.subject).toBe("Quarterly numbers");
  });

  it("of another project are invisible even with messages-read here", async () => {
    const beta = (
      await server.ok<{ project: { id: string; name: string } }>(
        `{ project(name: "beta") { id name } }`,
      )
    ).project;
    const [stored] = await storeAndPublish(server, beta, b.mailboxes[0]!.bucket.id, [
      incomingMessage({ subject: "Beta only" }),
    ]);
    const read = await server.ok<{ message: null }>(
      `query($id: ID!) { message(id: $id) { subject } }`,
      { id: stored!.id },
      tokens.messagesA,
    );
    expect(read.message).toBeNull();
    const bucket = await server.ok<{ bucket: null }>(
      BUCKET_MESSAGES,
      { id: b.mailboxes[0]!.bucket.id },
      tokens.messagesA,
    );
    expect(bucket.bucket).toBeNull();
  });
});

// Last: this one starts a sync.
describe("a writer's syncMailbox on an enabled integration", () => {
  it("queues a round", async () => {
    await server.ok(SET_ENABLED, { id: a.id, enabled: true }, tokens.writeA);
    const synced = await server.ok<{ syncMailbox: { id: string; sync: { status: string } } }>(
      SYNC,
      { id: a.mailboxes[0]!.id },
      tokens.writeA,
    );
    expect(synced.syncMailbox.id).toBe(a.mailboxes[0]!.id);
    expect(["QUEUED", "SYNCING", "UP_TO_DATE"]).toContain(synced.syncMailbox.sync.status);
  });
});
