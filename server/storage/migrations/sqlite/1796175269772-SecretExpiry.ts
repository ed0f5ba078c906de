import { MigrationInterface, QueryRunner } from "typeorm";

export class SecretExpiry1796175269772 implements MigrationInterface {
    name = 'SecretExpiry1796175269772'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_e1d0a38ce097897966ef2b26d2"`);
        await queryRunner.query(`CREATE TABLE "temporary_integration" ("id" varchar(36) PRIMARY KEY NOT NULL, "project_id" varchar(36) NOT NULL, "name" varchar(256) NOT NULL, "title" text NOT NULL DEFAULT (''), "api" varchar(16) NOT NULL, "auth_method" varchar(16) NOT NULL, "access" varchar(16) NOT NULL, "authority_url" text, "client_id" varchar(36), "graph_endpoint" text NOT NULL, "ews_url" text, "service_username" text, "certificate_thumbprint" varchar(64), "secret_envelope" text, "enabled" boolean NOT NULL DEFAULT (1), "disabled_reason" varchar(16), "last_error" text, "credential_status" varchar(16) NOT NULL DEFAULT ('UNVALIDATED'), "credential_checked_at" datetime, "credential_error" text, "credential_mailboxes" text NOT NULL, "warnings" text NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL, "secret_expires_at" datetime, CONSTRAINT "FK_8d935030a61ce6aec0002509210" FOREIGN KEY ("project_id") REFERENCES "project" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "temporary_integration"("id", "project_id", "name", "title", "api", "auth_method", "access", "authority_url", "client_id", "graph_endpoint", "ews_url", "service_username", "certificate_thumbprint", "secret_envelope", "enabled", "disabled_reason", "last_error", "credential_status", "credential_checked_at", "credential_error", "credential_mailboxes", "warnings", "created_at", "updated_at") SELECT "id", "project_id", "name", "title", "api", "auth_method", "access", "authority_url", "client_id", "graph_endpoint", "ews_url", "service_username", "certificate_thumbprint", "secret_envelope", "enabled", "disabled_reason", "last_error", "credential_status", "credential_checked_at", "credential_error", "credential_mailboxes", "warnings", "created_at", "updated_at" FROM "integration"`);
        await queryRunner.query(`DROP TABLE "integration"`);
        await queryRunner.query(`ALTER TABLE "temporary_integration" RENAME TO "integration"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e1d0a38ce097897966ef2b26d2" ON "integration" ("project_id", "name") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "IDX_e1d0a38ce097897966ef2b26d2"`);
        await queryRunner.query(`ALTER TABLE "integration" RENAME TO "temporary_integration"`);
        await queryRunner.query(`CREATE TABLE "integration" ("id" varchar(36) PRIMARY KEY NOT NULL, "project_id" varchar(36) NOT NULL, "name" varchar(256) NOT NULL, "title" text NOT NULL DEFAULT (''), "api" varchar(16) NOT NULL, "auth_method" varchar(16) NOT NULL, "access" varchar(16) NOT NULL, "authority_url" text, "client_id" varchar(36), "graph_endpoint" text NOT NULL, "ews_url" text, "service_username" text, "certificate_thumbprint" varchar(64), "secret_envelope" text, "enabled" boolean NOT NULL DEFAULT (1), "disabled_reason" varchar(16), "last_error" text, "credential_status" varchar(16) NOT NULL DEFAULT ('UNVALIDATED'), "credential_checked_at" datetime, "credential_error" text, "credential_mailboxes" text NOT NULL, "warnings" text NOT NULL, "created_at" datetime NOT NULL, "updated_at" datetime NOT NULL, CONSTRAINT "FK_8d935030a61ce6aec0002509210" FOREIGN KEY ("project_id") REFERENCES "project" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`);
        await queryRunner.query(`INSERT INTO "integration"("id", "project_id", "name", "title", "api", "auth_method", "access", "authority_url", "client_id", "graph_endpoint", "ews_url", "service_username", "certificate_thumbprint", "secret_envelope", "enabled", "disabled_reason", "last_error", "credential_status", "credential_checked_at", "credential_error", "credential_mailboxes", "warnings", "created_at", "updated_at") SELECT "id", "project_id", "name", "title", "api", "auth_method", "access", "authority_url", "client_id", "graph_endpoint", "ews_url", "service_username", "certificate_thumbprint", "secret_envelope", "enabled", "disabled_reason", "last_error", "credential_status", "credential_checked_at", "credential_error", "credential_mailboxes", "warnings", "created_at", "updated_at" FROM "temporary_integration"`);
        await queryRunner.query(`DROP TABLE "temporary_integration"`);
        await queryRunner.query(`CREATE UNIQUE INDEX "IDX_e1d0a38ce097897966ef2b26d2" ON "integration" ("project_id", "name") `);
    }

}
