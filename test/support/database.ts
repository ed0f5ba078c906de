import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Where API tests keep their data: SQLite in a temp dir by default; PostgreSQL when the vitest
 * project sets TEST_POSTGRES_URL — then each test server gets a fresh database of its own.
 */
export const postgresAdminUrl = (): string | null => process.env.TEST_POSTGRES_URL || null;

export async function createScratchDatabase(
  adminUrl: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `mailstream_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
