import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";
import type { ColumnMetadata } from "typeorm/metadata/ColumnMetadata.js";

/** Rows per multi-row INSERT on PostgreSQL (well under its 65,535 bound parameters). */
const PG_ROWS_PER_STATEMENT = 500;

interface Prepared {
  run(...values: unknown[]): unknown;
}

/** An entity's insertable columns: the SQL list and, per column, how a row's value is bound. */
interface InsertShape {
  table: string;
  names: string;
  columns: ((row: ObjectLiteral) => unknown)[];
}

const statements = new WeakMap<object, Map<string, Prepared>>();
const shapes = new WeakMap<object, Map<EntityTarget<ObjectLiteral>, InsertShape>>();

/** Column types whose values the drivers bind as they are (strings in our entities). */
const AS_IS = new Set<unknown>(["varchar", "text", "bigint"]);

/**
 * Inserts many entity rows inside the caller's transaction, bypassing the query builder's
 * per-parameter bookkeeping (most of the storage time in a sync). Values are converted by the
 * TypeORM driver itself (strings, bound as they are, excepted), so what is stored reads back
 * exactly as entities saved by TypeORM. SQLite: one cached prepared statement run per row
 * (better-sqlite3 is synchronous and fast at this); PostgreSQL: multi-row INSERTs.
 */
export async function bulkInsert<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  rows: readonly T[],
): Promise<void> {
  if (rows.length === 0) return;
  const sqlite = m.connection.options.type === "better-sqlite3";
  const shape = insertShape(m, target, sqlite);
  const { columns } = shape;
  const valuesOf = (row: T) => {
    const values = new Array<unknown>(columns.length);
    for (let j = 0; j < columns.length; j++) values[j] = columns[j]!(row);
    return values;
  };

  if (sqlite) {
    const sql = `INSERT INTO "${shape.table}" (${shape.names}) VALUES (${columns.map(() => "?").join(", ")})`;
    // The connection TypeORM's transaction runs on: statements run inside that transaction.
    const database = (
      m.connection.driver as unknown as {
        databaseConnection: { prepare(sql: string): Prepared };
      }
    ).databaseConnection;
    let cache = statements.get(database);
    if (!cache) statements.set(database, (cache = new Map()));
    let statement = cache.get(sql);
    if (!statement) cache.set(sql, (statement = database.prepare(sql)));
    for (const row of rows) statement.run(...valuesOf(row));
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
      `INSERT INTO "${shape.table}" (${shape.names}) VALUES ${tuples.join(", ")}`,
      params,
    );
  }
}

/** Worked out once per data source and entity, not for every row. */
function insertShape(
  m: EntityManager,
  target: EntityTarget<ObjectLiteral>,
  sqlite: boolean,
): InsertShape {
  let cache = shapes.get(m.connection);
  if (!cache) shapes.set(m.connection, (cache = new Map()));
  let shape = cache.get(target);
  if (shape) return shape;
  const metadata = m.connection.getMetadata(target);
  const driver = m.connection.driver;
  const columns = metadata.columns.filter((c) => !c.isVirtual);
  const valueOf = (c: ColumnMetadata): ((row: ObjectLiteral) => unknown) => {
    const property = c.propertyName;
    if (!c.transformer && !c.embeddedMetadata && AS_IS.has(c.type))
      return (row) => (row[property] as unknown) ?? null;
    return (row) => {
      const value = driver.preparePersistentValue(c.getEntityValue(row), c) as unknown;
      if (!sqlite) return value;
      // better-sqlite3 binds numbers, strings, bigints, buffers and null; booleans become 0/1.
      if (value === undefined) return null;
      return typeof value === "boolean" ? (value ? 1 : 0) : value;
    };
  };
  shape = {
    table: metadata.tableName,
    names: columns.map((c) => `"${c.databaseName}"`).join(", "),
    columns: columns.map(valueOf),
  };
  cache.set(target, shape);
  return shape;
}
