import "reflect-metadata";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { openKeyRing } from "../auth/key-check.js";
import type { Config } from "../config/config.js";
import { createInProcessEventBus, EVENT_CHANNELS, type EventBus } from "../events/event-bus.js";
import { RedisEventBus } from "../events/redis-event-bus.js";
import { ProgressPublisher, withCoalescedProgress } from "../events/progress-publisher.js";
import type { GraphQLContext } from "../graphql/context.js";
import { createErrorFormatter } from "../graphql/error-mapping.js";
import { createOperationLimits } from "../graphql/operation-limits.js";
import { landingPagePlugin } from "../graphql/plugins/landing-page.plugin.js";
import { metricsPlugin } from "../graphql/plugins/metrics.plugin.js";
import { operationLimitsPlugin } from "../graphql/plugins/operation-limits.plugin.js";
import { attachWebSocketEndpoint } from "../graphql/websocket.js";
import { createSchema } from "../graphql/schema.js";
import { createAttachmentsRouter } from "../http/attachments-route.js";
import { createDashboardRouter } from "../http/dashboard-route.js";
import { bearerToken, headerAuthenticator } from "../http/auth-header.js";
import { HealthState } from "../http/health-state.js";
import { metricsHandler } from "../http/metrics-route.js";
import { requestErrorHandler } from "../http/request-errors.js";
import type { EwsPrincipals } from "../exchange/ews/ews-principals.js";
import type { CredentialChecker } from "../integrations/credential-checker.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { Metrics } from "../observability/metrics.js";
import { createBlobStore } from "../storage/blob-store.js";
import { Database } from "../storage/database.js";
import { mailboxSyncLag } from "../storage/sync-lag.js";
import type { Deps } from "./deps.js";
import {
  DEFAULT_SCHEDULER_OPTIONS,
  type MailSourceFactory,
  SyncScheduler,
} from "../sync/scheduler.js";
import { InProcessLeases, type LeasePolicy, PostgresLeases } from "../sync/leases.js";
import { resolveConnection } from "../integrations/connection-secrets.js";
import type { SyncControl } from "../sync/sync-control.js";
import { createNotificationRouter } from "../notifications/notification-route.js";
import { NotificationService } from "../notifications/notification-service.js";
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
  /**
   * The EWS principals the credential checker and the mail sources share (createExchange): their
   * budget per principal follows the live processes on PostgreSQL (DOMAIN.md, EWS: 27 across all
   * of a principal's mailboxes, wherever they sync). Without it the budget stays as configured.
   */
  ewsPrincipals?: Pick<EwsPrincipals, "budgetForProcesses" | "budget">;
  /**
   * The process's metrics; pass the one the exchange clients record into (main.ts does), or a
   * fresh registry is made.
   */
  metrics?: Metrics;
  /**
   * false: this app serves the whole API but starts no sync rounds of its own (tests of several
   * servers that need one known process to be the one syncing). Default true.
   */
  runSync?: boolean;
}

/** How long a start waits for Redis before listening anyway (/healthz says 503 until it is up). */
const REDIS_START_WAIT_MS = 5_000;
/** A /healthz database check slower than this counts as unreachable. */
const HEALTH_DATABASE_TIMEOUT_MS = 2_000;

