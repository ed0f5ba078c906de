import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  type LabelValues,
  Registry,
} from "prom-client";

/**
 * The process's Prometheus metrics (`GET /metrics`), one registry per app (tests run several apps
 * in one process). Callers record through the named methods below, never through prom-client
 * itself, so names and labels live in this one file. Every method is a map lookup and an
 * addition: cheap enough for the sync engine's per-page path and the bus's per-event path.
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly rounds = new Counter({
    name: "mailstream_sync_rounds_total",
    help: "Sync rounds this process finished, by mailbox and outcome (up_to_date, failed, stopped, disabled).",
    labelNames: ["mailbox_id", "outcome"] as const,
    registers: [this.registry],
  });

  private readonly stored = new Counter({
    name: "mailstream_sync_messages_stored_total",
    help: "Messages this process stored (new to their bucket), by mailbox.",
    labelNames: ["mailbox_id"] as const,
    registers: [this.registry],
  });

  private readonly leases = new Gauge({
    name: "mailstream_sync_leases_held",
    help: "Mailbox leases this process holds right now.",
    registers: [this.registry],
  });

  private readonly liveProcesses = new Gauge({
    name: "mailstream_sync_processes_live",
    help: "Server processes of the deployment this process counts as live (heartbeat within the lease TTL; 1 on SQLite).",
    registers: [this.registry],
  });

  private readonly ewsBudget = new Gauge({
    name: "mailstream_ews_principal_budget",
    help: "EWS requests in flight this process allows each principal now: max(1, min(configured, floor(27 / live processes))).",
    registers: [this.registry],
  });

  private readonly exchangeRequests = new Counter({
    name: "mailstream_exchange_requests_total",
    help: "Requests to Microsoft (api: graph, ews) by HTTP status; `network_error` when none came back.",
    labelNames: ["api", "status"] as const,
    registers: [this.registry],
  });

  private readonly exchangeThrottled = new Counter({
    name: "mailstream_exchange_throttled_total",
    help: "Requests Microsoft throttled (429, or 503 with Retry-After), by api.",
    labelNames: ["api"] as const,
    registers: [this.registry],
  });

  private readonly operations = new Counter({
    name: "mailstream_graphql_operations_total",
    help: "GraphQL operations by name, type, transport (http, ws) and outcome (ok, error).",
    labelNames: ["operation", "type", "transport", "outcome"] as const,
    registers: [this.registry],
  });

  private readonly operationSeconds = new Histogram({
    name: "mailstream_graphql_operation_duration_seconds",
    help: "Time to answer a GraphQL query or mutation (subscriptions: time to start), by name, type and transport.",
    labelNames: ["operation", "type", "transport"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly liveSubscriptions = new Gauge({
    name: "mailstream_live_subscriptions",
    help: "GraphQL subscriptions running on this process's WebSockets.",
    registers: [this.registry],
  });

  private readonly busLag = new Histogram({
    name: "mailstream_event_bus_lag_seconds",
    help: "Time from an event's publish (on any process) to its delivery to this process's subscribers, by transport (memory, redis).",
    labelNames: ["transport"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [this.registry],
  });

  private readonly busEvents = new Counter({
    name: "mailstream_event_bus_events_received_total",
    help: "Events delivered to this process's bus (each once, however many local subscribers), by channel.",
    labelNames: ["channel"] as const,
    registers: [this.registry],
  });

  private readonly busPublishFailures = new Counter({
    name: "mailstream_event_bus_publish_failures_total",
    help: "Events that could not be published (Redis unreachable); their subscribers were ended with EVENTS_UNAVAILABLE.",
    registers: [this.registry],
  });

  private readonly busConnected = new Gauge({
    name: "mailstream_event_bus_connected",
    help: "1 while the event bus can deliver events (always for the in-process bus; Redis reachable otherwise).",
    registers: [this.registry],
  });

  private readonly pushNotifications = new Counter({
    name: "mailstream_push_notifications_total",
    help: "Graph change notifications received, by outcome: accepted (a round was asked for), rejected (unknown subscription or clientState), lifecycle, validation (handshakes).",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  private readonly notifiedRounds = new Counter({
    name: "mailstream_notified_rounds_total",
    help: "Rounds asked for by change notifications naming messages, by kind: scoped (only the notified messages' folders were synced) or full (a message or folder was not known, so every folder was).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  private readonly knownOperations = new Set<string>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Node's own: CPU, RSS, heap, event-loop lag, GC, handles (prefixed process_ / nodejs_).
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.busConnected.set(1);
  }

  // --- Sync engine (server/sync/) ---

  /** A mailbox round ended. */
  roundFinished(
    mailboxId: string,
    outcome: "up_to_date" | "failed" | "stopped" | "disabled",
  ): void {
    this.rounds.inc({ mailbox_id: mailboxId, outcome });
  }

  /** A page transaction committed `count` new messages for the mailbox. */
  messagesStored(mailboxId: string, count: number): void {
    if (count > 0) this.stored.inc({ mailbox_id: mailboxId }, count);
  }

  /** The number of mailbox leases this process holds now (the lease manager sets it on change). */
  setLeasesHeld(count: number): void {
    this.leases.set(count);
  }

  /** The live processes the lease manager counted (at each refresh). */
  setLiveProcesses(count: number): void {
    this.liveProcesses.set(count);
  }

  /** The EWS budget per principal this process keeps to now. */
  setEwsPrincipalBudget(requests: number): void {
    this.ewsBudget.set(requests);
  }

  /**
   * Per-mailbox lag, read when /metrics is scraped: seconds since each enabled mailbox's last
   * completed round (since it was added when none has completed), for every mailbox of the
   * deployment — any process answers the same.
   */
  mailboxLagFrom(read: () => Promise<{ mailboxId: string; lagSeconds: number }[]>): void {
    new Gauge({
      name: "mailstream_sync_lag_seconds",
      help: "Seconds since each enabled mailbox's last completed sync round (since it was added when none has).",
      labelNames: ["mailbox_id"] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await read()) this.set({ mailbox_id: row.mailboxId }, row.lagSeconds);
      },
    });
  }

  // --- Microsoft (server/exchange/: Graph middleware, EWS client) ---

  /** One HTTP exchange with Microsoft; `status` null when no response came (network, timeout). */
  exchangeRequest(api: "graph" | "ews", status: number | null, throttled: boolean): void {
    this.exchangeRequests.inc({ api, status: status === null ? "network_error" : String(status) });
    if (throttled) this.exchangeThrottled.inc({ api });
  }

  // --- GraphQL (Apollo plugin for HTTP, graphql-ws hooks for WebSocket) ---

  /** An operation finished; names beyond the first 200 seen are counted as `other`. */
  operation(
    name: string | null | undefined,
    type: string,
    transport: "http" | "ws",
    seconds: number,
    ok: boolean,
  ): void {
    const operation = this.operationLabel(name);
    const labels: LabelValues<"operation" | "type" | "transport"> = { operation, type, transport };
    this.operations.inc({ ...labels, outcome: ok ? "ok" : "error" });
    this.operationSeconds.observe(labels, seconds);
  }

  subscriptionStarted(): void {
    this.liveSubscriptions.inc();
  }

  subscriptionEnded(): void {
    this.liveSubscriptions.dec();
  }

  // --- Change notifications (server/notifications/) ---

  pushNotification(outcome: "accepted" | "rejected" | "lifecycle" | "validation"): void {
    this.pushNotifications.inc({ outcome });
  }

  notifiedRound(kind: "scoped" | "full"): void {
    this.notifiedRounds.inc({ kind });
  }

  // --- Event bus (server/events/) ---

  /** An event reached this process's bus `lagMs` after it was published. */
  eventDelivered(transport: "memory" | "redis", channel: string, lagMs: number): void {
    this.busLag.observe({ transport }, Math.max(0, lagMs) / 1000);
    this.busEvents.inc({ channel });
  }

  eventPublishFailed(): void {
    this.busPublishFailures.inc();
  }

  setEventBusConnected(connected: boolean): void {
    this.busConnected.set(connected ? 1 : 0);
  }

  /** Subscribers of the bus per channel, read at scrape. */
  busSubscribersFrom(count: (channel: string) => number, channels: readonly string[]): void {
    new Gauge({
      name: "mailstream_event_bus_subscribers",
      help: "Local subscribers of each event-bus channel (subscriptions, plus the server's own watchers).",
      labelNames: ["channel"] as const,
      registers: [this.registry],
      collect() {
        for (const channel of channels) this.set({ channel }, count(channel));
      },
    });
  }

  /** The Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (this.knownOperations.has(name)) return name;
    // Names come from clients: bounded, so a client cannot grow the registry without limit.
    if (this.knownOperations.size >= MAX_OPERATION_NAMES || !OPERATION_NAME.test(name))
      return "other";
    this.knownOperations.add(name);
    return name;
  }
}

const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
