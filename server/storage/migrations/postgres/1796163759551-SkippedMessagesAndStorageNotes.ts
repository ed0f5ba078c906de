import { MigrationInterface, QueryRunner } from "typeorm";

export class SkippedMessagesAndStorageNotes1796163759551 implements MigrationInterface {
    name = 'SkippedMessagesAndStorageNotes1796163759551'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "skipped_message" ("id" character varying(36) NOT NULL, "mailbox_id" character varying(36) NOT NULL, "remote_id" character varying(512) NOT NULL, "folder_path" text NOT NULL, "reason" text NOT NULL, "attempts" integer NOT NULL DEFAULT '1', "first_skipped_at" TIMESTAMP NOT NULL, "last_attempt_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_79748eb15cbf92ef3b520b7c6be" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_dd491368a1316329a1e8cd96aa" ON "skipped_message"  ("mailbox_id", "remote_id") `);
        await queryRunner.query(`ALTER TABLE "message" ADD "storage_notes" text`);
        await queryRunner.query(`ALTER TABLE "skipped_message" ADD CONSTRAINT "FK_9af36bd867a1cc7dcd40d1c7585" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "skipped_message" DROP CONSTRAINT "FK_9af36bd867a1cc7dcd40d1c7585"`);
        await queryRunner.query(`ALTER TABLE "message" DROP COLUMN "storage_notes"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_dd491368a1316329a1e8cd96aa"`);
        await queryRunner.query(`DROP TABLE "skipped_message"`);
    }

}
