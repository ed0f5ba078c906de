import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countStaleSecrets, rotateDataDirKey } from "../../server/auth/key-rotation.js";
import { KEY_FILE_NAME, SecretBox, loadKeyRing } from "../../server/auth/secret-box.js";
import { IntegrationRow } from "../../server/storage/entities/index.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { snapshot } from "../support/snapshot.js";
import { flipCiphertextByte, storeIntegration } from "../support/stored-integration.js";

/** Distinctive enough that finding it anywhere can only mean a leak. */
const CLIENT_SECRET = "Zq8~leak-canary-client-secret-4f1e9b";
const SERVICE_PASSWORD = "leak-canary-service-password-77c2";

const INTEGRATION = `query($id: ID!) {
  integration(id: $id) {
    id name title api authMethod access authorityUrl clientId graphEndpoint ewsUrl serviceUsername
    certificateThumbprint hasSecret enabled disabledReason lastError warnings
    credentials { status error checkedAt mailboxes { email access error } }
  }
}`;

let server: TestServer;
let integration: IntegrationRow;
let restarted: TestServer | null = null;

beforeAll(async () => {
  server = await startTestServer();
  integration = await storeIntegration(server.app.deps.db, server.app.deps.secrets, {
    secrets: { clientSecret: CLIENT_SECRET, servicePassword: SERVICE_PASSWORD },
  });
});
afterAll(async () => {
  await (restarted ?? server).stop();
});

/** Every file of the SQLite database: the main file, its write-ahead log and shared memory. */
function sqliteBytes(dataDir: string): Buffer {
  const files = ["mailstream.sqlite", "mailstream.sqlite-wal", "mailstream.sqlite-shm"]
    .map((name) => join(dataDir, name))
    .filter((path) => existsSync(path));
  expect(files.length).toBeGreaterThanOrEqual(2);
  return Buffer.concat(files.map((path) => readFileSync(path)));
}

describe("secrets at rest", () => {
  it("stores a sealed secret that no database file, key file, response or log line reveals", async () => {
    const answer = await server.gql(INTEGRATION, { id: integration.id });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ integration: { id: integration.id, hasSecret: true } });

    const envelope = integration.secretEnvelope!;
    const ciphertext = envelope.split(".")[4]!;
    const stored = server.databaseUrl ? await snapshot(server) : sqliteBytes(server.dataDir);
    // The check reads where the envelope really is: its ciphertext is there, the secrets are not.
    expect(stored.includes(ciphertext)).toBe(true);
    for (const secret of [CLIENT_SECRET, SERVICE_PASSWORD]) {
      expect(stored.includes(secret), secret).toBe(false);
      expect(JSON.stringify(answer)).not.toContain(secret);
      expect(server.logs.join("")).not.toContain(secret);
    }

    const keyFile = join(server.dataDir, KEY_FILE_NAME);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keyText = readFileSync(keyFile, "utf8");
    expect(keyText).not.toContain(CLIENT_SECRET);
    expect(
      keyText
        .trim()
        .split("\n")
        .map((line) => Buffer.from(line, "base64").length),
    ).toEqual([32]);
  });

  it("keeps the SQLite database and its -wal and -shm files readable by their owner only", async () => {
    // PostgreSQL keeps its own files.
    if (server.databaseUrl) return;
    await server.ok(`mutation { createProject(input: { name: "file-modes" }) { id } }`);
    for (const name of ["mailstream.sqlite", "mailstream.sqlite-wal", "mailstream.sqlite-shm"]) {
      const path = join(server.dataDir, name);
      expect(existsSync(path), name).toBe(true);
      expect(statSync(path).mode & 0o777, name).toBe(0o600);
    }
  });

  it("answers a tampered stored secret with an internal error, never with the secret", async () => {
    const victim = await storeIntegration(server.app.deps.db, server.app.deps.secrets, {
      secrets: { clientSecret: CLIENT_SECRET },
    });
    const tampered = flipCiphertextByte(victim.secretEnvelope!);
    await server.app.deps.db.transaction((m) =>
      m.update(IntegrationRow, { id: victim.id }, { secretEnvelope: tampered }),
    );
    const result = await server.gql(
      `mutation($id: ID!) { validateIntegrationCredentials(id: $id) { status } }`,
      { id: victim.id },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(JSON.stringify(result)).not.toContain(CLIENT_SECRET);
    const logged = server.logs.join("");
    expect(logged).toMatch(/failed its integrity check/);
    expect(logged).not.toContain(CLIENT_SECRET);
    await server.app.deps.db.transaction((m) => m.delete(IntegrationRow, { id: victim.id }));
  });

  it("keeps secrets readable across a key rotation and a restart", async () => {
    const before = server.app.deps.secrets.primaryKeyId;
    const result = await rotateDataDirKey(server.app.deps.db, server.dataDir, []);
    expect(result).toMatchObject({ reencrypted: 1, alreadyCurrent: 0, keyFileTrimmed: true });
    const ring = new SecretBox(loadKeyRing(server.dataDir, null, []));
    expect(ring.primaryKeyId).not.toBe(before);
    expect(await countStaleSecrets(server.app.deps.db, ring)).toBe(0);

    restarted = await server.restart();
    expect(restarted.app.deps.secrets.primaryKeyId).toBe(ring.primaryKeyId);
    const row = await restarted.app.services.integrations.findById(
      { tokenId: "test", name: "test", admin: true, grants: new Map() },
      integration.id,
    );
    const connection = restarted.app.services.integrations.resolveConnection(row!);
    expect(connection).toMatchObject({
      clientSecret: CLIENT_SECRET,
      servicePassword: SERVICE_PASSWORD,
    });
  });
});
