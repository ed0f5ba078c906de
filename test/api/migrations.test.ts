import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Database } from "../../server/storage/database.js";
import { BucketRow, ProjectRow } from "../../server/storage/entities/index.js";
import { newId } from "../../server/storage/ids.js";
import { storeMessages } from "../../server/storage/message-store.js";
import { pageMessages } from "../../server/storage/message-queries.js";
import { messageFilterKeys } from "../../server/domain/message-listing.js";
import { incomingMessage } from "../live/fixtures.js";
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

describe("the search index migration", () => {
  it("back-fills the messages stored before it", async () => {
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
      const now = new Date();
      const projectId = newId();
      const bucketId = newId();
      await db.transaction(async (m) => {
        await m.insert(ProjectRow, {
          id: projectId,
          name: "backfill",
          title: "",
          description: "",
          unitBudget: null,
          createdAt: now,
          updatedAt: now,
        });
        await m.insert(BucketRow, {
          id: bucketId,
          projectId,
          name: "old",
          title: "",
          createdAt: now,
        });
        await storeMessages(
          m,
          projectId,
          bucketId,
          [incomingMessage({ subject: "Archived quarterly report", bodyText: "x" })],
          now,
        );
      });
      const found = () =>
        db.read((m) =>
          pageMessages(
            m,
            bucketId,
            { first: 10, after: null, order: "NEWEST_FIRST" },
            messageFilterKeys({ search: "quarterly" }),
          ),
        );
      expect((await found()).rows.map((r) => r.subject)).toEqual(["Archived quarterly report"]);
      // Back to before the index (later migrations first), then forward again: the back-fill.
      const names = async () =>
        (await db.dataSource.query(`SELECT "name" FROM "migrations"`)) as { name: string }[];
      while ((await names()).some((r) => r.name.startsWith("MessageSearch"))) {
        await db.dataSource.undoLastMigration();
      }
      await db.dataSource.runMigrations();
      expect((await found()).rows.map((r) => r.subject)).toEqual(["Archived quarterly report"]);
    } finally {
      await db.close();
    }
  });
});
