// `npm start`: the production server per shared/contract/RUNNING.md.
import "reflect-metadata";
import { setFlagsFromString } from "node:v8";
import { createApp } from "./app/create-app.js";
import { SecretKeyError } from "./auth/key-check.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { createExchange, OutboundHttp } from "./exchange/index.js";
import { Metrics } from "./observability/metrics.js";
import { processName } from "./sync/leases.js";

// A sync allocates fast and briefly (a page of messages lives from its response to its commit):
// V8's default lets the old generation grow to ~4x the live heap between full collections, which
// was most of the server's peak RSS (live ~40 MB, heap ~180 MB). Doubling instead keeps the peak
// near 230 MB at the same throughput (bench/README.md). Read at every collection, so it applies.
// The young generation is sized once, at start: `npm start` passes --max-semi-space-size=16 (Node
// 20's default; Node 24's V8 grows semi-spaces to 64 MB, peak RSS ~380 MB instead of ~270).
setFlagsFromString("--heap-growing-percent=100");

/** SIGTERM must end the process within this, even if something hangs. */
const SHUTDOWN_DEADLINE_MS = 9_000;

try {
  const config = loadConfig();
  // One guarded dispatcher for all Microsoft HTTP: MAILSTREAM_ALLOWED_HOSTS, time limits, no redirects.
  const outbound = new OutboundHttp({
    allowedHosts: config.allowedHosts,
    userAgent: `Mailstream (${processName(config.processName)})`,
  });
  // One registry for the process: the exchange clients count Graph requests into it (GET /metrics).
  const metrics = new Metrics();
  const { credentialChecker, mailSourceFactory, ewsPrincipals } = createExchange({
    outbound,
    metrics,
    ews: { maxConcurrentPerPrincipal: config.ewsConcurrency },
  });
  const app = await createApp(config, {
    credentialChecker,
    mailSourceFactory,
    ewsPrincipals,
    metrics,
  });
  if (app.generatedAdminToken) {
    // Printed once, on the first start with an empty database, and never logged.
    process.stdout.write(
      `\nBootstrap admin token (shown once, store it now):\n  ${app.generatedAdminToken}\n\n`,
    );
  }
  const { url } = await app.start().catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE" && error.code !== "EACCES") throw error;
    process.stderr.write(
      `Cannot listen on ${config.host}:${config.port} (${error.code}): set PORT (and HOST) to a free address.\n`,
    );
    await app.stop();
    process.exit(1);
  });
  process.stdout.write(`Mailstream at ${url}/graphql\n`);
  const shutdown = (signal: string) => {
    app.deps.log.info({ signal }, "shutting down");
    setTimeout(() => process.exit(1), SHUTDOWN_DEADLINE_MS).unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.deps.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Configuration error: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof SecretKeyError) {
    // One line a person can act on, no stack: the server refuses to start with keys that do not fit.
    process.stderr.write(`Cannot start: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
