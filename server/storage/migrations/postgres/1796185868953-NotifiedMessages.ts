import { MigrationInterface, QueryRunner } from "typeorm";

export class NotifiedMessages1796185868953 implements MigrationInterface {
    name = 'NotifiedMessages1796185868953'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox_lease" ADD "notified_messages" text`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox_lease" DROP COLUMN "notified_messages"`);
    }

}
