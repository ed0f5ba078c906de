import { MigrationInterface, QueryRunner } from "typeorm";

export class AttachmentBlobChunks1796172907012 implements MigrationInterface {
    name = 'AttachmentBlobChunks1796172907012'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "attachment_blob_chunk" ("sha256" character varying(64) NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_4e14853b6b6a87e68c0a6ea6dd3" PRIMARY KEY ("sha256", "seq"))`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "attachment_blob_chunk"`);
    }

}
