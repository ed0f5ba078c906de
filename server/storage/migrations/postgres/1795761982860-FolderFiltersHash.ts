import { MigrationInterface, QueryRunner } from "typeorm";

export class FolderFiltersHash1795761982860 implements MigrationInterface {
    name = 'FolderFiltersHash1795761982860'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "folder_checkpoint" ADD "filters_hash" character varying(64)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "folder_checkpoint" DROP COLUMN "filters_hash"`);
    }

}
