import { MigrationInterface, QueryRunner } from "typeorm";

export class UsageLedger1796174820816 implements MigrationInterface {
    name = 'UsageLedger1796174820816'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "usage_day" ("project_id" character varying(36) NOT NULL, "day" character varying(10) NOT NULL, "integration_id" character varying(36) NOT NULL, "mailbox" character varying(320) NOT NULL, "units" integer NOT NULL DEFAULT '0', "messages" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_7cb62428ebf132239eb80a8feec" PRIMARY KEY ("project_id", "day", "integration_id", "mailbox"))`);
        await queryRunner.query(`ALTER TABLE "usage_day" ADD CONSTRAINT "FK_01cc93277233ff6a79e1293c5fe" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "usage_day" DROP CONSTRAINT "FK_01cc93277233ff6a79e1293c5fe"`);
        await queryRunner.query(`DROP TABLE "usage_day"`);
    }

}
