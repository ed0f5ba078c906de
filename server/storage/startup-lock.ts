import type { EntityManager } from "typeorm";

/** Any constant, the same in every process: the key of the one-time start-up work's lock. */
const BOOTSTRAP_LOCK_KEY = 7_310_250_002;

/**
 * Serialises one-time start-up work (the bootstrap admin token) between processes starting at once
 * on one PostgreSQL database: a transaction-level advisory lock, released when the caller's
 * transaction ends. SQLite has one process and one connection: nothing to do.
 */
export async function lockStartupWork(m: EntityManager): Promise<void> {
  if (m.connection.options.type !== "postgres") return;
  await m.query("SELECT pg_advisory_xact_lock($1)", [BOOTSTRAP_LOCK_KEY]);
}
