import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Database } from "../../server/storage/database.js";
import { createScratchDatabase, postgresAdminUrl } from "../support/database.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe("migrations", () => {
  it("bring an empty database to exactly the entities' schema (no drift)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "mailstream-migrations-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | null = null;
    const adminUrl = postgresAdminUrl();
    if (adminUrl) {
      const scratch = await createScratchDatabase(adminUrl);
      cleanups.push(scratch.drop);
      databaseUrl = scratch.url;
    }
    const db = await Database.open({ dataDir, databaseUrl });
    try {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(await db.dataSource.showMigrations()).toBe(false);
    } finally {
      await db.close();
    }
  });
});
