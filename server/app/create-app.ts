import "reflect-metadata";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import depthLimit from "graphql-depth-limit";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { SecretBox, loadKeyRing } from "../auth/secret-box.js";
import type { Viewer } from "../auth/viewer.js";
import type { Config } from "../config/config.js";
import { createInProcessEventBus } from "../events/event-bus.js";
import type { GraphQLContext } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/error-mapping.js";
import { queryCostPlugin } from "../graphql/plugins/query-cost.plugin.js";
import { createSchema } from "../graphql/schema.js";
import { bearerToken } from "../http/auth-header.js";
import { HealthState } from "../http/health-state.js";
import type { CredentialChecker } from "../integrations/credential-checker.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { BlobStore } from "../storage/blob-store.js";
import { Database } from "../storage/database.js";
import type { Deps } from "./deps.js";
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
}

/** How long a WebSocket may stay open without `connection_init`. */
const CONNECTION_INIT_WAIT_MS = 5_000;

/** Builds everything (no side effects at import): database, services, HTTP and WebSocket. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const db = await Database.open({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const secrets = new SecretBox(loadKeyRing(config.dataDir, config.secretKey, config.previousSecretKeys));
  const events = createInProcessEventBus();
  const blobs = new BlobStore(config.dataDir);
  const deps: Deps = { config, db, secrets, log, events, blobs, now: () => new Date() };
  const services = createServices(deps, options.credentialChecker);
  const bootstrap = await services.tokens.bootstrap(config.adminToken);

  const schema = await createSchema(events);
  const health = new HealthState();
  const app = express();
  app.disable("x-powered-by");
  const httpServer: Server = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const wsCleanup = useServer<Record<string, unknown>, { viewer: Viewer | null }>(
    {
      schema,
      connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
      onConnect: async (ctx) => {
        const token = bearerToken(ctx.connectionParams?.authorization);
        const viewer = token ? await services.tokens.authenticate(token) : null;
        if (!viewer) {
          ctx.extra.socket.close(CloseCode.Forbidden, "Forbidden: a valid API token is required");
          return false;
        }
        (ctx.extra as { viewer: Viewer | null }).viewer = viewer;
        return true;
      },
      context: (ctx): GraphQLContext => ({ viewer: ctx.extra.viewer ?? null, services }),
    },
    wsServer,
  );

  const formatError = createErrorFormatter(config.production, (error) =>
    log.error({ err: error }, "unexpected error while resolving a GraphQL request"),
  );
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: !config.production,
    formatError,
    validationRules: [depthLimit(config.maxQueryDepth)],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      queryCostPlugin(schema, config.maxQueryCost),
      config.introspection
        ? ApolloServerPluginLandingPageLocalDefault({ embed: false })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
    ],
  });
  await apollo.start();

  app.get("/healthz", (_req, res) => {
    if (health.isReady) res.json({ status: "ok" });
    else res.status(503).json({ status: "unavailable" });
  });
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

  let stopped = false;
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
      health.ready();
      log.info({ host: config.host, port }, "mailstream listening");
      return { url: `http://${config.host}:${port}`, port };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      health.stopping();
      await apollo.stop();
      await db.close();
      log.info("mailstream stopped");
    },
  };
}
