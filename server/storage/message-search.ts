import type { EntityManager, SelectQueryBuilder } from "typeorm";
import { indexedText, fts5Query, type SearchQuery, tsQuery } from "../domain/search-terms.js";
import { MessageRow, type StoredParticipant } from "./entities/index.js";

/**
 * The full-text index of messages (server/domain/search-terms.ts says what a word is), written in
 * the storing transaction. Not an entity: TypeORM knows neither FTS5 nor tsvector, so the tables
 * come from hand-written migrations (…-MessageSearch.ts, …-SearchInTimeOrder.ts) and the SQL
 * lives here.
 *
 * - SQLite: `message_fts`, a contentless FTS5 table (the words are not stored twice, deletes are
 *   real: `contentless_delete=1`) whose rowid is a **search key** packing the message's bucket and
 *   received second (see {@link searchKey}), kept in `message_search(id, message_id)`. FTS5 walks
 *   its matches in rowid order and seeks rowid ranges, so "a bucket's newest matches" is a range
 *   walked backwards that stops after one page, however many messages match, and a bucket's
 *   match count never looks at another bucket. Deleting a message cascades to `message_search`,
 *   whose trigger deletes the FTS row; a bucket's number (`message_search_bucket`) goes with it.
 * - PostgreSQL: `message_search(message_id, document tsvector)` with a GIN index, cascading too.
 * Subject words weigh most in ranking, then participants, then the body.
 */
export interface SearchableMessage {
  id: string;
  bucketId: string;
  receivedAt: Date;
  subject: string;
  bodyText: string;
  from: StoredParticipant | null;
  sender: StoredParticipant | null;
  to: StoredParticipant[];
  cc: StoredParticipant[];
  bcc: StoredParticipant[];
}

const isSqlite = (m: EntityManager) => m.connection.options.type === "better-sqlite3";

/** Names and addresses of every participant, once each. */
export function participantText(
  message: Pick<SearchableMessage, "from" | "sender" | "to" | "cc" | "bcc">,
) {
  const parts = new Set<string>();
  for (const p of [message.from, message.sender, ...message.to, ...message.cc, ...message.bcc]) {
    if (!p) continue;
    if (p.name) parts.add(p.name);
    if (p.address) parts.add(p.address);
  }
  return [...parts].join(" ");
}

export function searchDocument(message: Omit<SearchableMessage, "id" | "bucketId" | "receivedAt">) {
  return {
    subject: indexedText(message.subject),
    participants: indexedText(participantText(message)),
    body: indexedText(message.bodyText),
  };
}

// ---- SQLite search keys ------------------------------------------------------------------------

/** Messages of one bucket received in one second that get keys in that second's range. */
const SLOT_BITS = 14n;
const SECOND_BITS = 32n;
/** Buckets a database can index at once (their numbers are reused once a bucket is deleted). */
export const MAX_SEARCH_BUCKETS = (1 << 17) - 1;
export const SLOTS_PER_SECOND = 1n << SLOT_BITS;
const MAX_SECOND = (1n << SECOND_BITS) - 1n;

/** The received second a key is filed under: seconds since 1970, clamped to 0 … 2^32 − 1. */
export function receivedSecond(at: Date): bigint {
  const seconds = Math.floor(at.getTime() / 1000);
  if (!Number.isFinite(seconds) || seconds <= 0) return 0n;
  const s = BigInt(seconds);
  return s > MAX_SECOND ? MAX_SECOND : s;
}

/**
 * The first search key of a bucket's second: bucket number (17 bits), received second (32 bits),
 * then 14 bits of slot, so keys sort by bucket, then received second, then arrival. A second with
 * more than 16,384 messages of one bucket (no mail flow delivers that; an import might) spills
 * into the following seconds' slots: the message is indexed and counted, but search pages may
 * place it a second late (docs/reading-mail.md).
 */
