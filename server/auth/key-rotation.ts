import type { Database } from "../storage/database.js";
import {
  replaceEnvelope,
  sealedEnvelopes,
  sealedIntegrationEnvelopes,
} from "../storage/secret-envelopes.js";
import {
  sealedClientStates,
  storeClientStateEnvelope,
} from "../storage/graph-subscription-store.js";
import { requireKeyFileForStoredSecrets } from "./key-check.js";
import {
  SecretBox,
  addPrimaryKeyToFile,
  keepOnlyPrimaryKeyInFile,
  keyIdOf,
  loadKeyRing,
} from "./secret-box.js";

/** What a re-encryption did, in counts (never secrets), for `npm run rotate-key` to print. */
export interface ReencryptionCounts {
  /** Integrations that hold a sealed secret. */
  sealed: number;
  /** Opened with an older key and sealed again under the primary one. */
  reencrypted: number;
  /** Already sealed under the primary key: left as they are. */
  alreadyCurrent: number;
}

export interface RotationResult extends ReencryptionCounts {
  /** Key id that seals from now on. */
  primaryKeyId: string;
  /** Key ids no longer needed to open anything (dropped from the key file in data-dir mode). */
  retiredKeyIds: string[];
  /** Data-dir mode: whether the key file now holds the primary key only. */
  keyFileTrimmed: boolean;
}

/**
 * Key rotation: every integration secret sealed under a key other than `sealer`'s primary is
 * opened with `opener` and sealed again under `sealer`'s primary — all in ONE transaction, so an
 * envelope that no configured key opens (or that was tampered with) fails the rotation loudly
 * with SecretBoxError and changes nothing. Envelopes stay bound to their own row id.
 */
export async function reencryptSecrets(
  db: Database,
  opener: SecretBox,
  sealer: SecretBox,
): Promise<ReencryptionCounts> {
  return db.transaction(async (m) => {
    // On PostgreSQL the rows are locked: a server saving new credentials meanwhile must wait
    // rather than have them overwritten by the re-sealed old ones.
    const rows = await sealedIntegrationEnvelopes(m, { lock: true });
    const counts: ReencryptionCounts = { sealed: 0, reencrypted: 0, alreadyCurrent: 0 };
    for (const row of rows) {
      if (!row.secretEnvelope) continue;
      counts.sealed++;
      if (!sealer.isStale(row.secretEnvelope)) {
        counts.alreadyCurrent++;
        continue;
      }
      const plaintext = opener.open(row.secretEnvelope, row.id);
      await replaceEnvelope(m, row.id, sealer.seal(plaintext, row.id));
      counts.reencrypted++;
    }
    // Change-notification client states are sealed too (bound to their subscription row).
    for (const row of await sealedClientStates(m)) {
      counts.sealed++;
      if (!sealer.isStale(row.clientStateEnvelope)) {
        counts.alreadyCurrent++;
        continue;
      }
      const plaintext = opener.open(row.clientStateEnvelope, row.id);
      await storeClientStateEnvelope(m, row.id, sealer.seal(plaintext, row.id));
      counts.reencrypted++;
    }
    return counts;
  });
}

/** How many stored secrets are sealed under a key other than `box`'s primary. */
export async function countStaleSecrets(db: Database, box: SecretBox): Promise<number> {
  const rows = await db.read(sealedEnvelopes);
  return rows.filter((row) => box.isStale(row.secretEnvelope)).length;
}

/**
 * Rotation of the generated key in the data dir (MAILSTREAM_SECRET_KEY unset): a fresh primary
 * key goes to the head of the key file first, so a failure at any point leaves a file that still
 * opens everything; the secrets are re-encrypted under it; only then, and only if nothing is left
 * under an older key (a server still running on the old ring would seal with it), the file is cut
 * down to the primary key.
 */
export async function rotateDataDirKey(
  db: Database,
  dataDir: string,
  previous: Buffer[],
): Promise<RotationResult> {
  // A missing key file with sealed secrets: a key generated now would orphan every one of them.
  await requireKeyFileForStoredSecrets(db, dataDir);
  const before = loadKeyRing(dataDir, null, previous);
  const opener = new SecretBox(before);
  addPrimaryKeyToFile(dataDir);
  const sealer = new SecretBox(loadKeyRing(dataDir, null, previous));
  const counts = await reencryptSecrets(db, opener, sealer);
  const primaryOnly = new SecretBox([loadKeyRing(dataDir, null, [])[0]!]);
  const keyFileTrimmed = (await countStaleSecrets(db, primaryOnly)) === 0;
  if (keyFileTrimmed) keepOnlyPrimaryKeyInFile(dataDir);
  return {
    ...counts,
    primaryKeyId: sealer.primaryKeyId,
    retiredKeyIds: keyFileTrimmed ? keyIds(before) : [],
    keyFileTrimmed,
  };
}

/**
 * Rotation onto a configured key (MAILSTREAM_SECRET_KEY set): whatever is still sealed under one
 * of MAILSTREAM_PREVIOUS_SECRET_KEYS is re-encrypted under the configured key, after which the
 * previous keys can be removed from the configuration.
 */
export async function rotateIntoConfiguredKey(
  db: Database,
  current: Buffer,
  previous: Buffer[],
): Promise<RotationResult> {
  const ring = new SecretBox([current, ...previous]);
  const counts = await reencryptSecrets(db, ring, ring);
  return {
    ...counts,
    primaryKeyId: ring.primaryKeyId,
    retiredKeyIds: keyIds(previous).filter((id) => id !== ring.primaryKeyId),
    keyFileTrimmed: false,
  };
}

const keyIds = (keys: Buffer[]): string[] => [...new Set(keys.map(keyIdOf))];
