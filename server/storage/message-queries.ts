import type { EntityManager, SelectQueryBuilder } from "typeorm";
import { MessageRow } from "./entities/index.js";
import type { DecodedCursor, MessageFilterKeys, MessageOrder } from "../domain/message-listing.js";
import type { SearchQuery } from "../domain/search-terms.js";
import {
  bucketKeyRange,
  joinRank,
  type KeyRange,
  receivedSecond,
  searchBucketNumber,
  searchKey,
  secondOfKey,
  SLOTS_PER_SECOND,
  SQLITE_RANK,
  sqliteMatchCount,
  sqliteMatches,
  whereMatches,
} from "./message-search.js";
import { type Param, selectRows } from "./plain-select.js";

export type { MessageFilterKeys as MessageFilter } from "../domain/message-listing.js";

export interface MessagePage {
  rows: MessageRow[];
  hasNextPage: boolean;
  /** Relevance order: how many matches came before this page (cursors are positions). */
  offset: number | null;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function applyFilter<Q extends SelectQueryBuilder<MessageRow> | SelectQueryBuilder<object>>(
  q: Q,
  filter: MessageFilterKeys,
): Q {
  if (filter.receivedFrom)
    q.andWhere("m.received_at >= :receivedFrom", { receivedFrom: filter.receivedFrom });
  if (filter.receivedTo)
    q.andWhere("m.received_at < :receivedTo", { receivedTo: filter.receivedTo });
  if (filter.folders) {
    const params: Record<string, string> = {};
    const any = filter.folders.map((folder, i) => {
      params[`folder${i}`] = folder;
      params[`folderPrefix${i}`] = `${escapeLike(folder)}/%`;
      return `LOWER(m.folder) = :folder${i} OR LOWER(m.folder) LIKE :folderPrefix${i} ESCAPE '\\'`;
    });
    q.andWhere(`(${any.join(" OR ")})`, params);
  }
  // participant_addresses is " a@x b@y " (space-padded), so whole-address matches need no parsing.
  if (filter.participant) {
    q.andWhere("(' ' || m.participant_addresses || ' ') LIKE :participant ESCAPE '\\'", {
      participant: `% ${escapeLike(filter.participant)} %`,
    });
  }
  if (filter.domain) {
    q.andWhere("(' ' || m.participant_addresses || ' ') LIKE :domain ESCAPE '\\'", {
      domain: `%@${escapeLike(filter.domain)} %`,
    });
  }
  if (filter.search) whereMatches(q as SelectQueryBuilder<MessageRow>, filter.search);
  return q;
}

/**
 * A bucket's messages by received time (newest first unless `order` says otherwise), keyset-paged
 * on (received_at, id) over the (bucket_id, received_at, id) index: a page costs the rows it
 * returns, and a cursor stays valid while mail arrives (server/domain/message-listing.ts).
 * A search on SQLite takes its own path ({@link searchPageSqlite}). Counting is apart
 * ({@link countMessages}): a page does not pay for it unless it is asked for.
 */
export async function pageMessages(
  m: EntityManager,
  bucketId: string,
  args: { first: number; after: DecodedCursor | null; order: MessageOrder },
  filter: MessageFilterKeys,
): Promise<MessagePage> {
  if (filter.search && m.connection.options.type === "better-sqlite3")
    return searchPageSqlite(m, bucketId, args, { ...filter, search: filter.search });
  const base = () =>
    applyFilter(
      m.createQueryBuilder(MessageRow, "m").where("m.bucket_id = :bucketId", { bucketId }),
      filter,
    );
  if (args.order === "RELEVANCE") {
    if (!filter.search) throw new Error("RELEVANCE order needs a search");
    const offset = offsetOf(args.after);
    const q = m.createQueryBuilder(MessageRow, "m").where("m.bucket_id = :bucketId", { bucketId });
    applyFilter(q, { ...filter, search: null });
    const rank = joinRank(q, filter.search);
    const rows = await q
      .orderBy(rank, "DESC")
      .addOrderBy("m.received_at", "DESC")
      .addOrderBy("m.id", "DESC")
      .offset(offset)
      .limit(args.first + 1)
      .getMany();
    return { ...cut(rows, args.first), offset };
  }
  const direction = args.order === "OLDEST_FIRST" ? "ASC" : "DESC";
  const pageQuery = base();
  if (args.after && "key" in args.after) afterKey(pageQuery, args.after.key, direction);
  const rows = await pageQuery
    .orderBy("m.received_at", direction)
    .addOrderBy("m.id", direction)
    .limit(args.first + 1)
    .getMany();
  return { ...cut(rows, args.first), offset: null };
}

/**
 * How many messages of the bucket the filter selects, counting no further than `limit` when one
 * is given (so a count of a common word costs at most `limit` index entries).
 */
export async function countMessages(
  m: EntityManager,
  bucketId: string,
  filter: MessageFilterKeys,
  limit: number | null,
): Promise<number> {
  const capped = async (q: SelectQueryBuilder<object> | SelectQueryBuilder<MessageRow>) => {
    if (limit !== null) q.select("1").limit(limit);
    else q.select("COUNT(*)", "n");
    const [sql, params] = q.getQueryAndParameters();
    const rows = await m.query<{ n: number | string }[]>(
      limit !== null ? `SELECT COUNT(*) AS "n" FROM (${sql}) AS "capped"` : sql,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  };
  if (filter.search && m.connection.options.type === "better-sqlite3") {
    const number = searchBucketNumber(m, bucketId);
    if (number === null) return 0;
    const range = bucketKeyRange(number, filter.receivedFrom, filter.receivedTo);
    const joined = (within: KeyRange) =>
      capped(applyFilter(sqliteMatches(m, filter.search!, within), { ...filter, search: null }));
    // The index alone counts whole seconds; the seconds the time bounds cut need the rows.
    if (narrowsBeyondSearch(filter) || (limit !== null && range.partial.length > 0))
      return joined(range);
    let total = sqliteMatchCount(m, filter.search, range, limit);
    for (const part of range.partial)
      total += (await joined(part)) - sqliteMatchCount(m, filter.search, part, null);
    return total;
  }
  return capped(
    applyFilter(
      m.createQueryBuilder(MessageRow, "m").where("m.bucket_id = :bucketId", { bucketId }),
      filter,
    ),
  );
}

const offsetOf = (after: DecodedCursor | null) => (after && "offset" in after ? after.offset : 0);

const cut = (rows: MessageRow[], first: number) => ({
  rows: rows.slice(0, first).map(normalizeMessage),
  hasNextPage: rows.length > first,
});

function afterKey(
  q: SelectQueryBuilder<MessageRow> | SelectQueryBuilder<object>,
  key: { receivedAt: Date; id: string },
  direction: "ASC" | "DESC",
): void {
  q.andWhere(`(m.received_at, m.id) ${direction === "ASC" ? ">" : "<"} (:afterAt, :afterId)`, {
    afterAt: key.receivedAt,
    afterId: key.id,
  });
}

/** Whether a filter narrows anything besides the search words and the received-time range. */
const narrowsBeyondSearch = (filter: MessageFilterKeys) =>
  Boolean(filter.folders || filter.participant || filter.domain);

/**
 * A search on SQLite, driven by the FTS index (server/storage/message-search.ts): matches come in
 * search-key order — bucket, received second, arrival — from the bucket's key range (narrowed by
 * the received-time filter and the cursor), so the newest page stops after a page of matches
 * however common the words are. Keys order by the second only, so the matches of the page's last
 * second are all read and the page is cut in exact (received_at, id) order: the same order and
 * cursors as the list without a search. Its count reads the FTS index alone unless folder,
 * participant or domain filters need the rows.
 */
async function searchPageSqlite(
  m: EntityManager,
  bucketId: string,
  args: { first: number; after: DecodedCursor | null; order: MessageOrder },
  filter: MessageFilterKeys & { search: SearchQuery },
): Promise<MessagePage> {
  const number = searchBucketNumber(m, bucketId);
  if (number === null) return { rows: [], hasNextPage: false, offset: null };
  const range = bucketKeyRange(number, filter.receivedFrom, filter.receivedTo);
  const matches = (within: KeyRange) =>
    applyFilter(sqliteMatches(m, filter.search, within), { ...filter, search: null });
  if (args.order === "RELEVANCE") {
    const offset = offsetOf(args.after);
    const ranked = await matches(range)
      .select("m.id", "id")
      .orderBy(SQLITE_RANK, "DESC")
      .addOrderBy("m.received_at", "DESC")
      .addOrderBy("m.id", "DESC")
      .offset(offset)
      .limit(args.first + 1)
      .getRawMany<{ id: string }>();
    const rows = await rowsInOrder(
      m,
      ranked.map((r) => r.id),
    );
    return { ...cut(rows, args.first), offset };
  }

  const direction = args.order === "OLDEST_FIRST" ? "ASC" : "DESC";
  const within = { ...range };
  if (args.after && "key" in args.after) {
    // The cursor's whole second stays in range; the exact (received_at, id) bound is SQL's.
    const second = searchKey(number, receivedSecond(args.after.key.receivedAt));
    if (direction === "DESC") within.hi = min(within.hi, second + SLOTS_PER_SECOND - 1n);
    else within.lo = max(within.lo, second);
  }
  const keyed = (r: KeyRange) => {
    const q = matches(r)
      .select("m.id", "id")
      .addSelect(`CAST("message_fts"."rowid" AS TEXT)`, "key")
      .orderBy(`"message_fts"."rowid"`, direction);
    if (args.after && "key" in args.after) afterKey(q, args.after.key, direction);
    return q;
  };
  const candidates = await keyed(within)
    .limit(args.first + 1)
    .getRawMany<{ id: string; key: string }>();
  if (candidates.length > args.first) {
    // The last candidate's second may hold more matches than came before the limit: take them all.
    const second = secondOfKey(BigInt(candidates.at(-1)!.key));
    const sameSecond = await keyed({ lo: second, hi: second + SLOTS_PER_SECOND - 1n }).getRawMany<{
      id: string;
      key: string;
    }>();
    const have = new Set(candidates.map((c) => c.id));
    candidates.push(...sameSecond.filter((c) => !have.has(c.id)));
  }
  const rows = await rowsInOrder(
    m,
    candidates.map((c) => c.id),
  );
  const sign = direction === "ASC" ? 1 : -1;
  rows.sort(
    (a, b) =>
      sign *
      (a.receivedAt.getTime() - b.receivedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  );
  return { ...cut(rows.slice(0, args.first + 1), args.first), offset: null };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** The full rows of `ids`, in the order of `ids`. */
async function rowsInOrder(m: EntityManager, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return [];
  const byId = new Map(
    (await selectRows(m, MessageRow, (param) => `"id" IN (${ids.map(param).join(", ")})`)).map(
      (row) => [row.id, row],
    ),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The distinct folders of a bucket's messages, in path order: a loose index scan over the
 * (bucket_id, folder) index (one index probe per folder, not a scan of every message).
 */
export async function bucketFolders(m: EntityManager, bucketId: string): Promise<string[]> {
  const rows = await m.query<{ folder: string | null }[]>(
    `WITH RECURSIVE f(folder) AS (
       SELECT MIN(folder) FROM "message" WHERE bucket_id = ${placeholder(m, 1)}
       UNION ALL
       SELECT (SELECT MIN(folder) FROM "message" WHERE bucket_id = ${placeholder(m, 1)} AND folder > f.folder)
       FROM f WHERE f.folder IS NOT NULL
     )
     SELECT folder FROM f WHERE folder IS NOT NULL`,
    m.connection.options.type === "postgres" ? [bucketId] : [bucketId, bucketId],
  );
  return rows.map((r) => r.folder!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const placeholder = (m: EntityManager, n: number) =>
  m.connection.options.type === "postgres" ? `$${n}` : "?";

/** bigint columns come back as numbers from SQLite and strings from PostgreSQL. */
export function normalizeMessage(row: MessageRow): MessageRow {
  row.sequenceId = String(row.sequenceId);
  return row;
}

/** What a stream filter looks at (server/streams/stream-filter.ts), without subject and bodies. */
export type MessageHead = Pick<
  MessageRow,
  "id" | "sequenceId" | "receivedAt" | "folder" | "participantAddresses"
>;

const HEAD_COLUMNS = ["id", "sequenceId", "receivedAt", "folder", "participantAddresses"] as const;

/** The stream reads run for every batch a consumer fetches: plain SQL (./plain-select.ts). */
async function selectMessages(
  m: EntityManager,
  where: (param: Param) => string,
  tail: string,
  properties?: readonly (keyof MessageRow)[],
): Promise<MessageRow[]> {
  return (await selectRows(m, MessageRow, where, { tail, properties })).map(normalizeMessage);
}

/**
 * The stream read: messages of `bucketIds` after sequence id `after`, in sequence order. Keyset on
 * the (project_id, sequence_id) index, so it costs the rows returned, not the rows skipped.
 */
const afterWhere =
  (projectId: string, bucketIds: readonly string[], after: string) => (param: Param) =>
    `"project_id" = ${param(projectId)} AND "sequence_id" > ${param(after)} AND "bucket_id" IN (${bucketIds.map(param).join(", ")})`;

export function messagesAfter(
  m: EntityManager,
  projectId: string,
  bucketIds: readonly string[],
  after: string,
  limit: number,
): Promise<MessageRow[]> {
  return selectMessages(
    m,
    afterWhere(projectId, bucketIds, after),
    `ORDER BY "sequence_id" ASC LIMIT ${Math.trunc(limit)}`,
  );
}

export function messageHeadsAfter(
  m: EntityManager,
  projectId: string,
  bucketIds: readonly string[],
  after: string,
  limit: number,
): Promise<MessageHead[]> {
  return selectMessages(
    m,
    afterWhere(projectId, bucketIds, after),
    `ORDER BY "sequence_id" ASC LIMIT ${Math.trunc(limit)}`,
    HEAD_COLUMNS,
  );
}

export async function hasMessagesAfter(
  m: EntityManager,
  projectId: string,
  bucketIds: readonly string[],
  after: string,
): Promise<boolean> {
  return (
    (await selectMessages(m, afterWhere(projectId, bucketIds, after), "LIMIT 1", ["id"])).length > 0
  );
}

/** Full rows for `ids`, in sequence order. */
export function messagesByIds(m: EntityManager, ids: readonly string[]): Promise<MessageRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectMessages(
    m,
    (param) => `"id" IN (${ids.map(param).join(", ")})`,
    `ORDER BY "sequence_id" ASC`,
  );
}

/**
 * The smallest sequence id among the buckets' messages stored at or after `at`, or null when none
 * is. Sequence ids follow commit order while stored-at times come from each writer's clock, so a
 * position taken from this (rather than "the largest id stored before `at`") may replay a message
 * but never skips one.
 */
export async function firstSequenceStoredFrom(
  m: EntityManager,
  projectId: string,
  bucketIds: readonly string[],
  at: Date,
): Promise<string | null> {
  const result = await m
    .createQueryBuilder(MessageRow, "m")
    .select("MIN(m.sequence_id)", "first")
    .where("m.project_id = :projectId", { projectId })
    .andWhere("m.bucket_id IN (:...bucketIds)", { bucketIds })
    .andWhere("m.stored_at >= :at", { at })
    .getRawOne<{ first: string | number | null }>();
  return result?.first === null || result?.first === undefined ? null : String(result.first);
}

export const messageById = (m: EntityManager, id: string): Promise<MessageRow | null> =>
  m.findOneBy(MessageRow, { id });
/** How many messages of `bucketIds` lie after sequence id `after` (a stream's lag). */
export async function countMessagesAfter(
  m: EntityManager,
  projectId: string,
  bucketIds: readonly string[],
  after: string,
): Promise<number> {
  if (bucketIds.length === 0) return 0;
  return m
    .createQueryBuilder(MessageRow, "m")
    .where("m.project_id = :projectId", { projectId })
    .andWhere("m.sequence_id > :after", { after })
    .andWhere("m.bucket_id IN (:...bucketIds)", { bucketIds })
    .getCount();
}