export function searchKey(bucketNumber: number, second: bigint): bigint {
  return (BigInt(bucketNumber) << (SECOND_BITS + SLOT_BITS)) | (second << SLOT_BITS);
}

/** The first key of the second `key` is filed under. */
export const secondOfKey = (key: bigint): bigint => key & ~(SLOTS_PER_SECOND - 1n);

/** Inclusive range of search keys. */
export interface KeyRange {
  lo: bigint;
  hi: bigint;
}

/**
 * The keys of the bucket's messages received within [from, to) (every key without bounds), and
 * the seconds at its ends that the bounds cut (`partial`): only there do keys include messages
 * the exact received-time bounds exclude.
 */
export function bucketKeyRange(
  bucketNumber: number,
  from: Date | null = null,
  to: Date | null = null,
): KeyRange & { partial: KeyRange[] } {
  const partial: KeyRange[] = [];
  const secondRange = (at: Date) => {
    const lo = searchKey(bucketNumber, receivedSecond(at));
    return { lo, hi: lo + SLOTS_PER_SECOND - 1n };
  };
  const lo = from ? secondRange(from).lo : searchKey(bucketNumber, 0n);
  if (from && from.getTime() % 1000 !== 0) partial.push(secondRange(from));
  let hi = searchKey(bucketNumber, MAX_SECOND) + SLOTS_PER_SECOND - 1n;
  if (to) {
    const last = secondRange(to);
    // `to` is exclusive: on a whole second, that second is out altogether.
    hi = to.getTime() % 1000 === 0 ? last.lo - 1n : last.hi;
    if (to.getTime() % 1000 !== 0 && !partial.some((p) => p.lo === last.lo)) partial.push(last);
  }
  return { lo, hi, partial: partial.filter((p) => p.lo <= hi && p.hi >= lo) };
}

interface Statement {
  run(...values: unknown[]): unknown;
  get(...values: unknown[]): Record<string, unknown> | undefined;
}
interface RawStatement extends Statement {
  safeIntegers(on: boolean): RawStatement;
}
const statements = new WeakMap<object, Map<string, Statement>>();

/** A prepared statement of the transaction's connection whose integers come back as BigInt. */
function sqliteStatement(m: EntityManager, sql: string): Statement {
  const database = (
    m.connection.driver as unknown as {
      databaseConnection: { prepare(sql: string): RawStatement };
    }
  ).databaseConnection;
  let cache = statements.get(database);
  if (!cache) statements.set(database, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = database.prepare(sql).safeIntegers(true)));
  return statement;
}

/** The bucket's number in search keys, or null when none of its messages was ever indexed. */
export function searchBucketNumber(m: EntityManager, bucketId: string): number | null {
  const row = sqliteStatement(
    m,
    `SELECT "number" FROM "message_search_bucket" WHERE "bucket_id" = ?`,
  ).get(bucketId);
  return row ? Number(row.number) : null;
}

function ensureSearchBucketNumber(m: EntityManager, bucketId: string): number {
  const known = searchBucketNumber(m, bucketId);
  if (known !== null) return known;
  let number = Number(
    sqliteStatement(
      m,
      `SELECT COALESCE(MAX("number"), 0) + 1 AS "next" FROM "message_search_bucket"`,
    ).get()!.next,
  );
  if (number > MAX_SEARCH_BUCKETS) {
    // Numbers of deleted buckets are free again: take the lowest.
    const gap = sqliteStatement(
      m,
      `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM "message_search_bucket" WHERE "number" = 1) THEN 1
         ELSE (SELECT MIN(b."number") + 1 FROM "message_search_bucket" b WHERE NOT EXISTS (SELECT 1 FROM "message_search_bucket" c WHERE c."number" = b."number" + 1)) END AS "free"`,
    ).get()!;
    number = Number(gap.free);
    if (number > MAX_SEARCH_BUCKETS)
      throw new Error(
        `SQLite's search index holds the mail of at most ${MAX_SEARCH_BUCKETS} buckets: delete unused buckets, or run on PostgreSQL (DATABASE_URL).`,
      );
  }
  sqliteStatement(
    m,
    `INSERT INTO "message_search_bucket" ("number", "bucket_id") VALUES (?, ?)`,
  ).run(number, bucketId);
  return number;
}

