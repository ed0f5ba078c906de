import { MigrationInterface, QueryRunner } from "typeorm";

export class UsageLedger1796174807892 implements MigrationInterface {
    name = 'UsageLedger1796174807892'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "usage_day" ("project_id" varchar(36) NOT NULL, "day" varchar(10) NOT NULL, "integration_id" varchar(36) NOT NULL, "mailbox" varchar(320) NOT NULL, "units" integer NOT NULL DEFAULT (0), "messages" integer NOT NULL DEFAULT (0), PRIMARY KEY ("project_id", "day", "integration_id", "mailbox"))`);
        await queryRunner.query(`CREATE TABLE "temporary_usage_day" ("project_id" varchar(36) NOT NULL, "day" varchar(10) NOT NULL, "integration_id" varchar(36) NOT NULL, "mailbox" varchar(320) NOT NULL, "units" integer NOT NULL DEFAULT (0), "messages" integer NOT NULL DEFAULT (0), CONSTRAINT "FK_01cc93277233ff6a79e1293c5fe" FOREIGN KEY ("project_id") REFERENCES "project" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("project_id", "day", "integration_id", "mailbox"))`);
        await queryRunner.query(`INSERT INTO "temporary_usage_day"("project_id", "day", "integration_id", "mailbox", "units", "messages") SELECT "project_id", "day", "integration_id", "mailbox", "units", "messages" FROM "usage_day"`);
        await queryRunner.query(`DROP TABLE "usage_day"`);
        await queryRunner.query(`ALTER TABLE "temporary_usage_day" RENAME TO "usage_day"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "usage_day" RENAME TO "temporary_usage_day"`);
        await queryRunner.query(`CREATE TABLE "usage_day" ("project_id" varchar(36) NOT NULL, "day" varchar(10) NOT NULL, "integration_id" varchar(36) NOT NULL, "mailbox" varchar(320) NOT NULL, "units" integer NOT NULL DEFAULT (0), "messages" integer NOT NULL DEFAULT (0), PRIMARY KEY ("project_id", "day", "integration_id", "mailbox"))`);
        await queryRunner.query(`INSERT INTO "usage_day"("project_id", "day", "integration_id", "mailbox", "units", "messages") SELECT "project_id", "day", "integration_id", "mailbox", "units", "messages" FROM "temporary_usage_day"`);
        await queryRunner.query(`DROP TABLE "temporary_usage_day"`);
        await queryRunner.query(`DROP TABLE "usage_day"`);
    }

}
