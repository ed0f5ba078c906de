// `npm run rotate-key`: re-encrypts every stored credential under a new key (see key-rotation.ts).
// Run it with the servers stopped, or restart them afterwards: a server keeps the key ring it
// loaded at start.
import "reflect-metadata";
import { rotateDataDirKey, rotateIntoConfiguredKey } from "../auth/key-rotation.js";
import { ConfigError, loadConfig } from "../config/config.js";
import { Database } from "../storage/database.js";

try {
  const config = loadConfig();
  const db = await Database.open({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const result = config.secretKey
      ? await rotateIntoConfiguredKey(db, config.secretKey, config.previousSecretKeys)
      : await rotateDataDirKey(db, config.dataDir, config.previousSecretKeys);
    const out = [
      `Stored secrets: ${result.sealed} (re-encrypted ${result.reencrypted}, already under the primary key ${result.alreadyCurrent})`,
      `Primary key: ${result.primaryKeyId}`,
    ];
    if (config.secretKey) {
      out.push(
        result.retiredKeyIds.length > 0
          ? `Nothing is sealed under ${result.retiredKeyIds.join(", ")} any more: remove MAILSTREAM_PREVIOUS_SECRET_KEYS.`
          : "MAILSTREAM_PREVIOUS_SECRET_KEYS is empty: there was nothing to re-encrypt from.",
      );
    } else if (result.keyFileTrimmed) {
      out.push(
        `Key file now holds the primary key only (retired: ${result.retiredKeyIds.join(", ") || "none"}).`,
      );
      out.push("Restart running servers so they load the new key.");
    } else {
      out.push(
        "Some secrets were sealed under an older key while this ran (is a server still running?).",
        "The key file keeps its older keys; stop the servers and run rotate-key again.",
      );
      process.exitCode = 1;
    }
    process.stdout.write(out.join("\n") + "\n");
  } finally {
    await db.close();
  }
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(
    `Key rotation failed; stored secrets were left as they were: ${(error as Error).message}\n`,
  );
  process.exit(1);
}
