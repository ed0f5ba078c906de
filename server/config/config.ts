import { resolve } from "node:path";
import { AllowedHostsError, parseAllowedHosts, type AllowedHosts } from "../domain/egress-rule.js";
import { EWS_MAX_CONCURRENCY } from "../domain/ews-budget.js";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Everything the server reads from its environment, parsed and checked once at start-up. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Unset: SQLite in the data dir. */
  databaseUrl: string | null;
  /** Set: live events go through Redis (server/events/redis-event-bus.ts). */
  redisUrl: string | null;
  /** Prefix of every Redis channel name (MAILSTREAM_REDIS_PREFIX), so deployments can share one Redis. */
  redisPrefix: string;
  /** Bearer token `GET /metrics` requires (MAILSTREAM_METRICS_TOKEN); null: /metrics is open. Secret. */
  metricsToken: string | null;
  /** 32 bytes, from MAILSTREAM_SECRET_KEY; null means "load or generate in the data dir". Secret. */
  secretKey: Buffer | null;
  /** Older keys that still open stored secrets during a rotation (MAILSTREAM_PREVIOUS_SECRET_KEYS). */
  previousSecretKeys: Buffer[];
  /** Bootstrap admin token for a first start on an empty database. Secret. */
  adminToken: string | null;
  syncIntervalSeconds: number;
  /**
   * Seconds a mailbox lease lives without renewal (MAILSTREAM_LEASE_TTL, PostgreSQL only): how
   * long a dead process's mailboxes wait before another process takes them over.
   */
  leaseTtlSeconds: number;
  /** Mailbox rounds one process runs at once (MAILSTREAM_MAX_CONCURRENT_ROUNDS). */
  maxConcurrentRounds: number;
  /**
   * EWS requests in flight per principal on this process (MAILSTREAM_EWS_CONCURRENCY, 1–26): on
   * PostgreSQL each process lowers it to its part of Exchange's 27 (server/domain/ews-budget.ts).
   */
  ewsConcurrency: number;
  /** How this process shows in `heldBy` and in its Graph User-Agent (default `<host>:<pid>`). */
  processName: string | null;
  logLevel: LogLevel;
  /** Production: masked internal errors, no introspection or landing page unless asked for. */
  production: boolean;
  introspection: boolean;
  /** Introspection without a token (MAILSTREAM_PUBLIC_INTROSPECTION); by default it needs one. */
  publicIntrospection: boolean;
  /**
   * Hosts and networks integrations may reach although they are not public (loopback, private,
   * link-local…), from MAILSTREAM_ALLOWED_HOSTS; empty: public addresses only.
   */
  allowedHosts: AllowedHosts;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** Deepest accepted query. */
  maxQueryDepth: number;
  /** Largest accepted query cost (one per field, list fields multiplied by their page size). */
  maxQueryCost: number;
  /** Operations (subscriptions, and queries in flight) one WebSocket may have active at once. */
  maxSubscriptionsPerSocket: number;
  /** WebSockets one API token may have open at once. */
  maxSocketsPerToken: number;
  /** Time a client has to send a request's headers and its whole body, in milliseconds. */
  requestTimeoutMs: number;
  /** Change notifications (docs/push.md); `publicUrl` null: polling only. */
  push: PushConfig;
}

export interface PushConfig {
  /** The server as Microsoft reaches it (MAILSTREAM_PUBLIC_URL), without a trailing slash. */
  publicUrl: string | null;
  /** Seconds between safety-net rounds of a mailbox with notifications active. */
  safetyPollSeconds: number;
  /** Lifetime asked for a subscription (Graph grants at most 10,080 minutes for mail). */
  subscriptionLifetimeSeconds: number;
  /** A subscription is renewed this long before it expires (at the latest). */
  renewBeforeSeconds: number;
}

export class ConfigError extends Error {}

