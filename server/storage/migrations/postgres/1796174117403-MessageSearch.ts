import type { MigrationInterface, QueryRunner } from "typeorm";
import { backfillSearchIndex } from "../../message-search.js";

/**
 * Hand-written (TypeORM knows no tsvector): the full-text index of
 * server/storage/message-search.ts, back-filled from the messages already stored.
 */
export class MessageSearch1796174117403 implements MigrationInterface {
  name = "MessageSearch1796174117403";

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "message_search" ("message_id" character varying(36) NOT NULL PRIMARY KEY REFERENCES "message" ("id") ON DELETE CASCADE, "document" tsvector NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "message_search_document" ON "message_search" USING GIN ("document")`,
    );
    await backfillSearchIndex(queryRunner.manager);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "message_search"`);
  }
}
