import type { EntityManager, SelectQueryBuilder } from "typeorm";
import { indexedText, fts5Query, type SearchQuery, tsQuery } from "../domain/search-terms.js";
import type { StoredParticipant } from "./entities/index.js";

/**
 * The full-text index of messages (server/domain/search-terms.ts says what a word is), written in
 * the storing transaction. Not an entity: TypeORM knows neither FTS5 nor tsvector, so the tables
 * come from hand-written migrations (…-MessageSearch.ts) and the SQL lives here.
 *
 * - SQLite: `message_fts`, a contentless FTS5 table (the words are not stored twice) whose rowid
 *   is `message_search.id`, an AUTOINCREMENT key per message (never reused, so a deleted
 *   message's words can never be taken for a newer one's); deleting a message cascades to
 *   `message_search`, whose trigger deletes the FTS row.
 * - PostgreSQL: `message_search(message_id, document tsvector)` with a GIN index, cascading too.
 * Subject words weigh most in ranking, then participants, then the body.
 */
export interface SearchableMessage {
  id: string;
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
export function participantText(message: Omit<SearchableMessage, "id" | "subject" | "bodyText">) {
  const parts = new Set<string>();
  for (const p of [message.from, message.sender, ...message.to, ...message.cc, ...message.bcc]) {
    if (!p) continue;
    if (p.name) parts.add(p.name);
    if (p.address) parts.add(p.address);
  }
  return [...parts].join(" ");
}

export function searchDocument(message: SearchableMessage) {
  return {
    subject: indexedText(message.subject),
    participants: indexedText(participantText(message)),
    body: indexedText(message.bodyText),
  };
}

interface Statement {
  run(...values: unknown[]): { lastInsertRowid: number | bigint };
}
const statements = new WeakMap<object, Map<string, Statement>>();

function sqliteStatement(m: EntityManager, sql: string): Statement {
  const database = (
    m.connection.driver as unknown as { databaseConnection: { prepare(sql: string): Statement } }
  ).databaseConnection;
  let cache = statements.get(database);
  if (!cache) statements.set(database, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = database.prepare(sql)));
  return statement;
}

const PG_ROWS_PER_STATEMENT = 500;

/** Indexes messages just inserted, inside the caller's (storing) transaction. */
export async function indexMessages(
  m: EntityManager,
  messages: readonly SearchableMessage[],
): Promise<void> {
  if (messages.length === 0) return;
  if (isSqlite(m)) {
    const key = sqliteStatement(m, `INSERT INTO "message_search" ("message_id") VALUES (?)`);
    const words = sqliteStatement(
      m,
      `INSERT INTO "message_fts" ("rowid", "subject", "participants", "body") VALUES (?, ?, ?, ?)`,
    );
    for (const message of messages) {
      const doc = searchDocument(message);
      const { lastInsertRowid } = key.run(message.id);
      words.run(lastInsertRowid, doc.subject, doc.participants, doc.body);
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

/** Narrows a message query (alias `m`) to the messages matching `query`. */
export function whereMatches(
  q: SelectQueryBuilder<never> | SelectQueryBuilder<object>,
  query: SearchQuery,
): void {
  if (q.connection.options.type === "better-sqlite3") {
    q.andWhere(
      `m.id IN (SELECT s.message_id FROM "message_search" s WHERE s.id IN (SELECT rowid FROM "message_fts" WHERE "message_fts" MATCH :searchMatch))`,
      { searchMatch: fts5Query(query) },
    );
  } else {
    q.andWhere(
      `m.id IN (SELECT s.message_id FROM "message_search" s WHERE s.document @@ to_tsquery('simple', :searchMatch))`,
      { searchMatch: tsQuery(query) },
    );
  }
}

/**
 * Joins the rank of each match (alias `rank`, greater is better) for relevance order: BM25 on
 * SQLite (weights 3 subject, 2 participants, 1 body), ts_rank with the A/B/C weights on PostgreSQL.
 */
export function joinRank(q: SelectQueryBuilder<object>, query: SearchQuery): string {
  if (q.connection.options.type === "better-sqlite3") {
    // FTS5's MATCH and bm25() take the table's own name, not another alias.
    q.innerJoin("message_search", "s", "s.message_id = m.id")
      .innerJoin("message_fts", "message_fts", `"message_fts"."rowid" = s.id`)
      .andWhere(`"message_fts" MATCH :searchMatch`, { searchMatch: fts5Query(query) });
    return `-bm25("message_fts", 3.0, 2.0, 1.0)`;
  }
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

/** Indexes every message stored before the index existed (the migration that creates it). */
export async function backfillSearchIndex(m: EntityManager): Promise<void> {
  const p = (n: number) => (isSqlite(m) ? "?" : `$${n}`);
  let after = "";
  for (;;) {
    const rows = await m.query<Record<string, unknown>[]>(
      `SELECT "id", "subject", "body_text", "from_participant", "sender_participant", "to_participants", "cc_participants", "bcc_participants"
       FROM "message" WHERE "id" > ${p(1)} ORDER BY "id" LIMIT ${BACKFILL_BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    await indexMessages(
      m,
      rows.map((r) => ({
        id: String(r.id),
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
