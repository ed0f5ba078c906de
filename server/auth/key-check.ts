import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/config.js";
import type { Database } from "../storage/database.js";
import { sealedEnvelopes } from "../storage/secret-envelopes.js";
import {
  KEY_FILE_NAME,
  SecretBox,
  SecretBoxError,
  envelopeKeyId,
  keyIdOf,
  loadKeyRing,
} from "./secret-box.js";

/** The server cannot open its stored secrets with the keys it was given: it must not start. */
export class SecretKeyError extends Error {
  override readonly name = "SecretKeyError";
}

/**
 * Rule "the key ring opens what is stored", checked at every start after migrations: a wrong or
 * lost MAILSTREAM_SECRET_KEY would otherwise leave a server that says it is healthy while no
 * integration can sync (every round failing on a secret it cannot open). So:
 * - every sealed envelope in the database is opened once with the configured ring (AES-GCM per
 *   integration: milliseconds) — one that does not open stops the start with SecretKeyError;
 * - without MAILSTREAM_SECRET_KEY, a missing key file is generated only while the database holds
 *   no sealed secret; with sealed secrets it stops the start instead, since a fresh key would
 *   orphan every one of them.
 * The messages name what to do: MAILSTREAM_SECRET_KEY, MAILSTREAM_PREVIOUS_SECRET_KEYS, the key
 * file. Never a key or a secret.
 */
export async function openKeyRing(
  db: Database,
  config: Pick<Config, "dataDir" | "secretKey" | "previousSecretKeys">,
): Promise<SecretBox> {
  const sealed = await db.read(sealedEnvelopes);
  const keyFile = join(config.dataDir, KEY_FILE_NAME);
  const count = `${sealed.length} stored integration secrets`;
  if (!config.secretKey) requireKeyFile(config.dataDir, sealed.length);
  const keys = loadKeyRing(config.dataDir, config.secretKey, config.previousSecretKeys);
  const ring = new SecretBox(keys);
  const have = [...new Set(keys.map(keyIdOf))];
  const unopened = new Set<string>();
  let failures = 0;
  for (const row of sealed) {
    try {
      ring.open(row.secretEnvelope, row.id);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      failures++;
      unopened.add(envelopeKeyId(row.secretEnvelope));
    }
  }
  if (failures === 0) return ring;
  const ids = [...unopened];
  if (ids.every((id) => have.includes(id))) {
    throw new SecretKeyError(
      `${failures} of ${count} fail their integrity check although their key (id ${ids.join(", ")}) is configured: the stored envelopes were altered. Restore the database from a backup.`,
    );
  }
  const source = config.secretKey
    ? `MAILSTREAM_SECRET_KEY${config.previousSecretKeys.length > 0 ? " and MAILSTREAM_PREVIOUS_SECRET_KEYS" : ""}`
    : `the key file ${keyFile}${config.previousSecretKeys.length > 0 ? " and MAILSTREAM_PREVIOUS_SECRET_KEYS" : ""}`;
  const fix = config.secretKey
    ? `Set MAILSTREAM_SECRET_KEY to the key they were sealed with (during a rotation the old key may stay in MAILSTREAM_PREVIOUS_SECRET_KEYS), or unset it to use the key file ${keyFile}.`
    : `Restore the key file ${keyFile} they were sealed with, or set MAILSTREAM_SECRET_KEY to that key (older keys in MAILSTREAM_PREVIOUS_SECRET_KEYS).`;
  throw new SecretKeyError(
    `${failures} of ${count} do not open with the configured secret keys: they were sealed with key id ${ids.join(", ")}, and ${source} hold key id ${have.join(", ")}. ${fix}`,
  );
}

function requireKeyFile(dataDir: string, sealed: number): void {
  const keyFile = join(dataDir, KEY_FILE_NAME);
  if (sealed === 0 || existsSync(keyFile)) return;
  throw new SecretKeyError(
    `The secret key file ${keyFile} is missing but the database holds ${sealed} integration secrets sealed with it; a new key would not open them, so none is generated. Restore that file from a backup, or set MAILSTREAM_SECRET_KEY to the key (older ones in MAILSTREAM_PREVIOUS_SECRET_KEYS).`,
  );
}

/**
 * Data-dir mode without MAILSTREAM_SECRET_KEY (npm run rotate-key): refuses when the key file is
 * missing while sealed secrets exist, before anything would generate one.
 */
export async function requireKeyFileForStoredSecrets(db: Database, dataDir: string): Promise<void> {
  requireKeyFile(dataDir, (await db.read(sealedEnvelopes)).length);
}
