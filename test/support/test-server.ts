import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type App, createApp } from "../../server/app/create-app.js";
import { loadConfig } from "../../server/config/config.js";
import {
  createExchange,
  type ExchangeOptions,
  OutboundHttp,
  type OutboundTimeouts,
} from "../../server/exchange/index.js";
import type { EwsPrincipals } from "../../server/exchange/ews/ews-principals.js";
import { createLogger } from "../../server/observability/logger.js";
import { Metrics } from "../../server/observability/metrics.js";
import { createScratchDatabase, postgresAdminUrl } from "./database.js";

export const ADMIN_TOKEN = "ms_test_admin_token_0123456789abcdef";

/** MAILSTREAM_ALLOWED_HOSTS for the tenant simulator, which listens on loopback. */
export const SIMULATOR_HOSTS = "localhost,127.0.0.1,::1";

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export interface TestServer {
  app: App;
  url: string;
  dataDir: string;
  databaseUrl: string | null;
  /** Every log line the server wrote, for "no secret is ever logged" checks. */
  logs: string[];
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on any error and returns data. */
  ok<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<T>;
  /** The sync's EWS principals (connections, NTLM handshakes, requests per principal). */
  ewsPrincipals: EwsPrincipals;
  stop(): Promise<void>;
  /**
   * Stops the server but keeps its data, for restart tests (optionally with other options);
   * `whileStopped` runs between the stop and the start (a CLI on the data, say).
   */
  restart(
    changes?: Omit<TestServerOptions, "reuse">,
    whileStopped?: () => Promise<void>,
  ): Promise<TestServer>;
}

export interface TestServerOptions {
  /** Options for the real exchange client (e.g. shorter retry waits against the simulator). */
  exchange?: ExchangeOptions;
  /** Time limits of the guarded outbound HTTP (e.g. 1 s to prove a silent host cannot hang a request). */
  outbound?: OutboundTimeouts;
  env?: Record<string, string>;
  /** false: the server runs no sync rounds (another server of the same database syncs). */
  runSync?: boolean;
  /** Reuse the data of a stopped server. */
  reuse?: { dataDir: string; databaseUrl: string | null; dropDatabase?: () => Promise<void> };
}

/** Starts the real server in-process on a free port with its own data dir (and database). */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.reuse?.dataDir ?? mkdtempSync(join(tmpdir(), "mailstream-test-"));
  let databaseUrl = options.reuse?.databaseUrl ?? null;
  let dropDatabase = options.reuse?.dropDatabase;
  const adminUrl = postgresAdminUrl();
  if (!options.reuse && adminUrl) {
    const scratch = await createScratchDatabase(adminUrl);
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
  const config = loadConfig({
    PORT: "0",
    MAILSTREAM_DATA_DIR: dataDir,
    MAILSTREAM_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: "debug",
    // The tenant simulator listens on loopback, which integrations may not reach by default.
    MAILSTREAM_ALLOWED_HOSTS: SIMULATOR_HOSTS,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString("utf8"));
      done();
    },
  });
  const outbound = new OutboundHttp({ allowedHosts: config.allowedHosts, ...options.outbound });
  let closedOutbound: Promise<void> | undefined;
  // Node's default metrics off: every test app would add its own GC and event-loop observers.
  const metrics = new Metrics({ defaultMetrics: false });
  const exchange: ExchangeOptions = {
    ...options.exchange,
    ews: { maxConcurrentPerPrincipal: config.ewsConcurrency, ...options.exchange?.ews },
    outbound,
    metrics,
  };
  const { credentialChecker, mailSourceFactory, ewsPrincipals } = createExchange(exchange);
  const closeOutbound = () =>
    (closedOutbound ??= Promise.all([ewsPrincipals.close(), outbound.close()]).then(
      () => undefined,
    ));
  const app = await createApp(config, {
    credentialChecker,
    mailSourceFactory,
    ewsPrincipals,
    logger: createLogger("debug", sink),
    metrics,
    runSync: options.runSync,
  }).catch(async (error: unknown) => {
    await closeOutbound();
    throw error;
  });
  const { url } = await app.start();

  const gql = async <T>(
    query: string,
    variables?: Record<string, unknown>,
    token: string | null = ADMIN_TOKEN,
  ) => {
    const response = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };
  const server: TestServer = {
    app,
    url,
    dataDir,
    databaseUrl,
    logs,
    gql,
    ewsPrincipals,
    async ok<T>(query: string, variables?: Record<string, unknown>, token?: string | null) {
      const result = await gql<T>(query, variables, token);
      if (result.errors?.length)
        throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data as T;
    },
    async stop() {
      await app.stop();
      await closeOutbound();
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async restart(changes = {}, whileStopped) {
      await app.stop();
      await closeOutbound();
      await whileStopped?.();
      return startTestServer({
        ...options,
        ...changes,
        reuse: { dataDir, databaseUrl, dropDatabase },
      });
    },
  };
  return server;
}
