import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * `GET /metrics` (RUNNING.md): Prometheus text format. With MAILSTREAM_METRICS_TOKEN set, only a
 * request with `Authorization: Bearer <that token>` is answered (401 otherwise). A separate token
 * rather than an API token: a scraper's credential sits in a monitoring system's config, and must
 * not also read mail or change projects; it is compared in constant time.
 */
export function metricsHandler(
  metrics: Metrics,
  token: string | null,
  log: Logger,
): RequestHandler {
  const expected = token === null ? null : digest(token);
  return async (req, res) => {
    if (expected !== null) {
      const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
      if (!timingSafeEqual(digest(presented), expected)) {
        res.setHeader("WWW-Authenticate", 'Bearer realm="mailstream-metrics"');
        res
          .status(401)
          .json({ error: "Send MAILSTREAM_METRICS_TOKEN as 'Authorization: Bearer <token>'." });
        return;
      }
    }
    try {
      const { contentType, body } = await metrics.exposition();
      res.setHeader("Content-Type", contentType);
      res.setHeader("Cache-Control", "no-store");
      res.send(body);
    } catch (error) {
      log.error({ err: error }, "could not collect metrics");
      res.status(503).json({ error: "Metrics could not be collected; try again." });
    }
  };
}
