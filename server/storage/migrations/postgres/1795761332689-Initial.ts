import { MigrationInterface, QueryRunner } from "typeorm";

export class Initial1795761332689 implements MigrationInterface {
    name = 'Initial1795761332689'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "project" ("id" character varying(36) NOT NULL, "name" character varying(256) NOT NULL, "title" text NOT NULL DEFAULT '', "description" text NOT NULL DEFAULT '', "unit_budget" integer, "messages_created" integer NOT NULL DEFAULT '0', "units_charged" integer NOT NULL DEFAULT '0', "last_sequence" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, CONSTRAINT "UQ_dedfea394088ed136ddadeee89c" UNIQUE ("name"), CONSTRAINT "PK_4d68b1358bb5b766d3e78f32f57" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "api_token" ("id" character varying(36) NOT NULL, "name" character varying(256) NOT NULL, "token_hash" character varying(64) NOT NULL, "admin" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP NOT NULL, "last_used_at" TIMESTAMP, "revoked_at" TIMESTAMP, CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_bafaa5aab5957cd193fb2da8f2" ON "api_token"  ("token_hash") `);
        await queryRunner.query(`CREATE TABLE "api_token_grant" ("id" character varying(36) NOT NULL, "token_id" character varying(36) NOT NULL, "project_id" character varying(36) NOT NULL, "permissions" text NOT NULL, CONSTRAINT "PK_a97c25945b5b751affec28994f1" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_b5adc295c66f9ad863b1d4b83c" ON "api_token_grant"  ("token_id", "project_id") `);
        await queryRunner.query(`CREATE TABLE "bucket" ("id" character varying(36) NOT NULL, "project_id" character varying(36) NOT NULL, "name" character varying(256) NOT NULL, "title" text NOT NULL DEFAULT '', "created_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_e225107407bac585fd210381c12" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_798abbbc2c23e2eeed84c7a168" ON "bucket"  ("project_id", "name") `);
        await queryRunner.query(`CREATE TABLE "integration" ("id" character varying(36) NOT NULL, "project_id" character varying(36) NOT NULL, "name" character varying(256) NOT NULL, "title" text NOT NULL DEFAULT '', "api" character varying(16) NOT NULL, "auth_method" character varying(16) NOT NULL, "access" character varying(16) NOT NULL, "authority_url" text NOT NULL, "client_id" character varying(36) NOT NULL, "graph_endpoint" text NOT NULL, "ews_url" text, "service_username" text, "certificate_thumbprint" character varying(64), "secret_envelope" text, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" character varying(16), "last_error" text, "credential_status" character varying(16) NOT NULL DEFAULT 'UNVALIDATED', "credential_checked_at" TIMESTAMP, "credential_error" text, "credential_mailboxes" text NOT NULL, "warnings" text NOT NULL, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_f348d4694945d9dc4c7049a178a" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e1d0a38ce097897966ef2b26d2" ON "integration"  ("project_id", "name") `);
        await queryRunner.query(`CREATE TABLE "mailbox" ("id" character varying(36) NOT NULL, "integration_id" character varying(36) NOT NULL, "email" character varying(320) NOT NULL, "bucket_id" character varying(36) NOT NULL, "sync_from" TIMESTAMP, "all_time" boolean NOT NULL DEFAULT false, "filters" text NOT NULL, "sync_attachments" boolean NOT NULL DEFAULT false, "enabled" boolean NOT NULL DEFAULT true, "disabled_reason" character varying(16), "last_error" text, "created_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_f7191e7ca96ddaeebb57e58650f" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1297b5661dd18205c543ce5744" ON "mailbox"  ("integration_id", "email") `);
        await queryRunner.query(`CREATE TABLE "message" ("id" character varying(36) NOT NULL, "bucket_id" character varying(36) NOT NULL, "project_id" character varying(36) NOT NULL, "sequence_id" bigint NOT NULL, "internet_message_id" character varying(998) NOT NULL, "graph_id" character varying(512) NOT NULL, "conversation_id" character varying(512), "mailbox" character varying(320) NOT NULL, "folder" text NOT NULL, "subject" text NOT NULL, "from_participant" text, "sender_participant" text, "to_participants" text NOT NULL, "cc_participants" text NOT NULL, "bcc_participants" text NOT NULL, "participant_addresses" text NOT NULL, "sent_at" TIMESTAMP, "received_at" TIMESTAMP NOT NULL, "body_text" text NOT NULL, "body_html" text, "stored_at" TIMESTAMP NOT NULL, "updated_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_ba01f0a3e0123651915008bc578" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_f194630a76a28ebe26d2c02b7f" ON "message"  ("bucket_id", "received_at") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_7b87e55a4249b6420219b59f61" ON "message"  ("project_id", "sequence_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_1d11b1b7b53c9f534c0b08e653" ON "message"  ("bucket_id", "internet_message_id") `);
        await queryRunner.query(`CREATE TABLE "attachment" ("id" character varying(36) NOT NULL, "message_id" character varying(36) NOT NULL, "graph_id" character varying(512) NOT NULL, "name" text NOT NULL, "content_type" character varying(255) NOT NULL, "size" bigint NOT NULL, "inline" boolean NOT NULL DEFAULT false, "kind" character varying(16) NOT NULL, "content_sha256" character varying(64), "reference" character varying(64), CONSTRAINT "PK_d2a80c3a8d467f08a750ac4b420" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_971a5cb2270c9418e06d4c607a" ON "attachment"  ("reference") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_20204b210556805ab2823a55cb" ON "attachment"  ("message_id", "graph_id") `);
        await queryRunner.query(`CREATE TABLE "attachment_blob" ("sha256" character varying(64) NOT NULL, "size" bigint NOT NULL, "created_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_9db1283bdf04e78ff558a8aed00" PRIMARY KEY ("sha256"))`);
        await queryRunner.query(`CREATE TABLE "stream" ("id" character varying(36) NOT NULL, "project_id" character varying(36) NOT NULL, "name" character varying(256) NOT NULL, "title" text NOT NULL DEFAULT '', "filter" text NOT NULL, "position" bigint NOT NULL DEFAULT '0', "created_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_0dc9d7e04ff213c08a096f835f2" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_2cc4d07116bb319ca28b8cc834" ON "stream"  ("project_id", "name") `);
        await queryRunner.query(`CREATE TABLE "stream_bucket" ("stream_id" character varying(36) NOT NULL, "bucket_id" character varying(36) NOT NULL, CONSTRAINT "PK_a22444ba8ebad7b6520f263a757" PRIMARY KEY ("stream_id", "bucket_id"))`);
        await queryRunner.query(`CREATE TABLE "mailbox_sync" ("mailbox_id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'IDLE', "phase" character varying(32), "current_folder" text, "folders_total" integer NOT NULL DEFAULT '0', "folders_done" integer NOT NULL DEFAULT '0', "messages_seen" integer NOT NULL DEFAULT '0', "messages_stored" integer NOT NULL DEFAULT '0', "messages_filtered" integer NOT NULL DEFAULT '0', "attachments_stored" integer NOT NULL DEFAULT '0', "messages_per_second" double precision NOT NULL DEFAULT '0', "started_at" TIMESTAMP, "last_synced_at" TIMESTAMP, "last_error" text, CONSTRAINT "PK_1163ca1a1ea114eed6b548de93a" PRIMARY KEY ("mailbox_id"))`);
        await queryRunner.query(`CREATE TABLE "folder_checkpoint" ("id" character varying(36) NOT NULL, "mailbox_id" character varying(36) NOT NULL, "folder_id" character varying(512) NOT NULL, "folder_path" text NOT NULL, "delta_link" text, "next_link" text, "covered_from" TIMESTAMP, "listing_cursor" text, "status" character varying(16) NOT NULL DEFAULT 'PENDING', "messages_seen" integer NOT NULL DEFAULT '0', "updated_at" TIMESTAMP NOT NULL, CONSTRAINT "PK_bd85370dffbd9ca240a75824e76" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_273e0f3eff72218870eea32a0a" ON "folder_checkpoint"  ("mailbox_id", "folder_id") `);
        await queryRunner.query(`ALTER TABLE "api_token_grant" ADD CONSTRAINT "FK_60706e0e4aca059b3e06fb743ae" FOREIGN KEY ("token_id") REFERENCES "api_token"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_token_grant" ADD CONSTRAINT "FK_476e6431c79d92cd00bc4e98844" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "bucket" ADD CONSTRAINT "FK_34d93981962e869cc7483642082" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "integration" ADD CONSTRAINT "FK_8d935030a61ce6aec0002509210" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "mailbox" ADD CONSTRAINT "FK_49d260c1b0df0846f18fa36bff7" FOREIGN KEY ("integration_id") REFERENCES "integration"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "mailbox" ADD CONSTRAINT "FK_424417cfce6a573115c6462bee0" FOREIGN KEY ("bucket_id") REFERENCES "bucket"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "message" ADD CONSTRAINT "FK_48a358f55f1030741c2210a7504" FOREIGN KEY ("bucket_id") REFERENCES "bucket"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "attachment" ADD CONSTRAINT "FK_a09a40c2f66ab10dbe901fce29e" FOREIGN KEY ("message_id") REFERENCES "message"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "stream" ADD CONSTRAINT "FK_3a0283c478c7661b3e54cf6a1a7" FOREIGN KEY ("project_id") REFERENCES "project"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "stream_bucket" ADD CONSTRAINT "FK_fa9be8371ef027456b064b45a26" FOREIGN KEY ("stream_id") REFERENCES "stream"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "stream_bucket" ADD CONSTRAINT "FK_dcb3f12c4e9e7c1e78c20ca50d9" FOREIGN KEY ("bucket_id") REFERENCES "bucket"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "mailbox_sync" ADD CONSTRAINT "FK_1163ca1a1ea114eed6b548de93a" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "folder_checkpoint" ADD CONSTRAINT "FK_297f8bbf5cead4b3c9366707394" FOREIGN KEY ("mailbox_id") REFERENCES "mailbox"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "folder_checkpoint" DROP CONSTRAINT "FK_297f8bbf5cead4b3c9366707394"`);
        await queryRunner.query(`ALTER TABLE "mailbox_sync" DROP CONSTRAINT "FK_1163ca1a1ea114eed6b548de93a"`);
        await queryRunner.query(`ALTER TABLE "stream_bucket" DROP CONSTRAINT "FK_dcb3f12c4e9e7c1e78c20ca50d9"`);
        await queryRunner.query(`ALTER TABLE "stream_bucket" DROP CONSTRAINT "FK_fa9be8371ef027456b064b45a26"`);
        await queryRunner.query(`ALTER TABLE "stream" DROP CONSTRAINT "FK_3a0283c478c7661b3e54cf6a1a7"`);
        await queryRunner.query(`ALTER TABLE "attachment" DROP CONSTRAINT "FK_a09a40c2f66ab10dbe901fce29e"`);
        await queryRunner.query(`ALTER TABLE "message" DROP CONSTRAINT "FK_48a358f55f1030741c2210a7504"`);
        await queryRunner.query(`ALTER TABLE "mailbox" DROP CONSTRAINT "FK_424417cfce6a573115c6462bee0"`);
        await queryRunner.query(`ALTER TABLE "mailbox" DROP CONSTRAINT "FK_49d260c1b0df0846f18fa36bff7"`);
        await queryRunner.query(`ALTER TABLE "integration" DROP CONSTRAINT "FK_8d935030a61ce6aec0002509210"`);
        await queryRunner.query(`ALTER TABLE "bucket" DROP CONSTRAINT "FK_34d93981962e869cc7483642082"`);
        await queryRunner.query(`ALTER TABLE "api_token_grant" DROP CONSTRAINT "FK_476e6431c79d92cd00bc4e98844"`);
        await queryRunner.query(`ALTER TABLE "api_token_grant" DROP CONSTRAINT "FK_60706e0e4aca059b3e06fb743ae"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_273e0f3eff72218870eea32a0a"`);
        await queryRunner.query(`DROP TABLE "folder_checkpoint"`);
        await queryRunner.query(`DROP TABLE "mailbox_sync"`);
        await queryRunner.query(`DROP TABLE "stream_bucket"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_2cc4d07116bb319ca28b8cc834"`);
        await queryRunner.query(`DROP TABLE "stream"`);
        await queryRunner.query(`DROP TABLE "attachment_blob"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_20204b210556805ab2823a55cb"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_971a5cb2270c9418e06d4c607a"`);
        await queryRunner.query(`DROP TABLE "attachment"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_1d11b1b7b53c9f534c0b08e653"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_7b87e55a4249b6420219b59f61"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_f194630a76a28ebe26d2c02b7f"`);
        await queryRunner.query(`DROP TABLE "message"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_1297b5661dd18205c543ce5744"`);
        await queryRunner.query(`DROP TABLE "mailbox"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_e1d0a38ce097897966ef2b26d2"`);
        await queryRunner.query(`DROP TABLE "integration"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_798abbbc2c23e2eeed84c7a168"`);
        await queryRunner.query(`DROP TABLE "bucket"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_b5adc295c66f9ad863b1d4b83c"`);
        await queryRunner.query(`DROP TABLE "api_token_grant"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_bafaa5aab5957cd193fb2da8f2"`);
        await queryRunner.query(`DROP TABLE "api_token"`);
        await queryRunner.query(`DROP TABLE "project"`);
    }

}
