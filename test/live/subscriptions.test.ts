import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiTokenRow,
  BucketRow,
  MailboxRow,
  MailboxSyncRow,
} from "../../server/storage/entities/index.js";
import { newId } from "../../server/storage/ids.js";
import { storeIntegration } from "../support/stored-integration.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/test-server.js";
import {
  type ProjectRef,
  connect,
  createProject,
  createToken,
  eventually,
  incomingMessage,
  settle,
  storeAndPublish,
} from "./fixtures.js";

const MESSAGE_ADDED = `subscription($project: String!, $bucketId: ID, $stream: String) {
  messageAdded(project: $project, bucketId: $bucketId, stream: $stream) {
    project bucketId sequenceId
    message { id subject sequenceId folder from { address } }
  }
}`;

interface MessageAdded {
  messageAdded: {
    project: string;
    bucketId: string;
    sequenceId: string;
    message: { subject: string; sequenceId: string };
  };
}

let server: TestServer;
let alpha: { project: ProjectRef; bucketIds: Record<string, string> };
let beta: { project: ProjectRef; bucketIds: Record<string, string> };
const connections: { dispose(): unknown }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  alpha = await createProject(server, "live-alpha", ["inbox", "archive"]);
  beta = await createProject(server, "live-beta");
});
afterAll(async () => {
  for (const c of connections) await c.dispose();
  await server.stop();
});

function open(token: string | null, params?: Record<string, unknown>) {
  const connection = connect(server, token, params);
  connections.push(connection);
  return connection;
}

/** Resolves once `count` more subscribers listen on the channel than before `start` ran. */
async function listening(
  channel: "messageAdded" | "syncProgress" | "integrationEvents",
  start: () => void,
  count = 1,
) {
  const before = server.app.deps.events.subscriberCount(channel);
  start();
  await eventually(
    () => server.app.deps.events.subscriberCount(channel) >= before + count,
    5_000,
    `${channel} subscribers`,
  );
}

/** Opens a raw socket speaking the graphql-ws subprotocol, for protocol-level misbehaviour. */
function rawSocket(): Promise<{
  socket: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
}> {
  const socket = new WebSocket(
    `${server.url.replace(/^http/, "ws")}/graphql`,
    "graphql-transport-ws",
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve({ socket, closed }));
    socket.once("error", reject);
  });
}

describe("graphql-ws connections", () => {
  it("refuses connection_init without a token, with an unknown token or a revoked one (4403)", async () => {
    const revoked = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
    ]);
    await server.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: revoked.id });
    const cases = [
      open(null),
      open("ms_not_a_real_token"),
      open(null, { authorization: "Basic dXNlcjpwYXNz" }),
      open(revoked.token),
    ];
    const closes = await Promise.all(cases.map((c) => c.whenClosed()));
    expect(closes.map((c) => c.code)).toEqual([4403, 4403, 4403, 4403]);
    // The reason tells a missing token (no bearer) from a rejected one.
    const missing = /^UNAUTHENTICATED: no API token: send connectionParams.authorization/;
    const rejected = /^UNAUTHENTICATED: this API token is not valid \(revoked or mistyped\)/;
    expect(closes.map((c) => c.reason)).toEqual([
      expect.stringMatching(missing),
      expect.stringMatching(rejected),
      expect.stringMatching(missing),
      expect.stringMatching(rejected),
    ]);
  });

  it("closes a connection that sends a malformed message (4400)", async () => {
    const { socket, closed } = await rawSocket();
    socket.send("this is not json");
    expect((await closed).code).toBe(4400);
    const second = await rawSocket();
    second.socket.send(JSON.stringify({ type: "connection_init", payload: "not an object" }));
    second.socket.send(JSON.stringify({ type: "no_such_type" }));
    expect((await second.closed).code).toBe(4400);
  });

  it("refuses a subscribe before connection_init is acknowledged (4401)", async () => {
    const { socket, closed } = await rawSocket();
    socket.send(
      JSON.stringify({
        id: "1",
        type: "subscribe",
        payload: { query: 'subscription { messageAdded(project: "live-alpha") { bucketId } }' },
      }),
    );
    expect((await closed).code).toBe(4401);
  });

  it("closes a connection that never initialises (4408)", async () => {
    const { closed } = await rawSocket();
    const started = Date.now();
    const { code } = await closed;
    expect(code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThan(1_000);
  }, 15_000);
});

