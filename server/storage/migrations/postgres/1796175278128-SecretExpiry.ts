import { MigrationInterface, QueryRunner } from "typeorm";

export class SecretExpiry1796175278128 implements MigrationInterface {
    name = 'SecretExpiry1796175278128'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "integration" ADD "secret_expires_at" TIMESTAMP`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "integration" DROP COLUMN "secret_expires_at"`);
    }

}
