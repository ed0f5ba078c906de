import type { MigrationInterface, QueryRunner } from "typeorm";
import { backfillSearchIndex } from "../../message-search.js";

/**
 * Hand-written (TypeORM knows no FTS5): the full-text index keyed by search keys (bucket number,
 * received second, slot; server/storage/message-search.ts), so a bucket's newest matches are a
 * range FTS5 walks backwards, with prefix indexes; rebuilt from the stored messages.
 */
export class SearchInTimeOrder1796180000000 implements MigrationInterface {
  name = "SearchInTimeOrder1796180000000";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "message_search_deleted"`);
    await queryRunner.query(`DROP TABLE "message_fts"`);
    await queryRunner.query(`DROP TABLE "message_search"`);
    await queryRunner.query(
      `CREATE TABLE "message_search_bucket" ("number" INTEGER PRIMARY KEY, "bucket_id" varchar(36) NOT NULL UNIQUE REFERENCES "bucket" ("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE TABLE "message_search" ("id" INTEGER PRIMARY KEY, "message_id" varchar(36) NOT NULL UNIQUE REFERENCES "message" ("id") ON DELETE CASCADE)`,
    );
    // Prefix indexes of 2 to 5 characters: a search's last word is a prefix (search as you
    // type), and without them FTS5 merges the lists of every word it starts before the first match.
    await queryRunner.query(
      `CREATE VIRTUAL TABLE "message_fts" USING fts5("subject", "participants", "body", content='', contentless_delete=1, prefix='2 3 4 5', tokenize='unicode61 remove_diacritics 2')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "message_search_deleted" AFTER DELETE ON "message_search" BEGIN DELETE FROM "message_fts" WHERE "rowid" = old."id"; END`,
    );
    await backfillSearchIndex(queryRunner.manager);
  }

  /** Back to the first layout, empty (a way back for development: running `up` again refills it). */
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "message_search_deleted"`);
    await queryRunner.query(`DROP TABLE "message_fts"`);
    await queryRunner.query(`DROP TABLE "message_search"`);
    await queryRunner.query(`DROP TABLE "message_search_bucket"`);
    await queryRunner.query(
      `CREATE TABLE "message_search" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "message_id" varchar(36) NOT NULL UNIQUE REFERENCES "message" ("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE VIRTUAL TABLE "message_fts" USING fts5("subject", "participants", "body", content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "message_search_deleted" AFTER DELETE ON "message_search" BEGIN DELETE FROM "message_fts" WHERE "rowid" = old."id"; END`,
    );
  }
}
