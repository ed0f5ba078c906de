import { MigrationInterface, QueryRunner } from "typeorm";

export class GraphSubscriptions1796173237267 implements MigrationInterface {
    name = 'GraphSubscriptions1796173237267'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "graph_subscription" ("id" character varying(36) NOT NULL, "mailbox_id" character varying(36) NOT NULL, "subscription_id" character varying(128), "client_state_envelope" text, "state" character varying(16) NOT NULL DEFAULT 'POLLING', "reason" text, "expires_at" TIMESTAMP, "next_action_at" TIMESTAMP NOT NULL, "failures" integer NOT NULL DEFAULT '0', "updated_at" TIMESTAMP NOT NULL, CONSTRAINT "REL_ab82eedf6ebdb01db3b3bcf1e0" UNIQUE ("mailbox_id"), CONSTRAINT "PK_145aba0bf903d953883bb34d20a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0" ON "graph_subscription"  ("mailbox_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_4fd45d29e684267f559416ee73" ON "graph_subscription"  ("subscription_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_b5b117f613b6f208909d8f4b25" ON "graph_subscription"  ("next_action_at") `);
        await queryRunner.query(`ALTER TABLE "graph_subscription" ADD CONSTRAINT "FK_ab82eedf6ebdb01db3b3bcf1e03" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "graph_subscription" DROP CONSTRAINT "FK_ab82eedf6ebdb01db3b3bcf1e03"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_b5b117f613b6f208909d8f4b25"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_4fd45d29e684267f559416ee73"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_ab82eedf6ebdb01db3b3bcf1e0"`);
        await queryRunner.query(`DROP TABLE "graph_subscription"`);
    }

}
