import type { TestServer } from "./test-server.js";

const TABLES = [
  "project",
  "api_token",
  "api_token_grant",
  "integration",
  "bucket",
  "mailbox",
  "mailbox_sync",
  "folder_checkpoint",
  "message",
  "message_search",
  "attachment",
  "attachment_blob",
  "stream",
  "stream_bucket",
  "skipped_message",
  "audit_log",
  "usage_day",
];

/**
 * A refusal is logged (outcome = its error code) in a transaction of its own, after the
 * mutation's rolled back: it records the attempt, not a change. Only entries of changes count.
 */
const WHERE: Record<string, string> = { audit_log: `WHERE "outcome" = 'OK'` };

/**
 * Every row of every table, for "a refused mutation changes nothing" checks. `last_used_at` is
 * left out: authenticating a request may touch it, which is not a change made by the mutation.
 */
export async function snapshot(server: TestServer): Promise<string> {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = (await server.app.deps.db.dataSource.query(
      `SELECT * FROM "${table}" ${WHERE[table] ?? ""}`,
    )) as Record<string, unknown>[];
    out[table] = rows
      .map((row) => {
        const { last_used_at: _ignored, ...rest } = row;
        return JSON.stringify(rest, Object.keys(rest).sort());
      })
      .sort();
  }
  return JSON.stringify(out);
}
