import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createScratchDatabase, postgresAdminUrl } from "../support/database.js";
import { childEnv, exited, freePort, runScript, startScript } from "../support/node-process.js";
import type { GraphQLResponse } from "../support/test-server.js";

/** RUNNING.md: SIGTERM ends the process, exit code 0, within this. */
const SHUTDOWN_LIMIT_MS = 10_000;
const TOKEN_PATTERN = /ms_[A-Za-z0-9_-]{43}/;

interface RunningServer {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  url: string;
}

let dataDir: string;
let databaseUrl: string | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
const running: ChildProcess[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "mailstream-lifecycle-"));
  const adminUrl = postgresAdminUrl();
  if (adminUrl) {
    const scratch = await createScratchDatabase(adminUrl);
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
});
afterAll(async () => {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

/** `server/main.ts` as its own process on a free port; resolves once /healthz answers 200. */
async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const { child, output } = startScript(
    "server/main.ts",
    childEnv({
      HOST: "127.0.0.1",
      PORT: String(port),
      MAILSTREAM_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      ...env,
    }),
  );
  running.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`server exited ${child.exitCode}: ${output.stderr}`);
    const health = await fetch(`${url}/healthz`).catch(() => null);
    // Ready, and what it printed on the way (the line after listening) has come through the pipe.
    if (health?.status === 200 && output.stdout.includes("Mailstream at ")) {
      expect(await health.json()).toEqual({ status: "ok" });
      return { child, output, url };
    }
    if (Date.now() > deadline)
      throw new Error(`server not healthy in time: ${output.stdout}${output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function gql<T = Record<string, unknown>>(
  server: RunningServer,
  token: string,
  query: string,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** SIGTERM, then the exit code and how long it took. */
async function terminate(server: RunningServer): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  server.child.kill("SIGTERM");
  const { code } = await exited(server.child);
  return { code, ms: Date.now() - started };
}

/** The JSON log lines of stdout (everything else there is for people). */
const jsonLines = (stdout: string): string[] =>
  stdout.split("\n").filter((line) => line.startsWith("{"));

/** A graphql-ws connection, acknowledged. */
async function openSocket(server: RunningServer, token: string): Promise<WebSocket> {
  const socket = new WebSocket(
    `${server.url.replace("http", "ws")}/graphql`,
    "graphql-transport-ws",
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("open", () =>
      socket.send(
        JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }),
      ),
    );
    socket.on("message", (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === "connection_ack") resolve();
    });
  });
  return socket;
}

describe("the server process", () => {
  let adminToken: string;
  let apiToken: string;

  it("prints a generated admin token once on a first start (never in a log line), then shuts down on SIGTERM", async () => {
    const server = await startServer();
    const printed = server.output.stdout.match(
      new RegExp(`Bootstrap admin token.*\\n\\s*(${TOKEN_PATTERN.source})`),
    );
    expect(printed, server.output.stdout).not.toBeNull();
    adminToken = printed![1]!;

    const created = await gql<{ createApiToken: { token: string } }>(
      server,
      adminToken,
      `mutation {
        createProject(input: { name: "kept", title: "Kept across restarts" }) { id }
        createBucket(input: { project: "kept", name: "archive", title: "Archive" }) { id }
        createApiToken(input: { name: "reader", grants: [{ project: "kept", permissions: [BUCKETS_READ] }] }) { token }
      }`,
    );
    expect(created.errors).toBeUndefined();
    apiToken = created.data!.createApiToken.token;

    // An open subscription socket and an idle keep-alive connection must not hold up the exit.
    const socket = await openSocket(server, adminToken);
    const socketClosed = new Promise<number>((resolve) =>
      socket.once("close", (code) => resolve(code)),
    );
    const { code, ms } = await terminate(server);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_LIMIT_MS);
    expect(await socketClosed).toBeGreaterThanOrEqual(1000);
    // The token appears once, in the banner; no JSON log line carries it (nor the minted one).
    expect(server.output.stdout.match(new RegExp(TOKEN_PATTERN, "g"))).toHaveLength(1);
    const logLines = jsonLines(server.output.stdout);
    expect(logLines.length).toBeGreaterThan(2);
    for (const line of logLines) {
      expect(() => JSON.parse(line), line).not.toThrow();
      expect(line).not.toContain(adminToken);
    }
    expect(logLines.some((line) => line.includes('"msg":"mailstream stopped"'))).toBe(true);
    expect(server.output.stdout + server.output.stderr).not.toContain(apiToken);
  });

  it("keeps projects, buckets and tokens across a restart, and prints no token the second time", async () => {
    expect(apiToken).toBeDefined();
    const server = await startServer();
    expect(server.output.stdout).not.toMatch(TOKEN_PATTERN);
    expect(server.output.stdout).not.toMatch(/Bootstrap admin token/);

    const read = await gql(
      server,
      apiToken,
      `{ project(name: "kept") { title bucket(name: "archive") { name title } } }`,
    );
    expect(read).toEqual({
      data: {
        project: { title: "Kept across restarts", bucket: { name: "archive", title: "Archive" } },
      },
    });
    const admin = await gql(server, adminToken, `{ viewer { name admin } }`);
    expect(admin).toEqual({ data: { viewer: { name: "bootstrap admin", admin: true } } });

    const { code, ms } = await terminate(server);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(SHUTDOWN_LIMIT_MS);
  });
});

describe("start-up configuration", () => {
  it("makes MAILSTREAM_ADMIN_TOKEN the bootstrap token without printing it", async () => {
    const configured = "ms_lifecycle_configured_admin_token_0123456789";
    const dir = mkdtempSync(join(tmpdir(), "mailstream-lifecycle-"));
    let scratch: { url: string; drop(): Promise<void> } | null = null;
    const adminUrl = postgresAdminUrl();
    if (adminUrl) scratch = await createScratchDatabase(adminUrl);
    try {
      const server = await startServer({
        MAILSTREAM_DATA_DIR: dir,
        MAILSTREAM_ADMIN_TOKEN: configured,
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      });
      expect(server.output.stdout).not.toMatch(/Bootstrap admin token/);
      expect(server.output.stdout).not.toContain(configured);
      expect(await gql(server, configured, `{ viewer { admin } }`)).toEqual({
        data: { viewer: { admin: true } },
      });
      expect((await terminate(server)).code).toBe(0);
    } finally {
      await scratch?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 with a clear message on a bad configuration", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: "abc" }, /PORT must be an integer from 0 to 65535, got "abc"/],
      [
        { MAILSTREAM_SECRET_KEY: "c2hvcnQ=" },
        /MAILSTREAM_SECRET_KEY must be the base64 of exactly 32 bytes/,
      ],
      [{ DATABASE_URL: "mysql://localhost/x" }, /DATABASE_URL must be a postgres:\/\/ URL/],
    ];
    const results = await Promise.all(
      cases.map(([env]) =>
        runScript("server/main.ts", [], childEnv({ MAILSTREAM_DATA_DIR: dataDir, ...env })),
      ),
    );
    results.forEach((result, i) => {
      const [env, message] = cases[i]!;
      expect(result.code, JSON.stringify(env)).toBe(2);
      expect(result.stderr).toMatch(/^Configuration error: /);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe("");
    });
  });
});
