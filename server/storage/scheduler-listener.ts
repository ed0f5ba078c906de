import pg from "pg";
import type { Logger } from "../observability/logger.js";
import { SCHEDULER_CHANNEL } from "./lease-store.js";

/** Reconnect delay after the listening connection is lost (PostgreSQL restarted, network cut). */
const RECONNECT_MS = 1_000;

/**
 * LISTEN mailstream_sync on a connection of its own (a pooled connection cannot keep a LISTEN):
 * every notification (a request, a revocation, a new mailbox; sent with the transaction that made
 * the change, so it arrives after the change is visible) calls `onWake`. A lost connection is
 * re-opened every second; meanwhile the schedulers' own periodic ticks keep things moving, and
 * each reconnection wakes once to catch up on what it may have missed.
 */
export class SchedulerListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly onWake: (payload: string) => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err: error }, "scheduler notifications lost; reconnecting");
      this.scheduleReconnect();
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (message) => this.onWake(message.payload ?? ""));
    try {
      await client.connect();
      await client.query(`LISTEN ${SCHEDULER_CHANNEL}`);
      this.client = client;
      this.onWake("");
    } catch (error) {
      client.end().catch(() => undefined);
      if (this.stopped) return;
      this.log.warn({ err: error }, "scheduler notifications unavailable; retrying");
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
