import { MigrationInterface, QueryRunner } from "typeorm";

export class MailboxLeases1796172936766 implements MigrationInterface {
    name = 'MailboxLeases1796172936766'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "mailbox_lease" ("mailbox_id" character varying(36) NOT NULL, "owner" character varying(36), "epoch" integer NOT NULL DEFAULT '0', "expires_at" TIMESTAMP, "due_at" TIMESTAMP NOT NULL, "requested" boolean NOT NULL DEFAULT false, "failures" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_0e98d93650ee0e74f037d4970bd" PRIMARY KEY ("mailbox_id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_463e9e7cbd6158cb0956ae7b71" ON "mailbox_lease"  ("due_at") `);
        await queryRunner.query(`CREATE INDEX "IDX_e648d22052a3cc624e93f4fbdc" ON "mailbox_lease"  ("owner") `);
        await queryRunner.query(`CREATE TABLE "sync_process" ("id" character varying(36) NOT NULL, "name" character varying(255) NOT NULL, "host" character varying(255) NOT NULL, "pid" integer NOT NULL, "started_at" TIMESTAMP NOT NULL, "heartbeat_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_a269177fdb51f00603b1d581f4c" PRIMARY KEY ("id"))`);
        await queryRunner.query(`ALTER TABLE "mailbox_lease" ADD CONSTRAINT "FK_0e98d93650ee0e74f037d4970bd" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mailbox_lease" DROP CONSTRAINT "FK_0e98d93650ee0e74f037d4970bd"`);
        await queryRunner.query(`DROP TABLE "sync_process"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e648d22052a3cc624e93f4fbdc"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_463e9e7cbd6158cb0956ae7b71"`);
        await queryRunner.query(`DROP TABLE "mailbox_lease"`);
    }

}
