import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * /healthz follows the database: a PostgreSQL of this test's own is stopped under a running
 * server (503 naming the database) and started again (200, and the API works) — no restart of
 * the server. Redis's half is test/live/scale-out.test.ts.
 */
let pg: PrivatePostgres;
let server: TestServer;

beforeAll(async () => {
  pg = await startPrivatePostgres();
  server = await startTestServer({
    reuse: { dataDir: mkdtempSync(join(tmpdir(), "mailstream-health-")), databaseUrl: pg.url },
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await pg?.destroy();
});

async function healthBecomes(status: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(`${server.url}/healthz`);
    const body = (await response.json()) as Record<string, string>;
    if (response.status === status || Date.now() > deadline)
      return { status: response.status, body };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("/healthz across a PostgreSQL restart", () => {
  it("turns 503 while the database is down and 200 again by itself once it is back", async () => {
    expect(await healthBecomes(200)).toEqual({ status: 200, body: { status: "ok" } });
    await pg.stop();
    expect(await healthBecomes(503)).toEqual({
      status: 503,
      body: { status: "unavailable", database: "unreachable" },
    });
    await pg.start();
    expect(await healthBecomes(200)).toEqual({ status: 200, body: { status: "ok" } });
    const made = await server.ok<{ createProject: { name: string } }>(
      `mutation { createProject(input: { name: "after-restart" }) { name } }`,
    );
    expect(made.createProject.name).toBe("after-restart");
  });
});