const LOG_LEVELS: LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function processName(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (!/^[\x21-\x7e]{1,100}$/.test(raw)) {
    throw new ConfigError(
      `MAILSTREAM_PROCESS_NAME must be 1-100 visible ASCII characters without spaces, got "${raw}"`,
    );
  }
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === "production";
  let secretKey: Buffer | null = null;
  if (env.MAILSTREAM_SECRET_KEY) {
    secretKey = Buffer.from(env.MAILSTREAM_SECRET_KEY, "base64");
    if (secretKey.length !== 32) {
      throw new ConfigError("MAILSTREAM_SECRET_KEY must be the base64 of exactly 32 bytes");
    }
  }
  const previousSecretKeys = (env.MAILSTREAM_PREVIOUS_SECRET_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => {
      const key = Buffer.from(k, "base64");
      if (key.length !== 32) {
        throw new ConfigError(
          "each MAILSTREAM_PREVIOUS_SECRET_KEYS entry must be base64 of 32 bytes",
        );
      }
      return key;
    });
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must be a postgres:// URL (unset it to use SQLite)");
  }
  const redisUrl = env.REDIS_URL || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(
      "REDIS_URL must be a redis:// or rediss:// URL (unset it for in-process events)",
    );
  }
  const metricsToken = env.MAILSTREAM_METRICS_TOKEN || null;
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);
  }
  let allowedHosts: AllowedHosts;
  try {
    allowedHosts = parseAllowedHosts(env.MAILSTREAM_ALLOWED_HOSTS);
  } catch (error) {
    if (error instanceof AllowedHostsError) throw new ConfigError(error.message);
    throw error;
  }
  return {
    push: parsePush(env),
    host: env.HOST || "127.0.0.1",
    port: integer(env, "PORT", 4000, 0, 65535),
    dataDir: resolve(env.MAILSTREAM_DATA_DIR || "./data"),
    databaseUrl,
    redisUrl,
    redisPrefix: env.MAILSTREAM_REDIS_PREFIX ?? "mailstream:",
    metricsToken,
    secretKey,
    previousSecretKeys,
    adminToken: env.MAILSTREAM_ADMIN_TOKEN || null,
    syncIntervalSeconds: integer(env, "MAILSTREAM_SYNC_INTERVAL", 60, 1, 86_400),
    leaseTtlSeconds: integer(env, "MAILSTREAM_LEASE_TTL", 15, 2, 300),
    maxConcurrentRounds: integer(env, "MAILSTREAM_MAX_CONCURRENT_ROUNDS", 8, 1, 1_000),
    ewsConcurrency: integer(env, "MAILSTREAM_EWS_CONCURRENCY", 10, 1, EWS_MAX_CONCURRENCY - 1),
    processName: processName(env.MAILSTREAM_PROCESS_NAME),
    logLevel,
    production,
    introspection: flag(env, "MAILSTREAM_INTROSPECTION", !production),
    publicIntrospection: flag(env, "MAILSTREAM_PUBLIC_INTROSPECTION", false),
    allowedHosts,
    maxBodyBytes: integer(env, "MAILSTREAM_MAX_BODY_BYTES", 1_000_000, 1_000, 100_000_000),
    maxQueryDepth: integer(env, "MAILSTREAM_MAX_QUERY_DEPTH", 12, 3, 100),
    maxQueryCost: integer(env, "MAILSTREAM_MAX_QUERY_COST", 50_000, 100, 10_000_000),
    maxSubscriptionsPerSocket: integer(
      env,
      "MAILSTREAM_MAX_SUBSCRIPTIONS_PER_SOCKET",
      100,
      1,
      10_000,
    ),
    maxSocketsPerToken: integer(env, "MAILSTREAM_MAX_SOCKETS_PER_TOKEN", 20, 1, 10_000),
    requestTimeoutMs: integer(env, "MAILSTREAM_REQUEST_TIMEOUT", 30, 1, 3_600) * 1000,
  };
}

/** Graph's longest subscription for Outlook messages without resource data, minus a margin. */
const DEFAULT_SUBSCRIPTION_MINUTES = 10_070;

function parsePush(env: NodeJS.ProcessEnv): PushConfig {
  const raw = env.MAILSTREAM_PUBLIC_URL?.trim();
  let publicUrl: string | null = null;
  if (raw) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`MAILSTREAM_PUBLIC_URL must be a URL (https://…), got "${raw}"`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new ConfigError("MAILSTREAM_PUBLIC_URL must be an https:// URL");
    if (url.search || url.hash || url.username || url.password)
      throw new ConfigError(
        "MAILSTREAM_PUBLIC_URL must have no query, fragment or credentials (just https://host[/path])",
      );
    publicUrl = url.toString().replace(/\/+$/, "");
  }
  const lifetime = integer(
    env,
    "MAILSTREAM_PUSH_SUBSCRIPTION_MINUTES",
    DEFAULT_SUBSCRIPTION_MINUTES,
    1,
    10_080,
  );
  return {
    publicUrl,
    safetyPollSeconds: integer(env, "MAILSTREAM_SAFETY_POLL_INTERVAL", 900, 1, 86_400),
    subscriptionLifetimeSeconds: lifetime * 60,
    renewBeforeSeconds: integer(env, "MAILSTREAM_PUSH_RENEW_BEFORE", 86_400, 1, 604_800),
  };
}
