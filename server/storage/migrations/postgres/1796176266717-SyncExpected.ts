import { MigrationInterface, QueryRunner } from "typeorm";

export class SyncExpected1796176266717 implements MigrationInterface {
    name = 'SyncExpected1796176266717'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox_sync" ADD "messages_expected" integer NOT NULL DEFAULT '0'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox_sync" DROP COLUMN "messages_expected"`);
    }

}
