import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KEY_FILE_NAME, SecretBox, loadKeyRing } from "../../server/auth/secret-box.js";
import { hashToken } from "../../server/auth/token-hash.js";
import { openSecrets } from "../../server/integrations/connection-secrets.js";
import { Database } from "../../server/storage/database.js";
import {
  ApiTokenGrantRow,
  ApiTokenRow,
  IntegrationRow,
} from "../../server/storage/entities/index.js";
import { childEnv, runScript } from "../support/node-process.js";
import { storeIntegration } from "../support/stored-integration.js";

// Each test has its own data dir, so the tests (each a few child processes) run concurrently.
const dataDirs: string[] = [];
afterAll(() => dataDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailstream-cli-"));
  dataDirs.push(dir);
  return dir;
}

/** Opens the data dir's database for one piece of work, closed again before a CLI runs. */
async function withDb<T>(dataDir: string, work: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open({ dataDir, databaseUrl: null });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const createToken = (dataDir: string, ...args: string[]) =>
  runScript("server/cli/create-token.ts", args, childEnv({ MAILSTREAM_DATA_DIR: dataDir }));

describe.concurrent("npm run create-token", () => {
  it("mints a project token in the database and prints it once, alone on stdout", async () => {
    const dataDir = scratchDir();
    await withDb(dataDir, (db) =>
      storeIntegration(db, new SecretBox([randomBytes(32)]), { projectName: "alpha", secrets: {} }),
    );
    const result = await createToken(
      dataDir,
      "--name",
      "nightly-export",
      "--grant",
      "alpha:buckets-read,STREAMS_READ",
    );
    expect(result.stderr).toContain("nightly-export");
    expect(result.code).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^ms_[A-Za-z0-9_-]{43}$/);
    expect(result.stderr).not.toContain(token);
    const stored = await withDb(dataDir, async (db) => {
      const row = await db.read((m) =>
        m.findOneByOrFail(ApiTokenRow, { tokenHash: hashToken(token) }),
      );
      const grants = await db.read((m) => m.findBy(ApiTokenGrantRow, { tokenId: row.id }));
      return { row, grants };
    });
    expect(stored.row).toMatchObject({ name: "nightly-export", admin: false, revokedAt: null });
    expect(stored.grants.map((g) => g.permissions)).toEqual([["buckets-read", "streams-read"]]);
  });

  it("mints an admin token", async () => {
    const dataDir = scratchDir();
    const result = await createToken(dataDir, "--name", "ops", "--admin");
    expect(result.code).toBe(0);
    const row = await withDb(dataDir, (db) =>
      db.read((m) => m.findOneBy(ApiTokenRow, { tokenHash: hashToken(result.stdout.trim()) })),
    );
    expect(row).toMatchObject({ name: "ops", admin: true });
  });

  it.each([
    [["--admin"], 2, /--name is required/],
    [["--name", "x", "--grant", "alpha:buckets-reed"], 2, /unknown permission 'buckets-reed'/],
    [["--name", "x", "--grant", "buckets-read"], 2, /PROJECT:PERMISSION/],
    [["--name", "x", "--grant", "ghost:buckets-read"], 1, /NOT_FOUND.*'ghost'/],
    [["--name", "x"], 1, /BAD_USER_INPUT.*admin: true or at least one grant/],
    [["--name", "x", "--bogus"], 2, /Unknown option '--bogus'/],
  ])("refuses %j (exit %i) and mints nothing", async (args, code, message) => {
    const dataDir = scratchDir();
    const result = await createToken(dataDir, ...args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe("");
    expect(await withDb(dataDir, (db) => db.read((m) => m.count(ApiTokenRow)))).toBe(0);
  });

  it("exits 2 on a bad configuration", async () => {
    const dataDir = scratchDir();
    const result = await runScript(
      "server/cli/create-token.ts",
      ["--name", "x", "--admin"],
      childEnv({ MAILSTREAM_DATA_DIR: dataDir, MAILSTREAM_SECRET_KEY: "dG9vIHNob3J0" }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MAILSTREAM_SECRET_KEY must be the base64 of exactly 32 bytes/);
  });
});

describe.concurrent("npm run rotate-key", () => {
  it("rotates the data-dir key: re-encrypts, trims the key file and prints counts only", async () => {
    const dataDir = scratchDir();
    const oldKey = loadKeyRing(dataDir, null, [])[0]!;
    const row = await withDb(dataDir, (db) =>
      storeIntegration(db, new SecretBox([oldKey]), {
        secrets: { clientSecret: "cli-rotation-secret" },
      }),
    );
    const result = await runScript(
      "server/cli/rotate-key.ts",
      [],
      childEnv({ MAILSTREAM_DATA_DIR: dataDir }),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Stored secrets: 1 \(re-encrypted 1, already under the primary key 0\)/,
    );
    const keyFile = readFileSync(join(dataDir, KEY_FILE_NAME), "utf8");
    expect(keyFile.split("\n").filter(Boolean)).toHaveLength(1);
    for (const secret of ["cli-rotation-secret", oldKey.toString("base64"), keyFile.trim()]) {
      expect(result.stdout).not.toContain(secret);
    }
    const envelope = await withDb(dataDir, (db) =>
      db.read((m) => m.findOneByOrFail(IntegrationRow, { id: row.id })),
    );
    expect(openSecrets(new SecretBox(loadKeyRing(dataDir, null, [])), envelope)).toEqual({
      clientSecret: "cli-rotation-secret",
    });
  });

  it("moves secrets from MAILSTREAM_PREVIOUS_SECRET_KEYS onto MAILSTREAM_SECRET_KEY", async () => {
    const dataDir = scratchDir();
    const previous = randomBytes(32);
    const current = randomBytes(32);
    const row = await withDb(dataDir, (db) =>
      storeIntegration(db, new SecretBox([previous]), {
        secrets: { servicePassword: "cli-env-secret" },
      }),
    );
    const env = childEnv({
      MAILSTREAM_DATA_DIR: dataDir,
      MAILSTREAM_SECRET_KEY: current.toString("base64"),
      MAILSTREAM_PREVIOUS_SECRET_KEYS: previous.toString("base64"),
    });
    const result = await runScript("server/cli/rotate-key.ts", [], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/re-encrypted 1,/);
    expect(result.stdout).toMatch(/remove MAILSTREAM_PREVIOUS_SECRET_KEYS/);
    expect(result.stdout).not.toContain(current.toString("base64"));
    const stored = await withDb(dataDir, (db) =>
      db.read((m) => m.findOneByOrFail(IntegrationRow, { id: row.id })),
    );
    expect(openSecrets(new SecretBox([current]), stored)).toEqual({
      servicePassword: "cli-env-secret",
    });
  });

  it("exits 1 and changes nothing when a secret's key is not configured", async () => {
    const dataDir = scratchDir();
    const row = await withDb(dataDir, (db) =>
      storeIntegration(db, new SecretBox([randomBytes(32)]), { secrets: { clientSecret: "lost" } }),
    );
    const env = childEnv({
      MAILSTREAM_DATA_DIR: dataDir,
      MAILSTREAM_SECRET_KEY: randomBytes(32).toString("base64"),
    });
    const result = await runScript("server/cli/rotate-key.ts", [], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Key rotation failed.*MAILSTREAM_PREVIOUS_SECRET_KEYS/);
    const stored = await withDb(dataDir, (db) =>
      db.read((m) => m.findOneByOrFail(IntegrationRow, { id: row.id })),
    );
    expect(stored.secretEnvelope).toBe(row.secretEnvelope);
  });
});