describe("messageAdded", () => {
  it("delivers a project's new messages, in sequence order, to its subscribers only", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
    ]);
    const betaReader = await createToken(server, [
      { project: "live-beta", permissions: ["MESSAGES_READ"] },
    ]);
    const both = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
      { project: "live-beta", permissions: ["MESSAGES_READ"] },
    ]);
    let alphaEvents!: ReturnType<ReturnType<typeof open>["subscribe"]>;
    let betaEvents!: typeof alphaEvents;
    let bothBeta!: typeof alphaEvents;
    await listening(
      "messageAdded",
      () => {
        alphaEvents = open(reader.token).subscribe<MessageAdded>(MESSAGE_ADDED, {
          project: "live-alpha",
        });
        betaEvents = open(betaReader.token).subscribe<MessageAdded>(MESSAGE_ADDED, {
          project: "live-beta",
        });
        bothBeta = open(both.token).subscribe<MessageAdded>(MESSAGE_ADDED, {
          project: "live-beta",
        });
      },
      3,
    );
    const stored = await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({ subject: "first" }),
      incomingMessage({ subject: "second" }),
      incomingMessage({ subject: "third" }),
    ]);
    await eventually(() => alphaEvents.data.length === 3, 5_000, "three alpha events");
    const events = (alphaEvents.data as MessageAdded[]).map((d) => d.messageAdded);
    expect(events.map((e) => e.message.subject)).toEqual(["first", "second", "third"]);
    expect(events.map((e) => e.sequenceId)).toEqual(stored.map((m) => m.sequenceId));
    expect(
      events.every((e) => e.project === "live-alpha" && e.bucketId === alpha.bucketIds.inbox),
    ).toBe(true);
    expect(events.every((e) => e.message.sequenceId === e.sequenceId)).toBe(true);

    await storeAndPublish(server, beta.project, beta.bucketIds.inbox!, [
      incomingMessage({ subject: "beta only" }),
    ]);
    await eventually(
      () => betaEvents.data.length === 1 && bothBeta.data.length === 1,
      5_000,
      "beta events",
    );
    await settle();
    expect(alphaEvents.data).toHaveLength(3);
    expect(alphaEvents.errors).toEqual([]);
    expect((bothBeta.data[0] as MessageAdded).messageAdded.message.subject).toBe("beta only");
  });

  it("narrows to one bucket with bucketId", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
    ]);
    let archive!: ReturnType<ReturnType<typeof open>["subscribe"]>;
    await listening("messageAdded", () => {
      archive = open(reader.token).subscribe<MessageAdded>(MESSAGE_ADDED, {
        project: "live-alpha",
        bucketId: alpha.bucketIds.archive,
      });
    });
    await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({ subject: "to inbox" }),
    ]);
    await storeAndPublish(server, alpha.project, alpha.bucketIds.archive!, [
      incomingMessage({ subject: "to archive" }),
    ]);
    await eventually(() => archive.data.length >= 1, 5_000, "archive event");
    await settle();
    expect((archive.data as MessageAdded[]).map((d) => d.messageAdded.message.subject)).toEqual([
      "to archive",
    ]);
  });

  it("refuses subscriptions the token may not make: NOT_FOUND for unseen projects and buckets, FORBIDDEN without messages-read (or a stream permission)", async () => {
    const bucketsOnly = await createToken(server, [
      { project: "live-alpha", permissions: ["BUCKETS_READ"] },
    ]);
    const betaReader = await createToken(server, [
      { project: "live-beta", permissions: ["MESSAGES_READ"] },
    ]);
    const betaConsumer = await createToken(server, [
      { project: "live-beta", permissions: ["MESSAGES_READ", "STREAMS_CONSUME"] },
    ]);
    const cases: [string, Record<string, unknown>, string][] = [
      [bucketsOnly.token, { project: "live-alpha" }, "FORBIDDEN"],
      [betaReader.token, { project: "live-alpha" }, "NOT_FOUND"],
      [betaReader.token, { project: "no-such-project" }, "NOT_FOUND"],
      [betaReader.token, { project: "live-beta", bucketId: alpha.bucketIds.inbox }, "NOT_FOUND"],
      [betaReader.token, { project: "live-beta", stream: "no-such-stream" }, "FORBIDDEN"],
      [betaConsumer.token, { project: "live-beta", stream: "no-such-stream" }, "NOT_FOUND"],
    ];
    for (const [token, variables, code] of cases) {
      const received = open(token).subscribe<MessageAdded>(MESSAGE_ADDED, variables);
      await eventually(
        () => received.errors.length > 0,
        5_000,
        `error for ${JSON.stringify(variables)}`,
      );
      expect(received.errors[0]?.extensions?.code, JSON.stringify(variables)).toBe(code);
    }
  });

  it("refuses subscriptions nested deeper than HTTP queries may be", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ", "BUCKETS_READ"] },
    ]);
    let nested = "id";
    for (let i = 0; i < 8; i++) nested = `project { bucket(name: "inbox") { ${nested} } }`;
    const received = open(reader.token).subscribe(
      `subscription { messageAdded(project: "live-alpha") { message { bucket { ${nested} } } } }`,
    );
    await eventually(() => received.errors.length > 0, 5_000, "depth error");
    expect(received.errors[0]?.message).toMatch(/depth/i);
  });

  it("stops delivering to a token revoked while connected", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
    ]);
    let received!: ReturnType<ReturnType<typeof open>["subscribe"]>;
    await listening("messageAdded", () => {
      received = open(reader.token).subscribe<MessageAdded>(MESSAGE_ADDED, {
        project: "live-alpha",
      });
    });
    await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({ subject: "before" }),
    ]);
    await eventually(() => received.data.length === 1, 5_000, "event before revocation");
    await server.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: reader.id });
    await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({ subject: "after" }),
    ]);
    await eventually(() => received.errors.length > 0, 5_000, "revocation error");
    expect(received.errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({ subject: "later" }),
    ]);
    await settle();
    expect((received.data as MessageAdded[]).map((d) => d.messageAdded.message.subject)).toEqual([
      "before",
    ]);
  });

  it("wakes a stream consumer only for messages its stream would return", async () => {
    await server.ok(`mutation($input: CreateStreamInput!) { createStream(input: $input) { id } }`, {
      input: {
        project: "live-alpha",
        name: "fabrikam-orders",
        bucketIds: [alpha.bucketIds.inbox],
        filter: { domains: ["fabrikam.*"], folders: ["Root/Top of Information Store/Inbox"] },
      },
    });
    const consumer = await createToken(server, [
      { project: "live-alpha", permissions: ["STREAMS_CONSUME", "MESSAGES_READ"] },
    ]);
    let received!: ReturnType<ReturnType<typeof open>["subscribe"]>;
    await listening("messageAdded", () => {
      received = open(consumer.token).subscribe<MessageAdded>(MESSAGE_ADDED, {
        project: "live-alpha",
        stream: "fabrikam-orders",
      });
    });
    await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({
        subject: "other domain",
        from: { name: null, address: "bob@northwind.com" },
      }),
      incomingMessage({
        subject: "other folder",
        folder: "Root/Top of Information Store/Sent Items",
      }),
      incomingMessage({ subject: "wanted", from: { name: null, address: "carol@fabrikam.co.uk" } }),
    ]);
    await storeAndPublish(server, alpha.project, alpha.bucketIds.archive!, [
      incomingMessage({ subject: "other bucket" }),
    ]);
    await eventually(() => received.data.length >= 1, 5_000, "stream wake-up");
    await settle();
    expect((received.data as MessageAdded[]).map((d) => d.messageAdded.message.subject)).toEqual([
      "wanted",
    ]);
    expect(received.errors).toEqual([]);
  });
});

