import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { snapshot } from "../support/snapshot.js";
import {
  type ProjectRef,
  createProject,
  createToken,
  incomingMessage,
  storeAndPublish,
} from "../live/fixtures.js";

const CREATE = `mutation($input: CreateStreamInput!) {
  createStream(input: $input) {
    id name title position createdAt project { name } buckets { id name }
    filter { receivedFrom receivedTo folders participants domains }
  }
}`;
const FETCH = `query($project: String!, $name: String!, $size: Int) {
  project(name: $project) { stream(name: $name) {
    position
    fetch(size: $size) { sequenceId filtered isEndSequence results { sequenceId message { id subject sequenceId } } }
  } }
}`;
const ADVANCE = `mutation($project: String!, $name: String!, $sequenceId: String!) {
  advanceStream(project: $project, name: $name, sequenceId: $sequenceId) { position }
}`;
const RESET = `mutation($project: String!, $name: String!, $to: DateTime!) {
  resetStream(project: $project, name: $name, to: $to) { position }
}`;

interface Batch {
  sequenceId: string;
  filtered: number;
  isEndSequence: boolean;
  results: { sequenceId: string; message: { id: string; subject: string; sequenceId: string } }[];
}

let server: TestServer;
let main: { project: ProjectRef; bucketIds: Record<string, string> };
let other: { project: ProjectRef; bucketIds: Record<string, string> };

beforeAll(async () => {
  server = await startTestServer();
  main = await createProject(server, "streams-main", ["inbox", "archive", "quiet"]);
  other = await createProject(server, "streams-other");
});
afterAll(() => server.stop());

const createStream = (input: Record<string, unknown>, token?: string) =>
  server.gql<{ createStream: Record<string, unknown> }>(
    CREATE,
    { input: { project: "streams-main", ...input } },
    token,
  );

async function fetchBatch(name: string, size?: number, token?: string): Promise<Batch> {
  const data = await server.ok<{ project: { stream: { fetch: Batch } } }>(
    FETCH,
    { project: "streams-main", name, size },
    token,
  );
  return data.project.stream.fetch;
}

async function fetchStreamPosition(name: string) {
  const data = await server.ok<{ project: { stream: { position: string } | null } }>(
    `query($project: String!, $name: String!) { project(name: $project) { stream(name: $name) { position } } }`,
    { project: "streams-main", name },
  );
  return data.project.stream;
}

const subjects = (batch: Batch) => batch.results.map((r) => r.message.subject);

const store = (bucket: string, ...messages: Parameters<typeof incomingMessage>[0][]) =>
  storeAndPublish(
    server,
    main.project,
    main.bucketIds[bucket]!,
    messages.map((m) => incomingMessage(m)),
  );

const tick = () => new Promise((resolve) => setTimeout(resolve, 15));

