import { MigrationInterface, QueryRunner } from "typeorm";

export class MessageOrderIndexes1796172834994 implements MigrationInterface {
    name = 'MessageOrderIndexes1796172834994'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_f194630a76a28ebe26d2c02b7f"`);
        await queryRunner.query(`CREATE INDEX "IDX_2cdfd84787d1257d1ad9822ffa" ON "message" ("bucket_id", "folder") `);
        await queryRunner.query(`CREATE INDEX "IDX_c82b82e0dfbb226a0faa8c1574" ON "message" ("bucket_id", "received_at", "id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_c82b82e0dfbb226a0faa8c1574"`);
        await queryRunner.query(`DROP INDEX "IDX_2cdfd84787d1257d1ad9822ffa"`);
        await queryRunner.query(`CREATE INDEX "IDX_f194630a76a28ebe26d2c02b7f" ON "message" ("bucket_id", "received_at") `);
    }

}
