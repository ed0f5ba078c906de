import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messageFilterKeys } from "../../server/domain/message-listing.js";
import { Database } from "../../server/storage/database.js";
import { countMessages, pageMessages } from "../../server/storage/message-queries.js";
import {
  bucketKeyRange,
  receivedSecond,
  searchKey,
  secondOfKey,
  SLOTS_PER_SECOND,
} from "../../server/storage/message-search.js";
import { storeMessages } from "../../server/storage/message-store.js";
import { incomingMessage } from "../live/fixtures.js";

/** SQLite's search keys (server/storage/message-search.ts): bucket, received second, slot. */
describe("search keys", () => {
  it("order by bucket, then received second, then slot", () => {
    const t = new Date("2024-06-01T08:00:00.000Z");
    const later = new Date("2024-06-01T08:00:01.000Z");
    expect(searchKey(1, receivedSecond(t))).toBeLessThan(searchKey(1, receivedSecond(later)));
    expect(searchKey(1, receivedSecond(later)) + SLOTS_PER_SECOND - 1n).toBeLessThan(
      searchKey(2, 0n),
    );
    expect(secondOfKey(searchKey(7, 99n) + 5n)).toBe(searchKey(7, 99n));
    // Inside a signed 64-bit rowid for the largest bucket number and second.
    expect(searchKey((1 << 17) - 1, (1n << 32n) - 1n) + SLOTS_PER_SECOND - 1n).toBeLessThan(
      1n << 63n,
    );
  });

  it("clamp times outside 1970 … 2106 instead of overflowing into another bucket", () => {
    expect(receivedSecond(new Date("1601-01-01T00:00:00Z"))).toBe(0n);
    expect(receivedSecond(new Date(Number.NaN))).toBe(0n);
    expect(receivedSecond(new Date("2200-01-01T00:00:00Z"))).toBe((1n << 32n) - 1n);
  });

  it("cut ranges at the received-time bounds, [from, to)", () => {
    const base = (s: number) => searchKey(3, BigInt(s));
    const at = (s: number, ms = 0) => new Date(s * 1000 + ms);
    expect(bucketKeyRange(3)).toMatchObject({ lo: base(0), partial: [] });
    // Whole seconds: `to` excludes its second, nothing is partial.
    expect(bucketKeyRange(3, at(10), at(20))).toEqual({
      lo: base(10),
      hi: base(20) - 1n,
      partial: [],
    });
    // Cut seconds are named, once when both bounds fall in one second.
    const cut = bucketKeyRange(3, at(10, 500), at(20, 1));
    expect(cut).toMatchObject({ lo: base(10), hi: base(20) + SLOTS_PER_SECOND - 1n });
    expect(cut.partial.map((p) => p.lo)).toEqual([base(10), base(20)]);
    expect(bucketKeyRange(3, at(10, 1), at(10, 900)).partial).toHaveLength(1);
  });
});

describe("the SQLite search index", () => {
  let dataDir: string;
  let db: Database;
  const second = new Date("2024-06-01T08:00:00.000Z");

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "mailstream-search-keys-"));
    db = await Database.open({ dataDir, databaseUrl: null });
    await db.dataSource.query(
      `INSERT INTO project (id, name, title, description, created_at, updated_at) VALUES ('p', 'keys', '', '', '2024-01-01', '2024-01-01')`,
    );
    for (const b of ["full", "after"])
      await db.dataSource.query(
        `INSERT INTO bucket (id, project_id, name, title, created_at) VALUES ('${b}', 'p', '${b}', '', '2024-01-01')`,
      );
  });
  afterAll(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const filter = messageFilterKeys({ search: "spill" });
  const search = (bucketId: string, first: number) =>
    db.read(async (m) => ({
      ...(await pageMessages(m, bucketId, { first, after: null, order: "NEWEST_FIRST" }, filter)),
      totalCount: await countMessages(m, bucketId, filter, null),
      upTo100: await countMessages(m, bucketId, filter, 100),
    }));

  it("indexes and counts every message of a second fuller than its slots", async () => {
    const count = Number(SLOTS_PER_SECOND) + 10;
    const messages = Array.from({ length: count }, (_, i) =>
      incomingMessage({
        subject: `spill ${i}`,
        bodyText: "",
        receivedAt: new Date(second.getTime() + (i % 1000)),
      }),
    );
    await db.transaction((m) => storeMessages(m, "p", "full", messages, new Date()));
    // The next second's own messages still get keys, after the spilled ones.
    await db.transaction((m) =>
      storeMessages(
        m,
        "p",
        "full",
        [incomingMessage({ subject: "spill next", receivedAt: new Date(second.getTime() + 1000) })],
        new Date(),
      ),
    );
    const page = await search("full", 3);
    expect(page.totalCount).toBe(count + 1);
    expect(page.upTo100).toBe(100);
    expect(page.rows[0]!.subject).toBe("spill next");
    // Another bucket's keys start after the whole range of this one.
    await db.transaction((m) =>
      storeMessages(m, "p", "after", [incomingMessage({ subject: "spill other" })], new Date()),
    );
    expect((await search("after", 5)).totalCount).toBe(1);
    expect((await search("full", 1)).totalCount).toBe(count + 1);

    // A full last second (times past 2106 are filed there) spills backwards, never into the keys
    // of the next bucket.
    const late = Array.from({ length: count }, () =>
      incomingMessage({ subject: "spill late", receivedAt: new Date("2200-01-01T00:00:00Z") }),
    );
    await db.transaction((m) => storeMessages(m, "p", "full", late, new Date()));
    expect((await search("full", 1)).totalCount).toBe(2 * count + 1);
    expect((await search("after", 5)).totalCount).toBe(1);
  });
});
