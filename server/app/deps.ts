import type { SecretBox } from "../auth/secret-box.js";
import type { Config } from "../config/config.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { Database } from "../storage/database.js";
import type { EventBus } from "../events/event-bus.js";

/** What every service is built from; created once by createApp. */
export interface Deps {
  config: Config;
  db: Database;
  secrets: SecretBox;
  log: Logger;
  events: EventBus;
  blobs: BlobStore;
  /** Prometheus metrics (GET /metrics): the sync engine, the bus and the transports record here. */
  metrics: Metrics;
  now: () => Date;
}
