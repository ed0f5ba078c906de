import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditLog1796164620290 implements MigrationInterface {
    name = 'AuditLog1796164620290'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_log" ("seq" SERIAL NOT NULL, "at" TIMESTAMP NOT NULL, "token_id" character varying(36) NOT NULL, "token_name" character varying(256) NOT NULL, "action" character varying(64) NOT NULL, "project_id" character varying(36), "project_name" character varying(256), "target_type" character varying(32), "target_id" character varying(256), "target_name" character varying(512), "outcome" character varying(32) NOT NULL, "summary" text NOT NULL DEFAULT '', CONSTRAINT "PK_ce5b9b7d945cab0a6c604bafd9e" PRIMARY KEY ("seq"))`);
        await queryRunner.query(`CREATE INDEX "IDX_1bb20e5846cc2763ec4c918862" ON "audit_log"  ("project_name", "seq") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_1bb20e5846cc2763ec4c918862"`);
        await queryRunner.query(`DROP TABLE "audit_log"`);
    }

}