describe("stream definitions", () => {
  it("creates a stream over buckets with a filter, lists it, and deletes it (streams-admin)", async () => {
    const admin = await createToken(server, [
      { project: "streams-main", permissions: ["STREAMS_ADMIN"] },
    ]);
    const created = await createStream(
      {
        name: "orders",
        title: "Orders feed",
        bucketIds: [main.bucketIds.inbox, main.bucketIds.archive],
        filter: {
          receivedFrom: "2026-01-01T00:00:00.000Z",
          receivedTo: "2027-01-01T00:00:00.000Z",
          folders: ["Root/Top of Information Store/Inbox/"],
          participants: ["Alice@Fabrikam.com"],
          domains: ["fabrikam.*", "contoso.com"],
        },
      },
      admin.token,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data?.createStream).toMatchObject({
      name: "orders",
      title: "Orders feed",
      project: { name: "streams-main" },
      filter: {
        receivedFrom: "2026-01-01T00:00:00.000Z",
        receivedTo: "2027-01-01T00:00:00.000Z",
        folders: ["Root/Top of Information Store/Inbox"],
        participants: ["alice@fabrikam.com"],
        domains: ["fabrikam.*", "contoso.com"],
      },
    });
    const buckets = (created.data!.createStream.buckets as { name: string }[]).map((b) => b.name);
    expect(buckets).toEqual(["archive", "inbox"]);

    const reader = await createToken(server, [
      { project: "streams-main", permissions: ["STREAMS_READ"] },
    ]);
    const listed = await server.ok<{
      project: { streams: { name: string }[]; stream: { title: string } };
    }>(
      `{ project(name: "streams-main") { streams { name } stream(name: "orders") { title } } }`,
      {},
      reader.token,
    );
    expect(listed.project.streams.map((s) => s.name)).toContain("orders");
    expect(listed.project.stream.title).toBe("Orders feed");

    const refused = await server.gql(
      `mutation { deleteStream(project: "streams-main", name: "orders") }`,
      {},
      reader.token,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const deleted = await server.ok<{ deleteStream: boolean }>(
      `mutation { deleteStream(project: "streams-main", name: "orders") }`,
      {},
      admin.token,
    );
    expect(deleted.deleteStream).toBe(true);
    const gone = await server.ok<{ project: { stream: null } }>(
      `{ project(name: "streams-main") { stream(name: "orders") { id } } }`,
    );
    expect(gone.project.stream).toBeNull();
    const again = await server.gql(
      `mutation { deleteStream(project: "streams-main", name: "orders") }`,
      {},
      admin.token,
    );
    expect(again.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("refuses bad stream definitions and tokens without streams-admin, changing nothing", async () => {
    await createStream({ name: "taken", bucketIds: [main.bucketIds.inbox] });
    const consumer = await createToken(server, [
      { project: "streams-main", permissions: ["STREAMS_CONSUME", "STREAMS_READ"] },
    ]);
    const outsider = await createToken(server, [
      { project: "streams-other", permissions: ["STREAMS_ADMIN"] },
    ]);
    const inbox = main.bucketIds.inbox;
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ name: "bad name!", bucketIds: [inbox] }, "BAD_USER_INPUT"],
      [{ name: "no-buckets", bucketIds: [] }, "BAD_USER_INPUT"],
      [{ name: "foreign-bucket", bucketIds: [other.bucketIds.inbox] }, "BAD_USER_INPUT"],
      [
        { name: "unknown-bucket", bucketIds: ["00000000-0000-4000-8000-000000000000"] },
        "BAD_USER_INPUT",
      ],
      [
        {
          name: "inverted",
          bucketIds: [inbox],
          filter: { receivedFrom: "2026-02-01T00:00:00Z", receivedTo: "2026-01-01T00:00:00Z" },
        },
        "BAD_USER_INPUT",
      ],
      [
        { name: "bad-folder", bucketIds: [inbox], filter: { folders: ["/Inbox"] } },
        "BAD_USER_INPUT",
      ],
      [
        {
          name: "bad-participant",
          bucketIds: [inbox],
          filter: { participants: ["not an address"] },
        },
        "BAD_USER_INPUT",
      ],
      [
        { name: "bad-domain", bucketIds: [inbox], filter: { domains: ["*.fabrikam.com"] } },
        "BAD_USER_INPUT",
      ],
      [{ name: "taken", bucketIds: [inbox] }, "CONFLICT"],
      [{ name: "no-admin", bucketIds: [inbox] }, "FORBIDDEN", consumer.token],
      [{ name: "outsider", bucketIds: [inbox] }, "NOT_FOUND", outsider.token],
    ];
    for (const [input, code, token] of cases) {
      const before = await snapshot(server);
      const result = await createStream(input, token);
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe(code);
      expect(await snapshot(server), JSON.stringify(input)).toBe(before);
    }
  });

  it("hides a project's streams from tokens of other projects and from tokens without a stream permission", async () => {
    await createStream({ name: "hidden", bucketIds: [main.bucketIds.inbox] });
    const outsider = await createToken(server, [
      { project: "streams-other", permissions: ["STREAMS_READ"] },
    ]);
    const bucketsOnly = await createToken(server, [
      { project: "streams-main", permissions: ["BUCKETS_READ"] },
    ]);
    const seen = await server.ok<{ project: null }>(
      `{ project(name: "streams-main") { stream(name: "hidden") { id } } }`,
      {},
      outsider.token,
    );
    expect(seen.project).toBeNull();
    const advance = await server.gql(
      ADVANCE,
      { project: "streams-main", name: "hidden", sequenceId: "0" },
      outsider.token,
    );
    expect(advance.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const forbidden = await server.gql(
      `{ project(name: "streams-main") { streams { name } } }`,
      {},
      bucketsOnly.token,
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("consuming a stream", () => {
  it("starts at its creation: returns only messages stored after it was created", async () => {
    await store("inbox", { subject: "old 1" }, { subject: "old 2" });
    await createStream({ name: "from-now", bucketIds: [main.bucketIds.inbox] });
    await store("inbox", { subject: "new 1" }, { subject: "new 2" });
    const batch = await fetchBatch("from-now", 10);
    expect(subjects(batch)).toEqual(["new 1", "new 2"]);
    expect(batch.isEndSequence).toBe(true);
  });

  it("starts at startAt: the first message stored at or after it", async () => {
    await store("archive", { subject: "before start" });
    await tick();
    const startAt = new Date().toISOString();
    await tick();
    await store("archive", { subject: "after start 1" }, { subject: "after start 2" });
    await createStream({ name: "started", bucketIds: [main.bucketIds.archive], startAt });
    expect(subjects(await fetchBatch("started", 10))).toEqual(["after start 1", "after start 2"]);
    await createStream({
      name: "from-the-start",
      bucketIds: [main.bucketIds.archive],
      startAt: "2000-01-01T00:00:00Z",
    });
    expect(subjects(await fetchBatch("from-the-start", 10))).toContain("before start");
  });

  it("fetch is read-only and repeatable; advance moves on; a consumer that crashes before advancing gets the batch again", async () => {
    await createStream({
      name: "orders-feed",
      bucketIds: [main.bucketIds.inbox, main.bucketIds.archive],
    });
    const stored = [
      ...(await store("inbox", { subject: "o1" }, { subject: "o2" })),
      ...(await store("archive", { subject: "o3" })),
      ...(await store("quiet", { subject: "not in this stream" })),
      ...(await store("inbox", { subject: "o4" }, { subject: "o5" })),
    ];
    const lag = async () =>
      (
        await server.ok<{ project: { stream: { lag: number } } }>(
          `{ project(name: "streams-main") { stream(name: "orders-feed") { lag } } }`,
        )
      ).project.stream.lag;
    expect(await lag()).toBe(5); // "not in this stream" is in another bucket
    const first = await fetchBatch("orders-feed", 2);
    expect(subjects(first)).toEqual(["o1", "o2"]);
    expect(await lag()).toBe(5); // fetch is a peek: it does not move the position
    expect(first.results.map((r) => r.sequenceId)).toEqual([
      stored[0]!.sequenceId,
      stored[1]!.sequenceId,
    ]);
    expect(first.results.every((r) => r.sequenceId === r.message.sequenceId)).toBe(true);
    expect(first.sequenceId).toBe(stored[1]!.sequenceId);
    expect(first.isEndSequence).toBe(false);
    expect(await fetchBatch("orders-feed", 2)).toEqual(first); // the "crash": same batch again

    const advanced = await server.ok<{ advanceStream: { position: string } }>(ADVANCE, {
      project: "streams-main",
      name: "orders-feed",
      sequenceId: first.sequenceId,
    });
    expect(advanced.advanceStream.position).toBe(first.sequenceId);
    expect(await lag()).toBe(3);
    const second = await fetchBatch("orders-feed", 2);
    expect(subjects(second)).toEqual(["o3", "o4"]);
    await server.ok(ADVANCE, {
      project: "streams-main",
      name: "orders-feed",
      sequenceId: second.sequenceId,
    });
    const third = await fetchBatch("orders-feed", 2);
    expect(subjects(third)).toEqual(["o5"]);
    expect(third.isEndSequence).toBe(true);
    await server.ok(ADVANCE, {
      project: "streams-main",
      name: "orders-feed",
      sequenceId: third.sequenceId,
    });
    const caughtUp = await fetchBatch("orders-feed", 2);
    expect(caughtUp).toEqual({
      results: [],
      sequenceId: third.sequenceId,
      filtered: 0,
      isEndSequence: true,
    });
    const defaultSize = await server.ok<{ project: { stream: { fetch: Batch } } }>(
      `{ project(name: "streams-main") { stream(name: "orders-feed") { fetch { isEndSequence } } } }`,
    );
    expect(defaultSize.project.stream.fetch.isEndSequence).toBe(true);

    // The same position again is a consumer retrying its advance: fine. Backwards is refused.
    const again = await server.ok<{ advanceStream: { position: string } }>(ADVANCE, {
      project: "streams-main",
      name: "orders-feed",
      sequenceId: third.sequenceId,
    });
    expect(again.advanceStream.position).toBe(third.sequenceId);
    const back = await server.gql(ADVANCE, {
      project: "streams-main",
      name: "orders-feed",
      sequenceId: first.sequenceId,
    });
    expect(back.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(back.errors?.[0]?.extensions?.field).toBe("sequenceId");
    expect(back.errors?.[0]?.message).toContain("resetStream");
    expect((await fetchBatch("orders-feed", 2)).sequenceId).toBe(third.sequenceId);
  });

  it("applies the stream filter, counting the messages it skips", async () => {
    await createStream({
      name: "filtered",
      bucketIds: [main.bucketIds.quiet],
      filter: {
        receivedFrom: "2026-03-01T00:00:00Z",
        receivedTo: "2026-04-01T00:00:00Z",
        folders: ["root/top of information store/INBOX"],
        domains: ["fabrikam.*"],
      },
    });
    await store(
      "quiet",
      { subject: "keep 1", from: { name: null, address: "alice@fabrikam.com" } },
      { subject: "wrong domain", from: { name: null, address: "bob@northwind.com" } },
      { subject: "subdomain", from: { name: null, address: "bob@mail.fabrikam.com" } },
      {
        subject: "keep 2 (subfolder, other suffix)",
        folder: "Root/Top of Information Store/Inbox/Orders",
        from: { name: null, address: "c@fabrikam.co.uk" },
      },
      { subject: "wrong folder", folder: "Root/Top of Information Store/Sent Items" },
      { subject: "too early", receivedAt: new Date("2026-02-28T23:59:59Z") },
      { subject: "too late", receivedAt: new Date("2026-04-01T00:00:00Z") },
      {
        subject: "keep 3 (cc)",
        from: { name: null, address: "x@northwind.com" },
        cc: [{ name: null, address: "y@fabrikam.de" }],
      },
    );
    const batch = await fetchBatch("filtered", 10);
    expect(subjects(batch)).toEqual(["keep 1", "keep 2 (subfolder, other suffix)", "keep 3 (cc)"]);
    expect(batch.filtered).toBe(5);
    expect(batch.isEndSequence).toBe(true);
    const small = await fetchBatch("filtered", 1);
    expect(subjects(small)).toEqual(["keep 1"]);
    expect(small.filtered).toBe(0);
    expect(small.isEndSequence).toBe(false);

    // Advancing past a batch never re-examines the messages it skipped.
    await server.ok(ADVANCE, {
      project: "streams-main",
      name: "filtered",
      sequenceId: batch.sequenceId,
    });
    const next = await fetchBatch("filtered", 10);
    expect(next).toMatchObject({
      results: [],
      filtered: 0,
      isEndSequence: true,
      sequenceId: batch.sequenceId,
    });

    await server.ok(`mutation($input: CreateStreamInput!) { createStream(input: $input) { id } }`, {
      input: {
        project: "streams-main",
        name: "by-participant",
        bucketIds: [main.bucketIds.quiet],
        startAt: "2000-01-01T00:00:00Z",
        filter: { participants: ["BOB@northwind.com"] },
      },
    });
    expect(subjects(await fetchBatch("by-participant", 10))).toEqual(["wrong domain"]);
  });

  it("resets to a time: replays from the first message stored at or after it, or skips ahead", async () => {
    await createStream({ name: "replay", bucketIds: [main.bucketIds.inbox] });
    await store("inbox", { subject: "r1" });
    await tick();
    const middle = new Date().toISOString();
    await tick();
    await store("inbox", { subject: "r2" }, { subject: "r3" });
    const all = await fetchBatch("replay", 10);
    expect(subjects(all)).toEqual(["r1", "r2", "r3"]);
    await server.ok(ADVANCE, {
      project: "streams-main",
      name: "replay",
      sequenceId: all.sequenceId,
    });
    expect((await fetchBatch("replay", 10)).results).toEqual([]);

    await server.ok(RESET, { project: "streams-main", name: "replay", to: middle });
    expect(subjects(await fetchBatch("replay", 10))).toEqual(["r2", "r3"]);
    await server.ok(RESET, { project: "streams-main", name: "replay", to: "2000-01-01T00:00:00Z" });
    expect(subjects(await fetchBatch("replay", 1024)).slice(-3)).toEqual(["r1", "r2", "r3"]);
    await server.ok(RESET, { project: "streams-main", name: "replay", to: "2100-01-01T00:00:00Z" });
    expect((await fetchBatch("replay", 10)).results).toEqual([]);
    await store("inbox", { subject: "r4" });
    expect(subjects(await fetchBatch("replay", 10))).toEqual(["r4"]);
  });

  it("refuses fetch sizes outside 1–1024 and sequence ids it never returned", async () => {
    await createStream({ name: "bounds", bucketIds: [main.bucketIds.inbox] });
    for (const size of [0, -1, 1025]) {
      const result = await server.gql(FETCH, { project: "streams-main", name: "bounds", size });
      expect(result.errors?.[0]?.extensions?.code, String(size)).toBe("BAD_USER_INPUT");
    }
    expect((await fetchBatch("bounds", 1024)).isEndSequence).toBe(true);
    for (const sequenceId of ["abc", "-1", "1.5", "", "99999999999999"]) {
      const before = await snapshot(server);
      const result = await server.gql(ADVANCE, {
        project: "streams-main",
        name: "bounds",
        sequenceId,
      });
      expect(result.errors?.[0]?.extensions?.code, sequenceId).toBe("BAD_USER_INPUT");
      expect(await snapshot(server)).toBe(before);
    }
  });

  it("takes streams-consume to fetch, advance and reset, and messages-read for message contents", async () => {
    await createStream({ name: "guarded", bucketIds: [main.bucketIds.inbox] });
    await store("inbox", { subject: "guarded 1" });
    const reader = await createToken(server, [
      { project: "streams-main", permissions: ["STREAMS_READ", "MESSAGES_READ"] },
    ]);
    const consumer = await createToken(server, [
      { project: "streams-main", permissions: ["STREAMS_CONSUME"] },
    ]);
    const full = await createToken(server, [
      { project: "streams-main", permissions: ["STREAMS_CONSUME", "MESSAGES_READ"] },
    ]);
    const outsider = await createToken(server, [
      { project: "streams-other", permissions: ["STREAMS_CONSUME", "MESSAGES_READ"] },
    ]);

    const byReader = await server.gql(
      FETCH,
      { project: "streams-main", name: "guarded", size: 5 },
      reader.token,
    );
    expect(byReader.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const contents = await server.gql(
      FETCH,
      { project: "streams-main", name: "guarded", size: 5 },
      consumer.token,
    );
    expect(contents.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const idsOnly = await server.ok<{
      project: { stream: { fetch: { results: { sequenceId: string }[] } } };
    }>(
      `{ project(name: "streams-main") { stream(name: "guarded") { fetch(size: 5) { results { sequenceId } } } } }`,
      {},
      consumer.token,
    );
    expect(idsOnly.project.stream.fetch.results).toHaveLength(1);
    expect(subjects(await fetchBatch("guarded", 5, full.token))).toEqual(["guarded 1"]);

    const { position } = (await fetchStreamPosition("guarded"))!;
    for (const [query, variables] of [
      [ADVANCE, { project: "streams-main", name: "guarded", sequenceId: position }],
      [RESET, { project: "streams-main", name: "guarded", to: "2000-01-01T00:00:00Z" }],
    ] as const) {
      expect((await server.gql(query, variables, reader.token)).errors?.[0]?.extensions?.code).toBe(
        "FORBIDDEN",
      );
      expect(
        (await server.gql(query, variables, outsider.token)).errors?.[0]?.extensions?.code,
      ).toBe("NOT_FOUND");
      expect((await server.gql(query, variables, consumer.token)).errors).toBeUndefined();
    }
  });
});