/**
 * The next free key of the message's second or, when that second is full, of a later one (of an
 * earlier one past the last second, so that a key never leaves its bucket's range).
 */
function nextKey(m: EntityManager, bucketNumber: number, receivedAt: Date): bigint {
  const last = sqliteStatement(
    m,
    `SELECT MAX("id") AS "id" FROM "message_search" WHERE "id" BETWEEN ? AND ?`,
  );
  const second = receivedSecond(receivedAt);
  for (let s = second, step = 1n; ; s += step) {
    if (s > MAX_SECOND) [s, step] = [second - 1n, -1n];
    if (s < 0n) throw new Error(`bucket ${bucketNumber} has no free search key`);
    const base = searchKey(bucketNumber, s);
    const max = last.get(base, base + SLOTS_PER_SECOND - 1n)?.id as bigint | null | undefined;
    if (max === null || max === undefined) return base;
    if (max < base + SLOTS_PER_SECOND - 1n) return max + 1n;
  }
}

const PG_ROWS_PER_STATEMENT = 500;

/** Indexes messages just inserted, inside the caller's (storing) transaction. */
export async function indexMessages(
  m: EntityManager,
  messages: readonly SearchableMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  if (isSqlite(m)) {
    const key = sqliteStatement(
      m,
      `INSERT INTO "message_search" ("id", "message_id") VALUES (?, ?)`,
    );
    const words = sqliteStatement(
      m,
      `INSERT INTO "message_fts" ("rowid", "subject", "participants", "body") VALUES (?, ?, ?, ?)`,
    );
    const numbers = new Map<string, number>();
    for (const message of messages) {
      let number = numbers.get(message.bucketId);
      if (number === undefined)
        numbers.set(message.bucketId, (number = ensureSearchBucketNumber(m, message.bucketId)));
      const id = nextKey(m, number, message.receivedAt);
      const doc = searchDocument(message);
      key.run(id, message.id);
      words.run(id, doc.subject, doc.participants, doc.body);
    }
    return;
  }
  for (let i = 0; i < messages.length; i += PG_ROWS_PER_STATEMENT) {
    const params: string[] = [];
    const tuples = messages.slice(i, i + PG_ROWS_PER_STATEMENT).map((message) => {
      const doc = searchDocument(message);
      const n = params.push(message.id, doc.subject, doc.participants, doc.body);
      return `($${n - 3}, setweight(to_tsvector('simple', $${n - 2}), 'A') || setweight(to_tsvector('simple', $${n - 1}), 'B') || setweight(to_tsvector('simple', $${n}), 'C'))`;
    });
    await m.query(
      `INSERT INTO "message_search" ("message_id", "document") VALUES ${tuples.join(", ")}`,
      params,
    );
  }
}

/**
 * SQLite: the matches of `query` within `range`, as a query (alias `m` for the message) driven by
 * the FTS table in key order — the caller adds filters, order and limit. FTS5's MATCH takes the
 * table's own name, not another alias.
 */
export function sqliteMatches(
  m: EntityManager,
  query: SearchQuery,
  range: KeyRange,
): SelectQueryBuilder<object> {
  return m
    .createQueryBuilder()
    .from("message_fts", "message_fts")
    .innerJoin("message_search", "s", `s.id = "message_fts"."rowid"`)
    .innerJoin(MessageRow, "m", "m.id = s.message_id")
    .where(`"message_fts" MATCH :searchMatch`, { searchMatch: fts5Query(query) })
    .andWhere(`"message_fts"."rowid" BETWEEN ${range.lo} AND ${range.hi}`);
}

