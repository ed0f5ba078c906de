import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditLog1796164617603 implements MigrationInterface {
    name = 'AuditLog1796164617603'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "audit_log" ("seq" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "at" datetime NOT NULL, "token_id" varchar(36) NOT NULL, "token_name" varchar(256) NOT NULL, "action" varchar(64) NOT NULL, "project_id" varchar(36), "project_name" varchar(256), "target_type" varchar(32), "target_id" varchar(256), "target_name" varchar(512), "outcome" varchar(32) NOT NULL, "summary" text NOT NULL DEFAULT (''))`);
        await queryRunner.query(`CREATE INDEX "IDX_1bb20e5846cc2763ec4c918862" ON "audit_log" ("project_name", "seq") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_1bb20e5846cc2763ec4c918862"`);
        await queryRunner.query(`DROP TABLE "audit_log"`);
    }

}
