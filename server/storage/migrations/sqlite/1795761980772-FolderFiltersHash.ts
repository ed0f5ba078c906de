import { MigrationInterface, QueryRunner } from "typeorm";

export class FolderFiltersHash1795761980772 implements MigrationInterface {
    name = 'FolderFiltersHash1795761980772'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_273e0f3eff72218870eea32a0a"`);
        await queryRunner.query(`CREATE TABLE "temporary_folder_checkpoint" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "folder_id" varchar(512) NOT NULL, "folder_path" text NOT NULL, "delta_link" text, "next_link" text, "covered_from" datetime, "listing_cursor" text, "status" varchar(16) NOT NULL DEFAULT ('PENDING'), "messages_seen" integer NOT NULL DEFAULT (0), "updated_at" datetime NOT NULL, "filters_hash" varchar(64), CONSTRAINT "FK_297f8bbf5cead4b3c9366707394" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_folder_checkpoint"("id", "mailbox_id", "folder_id", "folder_path", "delta_link", "next_link", "covered_from", "listing_cursor", "status", "messages_seen", "updated_at") SELECT "id", "mailbox_id", "folder_id", "folder_path", "delta_link", "next_link", "covered_from", "listing_cursor", "status", "messages_seen", "updated_at" FROM "folder_checkpoint"`);
        await queryRunner.query(`DROP TABLE "folder_checkpoint"`);
        await queryRunner.query(`ALTER TABLE "temporary_folder_checkpoint" RENAME TO "folder_checkpoint"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_273e0f3eff72218870eea32a0a" ON "folder_checkpoint" ("mailbox_id", "folder_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_273e0f3eff72218870eea32a0a"`);
        await queryRunner.query(`ALTER TABLE "folder_checkpoint" RENAME TO "temporary_folder_checkpoint"`);
        await queryRunner.query(`CREATE TABLE "folder_checkpoint" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "folder_id" varchar(512) NOT NULL, "folder_path" text NOT NULL, "delta_link" text, "next_link" text, "covered_from" datetime, "listing_cursor" text, "status" varchar(16) NOT NULL DEFAULT ('PENDING'), "messages_seen" integer NOT NULL DEFAULT (0), "updated_at" datetime NOT NULL, CONSTRAINT "FK_297f8bbf5cead4b3c9366707394" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "folder_checkpoint"("id", "mailbox_id", "folder_id", "folder_path", "delta_link", "next_link", "covered_from", "listing_cursor", "status", "messages_seen", "updated_at") SELECT "id", "mailbox_id", "folder_id", "folder_path", "delta_link", "next_link", "covered_from", "listing_cursor", "status", "messages_seen", "updated_at" FROM "temporary_folder_checkpoint"`);
        await queryRunner.query(`DROP TABLE "temporary_folder_checkpoint"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_273e0f3eff72218870eea32a0a" ON "folder_checkpoint" ("mailbox_id", "folder_id") `);
    }

}
