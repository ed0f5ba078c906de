import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { DataSource } from "typeorm";
import { ENTITIES, POSTGRES_ONLY_ENTITIES } from "./entities/index.js";
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from "./migrations/index.js";

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl: string | null;
  /**
   * PostgreSQL ends a session that sits idle inside a transaction this long (ms): a process that
   * was paused (SIGSTOP, a long GC) mid-transaction would otherwise hold its row locks — and so
   * keep the mailbox from being taken over — for as long as it stays paused.
   */
  idleInTransactionTimeoutMs?: number;
}

export type Dialect = "sqlite" | "postgres";

export const dialectOf = (options: DatabaseOptions): Dialect =>
  options.databaseUrl ? "postgres" : "sqlite";

/** Builds (does not open) the DataSource: SQLite with WAL in the data dir, or PostgreSQL. */
export function createDataSource(options: DatabaseOptions): DataSource {
  if (options.databaseUrl) {
    return new DataSource({
      type: "postgres",
      url: options.databaseUrl,
      entities: [...ENTITIES, ...POSTGRES_ONLY_ENTITIES],
      migrations: POSTGRES_MIGRATIONS,
      migrationsRun: false,
      synchronize: false,
      extra: {
        max: 10,
        ...(options.idleInTransactionTimeoutMs
          ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
          : {}),
      },
    });
  }
  mkdirSync(options.dataDir, { recursive: true });
  const file = join(options.dataDir, "mailstream.sqlite");
  ownerOnly(file);
  return new DataSource({
    type: "better-sqlite3",
    database: file,
    enableWAL: true,
    entities: ENTITIES,
    migrations: SQLITE_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    prepareDatabase: (db: { pragma(statement: string): unknown }) => {
      // Mail rows are several KB: bigger pages mean fewer overflow pages per row (only takes
      // effect when the database file is created).
      db.pragma("page_size = 16384");
      db.pragma("foreign_keys = ON");
      db.pragma("synchronous = NORMAL");
    },
  });
}

/**
 * The SQLite file readable by its owner only (0600), like the secret key beside it: it holds
 * mail and sealed credentials. Created empty with that mode when missing (SQLite makes a new
 * database of an empty file), and chmod-ed when an older start made it 0644. SQLite creates the
 * -wal and -shm files with the database file's mode; leftovers are fixed too.
 */
function ownerOnly(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) chmodSync(path, 0o600);
  }
}

/** Any constant, the same in every process: the key of the migration lock. */
const MIGRATION_LOCK_KEY = 7_310_250_001;

/**
 * Opens the database and applies pending migrations. On PostgreSQL several processes may start at
 * once on one database: an advisory lock, held on a connection of its own for the duration, lets
 * one migrate while the others wait and then find nothing pending.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  if (dialectOf(options) !== "postgres") {
    await dataSource.runMigrations({ transaction: "each" });
    return dataSource;
  }
  const lock = dataSource.createQueryRunner();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: "each" });
    } finally {
      await lock.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    await lock.release();
    await dataSource.destroy();
    throw error;
  }
  await lock.release();
  return dataSource;
}
