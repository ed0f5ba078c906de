import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Hand-written (TypeORM knows no FTS5): the first full-text index of server/storage/message-search.ts.
 * Replaced by SearchInTimeOrder, which rebuilds it from the stored messages (so this one no longer
 * back-fills: the code that fills the index writes the newer layout).
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
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "message_search_deleted"`);
    await queryRunner.query(`DROP TABLE "message_fts"`);
    await queryRunner.query(`DROP TABLE "message_search"`);
  }
}
