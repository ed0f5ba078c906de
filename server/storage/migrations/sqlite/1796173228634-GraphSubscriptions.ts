import { MigrationInterface, QueryRunner } from "typeorm";

export class GraphSubscriptions1796173228634 implements MigrationInterface {
    name = 'GraphSubscriptions1796173228634'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "graph_subscription" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "subscription_id" varchar(128), "client_state_envelope" text, "state" varchar(16) NOT NULL DEFAULT ('POLLING'), "reason" text, "expires_at" datetime, "next_action_at" datetime NOT NULL, "failures" integer NOT NULL DEFAULT (0), "updated_at" datetime NOT NULL, CONSTRAINT "REL_ab82eedf6ebdb01db3b3bcf1e0" UNIQUE ("mailbox_id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0" ON "graph_subscription" ("mailbox_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_4fd45d29e684267f559416ee73" ON "graph_subscription" ("subscription_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_b5b117f613b6f208909d8f4b25" ON "graph_subscription" ("next_action_at") `);
        await queryRunner.query(`DROP INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0"`);
        await queryRunner.query(`DROP INDEX "IDX_4fd45d29e684267f559416ee73"`);
        await queryRunner.query(`DROP INDEX "IDX_b5b117f613b6f208909d8f4b25"`);
        await queryRunner.query(`CREATE TABLE "temporary_graph_subscription" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "subscription_id" varchar(128), "client_state_envelope" text, "state" varchar(16) NOT NULL DEFAULT ('POLLING'), "reason" text, "expires_at" datetime, "next_action_at" datetime NOT NULL, "failures" integer NOT NULL DEFAULT (0), "updated_at" datetime NOT NULL, CONSTRAINT "REL_ab82eedf6ebdb01db3b3bcf1e0" UNIQUE ("mailbox_id"), CONSTRAINT "FK_ab82eedf6ebdb01db3b3bcf1e03" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_graph_subscription"("id", "mailbox_id", "subscription_id", "client_state_envelope", "state", "reason", "expires_at", "next_action_at", "failures", "updated_at") SELECT "id", "mailbox_id", "subscription_id", "client_state_envelope", "state", "reason", "expires_at", "next_action_at", "failures", "updated_at" FROM "graph_subscription"`);
        await queryRunner.query(`DROP TABLE "graph_subscription"`);
        await queryRunner.query(`ALTER TABLE "temporary_graph_subscription" RENAME TO "graph_subscription"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0" ON "graph_subscription" ("mailbox_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_4fd45d29e684267f559416ee73" ON "graph_subscription" ("subscription_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_b5b117f613b6f208909d8f4b25" ON "graph_subscription" ("next_action_at") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_b5b117f613b6f208909d8f4b25"`);
        await queryRunner.query(`DROP INDEX "IDX_4fd45d29e684267f559416ee73"`);
        await queryRunner.query(`DROP INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0"`);
        await queryRunner.query(`ALTER TABLE "graph_subscription" RENAME TO "temporary_graph_subscription"`);
        await queryRunner.query(`CREATE TABLE "graph_subscription" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "subscription_id" varchar(128), "client_state_envelope" text, "state" varchar(16) NOT NULL DEFAULT ('POLLING'), "reason" text, "expires_at" datetime, "next_action_at" datetime NOT NULL, "failures" integer NOT NULL DEFAULT (0), "updated_at" datetime NOT NULL, CONSTRAINT "REL_ab82eedf6ebdb01db3b3bcf1e0" UNIQUE ("mailbox_id"))`);
        await queryRunner.query(`INSERT INTO "graph_subscription"("id", "mailbox_id", "subscription_id", "client_state_envelope", "state", "reason", "expires_at", "next_action_at", "failures", "updated_at") SELECT "id", "mailbox_id", "subscription_id", "client_state_envelope", "state", "reason", "expires_at", "next_action_at", "failures", "updated_at" FROM "temporary_graph_subscription"`);
        await queryRunner.query(`DROP TABLE "temporary_graph_subscription"`);
        await queryRunner.query(`CREATE INDEX "IDX_b5b117f613b6f208909d8f4b25" ON "graph_subscription" ("next_action_at") `);
        await queryRunner.query(`CREATE INDEX "IDX_4fd45d29e684267f559416ee73" ON "graph_subscription" ("subscription_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0" ON "graph_subscription" ("mailbox_id") `);
        await queryRunner.query(`DROP INDEX "IDX_b5b117f613b6f208909d8f4b25"`);
        await queryRunner.query(`DROP INDEX "IDX_4fd45d29e684267f559416ee73"`);
        await queryRunner.query(`DROP INDEX "IDX_ab82eedf6ebdb01db3b3bcf1e0"`);
        await queryRunner.query(`DROP TABLE "graph_subscription"`);
    }

}
