import { pino, type Logger } from "pino";
import type { LogLevel } from "../config/config.js";

export type { Logger };

/**
 * JSON lines on stdout. Any key that could carry a credential is censored wherever it appears,
 * as a second line of defence: services never pass secrets to the logger in the first place.
 */
const SECRET_KEYS = [
  "clientSecret",
  "privateKey",
  "servicePassword",
  "password",
  "secret",
  "token",
  "authorization",
  "adminToken",
  "secretKey",
  "secretEnvelope",
];

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const paths = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);
  return pino(
    { level, redact: { paths: [...paths, 'req.headers["authorization"]'], censor: "[redacted]" } },
    destination ?? process.stdout,
  );
}