describe("integrationEvents and syncProgress", () => {
  let integrationId: string;
  let mailboxId: string;

  beforeAll(async () => {
    // Written straight through storage (no credential check) and disabled, so nothing syncs it.
    const { db, secrets } = server.app.deps;
    integrationId = (
      await storeIntegration(db, secrets, {
        secrets: {},
        projectName: alpha.project.name,
        name: "contoso",
        title: "Contoso",
        enabled: false,
      })
    ).id;
    mailboxId = newId();
    const now = new Date();
    await db.transaction(async (m) => {
      await m.save(
        m.create(MailboxRow, {
          id: mailboxId,
          integrationId,
          email: "orders@contoso.com",
          bucketId: alpha.bucketIds.inbox!,
          syncFrom: null,
          allTime: true,
          filters: {
            allowedFolders: [],
            deniedFolders: [],
            allowedParticipants: [],
            deniedParticipants: [],
            allowedDomains: [],
            deniedDomains: [],
          },
          syncAttachments: false,
          enabled: false,
          disabledReason: "USER",
          lastError: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
    });
  });

  const PROGRESS = `subscription($project: String!, $mailboxId: ID) {
    syncProgress(project: $project, mailboxId: $mailboxId) {
      project integrationId mailboxId at
      mailbox { id email }
      sync { status phase messagesSeen messagesStored foldersDone foldersTotal }
    }
  }`;
  interface Progress {
    syncProgress: {
      project: string;
      mailboxId: string;
      mailbox: { email: string };
      sync: { status: string; messagesSeen: number; messagesStored: number };
    };
  }

  it("carries the mailbox and its current sync state, coalesced to ~10 events a second, the last state kept", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["INTEGRATIONS_READ"] },
    ]);
    const betaReader = await createToken(server, [
      { project: "live-beta", permissions: ["INTEGRATIONS_READ"] },
    ]);
    let received!: ReturnType<ReturnType<typeof open>["subscribe"]>;
    let other!: typeof received;
    await listening(
      "syncProgress",
      () => {
        received = open(reader.token).subscribe<Progress>(PROGRESS, {
          project: "live-alpha",
          mailboxId,
        });
        other = open(betaReader.token).subscribe<Progress>(PROGRESS, { project: "live-beta" });
      },
      2,
    );
    const { db, events } = server.app.deps;
    const started = Date.now();
    // A sync engine announcing every message it sees for ~0.5 s (each write, then the event).
    let seen = 0;
    while (Date.now() - started < 500) {
      seen += 10;
      await db.transaction((m) =>
        m.save(
          m.create(MailboxSyncRow, {
            mailboxId,
            status: "SYNCING",
            phase: "syncing folders",
            messagesSeen: seen,
            messagesStored: seen,
          }),
        ),
      );
      events.publish("syncProgress", {
        mailboxId,
        integrationId,
        projectId: alpha.project.id,
        projectName: "live-alpha",
        at: new Date(),
      });
    }
    await db.transaction((m) =>
      m.update(MailboxSyncRow, { mailboxId }, { status: "UP_TO_DATE", phase: null }),
    );
    events.publish("syncProgress", {
      mailboxId,
      integrationId,
      projectId: alpha.project.id,
      projectName: "live-alpha",
      at: new Date(),
    });
    const elapsed = Date.now() - started;

    const last = () => (received.data.at(-1) as Progress | undefined)?.syncProgress;
    await eventually(() => last()?.sync.status === "UP_TO_DATE", 5_000, "the final state");
    expect(seen / 10).toBeGreaterThan(20); // enough reports to be worth coalescing
    expect(received.data.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(last()).toMatchObject({
      project: "live-alpha",
      mailboxId,
      mailbox: { email: "orders@contoso.com" },
      sync: { status: "UP_TO_DATE", messagesSeen: seen, messagesStored: seen },
    });
    expect(other.data).toEqual([]);
    expect(received.errors).toEqual([]);
  });

  it("refuses syncProgress without integrations-read and for a mailbox of another project", async () => {
    const messagesOnly = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
    ]);
    const betaReader = await createToken(server, [
      { project: "live-beta", permissions: ["INTEGRATIONS_READ"] },
    ]);
    const forbidden = open(messagesOnly.token).subscribe<Progress>(PROGRESS, {
      project: "live-alpha",
    });
    const foreign = open(betaReader.token).subscribe<Progress>(PROGRESS, {
      project: "live-beta",
      mailboxId,
    });
    await eventually(
      () => forbidden.errors.length > 0 && foreign.errors.length > 0,
      5_000,
      "errors",
    );
    expect(forbidden.errors[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(foreign.errors[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("announces integration changes to the project's readers only", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["INTEGRATIONS_READ"] },
    ]);
    const betaReader = await createToken(server, [
      { project: "live-beta", permissions: ["INTEGRATIONS_READ"] },
    ]);
    const QUERY = `subscription($project: String!) { integrationEvents(project: $project) { kind integrationId project at integration { name title enabled } } }`;
    let received!: ReturnType<ReturnType<typeof open>["subscribe"]>;
    let other!: typeof received;
    await listening(
      "integrationEvents",
      () => {
        received = open(reader.token).subscribe(QUERY, { project: "live-alpha" });
        other = open(betaReader.token).subscribe(QUERY, { project: "live-beta" });
      },
      2,
    );
    await server.ok(
      `mutation($id: ID!) { updateIntegration(id: $id, input: { title: "Contoso EU" }) { id } }`,
      { id: integrationId },
    );
    await eventually(() => received.data.length === 1, 5_000, "integration event");
    expect(received.data[0]).toMatchObject({
      integrationEvents: {
        kind: "UPDATED",
        integrationId,
        project: "live-alpha",
        integration: { name: "contoso", title: "Contoso EU" },
      },
    });
    await settle();
    expect(other.data).toEqual([]);
  });
});

