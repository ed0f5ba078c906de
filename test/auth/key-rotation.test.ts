import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  reencryptSecrets,
  rotateDataDirKey,
  rotateIntoConfiguredKey,
} from "../../server/auth/key-rotation.js";
import {
  KEY_FILE_NAME,
  SecretBox,
  SecretBoxError,
  keyIdOf,
  loadKeyRing,
} from "../../server/auth/secret-box.js";
import { openSecrets } from "../../server/integrations/connection-secrets.js";
import { Database } from "../../server/storage/database.js";
import { IntegrationRow } from "../../server/storage/entities/index.js";
import { flipCiphertextByte, storeIntegration } from "../support/stored-integration.js";

let dataDir: string;
let db: Database;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "mailstream-rotation-"));
  db = await Database.open({ dataDir, databaseUrl: null });
});
afterEach(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const envelopes = async (): Promise<Map<string, string | null>> =>
  new Map(
    (await db.read((m) => m.find(IntegrationRow))).map((row) => [row.id, row.secretEnvelope]),
  );

const keyFileLines = (): string[] =>
  readFileSync(join(dataDir, KEY_FILE_NAME), "utf8").split("\n").filter(Boolean);

const fileBox = (): SecretBox => new SecretBox(loadKeyRing(dataDir, null, []));

describe("key rotation with the generated data-dir key", () => {
  it("re-encrypts every secret under a fresh key, keeps them readable and retires the old key", async () => {
    const before = fileBox();
    const oldKey = loadKeyRing(dataDir, null, [])[0]!;
    const a = await storeIntegration(db, before, { secrets: { clientSecret: "alpha-secret" } });
    const b = await storeIntegration(db, before, {
      secrets: { privateKey: "-----BEGIN PRIVATE KEY-----\nbeta\n-----END PRIVATE KEY-----" },
    });
    const none = await storeIntegration(db, before, { secrets: {} });
    const old = await envelopes();

    const result = await rotateDataDirKey(db, dataDir, []);

    expect(result).toMatchObject({
      sealed: 2,
      reencrypted: 2,
      alreadyCurrent: 0,
      keyFileTrimmed: true,
      retiredKeyIds: [before.primaryKeyId],
    });
    expect(keyFileLines()).toHaveLength(1);
    expect(statSync(join(dataDir, KEY_FILE_NAME)).mode & 0o777).toBe(0o600);
    const after = fileBox();
    expect(after.primaryKeyId).toBe(result.primaryKeyId);
    expect(after.primaryKeyId).not.toBe(before.primaryKeyId);

    const now = await envelopes();
    expect(now.get(none.id)).toBeNull();
    for (const row of [a, b]) {
      const envelope = now.get(row.id)!;
      expect(envelope).not.toBe(old.get(row.id));
      expect(envelope.split(".")[1]).toBe(after.primaryKeyId);
      // The old key no longer opens what was re-sealed.
      expect(() => new SecretBox([oldKey]).open(envelope, row.id)).toThrow(SecretBoxError);
    }
    expect(openSecrets(after, { id: a.id, secretEnvelope: now.get(a.id)! })).toEqual({
      clientSecret: "alpha-secret",
    });
    expect(openSecrets(after, { id: b.id, secretEnvelope: now.get(b.id)! }).privateKey).toContain(
      "beta",
    );
  });

  it("fails loudly on a tampered ciphertext, in one transaction: nothing is re-encrypted", async () => {
    const box = fileBox();
    const good = await storeIntegration(db, box, {
      id: "00000000-0000-4000-8000-000000000001",
      secrets: { clientSecret: "still-good" },
    });
    const bad = await storeIntegration(db, box, {
      id: "ffffffff-ffff-4fff-8fff-ffffffffffff",
      secrets: { clientSecret: "tampered" },
    });
    const tampered = flipCiphertextByte(bad.secretEnvelope!);
    await db.transaction((m) =>
      m.update(IntegrationRow, { id: bad.id }, { secretEnvelope: tampered }),
    );
    expect(() => openSecrets(box, { id: bad.id, secretEnvelope: tampered })).toThrow(
      SecretBoxError,
    );
    const before = await envelopes();

    await expect(rotateDataDirKey(db, dataDir, [])).rejects.toThrow(SecretBoxError);

    // The good row (re-sealed first, in id order) was rolled back with the rest.
    expect(await envelopes()).toEqual(before);
    // The key file kept the old key behind the new one, so everything still opens.
    expect(keyFileLines()).toHaveLength(2);
    expect(openSecrets(fileBox(), good)).toEqual({ clientSecret: "still-good" });
  });

  it("does not open an envelope copied onto another row", async () => {
    const box = fileBox();
    const source = await storeIntegration(db, box, { secrets: { clientSecret: "mine" } });
    const other = await storeIntegration(db, box, { secrets: { clientSecret: "theirs" } });
    expect(() => openSecrets(box, { id: other.id, secretEnvelope: source.secretEnvelope })).toThrow(
      SecretBoxError,
    );
    await db.transaction((m) =>
      m.update(IntegrationRow, { id: other.id }, { secretEnvelope: source.secretEnvelope }),
    );
    await expect(rotateDataDirKey(db, dataDir, [])).rejects.toThrow(SecretBoxError);
  });
});

describe("key rotation onto MAILSTREAM_SECRET_KEY", () => {
  it("re-encrypts what previous keys sealed into the configured key, once", async () => {
    const previous = randomBytes(32);
    const current = randomBytes(32);
    const rows = [
      await storeIntegration(db, new SecretBox([previous]), { secrets: { clientSecret: "one" } }),
      await storeIntegration(db, new SecretBox([previous]), {
        secrets: { servicePassword: "two" },
      }),
      await storeIntegration(db, new SecretBox([current]), { secrets: { clientSecret: "three" } }),
    ];

    const first = await rotateIntoConfiguredKey(db, current, [previous]);
    expect(first).toMatchObject({
      sealed: 3,
      reencrypted: 2,
      alreadyCurrent: 1,
      primaryKeyId: keyIdOf(current),
      retiredKeyIds: [keyIdOf(previous)],
    });
    const stored = await envelopes();
    const onlyCurrent = new SecretBox([current]);
    expect(
      rows.map((row) =>
        openSecrets(onlyCurrent, { id: row.id, secretEnvelope: stored.get(row.id)! }),
      ),
    ).toEqual([{ clientSecret: "one" }, { servicePassword: "two" }, { clientSecret: "three" }]);
    for (const row of rows) {
      expect(() => new SecretBox([previous]).open(stored.get(row.id)!, row.id)).toThrow(
        SecretBoxError,
      );
    }

    const second = await rotateIntoConfiguredKey(db, current, [previous]);
    expect(second).toMatchObject({ reencrypted: 0, alreadyCurrent: 3 });
    expect(await envelopes()).toEqual(stored);
  });

  it("refuses, changing nothing, when a secret's key is not among the previous keys", async () => {
    const lost = randomBytes(32);
    await storeIntegration(db, new SecretBox([lost]), { secrets: { clientSecret: "orphan" } });
    const before = await envelopes();
    await expect(rotateIntoConfiguredKey(db, randomBytes(32), [])).rejects.toThrow(
      /MAILSTREAM_PREVIOUS_SECRET_KEYS/,
    );
    expect(await envelopes()).toEqual(before);
  });

  it("leaves envelopes untouched when opener and sealer share the primary key", async () => {
    const key = randomBytes(32);
    const box = new SecretBox([key]);
    await storeIntegration(db, box, { secrets: { clientSecret: "same" } });
    const before = await envelopes();
    expect(await reencryptSecrets(db, box, box)).toEqual({
      sealed: 1,
      reencrypted: 0,
      alreadyCurrent: 1,
    });
    expect(await envelopes()).toEqual(before);
  });
});
