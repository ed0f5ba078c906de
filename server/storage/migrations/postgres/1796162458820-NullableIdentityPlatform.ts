import { MigrationInterface, QueryRunner } from "typeorm";

export class NullableIdentityPlatform1796162458820 implements MigrationInterface {
    name = 'NullableIdentityPlatform1796162458820'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "integration" ALTER COLUMN "authority_url" DROP NOT NULL`);
        await queryRunner.query(`ALTER TABLE "integration" ALTER COLUMN "client_id" DROP NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "integration" ALTER COLUMN "client_id" SET NOT NULL`);
        await queryRunner.query(`ALTER TABLE "integration" ALTER COLUMN "authority_url" SET NOT NULL`);
    }

}