describe("access that ends while a socket is open", () => {
  const INTEGRATION_EVENTS = `subscription($project: String!) { integrationEvents(project: $project) { kind } }`;
  const CREATE_BUCKET = `mutation($name: String!) { createBucket(input: { project: "live-alpha", name: $name }) { id name } }`;

  /** One query or mutation over an open connection, once it ends. */
  async function operation<T>(
    connection: ReturnType<typeof open>,
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    const received = connection.subscribe<T>(query, variables);
    await eventually(
      () => received.completed || received.errors.length > 0,
      5_000,
      "the operation to end",
    );
    return received;
  }

  it("ends a revoked token's subscriptions at once and closes its sockets (4403), without waiting for an event", async () => {
    const reader = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ", "INTEGRATIONS_READ"] },
    ]);
    const bystander = await createToken(server, [
      { project: "live-alpha", permissions: ["MESSAGES_READ"] },
    ]);
    const connection = open(reader.token);
    const other = open(bystander.token);
    const viewer = await operation<{ viewer: { name: string } }>(connection, `{ viewer { name } }`);
    expect(viewer.errors).toEqual([]);
    let messages!: ReturnType<typeof connection.subscribe>;
    let integrations!: ReturnType<typeof connection.subscribe>;
    let unaffected!: ReturnType<typeof connection.subscribe>;
    await listening(
      "messageAdded",
      () => {
        messages = connection.subscribe(MESSAGE_ADDED, { project: "live-alpha" });
        unaffected = other.subscribe(MESSAGE_ADDED, { project: "live-alpha" });
      },
      2,
    );
    await listening("integrationEvents", () => {
      integrations = connection.subscribe(INTEGRATION_EVENTS, { project: "live-alpha" });
    });
    const revokedAt = Date.now();
    await server.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: reader.id });
    await eventually(
      () => messages.errors.length > 0 && integrations.errors.length > 0,
      3_000,
      "the idle subscriptions to end",
    );
    for (const ended of [messages, integrations]) {
      expect(ended.errors[0]).toMatchObject({
        message: expect.stringMatching(/revoked; connect again/),
        extensions: { code: "UNAUTHENTICATED" },
      });
    }
    expect((await connection.whenClosed()).code).toBe(4403);
    expect(Date.now() - revokedAt).toBeLessThan(3_000);
    // Another token's socket stays open and keeps receiving.
    await storeAndPublish(server, alpha.project, alpha.bucketIds.inbox!, [
      incomingMessage({ subject: "for the bystander" }),
    ]);
    await eventually(() => unaffected.data.length === 1, 5_000, "the bystander's event");
    expect(other.closed).toEqual([]);
  });

  it("checks the token again for every operation on an open socket", async () => {
    const writer = await createToken(server, [
      { project: "live-alpha", permissions: ["BUCKETS_WRITE", "BUCKETS_READ"] },
    ]);
    const connection = open(writer.token);
    const made = await operation<{ createBucket: { name: string } }>(connection, CREATE_BUCKET, {
      name: "made-over-ws",
    });
    expect(made.data).toEqual([{ createBucket: { id: expect.any(String), name: "made-over-ws" } }]);
    // Revoked behind the server's back (as another process would): no event reaches this socket.
    await server.app.deps.db.transaction((m) =>
      m.update(ApiTokenRow, { id: writer.id }, { revokedAt: new Date() }),
    );
    const refused = await operation(connection, CREATE_BUCKET, { name: "after-revocation" });
    expect(refused.data).toEqual([]);
    expect(refused.errors[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(
      await server.app.deps.db.read((m) => m.countBy(BucketRow, { name: "after-revocation" })),
    ).toBe(0);
    expect((await connection.whenClosed()).code).toBe(4403);
  });

  it("ends a deleted project's subscriptions with NOT_FOUND", async () => {
    const doomed = await createProject(server, "live-doomed");
    const connection = open(ADMIN_TOKEN);
    let messages!: ReturnType<typeof connection.subscribe>;
    let integrations!: ReturnType<typeof connection.subscribe>;
    await listening("messageAdded", () => {
      messages = connection.subscribe(MESSAGE_ADDED, { project: doomed.project.name });
    });
    await listening("integrationEvents", () => {
      integrations = connection.subscribe(INTEGRATION_EVENTS, { project: doomed.project.name });
    });
    await server.ok(`mutation { deleteProject(name: "live-doomed") }`);
    await eventually(
      () => messages.errors.length > 0 && integrations.errors.length > 0,
      3_000,
      "the deleted project's subscriptions to end",
    );
    for (const ended of [messages, integrations]) {
      expect(ended.errors[0]).toMatchObject({
        message: expect.stringMatching(/Project 'live-doomed' was deleted/),
        extensions: { code: "NOT_FOUND" },
      });
    }
    // The socket itself stays open for the admin's other work.
    const still = await operation<{ viewer: { name: string } }>(connection, `{ viewer { name } }`);
    expect(still.data).toEqual([{ viewer: { name: "bootstrap admin" } }]);
    expect(connection.closed).toEqual([]);
  });
});
