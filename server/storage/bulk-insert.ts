import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";

/** Rows per multi-row INSERT on PostgreSQL (well under its 65,535 bound parameters). */
const PG_ROWS_PER_STATEMENT = 500;

interface Prepared {
  run(...values: unknown[]): unknown;
}

const statements = new WeakMap<object, Map<string, Prepared>>();

/**
 * Inserts many entity rows inside the caller's transaction, bypassing the query builder's
 * per-parameter bookkeeping (most of the storage time in a sync). Values are converted by the
 * TypeORM driver itself, so what is stored reads back exactly as entities saved by TypeORM.
 * SQLite: one cached prepared statement run per row (better-sqlite3 is synchronous and fast at
 * this); PostgreSQL: multi-row INSERTs.
 */
export async function bulkInsert<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  rows: readonly T[],
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const columns = metadata.columns.filter((c) => !c.isVirtual);
  const names = columns.map((c) => `"${c.databaseName}"`).join(", ");
  const valuesOf = (row: T) =>
    columns.map((c) => driver.preparePersistentValue(c.getEntityValue(row), c) as unknown);

  if (m.connection.options.type === "better-sqlite3") {
    const sql = `INSERT INTO "${metadata.tableName}" (${names}) VALUES (${columns.map(() => "?").join(", ")})`;
    // The connection TypeORM's transaction runs on: statements run inside that transaction.
    const database = (
      driver as unknown as { databaseConnection: { prepare(sql: string): Prepared } }
    ).databaseConnection;
    let cache = statements.get(database);
    if (!cache) statements.set(database, (cache = new Map()));
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = database.prepare(sql)));
    for (const row of rows) statement.run(...valuesOf(row).map(sqliteValue));
    return;
  }
  for (let i = 0; i < rows.length; i += PG_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + PG_ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const values = valuesOf(row);
      const start = params.length;
      params.push(...values);
      return `(${values.map((_, j) => `$${start + j + 1}`).join(", ")})`;
    });
    await m.query(
      `INSERT INTO "${metadata.tableName}" (${names}) VALUES ${tuples.join(", ")}`,
      params,
    );
  }
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null; booleans become 0/1. */
function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}
