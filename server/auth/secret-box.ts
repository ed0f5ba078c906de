import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * AES-256-GCM envelopes for stored credentials. An envelope names the key that sealed it
 * (`v1.<keyId>.<iv>.<tag>.<ciphertext>`), so keys can be rotated: decryption finds the key by id,
 * encryption always uses the primary key. The owning row's id is bound as additional data, so an
 * envelope copied onto another row does not open.
 */
const VERSION = "v1";
const KEY_BYTES = 32;
const IV_BYTES = 12;
export const KEY_FILE_NAME = "secret.key";

export class SecretBoxError extends Error {}

export const keyIdOf = (key: Buffer): string =>
  createHash("sha256").update(key).digest("hex").slice(0, 12);

export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly primaryKeyId: string;

  /** `keys[0]` seals; every key opens what it sealed. */
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new SecretBoxError("no secret key configured");
    for (const key of keys) {
      if (key.length !== KEY_BYTES) throw new SecretBoxError("secret keys must be 32 bytes");
      this.keys.set(keyIdOf(key), key);
    }
    this.primaryKeyId = keyIdOf(keys[0]!);
  }

  seal(plaintext: string, boundTo: string): string {
    const key = this.keys.get(this.primaryKeyId)!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [VERSION, this.primaryKeyId, b64(iv), b64(cipher.getAuthTag()), b64(body)].join(".");
  }

  open(envelope: string, boundTo: string): string {
    const parts = envelope.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) {
      throw new SecretBoxError("stored secret has an unknown format");
    }
    const [, keyId, iv, tag, body] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        `stored secret was sealed with key ${keyId}, which is not configured (set MAILSTREAM_PREVIOUS_SECRET_KEYS)`,
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, unb64(iv));
      decipher.setAAD(Buffer.from(boundTo, "utf8"));
      decipher.setAuthTag(unb64(tag));
      return Buffer.concat([decipher.update(unb64(body)), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError("stored secret failed its integrity check (tampered or wrong key)");
    }
  }

  /** True when the envelope was sealed with a key other than the primary one. */
  isStale(envelope: string): boolean {
    return envelopeKeyId(envelope) !== this.primaryKeyId;
  }
}

/** The id of the key an envelope was sealed with ("?" for an envelope of an unknown format). */
export const envelopeKeyId = (envelope: string): string => envelope.split(".")[1] ?? "?";

const b64 = (buffer: Buffer): string => buffer.toString("base64url");
const unb64 = (text: string): Buffer => Buffer.from(text, "base64url");

/**
 * The key ring from configuration: MAILSTREAM_SECRET_KEY (and previous keys) when given, otherwise
 * the key file in the data dir (generated once, mode 0600; first line primary, then older keys).
 */
export function loadKeyRing(
  dataDir: string,
  configured: Buffer | null,
  previous: Buffer[],
): Buffer[] {
  if (configured) return [configured, ...previous];
  const path = join(dataDir, KEY_FILE_NAME);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(path, randomBytes(KEY_BYTES).toString("base64") + "\n", { mode: 0o600 });
  }
  chmodSync(path, 0o600);
  const keys = readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => Buffer.from(line, "base64"));
  return [...keys, ...previous];
}

/** Puts a fresh primary key at the head of the data dir's key file, keeping the older ones. */
export function addPrimaryKeyToFile(dataDir: string): Buffer {
  const path = join(dataDir, KEY_FILE_NAME);
  const key = randomBytes(KEY_BYTES);
  const existing = existsSync(path) ? readFileSync(path, "utf8") : "";
  writeFileSync(path, key.toString("base64") + "\n" + existing, { mode: 0o600 });
  return key;
}

/** Drops every key but the primary from the data dir's key file (after a full re-encryption). */
export function keepOnlyPrimaryKeyInFile(dataDir: string): void {
  const path = join(dataDir, KEY_FILE_NAME);
  const first = readFileSync(path, "utf8").split("\n")[0]!;
  writeFileSync(path, first + "\n", { mode: 0o600 });
}
