import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_FILE_NAME } from "../../server/auth/secret-box.js";
import { CREATE, type IntegrationView } from "../support/integration-api.js";
import { childEnv, runScript } from "../support/node-process.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Hardening finding 7: a wrong or lost MAILSTREAM_SECRET_KEY stops the start with a message that
 * says what to do, instead of a healthy-looking server whose integrations can never sync; a
 * deleted key file is never silently regenerated while sealed secrets exist.
 */

const SERVICE_PASSWORD = "egress-check-service-password-1234";
let server: TestServer;
let dataDir: string;
let keyFile: string;
let fileKey: string;
let integrationId: string;

beforeAll(async () => {
  server = await startTestServer();
  dataDir = server.dataDir;
  keyFile = join(dataDir, KEY_FILE_NAME);
  await server.ok(`mutation { createProject(input: { name: "keys" }) { id } }`);
  // An EWS integration is stored (with its sealed password) but never contacted.
  const created = (
    await server.ok<{ createIntegration: IntegrationView }>(CREATE, {
      input: {
        project: "keys",
        name: "sealed",
        connection: {
          api: "EWS",
          authMethod: "NTLM",
          access: "SERVICE_USER",
          serviceUsername: "svc@contoso.com",
          servicePassword: SERVICE_PASSWORD,
          ewsUrl: "https://localhost/EWS/Exchange.asmx",
        },
      },
    })
  ).createIntegration;
  integrationId = created.id;
  expect(created.hasSecret).toBe(true);
  fileKey = readFileSync(keyFile, "utf8").trim();
  await server.app.stop();
});
afterAll(() => server?.stop());

const otherKey = () => randomBytes(32).toString("base64");

/** Starts on the same data; answers the running server or the reason it refused. */
async function restart(env: Record<string, string>): Promise<TestServer | Error> {
  try {
    const next = await server.restart({ env });
    server = next;
    return next;
  } catch (error) {
    return error as Error;
  }
}

describe("the secret key check at start", () => {
  it("refuses to start with another MAILSTREAM_SECRET_KEY, saying what to set", async () => {
    const refused = await restart({ MAILSTREAM_SECRET_KEY: otherKey() });
    expect(refused).toBeInstanceOf(Error);
    const message = (refused as Error).message;
    expect(message).toMatch(/^1 of 1 stored integration secrets do not open with the configured/);
    expect(message).toContain("MAILSTREAM_SECRET_KEY");
    expect(message).toContain("MAILSTREAM_PREVIOUS_SECRET_KEYS");
    expect(message).toContain(keyFile);
    expect(message).not.toContain(fileKey);
  });

  it("starts with the right key among MAILSTREAM_PREVIOUS_SECRET_KEYS, and the secret opens", async () => {
    const started = await restart({
      MAILSTREAM_SECRET_KEY: otherKey(),
      MAILSTREAM_PREVIOUS_SECRET_KEYS: fileKey,
    });
    expect(started).not.toBeInstanceOf(Error);
    const s = started as TestServer;
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    const row = await s.app.services.integrations.findById(
      { tokenId: "test", name: "test", admin: true, grants: new Map() },
      integrationId,
    );
    expect(s.app.services.integrations.resolveConnection(row!).servicePassword).toBe(
      SERVICE_PASSWORD,
    );
    await s.app.stop();
  });

  it("refuses to start when the key file was deleted, and writes no new one", async () => {
    rmSync(keyFile);
    const refused = await restart({});
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toContain(`The secret key file ${keyFile} is missing`);
    expect((refused as Error).message).toContain("MAILSTREAM_SECRET_KEY");
    expect(existsSync(keyFile)).toBe(false);
    // Still refused on the next try: the first refusal did not generate a key either.
    expect(await restart({})).toBeInstanceOf(Error);
    expect(existsSync(keyFile)).toBe(false);

    // The key given as MAILSTREAM_SECRET_KEY opens the stored secrets again.
    const started = await restart({ MAILSTREAM_SECRET_KEY: fileKey });
    expect(started).not.toBeInstanceOf(Error);
    await (started as TestServer).app.stop();
  });

  it("makes `npm start`'s entry point print one line and exit non-zero", async () => {
    const result = await runScript(
      "server/main.ts",
      [],
      childEnv({
        PORT: "0",
        MAILSTREAM_DATA_DIR: dataDir,
        MAILSTREAM_SECRET_KEY: otherKey(),
        DATABASE_URL: server.databaseUrl ?? undefined,
      }),
    );
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Cannot start: .*do not open with the configured secret keys/);
    expect(result.stdout).not.toContain("listening");
  });
});
