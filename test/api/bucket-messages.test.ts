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
