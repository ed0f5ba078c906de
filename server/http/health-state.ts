/** What /healthz checks besides the server's own lifecycle. */
export interface HealthChecks {
  /** The database answers (a `SELECT 1` within a time limit). */
  database(): Promise<boolean>;
  /** Live events can be delivered (Redis reachable); null when no Redis is configured. */
  events: (() => boolean) | null;
}

export interface HealthReport {
  ok: boolean;
  body: Record<string, string>;
}

/**
 * `/healthz` answers 200 only between "migrated and listening" and "shutting down", and only while
 * the database (and Redis, when configured) is reachable — checked on each request, so it turns
 * healthy again by itself once either is back. Concurrent probes share one check.
 */
export class HealthState {
  private state: "starting" | "ready" | "stopping" = "starting";
  private inFlight: Promise<HealthReport> | null = null;

  constructor(private readonly checks: HealthChecks) {}

  ready(): void {
    this.state = "ready";
  }

  stopping(): void {
    this.state = "stopping";
  }

  get isReady(): boolean {
    return this.state === "ready";
  }

  report(): Promise<HealthReport> {
    if (this.state !== "ready") {
      return Promise.resolve({ ok: false, body: { status: "unavailable", server: this.state } });
    }
    this.inFlight ??= this.check().finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async check(): Promise<HealthReport> {
    const database = await this.checks.database();
    const events = this.checks.events ? this.checks.events() : true;
    if (database && events && this.state === "ready") return { ok: true, body: { status: "ok" } };
    const body: Record<string, string> = { status: "unavailable" };
    body.database = database ? "ok" : "unreachable";
    if (this.checks.events) body.redis = events ? "ok" : "unreachable";
    return { ok: false, body };
  }
}
