import "reflect-metadata";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { specifiedRules, validate } from "graphql";
import depthLimit from "graphql-depth-limit";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { SecretBox, loadKeyRing } from "../auth/secret-box.js";
import type { Viewer } from "../auth/viewer.js";
import type { Config } from "../config/config.js";
import { createInProcessEventBus } from "../events/event-bus.js";
import { ProgressPublisher, withCoalescedProgress } from "../events/progress-publisher.js";
import { createSharedSubscribe } from "../events/shared-execution.js";
import type { GraphQLContext } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/error-mapping.js";
import { queryCostPlugin } from "../graphql/plugins/query-cost.plugin.js";
import { createSchema } from "../graphql/schema.js";
import { createAttachmentsRouter } from "../http/attachments-route.js";
import { createDashboardRouter } from "../http/dashboard-route.js";
import { bearerToken } from "../http/auth-header.js";
import { HealthState } from "../http/health-state.js";
import { requestErrorHandler } from "../http/request-errors.js";
import type { CredentialChecker } from "../integrations/credential-checker.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { BlobStore } from "../storage/blob-store.js";
import { Database } from "../storage/database.js";
import type { Deps } from "./deps.js";
import {
  DEFAULT_SCHEDULER_OPTIONS,
  type MailSourceFactory,
  SyncScheduler,
} from "../sync/scheduler.js";
import type { SyncControl } from "../sync/sync-control.js";
import { createServices, type Services } from "./services.js";

export interface App {
  deps: Deps;
  services: Services;
  /** Listens on config.host:config.port (0 = any free port). */
  start(): Promise<{ url: string; port: number }>;
  /** Stops taking work, lets in-flight writes commit, closes sockets and the database. */
  stop(): Promise<void>;
  /** Set when a bootstrap admin token was generated on this start (printed once by main). */
  generatedAdminToken: string | null;
}

export interface AppOptions {
  logger?: Logger;
  credentialChecker: CredentialChecker;
  mailSourceFactory: MailSourceFactory;
}

/** How long a WebSocket may stay open without `connection_init`. */
const CONNECTION_INIT_WAIT_MS = 5_000;

/** Builds everything (no side effects at import): database, services, HTTP and WebSocket. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const db = await Database.open({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const secrets = new SecretBox(
    loadKeyRing(config.dataDir, config.secretKey, config.previousSecretKeys),
  );
  const bus = createInProcessEventBus();
  const progress = new ProgressPublisher(bus);
  const events = withCoalescedProgress(bus, progress);
  const blobs = new BlobStore(config.dataDir);
  const deps: Deps = { config, db, secrets, log, events, blobs, now: () => new Date() };
  let scheduler: SyncScheduler | null = null;
  const sync: SyncControl = {
    request: (id) => scheduler?.request(id) ?? Promise.resolve(),
    resync: (id) => scheduler?.resync(id) ?? Promise.resolve(),
    abortIntegration: (id) => scheduler?.abortIntegration(id) ?? Promise.resolve(),
    abort: (id) => scheduler?.abort(id) ?? Promise.resolve(),
  };
  const services = createServices(deps, options.credentialChecker, sync, options.mailSourceFactory);
  scheduler = new SyncScheduler(
    deps,
    (row) => services.integrations.resolveConnection(row),
    options.mailSourceFactory,
    {
      ...DEFAULT_SCHEDULER_OPTIONS,
      intervalSeconds: config.syncIntervalSeconds,
    },
  );
  const bootstrap = await services.tokens.bootstrap(config.adminToken);

  const schema = await createSchema(events);
  const health = new HealthState();
  const app = express();
  app.disable("x-powered-by");
  // Express would hash every response body (SHA-1) for a weak ETag; GraphQL POST answers are never
  // revalidated, and the dashboard's static files keep their own ETags (serve-static).
  app.disable("etag");
  const httpServer: Server = createServer(app);

  const formatError = createErrorFormatter(config.production, (error) =>
    log.error({ err: error }, "unexpected error while resolving a GraphQL request"),
  );
  // Upgrades handled here rather than by ws attaching to the server, so the server's own errors
  // (a taken port) reach start() alone instead of being re-emitted as WebSocket server faults.
  const wsServer = new WebSocketServer({ noServer: true });
  httpServer.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/graphql") {
      socket.destroy();
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit("connection", ws, req));
  });
  const wsCleanup = useServer<Record<string, unknown>, { viewer: Viewer | null }>(
    {
      schema,
      connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
      // Answering `false` closes the socket with 4403 Forbidden.
      onConnect: async (ctx) => {
        const token = bearerToken(ctx.connectionParams?.authorization);
        const viewer = token ? await services.tokens.authenticate(token) : null;
        if (!viewer) return false;
        (ctx.extra as { viewer: Viewer | null }).viewer = viewer;
        return true;
      },
      context: (ctx): GraphQLContext => ({ viewer: ctx.extra.viewer ?? null, services }),
      validate: (s, document) =>
        validate(s, document, [...specifiedRules, depthLimit(config.maxQueryDepth)]),
      subscribe: createSharedSubscribe((c) => (c as GraphQLContext).viewer?.tokenId ?? null),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) }
          : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e.toJSON(), e)),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    // Compact JSON: Apollo pretty-prints by default, which costs a fifth of a 100-message stream fetch.
    stringifyResult: (value) => JSON.stringify(value),
    // main.ts owns SIGTERM: Apollo's own handler would re-raise the signal after stopping, and the
    // process would die of it (exit 143) instead of exiting 0 once everything is closed.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    formatError,
    validationRules: [depthLimit(config.maxQueryDepth)],
    plugins: [
      // No HTTP caching of GraphQL answers here; skipping its per-field bookkeeping saves ~40% of a stream fetch.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      queryCostPlugin(schema, config.maxQueryCost),
      // The landing page (Apollo Sandbox) needs introspection: both follow MAILSTREAM_INTROSPECTION.
      config.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: false })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  app.get("/healthz", (_req, res) => {
    if (health.isReady) res.json({ status: "ok" });
    else res.status(503).json({ status: "unavailable" });
  });
  app.use(
    "/attachments",
    createAttachmentsRouter({
      db,
      blobs,
      log,
      authenticate: (t) => services.tokens.authenticate(t),
    }),
  );
  app.use(
    "/graphql",
    express.json({ limit: config.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => {
        const token = bearerToken(req.headers.authorization);
        const viewer = token ? await services.tokens.authenticate(token) : null;
        return { viewer, services };
      },
    }),
  );
  app.use(createDashboardRouter());
  app.use(requestErrorHandler(config.maxBodyBytes, log));

  let stopping: Promise<void> | null = null;
  return {
    deps,
    services,
    generatedAdminToken: bootstrap.generated,
    async start() {
      await new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.port, config.host, () => resolve());
      });
      const { port } = httpServer.address() as AddressInfo;
      scheduler.start();
      health.ready();
      log.info({ host: config.host, port }, "mailstream listening");
      return { url: `http://${config.host}:${port}`, port };
    },
    stop() {
      // A second signal during shutdown waits for the first stop instead of racing it.
      stopping ??= (async () => {
        health.stopping();
        await scheduler.stop();
        progress.dispose();
        await apollo.stop();
        await db.close();
        log.info("mailstream stopped");
      })();
      return stopping;
    },
  };
}
