/**
 * Errors by which a database refuses one row's values (as opposed to failing as a whole: a lost
 * connection, a deadlock, a full disk). A page that meets one is stored again message by message,
 * so only the refused message is skipped. Sorted by the drivers' error codes, never by text, and
 * described in our words: raw database messages name tables and constraints, not what to do.
 */
export function rowRefusal(error: unknown): string | null {
  const code = driverCode(error);
  if (code === null) return null;
  // PostgreSQL SQLSTATE classes: 22 data exception, 23 integrity constraint, 54 program limit.
  if (/^22/.test(code)) return "the database refused one of its values (a data exception)";
  if (/^23/.test(code)) return "the database refused it (an integrity constraint)";
  if (/^54/.test(code)) return "it is larger than the database can hold in one row";
  if (code === "SQLITE_TOOBIG") return "it is larger than the database can hold in one row";
  if (code.startsWith("SQLITE_CONSTRAINT"))
    return "the database refused it (an integrity constraint)";
  if (code === "SQLITE_MISMATCH" || code === "SQLITE_RANGE")
    return "the database refused one of its values (a data exception)";
  return null;
}

function driverCode(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const own = (error as { code?: unknown }).code;
  if (typeof own === "string") return own;
  const driver = (error as { driverError?: { code?: unknown } }).driverError;
  return typeof driver?.code === "string" ? driver.code : null;
}