/**
 * SQLite: how many messages within `range` match (the FTS index alone, no row looked up), at most
 * `limit` when given.
 */
export function sqliteMatchCount(
  m: EntityManager,
  query: SearchQuery,
  range: KeyRange,
  limit: number | null,
): number {
  const matches = `SELECT 1 FROM "message_fts" WHERE "message_fts" MATCH ? AND "rowid" BETWEEN ? AND ?`;
  const row =
    limit === null
      ? sqliteStatement(m, `SELECT COUNT(*) AS "n" FROM (${matches})`).get(
          fts5Query(query),
          range.lo,
          range.hi,
        )
      : sqliteStatement(m, `SELECT COUNT(*) AS "n" FROM (${matches} LIMIT ?)`).get(
          fts5Query(query),
          range.lo,
          range.hi,
          limit,
        );
  return Number(row?.n ?? 0);
}

/** SQLite ranking expression over {@link sqliteMatches}: BM25, weights 3 subject, 2 participants, 1 body. */
export const SQLITE_RANK = `-bm25("message_fts", 3.0, 2.0, 1.0)`;

/** PostgreSQL: narrows a message query (alias `m`) to the messages matching `query`. */
export function whereMatches(q: SelectQueryBuilder<MessageRow>, query: SearchQuery): void {
  q.andWhere(
    `m.id IN (SELECT s.message_id FROM "message_search" s WHERE s.document @@ to_tsquery('simple', :searchMatch))`,
    { searchMatch: tsQuery(query) },
  );
}

/** PostgreSQL: joins the rank of each match (greater is better), ts_rank with the A/B/C weights. */
export function joinRank(q: SelectQueryBuilder<MessageRow>, query: SearchQuery): string {
  q.innerJoin("message_search", "s", "s.message_id = m.id").andWhere(
    `s.document @@ to_tsquery('simple', :searchMatch)`,
    { searchMatch: tsQuery(query) },
  );
  return `ts_rank(s.document, to_tsquery('simple', :searchMatch))`;
}

const BACKFILL_BATCH = 1_000;

const parseParticipant = (value: unknown): StoredParticipant | null =>
  typeof value === "string" && value !== "" ? (JSON.parse(value) as StoredParticipant) : null;
const parseParticipants = (value: unknown): StoredParticipant[] =>
  typeof value === "string" && value !== "" ? (JSON.parse(value) as StoredParticipant[]) : [];

/** A datetime column as read raw: a Date from PostgreSQL, UTC `YYYY-MM-DD HH:MM:SS.SSS` from SQLite. */
const storedDate = (value: unknown): Date =>
  value instanceof Date ? value : new Date(`${String(value).replace(" ", "T")}Z`);

/** Indexes every message stored before the index existed (the migration that creates it). */
export async function backfillSearchIndex(m: EntityManager): Promise<void> {
  const p = (n: number) => (isSqlite(m) ? "?" : `$${n}`);
  let after = "";
  for (;;) {
    const rows = await m.query<Record<string, unknown>[]>(
      `SELECT "id", "bucket_id", "received_at", "subject", "body_text", "from_participant", "sender_participant", "to_participants", "cc_participants", "bcc_participants"
       FROM "message" WHERE "id" > ${p(1)} ORDER BY "id" LIMIT ${BACKFILL_BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    await indexMessages(
      m,
      rows.map((r) => ({
        id: String(r.id),
        bucketId: String(r.bucket_id),
        receivedAt: storedDate(r.received_at),
        subject: String(r.subject ?? ""),
        bodyText: String(r.body_text ?? ""),
        from: parseParticipant(r.from_participant),
        sender: parseParticipant(r.sender_participant),
        to: parseParticipants(r.to_participants),
        cc: parseParticipants(r.cc_participants),
        bcc: parseParticipants(r.bcc_participants),
      })),
    );
    after = String(rows.at(-1)!.id);
  }
}
