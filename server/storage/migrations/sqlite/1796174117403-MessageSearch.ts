import type { MigrationInterface, QueryRunner } from "typeorm";
import { backfillSearchIndex } from "../../message-search.js";

/**
 * Hand-written (TypeORM knows no FTS5): the full-text index of server/storage/message-search.ts,
 * back-filled from the messages already stored.
 */
export class MessageSearch1796174117403 implements MigrationInterface {
  name = "MessageSearch1796174117403";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "message_search" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "message_id" varchar(36) NOT NULL UNIQUE REFERENCES "message" ("id") ON DELETE CASCADE)`,
    );
    await queryRunner.query(
      `CREATE VIRTUAL TABLE "message_fts" USING fts5("subject", "participants", "body", content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "message_search_deleted" AFTER DELETE ON "message_search" BEGIN DELETE FROM "message_fts" WHERE "rowid" = old."id"; END`,
    );
    await backfillSearchIndex(queryRunner.manager);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "message_search_deleted"`);
    await queryRunner.query(`DROP TABLE "message_fts"`);
    await queryRunner.query(`DROP TABLE "message_search"`);
  }
}
