import { MigrationInterface, QueryRunner } from "typeorm";

export class NotifiedMessages1796185865382 implements MigrationInterface {
    name = 'NotifiedMessages1796185865382'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_e648d22052a3cc624e93f4fbdc"`);
        await queryRunner.query(`DROP INDEX "IDX_463e9e7cbd6158cb0956ae7b71"`);
        await queryRunner.query(`CREATE TABLE "temporary_mailbox_lease" ("mailbox_id" varchar(36) PRIMARY KEY NOT NULL, "owner" varchar(36), "epoch" integer NOT NULL DEFAULT (0), "expires_at" datetime, "due_at" datetime NOT NULL, "requested" boolean NOT NULL DEFAULT (0), "failures" integer NOT NULL DEFAULT (0), "notified_messages" text, CONSTRAINT "FK_0e98d93650ee0e74f037d4970bd" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_mailbox_lease"("mailbox_id", "owner", "epoch", "expires_at", "due_at", "requested", "failures") SELECT "mailbox_id", "owner", "epoch", "expires_at", "due_at", "requested", "failures" FROM "mailbox_lease"`);
        await queryRunner.query(`DROP TABLE "mailbox_lease"`);
        await queryRunner.query(`ALTER TABLE "temporary_mailbox_lease" RENAME TO "mailbox_lease"`);
        await queryRunner.query(`CREATE INDEX "IDX_e648d22052a3cc624e93f4fbdc" ON "mailbox_lease" ("owner") `);
        await queryRunner.query(`CREATE INDEX "IDX_463e9e7cbd6158cb0956ae7b71" ON "mailbox_lease" ("due_at") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_463e9e7cbd6158cb0956ae7b71"`);
        await queryRunner.query(`DROP INDEX "IDX_e648d22052a3cc624e93f4fbdc"`);
        await queryRunner.query(`ALTER TABLE "mailbox_lease" RENAME TO "temporary_mailbox_lease"`);
        await queryRunner.query(`CREATE TABLE "mailbox_lease" ("mailbox_id" varchar(36) PRIMARY KEY NOT NULL, "owner" varchar(36), "epoch" integer NOT NULL DEFAULT (0), "expires_at" datetime, "due_at" datetime NOT NULL, "requested" boolean NOT NULL DEFAULT (0), "failures" integer NOT NULL DEFAULT (0), CONSTRAINT "FK_0e98d93650ee0e74f037d4970bd" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "mailbox_lease"("mailbox_id", "owner", "epoch", "expires_at", "due_at", "requested", "failures") SELECT "mailbox_id", "owner", "epoch", "expires_at", "due_at", "requested", "failures" FROM "temporary_mailbox_lease"`);
        await queryRunner.query(`DROP TABLE "temporary_mailbox_lease"`);
        await queryRunner.query(`CREATE INDEX "IDX_463e9e7cbd6158cb0956ae7b71" ON "mailbox_lease" ("due_at") `);
        await queryRunner.query(`CREATE INDEX "IDX_e648d22052a3cc624e93f4fbdc" ON "mailbox_lease" ("owner") `);
    }

}
