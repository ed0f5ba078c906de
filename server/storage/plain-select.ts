import type { EntityManager, EntityTarget, ObjectLiteral } from "typeorm";

/** Adds a bound value and answers its placeholder (`?` on SQLite, `$n` on PostgreSQL). */
export type Param = (value: unknown) => string;

/**
 * Reads entity rows with plain SQL, hydrated column by column with the driver's own conversions
 * (dates, JSON, bigints): what TypeORM's find does underneath, without the query builder and its
 * entity transformer, which cost more than the read itself on the paths every request takes
 * (the bearer token, the project and stream by name, a stream's batch of messages).
 * `where` is a map of property to value (all equal), or SQL built with `param`.
 */
export async function selectRows<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  where: Partial<Record<keyof T & string, unknown>> | ((param: Param) => string),
  options: { tail?: string; properties?: readonly (keyof T)[] } = {},
): Promise<T[]> {
  const metadata = m.connection.getMetadata(target);
  const columns = options.properties
    ? metadata.columns.filter((c) => options.properties!.includes(c.propertyName as keyof T))
    : metadata.columns;
  const postgres = m.connection.options.type === "postgres";
  const values: unknown[] = [];
  const param: Param = (value) => {
    values.push(typeof value === "boolean" && !postgres ? Number(value) : value);
    return postgres ? `$${values.length}` : "?";
  };
  const condition =
    typeof where === "function"
      ? where(param)
      : Object.entries(where)
          .map(([property, value]) => {
            const column = metadata.findColumnWithPropertyName(property);
            if (!column) throw new Error(`${metadata.name} has no column for '${property}'`);
            return `"${column.databaseName}" = ${param(value)}`;
          })
          .join(" AND ");
  const list = columns.map((c) => `"${c.databaseName}"`).join(", ");
  const sql = `SELECT ${list} FROM "${metadata.tableName}" WHERE ${condition} ${options.tail ?? ""}`;
  const driver = m.connection.driver;
  const raws = (await m.query(sql, values)) as Record<string, unknown>[];
  return raws.map((raw) => {
    const row = Object.create(
      metadata.target instanceof Function ? metadata.target.prototype : Object.prototype,
    ) as Record<string, unknown>;
    for (const column of columns)
      row[column.propertyName] = driver.prepareHydratedValue(raw[column.databaseName], column);
    return row as T;
  });
}

/** The one row matching `where`, or null. */
export async function selectRow<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  where: Partial<Record<keyof T & string, unknown>>,
): Promise<T | null> {
  return (await selectRows(m, target, where, { tail: "LIMIT 1" }))[0] ?? null;
}
