import { MigrationInterface, QueryRunner } from "typeorm";

export class SkippedMessagesAndStorageNotes1796163755840 implements MigrationInterface {
    name = 'SkippedMessagesAndStorageNotes1796163755840'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "skipped_message" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "remote_id" varchar(512) NOT NULL, "folder_path" text NOT NULL, "reason" text NOT NULL, "attempts" integer NOT NULL DEFAULT (1), "first_skipped_at" datetime NOT NULL, "last_attempt_at" datetime NOT NULL)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_dd491368a1316329a1e8cd96aa" ON "skipped_message" ("mailbox_id", "remote_id") `);
        await queryRunner.query(`DROP INDEX "IDX_1d11b1b7b53c9f534c0b08e653"`);
        await queryRunner.query(`DROP INDEX "IDX_7b87e55a4249b6420219b59f61"`);
        await queryRunner.query(`DROP INDEX "IDX_f194630a76a28ebe26d2c02b7f"`);
        await queryRunner.query(`CREATE TABLE "temporary_message" ("id" varchar(36) PRIMARY KEY NOT NULL, "bucket_id" varchar(36) NOT NULL, "project_id" varchar(36) NOT NULL, "sequence_id" bigint NOT NULL, "internet_message_id" varchar(998) NOT NULL, "graph_id" varchar(512) NOT NULL, "conversation_id" varchar(512), "mailbox" varchar(320) NOT NULL, "folder" text NOT NULL, "subject" text NOT NULL, "from_participant" text, "sender_participant" text, "to_participants" text NOT NULL, "cc_participants" text NOT NULL, "bcc_participants" text NOT NULL, "participant_addresses" text NOT NULL, "sent_at" datetime, "received_at" datetime NOT NULL, "body_text" text NOT NULL, "body_html" text, "stored_at" datetime NOT NULL, "updated_at" datetime NOT NULL, "storage_notes" text, CONSTRAINT "FK_48a358f55f1030741c2210a7504" FOREIGN KEY ("bucket_id") REFERENCES "bucket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_message"("id", "bucket_id", "project_id", "sequence_id", "internet_message_id", "graph_id", "conversation_id", "mailbox", "folder", "subject", "from_participant", "sender_participant", "to_participants", "cc_participants", "bcc_participants", "participant_addresses", "sent_at", "received_at", "body_text", "body_html", "stored_at", "updated_at") SELECT "id", "bucket_id", "project_id", "sequence_id", "internet_message_id", "graph_id", "conversation_id", "mailbox", "folder", "subject", "from_participant", "sender_participant", "to_participants", "cc_participants", "bcc_participants", "participant_addresses", "sent_at", "received_at", "body_text", "body_html", "stored_at", "updated_at" FROM "message"`);
        await queryRunner.query(`DROP TABLE "message"`);
        await queryRunner.query(`ALTER TABLE "temporary_message" RENAME TO "message"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1d11b1b7b53c9f534c0b08e653" ON "message" ("bucket_id", "internet_message_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7b87e55a4249b6420219b59f61" ON "message" ("project_id", "sequence_id") `);
        await queryRunner.query(`CREATE INDEX "IDX_f194630a76a28ebe26d2c02b7f" ON "message" ("bucket_id", "received_at") `);
        await queryRunner.query(`DROP INDEX "IDX_dd491368a1316329a1e8cd96aa"`);
        await queryRunner.query(`CREATE TABLE "temporary_skipped_message" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "remote_id" varchar(512) NOT NULL, "folder_path" text NOT NULL, "reason" text NOT NULL, "attempts" integer NOT NULL DEFAULT (1), "first_skipped_at" datetime NOT NULL, "last_attempt_at" datetime NOT NULL, CONSTRAINT "FK_9af36bd867a1cc7dcd40d1c7585" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_skipped_message"("id", "mailbox_id", "remote_id", "folder_path", "reason", "attempts", "first_skipped_at", "last_attempt_at") SELECT "id", "mailbox_id", "remote_id", "folder_path", "reason", "attempts", "first_skipped_at", "last_attempt_at" FROM "skipped_message"`);
        await queryRunner.query(`DROP TABLE "skipped_message"`);
        await queryRunner.query(`ALTER TABLE "temporary_skipped_message" RENAME TO "skipped_message"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_dd491368a1316329a1e8cd96aa" ON "skipped_message" ("mailbox_id", "remote_id") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_dd491368a1316329a1e8cd96aa"`);
        await queryRunner.query(`ALTER TABLE "skipped_message" RENAME TO "temporary_skipped_message"`);
        await queryRunner.query(`CREATE TABLE "skipped_message" ("id" varchar(36) PRIMARY KEY NOT NULL, "mailbox_id" varchar(36) NOT NULL, "remote_id" varchar(512) NOT NULL, "folder_path" text NOT NULL, "reason" text NOT NULL, "attempts" integer NOT NULL DEFAULT (1), "first_skipped_at" datetime NOT NULL, "last_attempt_at" datetime NOT NULL)`);
        await queryRunner.query(`INSERT INTO "skipped_message"("id", "mailbox_id", "remote_id", "folder_path", "reason", "attempts", "first_skipped_at", "last_attempt_at") SELECT "id", "mailbox_id", "remote_id", "folder_path", "reason", "attempts", "first_skipped_at", "last_attempt_at" FROM "temporary_skipped_message"`);
        await queryRunner.query(`DROP TABLE "temporary_skipped_message"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_dd491368a1316329a1e8cd96aa" ON "skipped_message" ("mailbox_id", "remote_id") `);
        await queryRunner.query(`DROP INDEX "IDX_f194630a76a28ebe26d2c02b7f"`);
        await queryRunner.query(`DROP INDEX "IDX_7b87e55a4249b6420219b59f61"`);
        await queryRunner.query(`DROP INDEX "IDX_1d11b1b7b53c9f534c0b08e653"`);
        await queryRunner.query(`ALTER TABLE "message" RENAME TO "temporary_message"`);
        await queryRunner.query(`CREATE TABLE "message" ("id" varchar(36) PRIMARY KEY NOT NULL, "bucket_id" varchar(36) NOT NULL, "project_id" varchar(36) NOT NULL, "sequence_id" bigint NOT NULL, "internet_message_id" varchar(998) NOT NULL, "graph_id" varchar(512) NOT NULL, "conversation_id" varchar(512), "mailbox" varchar(320) NOT NULL, "folder" text NOT NULL, "subject" text NOT NULL, "from_participant" text, "sender_participant" text, "to_participants" text NOT NULL, "cc_participants" text NOT NULL, "bcc_participants" text NOT NULL, "participant_addresses" text NOT NULL, "sent_at" datetime, "received_at" datetime NOT NULL, "body_text" text NOT NULL, "body_html" text, "stored_at" datetime NOT NULL, "updated_at" datetime NOT NULL, CONSTRAINT "FK_48a358f55f1030741c2210a7504" FOREIGN KEY ("bucket_id") REFERENCES "bucket" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "message"("id", "bucket_id", "project_id", "sequence_id", "internet_message_id", "graph_id", "conversation_id", "mailbox", "folder", "subject", "from_participant", "sender_participant", "to_participants", "cc_participants", "bcc_participants", "participant_addresses", "sent_at", "received_at", "body_text", "body_html", "stored_at", "updated_at") SELECT "id", "bucket_id", "project_id", "sequence_id", "internet_message_id", "graph_id", "conversation_id", "mailbox", "folder", "subject", "from_participant", "sender_participant", "to_participants", "cc_participants", "bcc_participants", "participant_addresses", "sent_at", "received_at", "body_text", "body_html", "stored_at", "updated_at" FROM "temporary_message"`);
        await queryRunner.query(`DROP TABLE "temporary_message"`);
        await queryRunner.query(`CREATE INDEX "IDX_f194630a76a28ebe26d2c02b7f" ON "message" ("bucket_id", "received_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7b87e55a4249b6420219b59f61" ON "message" ("project_id", "sequence_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1d11b1b7b53c9f534c0b08e653" ON "message" ("bucket_id", "internet_message_id") `);
        await queryRunner.query(`DROP INDEX "IDX_dd491368a1316329a1e8cd96aa"`);
        await queryRunner.query(`DROP TABLE "skipped_message"`);
    }

}
