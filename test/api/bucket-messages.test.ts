import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import {
  type ProjectRef,
  createProject,
  incomingMessage,
  storeAndPublish,
} from "../live/fixtures.js";

/** DOMAIN.md, Buckets: order, cursors, the folder filter, validated filter inputs. */
const PAGE = `query($id: ID!, $first: Int, $after: String, $order: MessageOrder, $filter: MessageFilter) {
  bucket(id: $id) {
    messages(first: $first, after: $after, order: $order, filter: $filter) {
      totalCount
      edges { cursor node { subject folder receivedAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { subject: string; folder: string; receivedAt: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

let server: TestServer;
let project: ProjectRef;
let buckets: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  ({ project, bucketIds: buckets } = await createProject(server, "browse", ["ordered", "folders"]));
});
afterAll(() => server.stop());

const at = (day: number, second = 0) =>
  new Date(Date.UTC(2024, 0, day, 12, 0, second)).toISOString();

const store = (bucket: string, ...messages: Parameters<typeof incomingMessage>[0][]) =>
  storeAndPublish(
    server,
    project,
    buckets[bucket]!,
    messages.map((m) => incomingMessage(m)),
  );

async function page(variables: Record<string, unknown>): Promise<Page> {
  const data = await server.ok<{ bucket: { messages: Page } }>(PAGE, variables);
  return data.bucket.messages;
}

const subjects = (p: Page) => p.edges.map((e) => e.node.subject);

/** Every subject of the list, page by page. */
async function walk(variables: Record<string, unknown>, between?: () => Promise<void>) {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const p = await page({ ...variables, after });
    seen.push(...subjects(p));
    if (!p.pageInfo.hasNextPage) return seen;
    after = p.pageInfo.endCursor;
    await between?.();
  }
}

describe("Bucket.messages order", () => {
  it("lists newest received first, oldest first on request, whatever order mail was stored in", async () => {
    // Stored out of received order (as a sync of several folders stores them), with a tie.
    await store(
      "ordered",
      { subject: "day 5", receivedAt: new Date(at(5)) },
      { subject: "day 1", receivedAt: new Date(at(1)) },
      { subject: "day 9", receivedAt: new Date(at(9)) },
    );
    await store(
      "ordered",
      { subject: "day 3", receivedAt: new Date(at(3)) },
      { subject: "day 7 a", receivedAt: new Date(at(7)) },
      { subject: "day 7 b", receivedAt: new Date(at(7)) },
    );
    const newest = await page({ id: buckets.ordered, first: 50 });
    const received = newest.edges.map((e) => e.node.receivedAt);
    expect(received).toEqual([...received].sort().reverse());
    expect(subjects(newest)[0]).toBe("day 9");
    expect(subjects(newest).at(-1)).toBe("day 1");
    const oldest = await page({ id: buckets.ordered, first: 50, order: "OLDEST_FIRST" });
    expect(subjects(oldest)).toEqual([...subjects(newest)].reverse());

    // Paging by two gives the same order, ties included, in both directions.
    expect(await walk({ id: buckets.ordered, first: 2 })).toEqual(subjects(newest));
    expect(await walk({ id: buckets.ordered, first: 2, order: "OLDEST_FIRST" })).toEqual(
      subjects(oldest),
    );
  });

  it("keeps cursors stable while mail arrives: no message of the list is skipped or repeated", async () => {
    const before = subjects(await page({ id: buckets.ordered, first: 50 }));
    let n = 0;
    // Between pages, mail arrives received both before and after the page boundary.
    const arrive = async () => {
      n++;
      await store(
        "ordered",
        { subject: `late old ${n}`, receivedAt: new Date(at(2, n)) },
        { subject: `late new ${n}`, receivedAt: new Date(at(20, n)) },
      );
    };
    const seen = await walk({ id: buckets.ordered, first: 2 }, arrive);
    const original = seen.filter((s) => !s.startsWith("late"));
    expect(original).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
    // Newer mail lands before the cursor (seen on the next walk); older mail after it, in order.
    expect(seen.filter((s) => s.startsWith("late new"))).toEqual([]);
    const after = subjects(await page({ id: buckets.ordered, first: 50 }));
    expect(after.slice(0, n)).toEqual(Array.from({ length: n }, (_, i) => `late new ${n - i}`));
  });

  it("refuses a cursor it did not make", async () => {
    for (const after of ["42", "not a cursor", Buffer.from("x:y:z").toString("base64url")]) {
      const result = await server.gql(PAGE, { id: buckets.ordered, after });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "after",
      });
    }
  });

  it("reads a page through the (bucket, received_at, id) index, without sorting the bucket", async () => {
    if (server.databaseUrl) {
      // PostgreSQL picks plans by table size; check the index the plan needs exists.
      const indexes = await server.app.deps.db.read((m) =>
        m.query<{ indexdef: string }[]>(
          `SELECT indexdef FROM pg_indexes WHERE tablename = 'message'`,
        ),
      );
      expect(indexes.map((i) => i.indexdef).join("\n")).toMatch(/\(bucket_id, received_at, id\)/);
      return;
    }
    const plan = await server.app.deps.db.read((m) =>
      m.query<{ detail: string }[]>(
        `EXPLAIN QUERY PLAN SELECT id FROM message WHERE bucket_id = ? AND (received_at, id) < (?, ?) ORDER BY received_at DESC, id DESC LIMIT 51`,
        [buckets.ordered, "2030-01-01 00:00:00.000", "z"],
      ),
    );
    const details = plan.map((row) => row.detail).join("\n");
    expect(details).toMatch(/USING (COVERING )?INDEX/);
    expect(details).not.toMatch(/TEMP B-TREE/);
  });
});

describe("Bucket.messages filter", () => {
  beforeAll(async () => {
    const folder = (path: string) => ({ folder: `Root/Top of Information Store/${path}` });
    await store(
      "folders",
      { subject: "inbox", ...folder("Inbox") },
      { subject: "orders", ...folder("Inbox/Orders") },
      { subject: "inboxes", ...folder("Inboxes") },
      { subject: "receipts", ...folder("Invoices\\/Receipts") },
      { subject: "invoices", ...folder("Invoices") },
      {
        subject: "from northwind",
        ...folder("Archive"),
        from: { name: "Bob", address: "Bob@Northwind.com" },
      },
    );
  });

  const folderSubjects = async (folder: string) =>
    subjects(await page({ id: buckets.folders, filter: { folder } })).sort();

  it("takes the path below Top of Information Store as well as the full path", async () => {
    expect(await folderSubjects("Inbox")).toEqual(["inbox", "orders"]);
    expect(await folderSubjects("inbox/")).toEqual(["inbox", "orders"]);
    expect(await folderSubjects("Inbox/Orders")).toEqual(["orders"]);
    expect(await folderSubjects("Root/Top of Information Store/Inbox")).toEqual([
      "inbox",
      "orders",
    ]);
    expect(await folderSubjects("Top of Information Store/INBOX/orders")).toEqual(["orders"]);
  });

  it("takes escaped names as written in filters", async () => {
    expect(await folderSubjects("Invoices\\/Receipts")).toEqual(["receipts"]);
    expect(await folderSubjects("Invoices")).toEqual(["invoices"]);
  });

  it("lists the bucket's folders to pick from", async () => {
    const data = await server.ok<{ bucket: { folders: string[] } }>(
      `query($id: ID!) { bucket(id: $id) { folders } }`,
      { id: buckets.folders },
    );
    expect(data.bucket.folders).toEqual(
      ["Archive", "Inbox", "Inbox/Orders", "Inboxes", "Invoices", "Invoices\\/Receipts"].map(
        (f) => `Root/Top of Information Store/${f}`,
      ),
    );
  });

  it("matches participants and domains case-insensitively", async () => {
    for (const filter of [
      { participant: "bob@northwind.com" },
      { participant: " BOB@northwind.COM " },
      { domain: "northwind.com" },
      { domain: "@Northwind.com" },
    ]) {
      expect(subjects(await page({ id: buckets.folders, filter }))).toEqual(["from northwind"]);
    }
  });

  it("refuses a malformed participant, domain or folder, naming the field, instead of matching nothing", async () => {
    for (const [filter, field] of [
      [{ participant: "bob" }, "filter.participant"],
      [{ participant: "bob@" }, "filter.participant"],
      [{ domain: "fabrikam..com" }, "filter.domain"],
      [{ domain: "bob@fabrikam.com" }, "filter.domain"],
      [{ folder: "Inbox//Orders" }, "filter.folder"],
      [{ folder: "/Inbox" }, "filter.folder"],
    ] as const) {
      const result = await server.gql(PAGE, { id: buckets.folders, filter });
      expect(result.errors?.[0]?.extensions, JSON.stringify(filter)).toMatchObject({
        code: "BAD_USER_INPUT",
        field,
      });
    }
  });
});

describe("Bucket.messages search", () => {
  let searchProject: { project: ProjectRef; bucketIds: Record<string, string> };
  const put = (...messages: Parameters<typeof incomingMessage>[0][]) =>
    storeAndPublish(
      server,
      searchProject.project,
      searchProject.bucketIds.mail!,
      messages.map((m) => incomingMessage(m)),
    );
  const search = async (text: string, order?: string) =>
    subjects(
      await page({ id: searchProject.bucketIds.mail, first: 50, order, filter: { search: text } }),
    );

  beforeAll(async () => {
    searchProject = await createProject(server, "search", ["mail", "doomed", "dense"]);
    await put(
      {
        subject: "Invoice 2291 overdue",
        bodyText: "Please pay the attached invoice.",
        receivedAt: new Date(at(1)),
      },
      {
        subject: "Lunch",
        bodyText: "The invoice for lunch is on the Rénové café's desk.",
        receivedAt: new Date(at(2)),
      },
      {
        subject: "Shipping update",
        bodyText: "Your parcel left the warehouse.",
        from: { name: "Zoë Quinn", address: "zoe.quinn@northwind.example" },
        receivedAt: new Date(at(3)),
      },
      {
        subject: 'Quotes "NEAR" stars * and OR',
        bodyText: "nothing else",
        receivedAt: new Date(at(4)),
      },
    );
  });

  it("matches words of the subject, the body and participants' names and addresses, newest first", async () => {
    expect(await search("invoice")).toEqual(["Lunch", "Invoice 2291 overdue"]);
    expect(await search("INVOICE overdue")).toEqual(["Invoice 2291 overdue"]);
    expect(await search("2291")).toEqual(["Invoice 2291 overdue"]);
    expect(await search("renove")).toEqual(["Lunch"]); // accents folded
    expect(await search("Rénové")).toEqual(["Lunch"]);
    expect(await search("zoe")).toEqual(["Shipping update"]); // a participant's name
    expect(await search("Quinn")).toEqual(["Shipping update"]);
    expect(await search("zoe.quinn@northwind.example")).toEqual(["Shipping update"]);
    expect(await search("northwind")).toEqual(["Shipping update"]); // a part of the address
    expect(await search("wareh")).toEqual(["Shipping update"]); // the last word as a prefix
    expect(await search("invoice parcel")).toEqual([]); // every word must occur
    expect(await search("voice")).toEqual([]); // words, not substrings
  });

  it("ranks the best matches first on request", async () => {
    // "invoice" is in the subject of one (weighs most) and only the body of the other.
    expect(await search("invoice", "RELEVANCE")).toEqual(["Invoice 2291 overdue", "Lunch"]);
    const first = await page({
      id: searchProject.bucketIds.mail,
      first: 1,
      order: "RELEVANCE",
      filter: { search: "invoice" },
    });
    expect(subjects(first)).toEqual(["Invoice 2291 overdue"]);
    expect(first.totalCount).toBe(2);
    const second = await page({
      id: searchProject.bucketIds.mail,
      first: 1,
      order: "RELEVANCE",
      after: first.pageInfo.endCursor,
      filter: { search: "invoice" },
    });
    expect(subjects(second)).toEqual(["Lunch"]);
    expect(second.pageInfo.hasNextPage).toBe(false);

    // The subject outweighs the body however often the body repeats a word ("invoice" above is
    // in both the subject and the body of one message, so it ranks first on counts alone).
    await put(
      { subject: "Hovercraft", bodyText: "Timetable inside.", receivedAt: new Date(at(5)) },
      {
        subject: "Ferry news",
        bodyText: "hovercraft hovercraft hovercraft terminal",
        receivedAt: new Date(at(6)),
      },
    );
    expect(await search("hovercraft", "RELEVANCE")).toEqual(["Hovercraft", "Ferry news"]);
    expect(await search("hovercraft")).toEqual(["Ferry news", "Hovercraft"]);
    const noSearch = await server.gql(PAGE, {
      id: searchProject.bucketIds.mail,
      order: "RELEVANCE",
    });
    expect(noSearch.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "order",
    });
  });

  it("takes query syntax as plain words: no injection, no syntax errors", async () => {
    for (const text of [
      '"NEAR"',
      'quotes "near',
      "stars*",
      "NEAR(quotes stars)",
      "quotes OR stars",
      "-stars quotes",
      "stars:quotes",
      "quotes & !stars | (",
      "quotes' --",
      "quotes\\",
    ]) {
      expect(await search(text), text).toEqual(['Quotes "NEAR" stars * and OR']);
    }
    for (const text of ['"', "*", "()", "'--"]) {
      const result = await server.gql(PAGE, {
        id: searchProject.bucketIds.mail,
        filter: { search: text },
      });
      expect(result.errors?.[0]?.extensions, text).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "filter.search",
      });
    }
  });

  it("pages a search in the list's exact received order, ties within a second included, stable while mail arrives", async () => {
    const dense = searchProject.bucketIds.dense!;
    const putDense = (...messages: Parameters<typeof incomingMessage>[0][]) =>
      storeAndPublish(
        server,
        searchProject.project,
        dense,
        messages.map((m) => incomingMessage(m)),
      );
    // Many matches in a few seconds (and in the same millisecond), stored out of received order,
    // among messages that do not match; the same word in another bucket.
    const second = (s: number, ms = 0) => new Date(Date.UTC(2024, 5, 1, 8, 0, s, ms));
    const batches: Parameters<typeof incomingMessage>[0][][] = [[], [], []];
    let n = 0;
    for (const s of [3, 1, 2, 5])
      for (const ms of [900, 0, 500, 500, 999, 1]) {
        n++;
        batches[n % 3]!.push(
          { subject: `orbit ${n}`, bodyText: "telescope", receivedAt: second(s, ms) },
          { subject: `other ${n}`, bodyText: "nothing", receivedAt: second(s, ms) },
        );
      }
    for (const batch of batches) await putDense(...batch);
    await put({ subject: "orbit elsewhere", bodyText: "telescope", receivedAt: second(4) });

    for (const order of ["NEWEST_FIRST", "OLDEST_FIRST"]) {
      const list = (await walk({ id: dense, first: 50, order })).filter((t) =>
        t.startsWith("orbit"),
      );
      expect(list).toHaveLength(24);
      for (const first of [1, 5, 7]) {
        expect(
          await walk({ id: dense, first, order, filter: { search: "telescope" } }),
          `${order} by ${first}`,
        ).toEqual(list);
      }
      const top = await page({ id: dense, first: 5, order, filter: { search: "telesc" } });
      expect(top.totalCount).toBe(24);
      expect(subjects(top)).toEqual(list.slice(0, 5));
    }

    // Mail arriving between pages, received before and after the cursor, within the same seconds.
    const before = await walk({ id: dense, first: 50, filter: { search: "telescope" } });
    let k = 0;
    const seen = await walk({ id: dense, first: 4, filter: { search: "telescope" } }, async () => {
      k++;
      await putDense(
        { subject: `late old ${k}`, bodyText: "telescope", receivedAt: second(1, 100 + k) },
        { subject: `late new ${k}`, bodyText: "telescope", receivedAt: second(9, k) },
      );
    });
    expect(seen.filter((t) => !t.startsWith("late"))).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((t) => t.startsWith("late new"))).toEqual([]);
  });

  it("counts a search's matches in its bucket only, with and without the other filters", async () => {
    const count = async (filter: Record<string, unknown>) =>
      (await page({ id: searchProject.bucketIds.mail, first: 1, filter })).totalCount;
    expect(await count({ search: "telescope" })).toBe(1); // not the dense bucket's 24
    expect(await count({ search: "invoice" })).toBe(2);
    expect(await count({ search: "invoice", participant: "alice@fabrikam.com" })).toBe(2);
    expect(await count({ search: "invoice", receivedFrom: at(2) })).toBe(1);
    expect(await count({ search: "invoice", receivedTo: at(2) })).toBe(1);
    expect(await count({ search: "invoice", folder: "Inbox" })).toBe(2);
    expect(await count({ search: "invoice", folder: "Archive" })).toBe(0);
    const within = await page({
      id: searchProject.bucketIds.mail,
      first: 50,
      filter: { search: "invoice", receivedFrom: at(1, 1), receivedTo: at(3) },
    });
    expect(subjects(within)).toEqual(["Lunch"]);
    // A bucket none of whose mail was ever indexed matches nothing (and says so by count).
    const empty = await page({ id: buckets.folders, first: 5, filter: { search: "anything" } });
    expect(empty).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false } });
  });

  it("counts up to a limit on request, saying when there are more", async () => {
    const COUNTS = `query($id: ID!, $filter: MessageFilter, $limit: Int!) {
      bucket(id: $id) { messages(first: 1, filter: $filter) { totalCount countUpTo(limit: $limit) { count exact } } }
    }`;
    const counts = async (filter: Record<string, unknown> | null, limit: number) =>
      (
        await server.ok<{
          bucket: {
            messages: { totalCount: number; countUpTo: { count: number; exact: boolean } };
          };
        }>(COUNTS, { id: searchProject.bucketIds.dense, filter, limit })
      ).bucket.messages;
    // 48 messages in the bucket (and more arriving in the previous test), 24+ matching.
    const all = await counts(null, 10);
    expect(all.countUpTo).toEqual({ count: 10, exact: false });
    expect(all.totalCount).toBeGreaterThan(10);
    expect((await counts(null, all.totalCount)).countUpTo).toEqual({
      count: all.totalCount,
      exact: true,
    });
    const matching = await counts({ search: "telescope" }, 1000);
    expect(matching.countUpTo).toEqual({ count: matching.totalCount, exact: true });
    expect((await counts({ search: "telesc" }, 5)).countUpTo).toEqual({ count: 5, exact: false });
    expect(
      (await counts({ search: "telescope", receivedFrom: "2024-06-01T08:00:01.500Z" }, 3))
        .countUpTo,
    ).toEqual({ count: 3, exact: false });
    for (const limit of [0, -1, 100_001]) {
      const refused = await server.gql(COUNTS, { id: searchProject.bucketIds.dense, limit });
      expect(refused.errors?.[0]?.extensions, String(limit)).toMatchObject({
        code: "BAD_USER_INPUT",
        field: "limit",
      });
    }
  });

  it("drops a deleted bucket's messages from the index", async () => {
    const stored = await storeAndPublish(
      server,
      searchProject.project,
      searchProject.bucketIds.doomed!,
      [incomingMessage({ subject: "doomed words" })],
    );
    const indexed = () =>
      server.app.deps.db.read((m) =>
        m.query<unknown[]>(
          `SELECT * FROM message_search WHERE message_id = $1`.replace(
            "$1",
            server.databaseUrl ? "$1" : "?",
          ),
          [stored[0]!.id],
        ),
      );
    expect(await indexed()).toHaveLength(1);
    await server.ok(`mutation($id: ID!) { deleteBucket(id: $id) }`, {
      id: searchProject.bucketIds.doomed,
    });
    expect(await indexed()).toHaveLength(0);
    if (!server.databaseUrl) {
      const words = await server.app.deps.db.read((m) =>
        m.query<unknown[]>(`SELECT rowid FROM message_fts WHERE message_fts MATCH '"doomed"'`),
      );
      expect(words).toHaveLength(0);
      // Its number in search keys is free again.
      const numbered = await server.app.deps.db.read((m) =>
        m.query<unknown[]>(`SELECT * FROM message_search_bucket WHERE bucket_id = ?`, [
          searchProject.bucketIds.doomed,
        ]),
      );
      expect(numbered).toHaveLength(0);
    }
  });
});
