import type { EntityManager, SelectQueryBuilder } from "typeorm";
import { MessageRow } from "./entities/index.js";
import type { DecodedCursor, MessageFilterKeys, MessageOrder } from "../domain/message-listing.js";
import { joinRank, whereMatches } from "./message-search.js";
import { type Param, selectRows } from "./plain-select.js";

export type { MessageFilterKeys as MessageFilter } from "../domain/message-listing.js";

export interface MessagePage {
  rows: MessageRow[];
  hasNextPage: boolean;
  totalCount: number;
  /** Relevance order: how many matches came before this page (cursors are positions). */
  offset: number | null;
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function applyFilter(
  q: SelectQueryBuilder<MessageRow>,
  filter: MessageFilterKeys,
): SelectQueryBuilder<MessageRow> {
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
  if (filter.search) whereMatches(q, filter.search);
  return q;
}

/**
 * A bucket's messages by received time (newest first unless `order` says otherwise), keyset-paged
 * on (received_at, id) over the (bucket_id, received_at, id) index: a page costs the rows it
 * returns, and a cursor stays valid while mail arrives (server/domain/message-listing.ts).
 */
export async function pageMessages(
  m: EntityManager,
  bucketId: string,
  args: { first: number; after: DecodedCursor | null; order: MessageOrder },
  filter: MessageFilterKeys,
): Promise<MessagePage> {
  // With a search, the matches drive the query (looked up by id, then sorted): on SQLite a `+`
  // keeps the planner off the bucket's received-time index, whose walk until a page of matches
  // is found costs the whole bucket when a word is rare.
  const bucketColumn =
    filter.search && m.connection.options.type === "better-sqlite3"
      ? "+m.bucket_id"
      : "m.bucket_id";
  const base = () =>
    applyFilter(
      m.createQueryBuilder(MessageRow, "m").where(`${bucketColumn} = :bucketId`, { bucketId }),
      filter,
    );
  const totalCount = await base().getCount();
  if (args.order === "RELEVANCE") {
    if (!filter.search) throw new Error("RELEVANCE order needs a search");
    const offset = args.after && "offset" in args.after ? args.after.offset : 0;
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
    return {
      rows: rows.slice(0, args.first).map(normalizeMessage),
      hasNextPage: rows.length > args.first,
      totalCount,
      offset,
    };
  }
  const direction = args.order === "OLDEST_FIRST" ? "ASC" : "DESC";
  const pageQuery = base();
  if (args.after && "key" in args.after) {
    pageQuery.andWhere(
      `(m.received_at, m.id) ${direction === "ASC" ? ">" : "<"} (:afterAt, :afterId)`,
      { afterAt: args.after.key.receivedAt, afterId: args.after.key.id },
    );
  }
  const rows = await pageQuery
    .orderBy("m.received_at", direction)
    .addOrderBy("m.id", direction)
    .limit(args.first + 1)
    .getMany();
  return {
    rows: rows.slice(0, args.first).map(normalizeMessage),
    hasNextPage: rows.length > args.first,
    totalCount,
    offset: null,
  };
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
