import { MigrationInterface, QueryRunner } from "typeorm";

export class SyncExpected1796176261471 implements MigrationInterface {
    name = 'SyncExpected1796176261471'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "temporary_mailbox_sync" ("mailbox_id" varchar(36) PRIMARY KEY NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('IDLE'), "phase" varchar(32), "current_folder" text, "folders_total" integer NOT NULL DEFAULT (0), "folders_done" integer NOT NULL DEFAULT (0), "messages_seen" integer NOT NULL DEFAULT (0), "messages_stored" integer NOT NULL DEFAULT (0), "messages_filtered" integer NOT NULL DEFAULT (0), "attachments_stored" integer NOT NULL DEFAULT (0), "messages_per_second" double precision NOT NULL DEFAULT (0), "started_at" datetime, "last_synced_at" datetime, "last_error" text, "messages_expected" integer NOT NULL DEFAULT (0), CONSTRAINT "FK_1163ca1a1ea114eed6b548de93a" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_mailbox_sync"("mailbox_id", "status", "phase", "current_folder", "folders_total", "folders_done", "messages_seen", "messages_stored", "messages_filtered", "attachments_stored", "messages_per_second", "started_at", "last_synced_at", "last_error") SELECT "mailbox_id", "status", "phase", "current_folder", "folders_total", "folders_done", "messages_seen", "messages_stored", "messages_filtered", "attachments_stored", "messages_per_second", "started_at", "last_synced_at", "last_error" FROM "mailbox_sync"`);
        await queryRunner.query(`DROP TABLE "mailbox_sync"`);
        await queryRunner.query(`ALTER TABLE "temporary_mailbox_sync" RENAME TO "mailbox_sync"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox_sync" RENAME TO "temporary_mailbox_sync"`);
        await queryRunner.query(`CREATE TABLE "mailbox_sync" ("mailbox_id" varchar(36) PRIMARY KEY NOT NULL, "status" varchar(16) NOT NULL DEFAULT ('IDLE'), "phase" varchar(32), "current_folder" text, "folders_total" integer NOT NULL DEFAULT (0), "folders_done" integer NOT NULL DEFAULT (0), "messages_seen" integer NOT NULL DEFAULT (0), "messages_stored" integer NOT NULL DEFAULT (0), "messages_filtered" integer NOT NULL DEFAULT (0), "attachments_stored" integer NOT NULL DEFAULT (0), "messages_per_second" double precision NOT NULL DEFAULT (0), "started_at" datetime, "last_synced_at" datetime, "last_error" text, CONSTRAINT "FK_1163ca1a1ea114eed6b548de93a" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "mailbox_sync"("mailbox_id", "status", "phase", "current_folder", "folders_total", "folders_done", "messages_seen", "messages_stored", "messages_filtered", "attachments_stored", "messages_per_second", "started_at", "last_synced_at", "last_error") SELECT "mailbox_id", "status", "phase", "current_folder", "folders_total", "folders_done", "messages_seen", "messages_stored", "messages_filtered", "attachments_stored", "messages_per_second", "started_at", "last_synced_at", "last_error" FROM "temporary_mailbox_sync"`);
        await queryRunner.query(`DROP TABLE "temporary_mailbox_sync"`);
    }

}