/** Builds everything (no side effects at import): database, services, HTTP and WebSocket. */
export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const log = options.logger ?? createLogger(config.logLevel);
  const db = await Database.open({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    // Well inside a lease: a paused holder's open transaction cannot delay a takeover beyond it.
    idleInTransactionTimeoutMs: (config.leaseTtlSeconds * 1000) / 2,
  });
  // After migrations: the key ring must open what is stored, or the server does not start.
  const secrets = await openKeyRing(db, config).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const metrics = options.metrics ?? new Metrics();
  let bus: EventBus;
  if (config.redisUrl) {
    const redis = new RedisEventBus({
      url: config.redisUrl,
      prefix: config.redisPrefix,
      log,
      metrics,
    });
    if (!(await redis.whenConnected(REDIS_START_WAIT_MS))) {
      log.warn("Redis is not reachable yet: starting anyway; live events begin once it is");
    }
    bus = redis;
  } else {
    bus = createInProcessEventBus({ metrics });
  }
  metrics.busSubscribersFrom((channel) => bus.subscriberCount(channel as never), EVENT_CHANNELS);
  const progress = new ProgressPublisher(bus);
  const events = withCoalescedProgress(bus, progress);
  const blobs = createBlobStore(db, config.dataDir);
  const deps: Deps = { config, db, secrets, log, events, blobs, metrics, now: () => new Date() };
  metrics.mailboxLagFrom(() => db.read((m) => mailboxSyncLag(m, deps.now())));
  // Each live process keeps an EWS principal to its part of Exchange's 27 requests in flight, as
  // the lease manager counts them; SQLite is one process and keeps the configured budget.
  const ews = options.ewsPrincipals;
  let liveProcesses = 0;
  const onLiveProcesses = (processes: number): void => {
    metrics.setLiveProcesses(processes);
    if (!ews) return;
    const before = ews.budget;
    const budget = ews.budgetForProcesses(processes);
    metrics.setEwsPrincipalBudget(budget);
    if (budget !== before || processes !== liveProcesses)
      log.info({ processes, ewsBudgetPerPrincipal: budget }, "EWS budget per principal set");
    liveProcesses = processes;
  };
  // Several processes share a PostgreSQL deployment through mailbox leases; SQLite is one process.
  const leases: LeasePolicy = config.databaseUrl
    ? new PostgresLeases(deps, {
        ttlSeconds: config.leaseTtlSeconds,
        databaseUrl: config.databaseUrl,
        name: config.processName,
        onLiveProcesses,
      })
    : new InProcessLeases(config.processName);
  if (!config.databaseUrl) onLiveProcesses(1);
  else if (ews) metrics.setEwsPrincipalBudget(ews.budget);
  // Change notifications ask the scheduler for rounds; the scheduler asks them for each mailbox's
  // poll interval (the safety net while push is active).
  const notifications = new NotificationService(deps, {
    resolveConnection: (row) => resolveConnection(secrets, row),
    sourceFactory: options.mailSourceFactory,
    requestRound: (id, scope) => scheduler.requestRound(id, scope),
  });
  const scheduler = new SyncScheduler(
    deps,
    leases,
    (row) => resolveConnection(secrets, row),
    options.mailSourceFactory,
    {
      ...DEFAULT_SCHEDULER_OPTIONS,
      intervalSeconds: config.syncIntervalSeconds,
      maxConcurrentRounds: config.maxConcurrentRounds,
      intervalFor: (id) => notifications.pollIntervalFor(id),
    },
  );
  // A mailbox or integration that stops syncing loses its change-notification subscriptions too.
  const sync: SyncControl = {
    request: (id) => scheduler.request(id),
    resync: (id) => scheduler.resync(id),
    abortIntegration: async (id) => {
      await scheduler.abortIntegration(id);
      await notifications.stopIntegration(id);
    },
    abort: async (id) => {
      await scheduler.abort(id);
      await notifications.stopMailbox(id);
    },
  };
  const services = createServices(
    deps,
    options.credentialChecker,
    sync,
    options.mailSourceFactory,
    leases,
    notifications,
  );
  const bootstrap = await services.tokens.bootstrap(config.adminToken);

  const schema = await createSchema(events);
  const health = new HealthState({
    database: () => db.ping(HEALTH_DATABASE_TIMEOUT_MS),
    events: config.redisUrl ? () => bus.connected : null,
  });
  const app = express();
  app.disable("x-powered-by");
  // Express would hash every response body (SHA-1) for a weak ETag; GraphQL POST answers are never
  // revalidated, and the dashboard's static files keep their own ETags (serve-static).
  app.disable("etag");
  const httpServer: Server = createServer(
    {
      // A request's headers and whole body must arrive within the limit (Node's default is 300 s,
      // so a body trickled in a byte at a time held a connection for minutes); 408 beyond. It
      // bounds receiving only: a slow answer (a credential check) is not cut short, and upgraded
      // WebSockets leave the HTTP parser and its timers.
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.requestTimeoutMs,
      // How often Node looks for expired requests (default 30 s, which would double the limit).
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
    },
    app,
  );

  const formatError = createErrorFormatter(config.production, (error) =>
    log.error({ err: error }, "unexpected error while resolving a GraphQL request"),
  );
  const authenticate = headerAuthenticator((token) => services.tokens.authenticate(token));
  const limits = createOperationLimits(schema, config);
  const websocket = attachWebSocketEndpoint(httpServer, {
    schema,
    services,
    limits,
    authenticate,
    formatError,
    maxPayload: config.maxBodyBytes,
    maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket,
    maxSocketsPerToken: config.maxSocketsPerToken,
    log,
    metrics,
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    // Introspection is refused by the shared validation rules (OperationLimits), on both transports.
    introspection: true,
    csrfPrevention: true,
    // Compact JSON: Apollo pretty-prints by default, which costs a fifth of a 100-message stream fetch.
    stringifyResult: (value) => JSON.stringify(value),
    // main.ts owns SIGTERM: Apollo's own handler would re-raise the signal after stopping, and the
    // process would die of it (exit 143) instead of exiting 0 once everything is closed.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !config.production,
    formatError,
    validationRules: [...limits.rules],
    plugins: [
      // No HTTP caching of GraphQL answers here; skipping its per-field bookkeeping saves ~40% of a stream fetch.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await websocket.dispose();
            },
          };
        },
      },
      operationLimitsPlugin(limits),
      metricsPlugin(metrics),
      // The landing page points to the dashboard's explorer, which needs introspection: both
      // follow MAILSTREAM_INTROSPECTION.
      config.introspection ? landingPagePlugin() : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  app.get("/healthz", async (_req, res) => {
    const report = await health.report();
    res.status(report.ok ? 200 : 503).json(report.body);
  });
  app.get("/metrics", metricsHandler(metrics, config.metricsToken, log));
  app.use(
    "/attachments",
    createAttachmentsRouter({
      db,
      blobs,
      log,
      authenticate,
    }),
  );
  app.use(
    "/graphql",
    (_req, res, next) => {
      // Answers are JSON (or the landing page's HTML): never to be sniffed as anything else.
      res.setHeader("X-Content-Type-Options", "nosniff");
      // Never framed by another site (the development landing page is HTML with buttons: no
      // clickjacking). Only frame-ancestors: the page's own scripts are Apollo's to restrict.
      res.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
      res.setHeader("X-Frame-Options", "DENY");
      next();
    },
    express.json({ limit: config.maxBodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req }): Promise<GraphQLContext> => {
        const viewer = await authenticate(req.headers.authorization);
        const tokenRejected = viewer === null && bearerToken(req.headers.authorization) !== null;
        return { viewer, tokenRejected, services };
      },
    }),
  );
  if (config.push.publicUrl) {
    app.use(
      createNotificationRouter(
        notifications,
        new URL(config.push.publicUrl).pathname,
        config.maxBodyBytes,
        log,
      ),
    );
  }
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
      if (options.runSync !== false) {
        await scheduler.start();
        notifications.start();
      }
      health.ready();
      log.info({ host: config.host, port }, "mailstream listening");
      return { url: `http://${config.host}:${port}`, port };
    },
    stop() {
      // A second signal during shutdown waits for the first stop instead of racing it.
      stopping ??= (async () => {
        health.stopping();
        await notifications.stop();
        await scheduler.stop();
        progress.dispose();
        await apollo.stop();
        await bus.close();
        await db.close();
        log.info("mailstream stopped");
      })();
      return stopping;
    },
  };
}
