import { randomBytes, randomUUID } from "node:crypto";
import type { Deps } from "../app/deps.js";
import {
  clientStateMatches,
  lifetimeFromRefusal,
  renewalRetryTime,
  renewalTime,
  retryDelayMs,
} from "../domain/push-schedule.js";
import { notifiedMessageId, type NotifiedScope } from "../domain/notified-round.js";
import type { ResolvedConnection } from "../integrations/credential-checker.js";
import type { GraphSubscriptionRow, IntegrationRow } from "../storage/entities/index.js";
import {
  allSubscriptions,
  deleteSubscriptionRow,
  mailboxWithIntegration,
  pushCandidates,
  saveSubscription,
  saveSubscriptionState,
  subscriptionById,
  subscriptionOfMailbox,
  subscriptionsOfMailboxes,
} from "../storage/graph-subscription-store.js";
import { mailboxIdsOfIntegration } from "../storage/sync-store.js";
import type { ChangeSubscriptions, MailSource } from "../sync/mail-source.js";

/**
 * Graph change notifications for every synced mailbox (docs/push.md). A job (every TICK_MS, its
 * state in the database so it survives restarts) subscribes each mailbox whose first round is
 * done, renews subscriptions well ahead of expiry, retries refused ones, and deletes those of
 * mailboxes that stopped syncing. A notification never carries data: once its subscription id
 * and clientState check out, it only asks the scheduler for that mailbox's normal delta round.
 */
export interface NotificationServiceOptions {
  resolveConnection: (row: IntegrationRow) => ResolvedConnection;
  sourceFactory: (connection: ResolvedConnection) => MailSource;
  /**
   * Asks for a round of the mailbox now (coalesced by the scheduler): of the notified messages'
   * folders, or (the default) of everything.
   */
  requestRound: (mailboxId: string, scope?: NotifiedScope) => void;
  /** How often the job looks for work (default 2 s). */
  tickMs?: number;
}

export type PushMode = "ACTIVE" | "POLLING" | "PENDING";

export interface PushStatus {
  state: PushMode;
  reason: string | null;
  expiresAt: Date | null;
}

export interface NotificationStats {
  /** Change and lifecycle notifications received (items of `value`). */
  received: number;
  /** Change notifications that passed the checks and asked for a round. */
  accepted: number;
  /** Ignored: unknown subscription id, or a clientState that does not match. */
  rejected: number;
  /** Lifecycle notifications that passed the checks. */
  lifecycle: number;
  /** Validation handshakes answered. */
  validations: number;
}

export interface IncomingNotification {
  subscriptionId?: unknown;
  clientState?: unknown;
  changeType?: unknown;
  resource?: unknown;
  lifecycleEvent?: unknown;
}

const DEFAULT_TICK_MS = 2_000;
/** Subscription calls in flight at once (each creation waits for Graph's handshake). */
const CONCURRENCY = 8;
/** How long a stopped mailbox is left alone by the job (its removal finishing). */
const SUPPRESS_MS = 3_000;
const CHANGE_TYPES: ("created" | "updated" | "deleted")[] = ["created", "updated", "deleted"];

interface KnownSubscription {
  mailboxId: string;
  clientState: string;
}

export class NotificationService {
  private readonly stats: NotificationStats = {
    received: 0,
    accepted: 0,
    rejected: 0,
    lifecycle: 0,
    validations: 0,
  };
  /** Mailboxes whose subscription is active: the scheduler polls them at the safety interval. */
  private pushActive = new Set<string>();
  private readonly known = new Map<string, KnownSubscription>();
  private readonly busy = new Map<string, Promise<void>>();
  private readonly sources = new Map<string, { version: number; source: MailSource }>();
  private readonly queue: (() => void)[] = [];
  /** Mailboxes just stopped: not subscribed again for a moment (their removal is under way). */
  private readonly suppressedUntil = new Map<string, number>();
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private stopped = true;
  /** A shorter lifetime Graph asked for (named in a refusal); renewals stay within it. */
  private lifetimeCapSeconds = Number.POSITIVE_INFINITY;

  constructor(
    private readonly deps: Deps,
    private readonly options: NotificationServiceOptions,
  ) {}

  get enabled(): boolean {
    return this.deps.config.push.publicUrl !== null;
  }

  /** `<public url>/notifications/graph`. */
  get notificationUrl(): string {
    return `${this.deps.config.push.publicUrl ?? ""}/notifications/graph`;
  }

  get lifecycleUrl(): string {
    return `${this.notificationUrl}/lifecycle`;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.busy.values()]);
  }

  /** Seconds between polls of this mailbox: the safety net with push active, else the default. */
  pollIntervalFor(mailboxId: string): number | null {
    return this.pushActive.has(mailboxId) ? this.deps.config.push.safetyPollSeconds : null;
  }

  counters(): NotificationStats {
    return { ...this.stats };
  }

  countValidation(): void {
    this.stats.validations++;
    this.deps.metrics.pushNotification("validation");
  }

  async status(mailboxId: string): Promise<PushStatus> {
    const interval = this.deps.config.syncIntervalSeconds;
    if (!this.enabled)
      return {
        state: "POLLING",
        reason: `Change notifications are off (MAILSTREAM_PUBLIC_URL is not set): polled every ${interval} s.`,
        expiresAt: null,
      };
    const [row, target] = await this.deps.db.read(async (m) => [
      await subscriptionOfMailbox(m, mailboxId),
      await mailboxWithIntegration(m, mailboxId),
    ]);
    if (target && target.integration.api !== "GRAPH")
      return {
        state: "POLLING",
        reason: `This integration's API (${target.integration.api}) has no change notifications: polled every ${interval} s.`,
        expiresAt: null,
      };
    if (target && (!target.mailbox.enabled || !target.integration.enabled))
      return {
        state: "POLLING",
        reason: `The ${target.mailbox.enabled ? "integration" : "mailbox"} is disabled: no change notifications.`,
        expiresAt: null,
      };
    if (!row)
      return {
        state: "PENDING",
        reason:
          "A change-notification subscription is created once the mailbox's first round is done; polled until then.",
        expiresAt: null,
      };
    if (row.state === "ACTIVE")
      return {
        state: "ACTIVE",
        reason: `Change notifications active; a safety round every ${this.deps.config.push.safetyPollSeconds} s.`,
        expiresAt: row.expiresAt,
      };
    return { state: "POLLING", reason: row.reason, expiresAt: null };
  }

  // ---- incoming ------------------------------------------------------------------------------

  /** The items of one POST (already answered 202); each is checked on its own. */
  async receive(items: IncomingNotification[]): Promise<void> {
    for (const item of items) {
      this.stats.received++;
      const known =
        typeof item.subscriptionId === "string" ? await this.lookup(item.subscriptionId) : null;
      if (!known || !clientStateMatches(known.clientState, item.clientState)) {
        this.stats.rejected++;
        this.deps.metrics.pushNotification("rejected");
        this.deps.log.warn(
          { subscriptionKnown: Boolean(known) },
          "ignored a change notification with an unknown subscription or a wrong clientState",
        );
        continue;
      }
      const subscriptionId = item.subscriptionId as string;
      if (typeof item.lifecycleEvent === "string") {
        this.stats.lifecycle++;
        this.deps.metrics.pushNotification("lifecycle");
        this.onLifecycle(known.mailboxId, subscriptionId, item.lifecycleEvent);
        continue;
      }
      this.stats.accepted++;
      this.deps.metrics.pushNotification("accepted");
      // A created/updated message narrows the round to its folder; anything else: every folder.
      const messageId = notifiedMessageId(item.changeType, item.resource);
      this.options.requestRound(
        known.mailboxId,
        messageId === null ? "full" : { messages: [messageId] },
      );
    }
  }

  private onLifecycle(mailboxId: string, subscriptionId: string, event: string): void {
    this.deps.log.info({ mailboxId, event }, "change-notification lifecycle event");
    if (event === "missed") {
      this.options.requestRound(mailboxId);
      return;
    }
    if (event === "reauthorizationRequired" || event === "subscriptionRemoved") {
      this.run(mailboxId, async () => {
        const row = await this.deps.db.read((m) => subscriptionOfMailbox(m, mailboxId));
        if (!row || row.subscriptionId !== subscriptionId) return;
        if (event === "subscriptionRemoved") {
          // Graph removed it: nothing to delete there, a new one replaces it (and a round
          // catches up on what changed meanwhile).
          this.known.delete(subscriptionId);
          await this.create(mailboxId, { ...row, subscriptionId: null });
        } else await this.renew(row);
      });
    }
  }

  private async lookup(subscriptionId: string): Promise<KnownSubscription | null> {
    const cached = this.known.get(subscriptionId);
    if (cached) return cached;
    let row = await this.deps.db.read((m) => subscriptionById(m, subscriptionId));
    if (!row && this.busy.size > 0) {
      // A notification can overtake the answer to our POST /subscriptions: wait for creations.
      await Promise.allSettled([...this.busy.values()]);
      row = await this.deps.db.read((m) => subscriptionById(m, subscriptionId));
    }
    if (!row?.clientStateEnvelope) return null;
    const known = {
      mailboxId: row.mailboxId,
      clientState: this.deps.secrets.open(row.clientStateEnvelope, row.id),
    };
    this.known.set(subscriptionId, known);
    return known;
  }

  // ---- the job -------------------------------------------------------------------------------

  /** Deletes the mailbox's subscription (disabled, removed, integration off or switched). */
  async stopMailbox(mailboxId: string): Promise<void> {
    this.suppressedUntil.set(mailboxId, Date.now() + SUPPRESS_MS);
    await this.busy.get(mailboxId)?.catch(() => undefined);
    const row = await this.deps.db.read((m) => subscriptionOfMailbox(m, mailboxId));
    if (row) await this.remove(row);
  }

  async stopIntegration(integrationId: string): Promise<void> {
    const ids = await this.deps.db.read((m) => mailboxIdsOfIntegration(m, integrationId));
    const rows = await this.deps.db.read((m) => subscriptionsOfMailboxes(m, ids));
    await Promise.all(rows.map((row) => this.stopMailbox(row.mailboxId)));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      await this.reconcile();
    } catch (error) {
      this.deps.log.error({ err: error }, "change-notification job failed");
    } finally {
      this.ticking = false;
      this.schedule(this.options.tickMs ?? DEFAULT_TICK_MS);
    }
  }

  private async reconcile(): Promise<void> {
    const [candidates, rows] = await this.deps.db.read(async (m) => [
      this.enabled ? await pushCandidates(m) : [],
      await allSubscriptions(m),
    ]);
    const now = this.deps.now();
    for (const [id, until] of this.suppressedUntil)
      if (until <= Date.now()) this.suppressedUntil.delete(id);
    const wanted = new Set(
      candidates.map((c) => c.id).filter((id) => !this.suppressedUntil.has(id)),
    );
    const byMailbox = new Map(rows.map((r) => [r.mailboxId, r]));
    const wasActive = this.pushActive;
    this.pushActive = new Set(
      rows
        .filter(
          (r) =>
            wanted.has(r.mailboxId) &&
            r.state === "ACTIVE" &&
            r.expiresAt &&
            r.expiresAt.getTime() > now.getTime(),
        )
        .map((r) => r.mailboxId),
    );
    for (const id of wasActive) if (wanted.has(id)) this.leftPush(id);
    for (const row of rows) {
      if (this.busy.has(row.mailboxId)) continue;
      if (!wanted.has(row.mailboxId)) this.run(row.mailboxId, () => this.remove(row));
      else if (row.nextActionAt.getTime() <= now.getTime())
        this.run(row.mailboxId, () =>
          row.state === "ACTIVE" && row.subscriptionId
            ? this.renew(row)
            : this.create(row.mailboxId, row),
        );
    }
    for (const candidate of candidates)
      if (wanted.has(candidate.id) && !byMailbox.has(candidate.id) && !this.busy.has(candidate.id))
        this.run(candidate.id, () => this.create(candidate.id, null));
  }

  /** One operation per mailbox at a time, at most CONCURRENCY overall. */
  private run(mailboxId: string, work: () => Promise<void>): void {
    if (this.busy.has(mailboxId)) return;
    const done = (async () => {
      await this.slot();
      try {
        await work();
      } catch (error) {
        this.deps.log.error({ err: error, mailboxId }, "change-notification operation failed");
      } finally {
        this.release();
      }
    })();
    this.busy.set(mailboxId, done);
    void done.finally(() => this.busy.delete(mailboxId));
  }

  private slot(): Promise<void> {
    if (this.inFlight < CONCURRENCY) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.inFlight--;
  }

  private async create(mailboxId: string, existing: GraphSubscriptionRow | null): Promise<void> {
    if (!this.enabled || this.stopped) return;
    const target = await this.deps.db.read((m) => mailboxWithIntegration(m, mailboxId));
    if (!target) return;
    const { mailbox, integration } = target;
    const now = this.deps.now();
    const row: GraphSubscriptionRow = existing
      ? { ...existing }
      : {
          id: randomUUID(),
          mailboxId,
          subscriptionId: null,
          clientStateEnvelope: null,
          state: "POLLING",
          reason: null,
          expiresAt: null,
          nextActionAt: now,
          failures: 0,
          updatedAt: now,
        };
    const api = this.subscriptionsOf(integration);
    if (!api) {
      await this.save({
        ...row,
        state: "POLLING",
        reason: `This integration's API (${integration.api}) has no change notifications: polled every ${this.deps.config.syncIntervalSeconds} s.`,
        nextActionAt: new Date(now.getTime() + 24 * 3600_000),
        updatedAt: now,
      });
      return;
    }
    if (row.subscriptionId) {
      // Replacing a subscription: the old one goes first (its notifications would be ignored).
      this.known.delete(row.subscriptionId);
      await api.delete(mailbox.email, row.subscriptionId).catch(() => undefined);
    }
    const clientState = randomBytes(32).toString("base64url");
    const { subscriptionLifetimeSeconds, renewBeforeSeconds } = this.deps.config.push;
    const request = (lifetimeSeconds: number) =>
      api.create(mailbox.email, {
        notificationUrl: this.notificationUrl,
        lifecycleNotificationUrl: this.lifecycleUrl,
        changeTypes: CHANGE_TYPES,
        clientState,
        expiresAt: new Date(this.deps.now().getTime() + lifetimeSeconds * 1000),
      });
    try {
      const created = await request(subscriptionLifetimeSeconds).catch((error: unknown) => {
        // Graph names its own limit when the lifetime asked for is longer: ask again within it.
        const minutes = lifetimeFromRefusal(httpStatusOf(error), messageOf(error));
        if (minutes === null || minutes * 60 >= subscriptionLifetimeSeconds) throw error;
        this.lifetimeCapSeconds = minutes * 60;
        return request(minutes * 60);
      });
      const at = this.deps.now();
      this.known.set(created.id, { mailboxId, clientState });
      await this.save({
        ...row,
        subscriptionId: created.id,
        clientStateEnvelope: this.deps.secrets.seal(clientState, row.id),
        state: "ACTIVE",
        reason: null,
        expiresAt: created.expiresAt,
        nextActionAt: renewalTime(at, created.expiresAt, renewBeforeSeconds),
        failures: 0,
        updatedAt: at,
      });
      this.pushActive.add(mailboxId);
      this.deps.log.info(
        { mailboxId, expiresAt: created.expiresAt },
        "change-notification subscription created",
      );
      // Changes between the last round and the subscription came with no notification.
      this.options.requestRound(mailboxId);
    } catch (error) {
      const failures = row.failures + 1;
      const retryAt = new Date(now.getTime() + retryDelayMs(failures));
      if (this.pushActive.delete(mailboxId)) this.leftPush(mailboxId);
      await this.save({
        ...row,
        subscriptionId: null,
        clientStateEnvelope: null,
        state: "POLLING",
        reason: `Microsoft Graph refused the change-notification subscription (${describe(error)}): polled every ${this.deps.config.syncIntervalSeconds} s; tried again at ${retryAt.toISOString()}.`,
        expiresAt: null,
        nextActionAt: retryAt,
        failures,
        updatedAt: now,
      });
      this.deps.log.warn(
        { mailboxId, error: describe(error) },
        "change-notification subscription refused; polling",
      );
    }
  }

  /** PATCH with a new expiry: renews, and reauthorizes. A subscription Graph lost is recreated. */
  private async renew(row: GraphSubscriptionRow): Promise<void> {
    const target = await this.deps.db.read((m) => mailboxWithIntegration(m, row.mailboxId));
    const api = target && this.subscriptionsOf(target.integration);
    if (!target || !api || !row.subscriptionId) return this.create(row.mailboxId, row);
    const now = this.deps.now();
    const { subscriptionLifetimeSeconds, renewBeforeSeconds } = this.deps.config.push;
    try {
      const lifetime = Math.min(subscriptionLifetimeSeconds, this.lifetimeCapSeconds);
      const renewed = await api.renew(
        target.mailbox.email,
        row.subscriptionId,
        new Date(now.getTime() + lifetime * 1000),
      );
      const at = this.deps.now();
      await this.saveState({
        ...row,
        state: "ACTIVE",
        reason: null,
        expiresAt: renewed.expiresAt,
        nextActionAt: renewalTime(at, renewed.expiresAt, renewBeforeSeconds),
        failures: 0,
        updatedAt: at,
      });
      this.deps.log.info(
        { mailboxId: row.mailboxId, expiresAt: renewed.expiresAt },
        "change-notification subscription renewed",
      );
    } catch (error) {
      const expired = !row.expiresAt || row.expiresAt.getTime() <= now.getTime();
      if (kindOf(error) === "not_found" || expired) {
        // Gone at Graph (expired or removed): a new one, and a round for what was missed.
        await this.create(row.mailboxId, { ...row, subscriptionId: null });
        return;
      }
      const failures = row.failures + 1;
      const minutes = lifetimeFromRefusal(httpStatusOf(error), messageOf(error));
      if (minutes !== null) this.lifetimeCapSeconds = minutes * 60;
      await this.saveState({
        ...row,
        failures,
        // Refused for its length: again at once, within the limit Graph named.
        nextActionAt:
          minutes !== null ? now : renewalRetryTime(now, row.expiresAt as Date, failures),
        updatedAt: now,
      });
      this.deps.log.warn(
        { mailboxId: row.mailboxId, error: describe(error) },
        "change-notification renewal failed; retrying",
      );
    }
  }

  /**
   * A syncing mailbox no longer on push was last scheduled at the safety interval (up to
   * MAILSTREAM_SAFETY_POLL_INTERVAL away): a round now puts it back on the sync interval.
   */
  private leftPush(mailboxId: string): void {
    if (this.pushActive.has(mailboxId)) return;
    this.deps.log.info({ mailboxId }, "change notifications lost: polling again");
    this.options.requestRound(mailboxId);
  }

  private async remove(row: GraphSubscriptionRow): Promise<void> {
    this.pushActive.delete(row.mailboxId);
    if (row.subscriptionId) {
      this.known.delete(row.subscriptionId);
      const target = await this.deps.db.read((m) => mailboxWithIntegration(m, row.mailboxId));
      const api = target && this.subscriptionsOf(target.integration);
      if (target && api) {
        try {
          await api.delete(target.mailbox.email, row.subscriptionId);
        } catch (error) {
          // It expires on its own; its notifications meanwhile are ignored (unknown id).
          this.deps.log.warn(
            { mailboxId: row.mailboxId, error: describe(error) },
            "change-notification subscription could not be deleted; it will expire",
          );
        }
      }
    }
    await this.deps.db.transaction((m) => deleteSubscriptionRow(m, row.id));
  }

  private save(row: GraphSubscriptionRow): Promise<GraphSubscriptionRow> {
    return this.deps.db.transaction(async (m) => {
      // The mailbox may have been removed meanwhile (the row would dangle).
      if (!(await mailboxWithIntegration(m, row.mailboxId))) return row;
      return saveSubscription(m, row);
    });
  }

  /** A renewal's outcome: the row's state only, never its (maybe meanwhile re-sealed) clientState. */
  private saveState(row: GraphSubscriptionRow): Promise<void> {
    return this.deps.db.transaction((m) => saveSubscriptionState(m, row));
  }

  /** The integration's subscription API: Graph only, with a connection that opens. */
  private subscriptionsOf(integration: IntegrationRow): ChangeSubscriptions | null {
    if (integration.api !== "GRAPH") return null;
    const version = integration.updatedAt.getTime();
    const cached = this.sources.get(integration.id);
    if (cached && cached.version === version) return cached.source.subscriptions ?? null;
    const source = this.options.sourceFactory(this.options.resolveConnection(integration));
    this.sources.set(integration.id, { version, source });
    return source.subscriptions ?? null;
  }
}

function httpStatusOf(error: unknown): number | null {
  const status = (error as { httpStatus?: unknown } | null)?.httpStatus;
  return typeof status === "number" ? status : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function kindOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "kind" in error
    ? String((error as { kind: unknown }).kind)
    : undefined;
}

function describe(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const e = error as { httpStatus?: unknown; code?: unknown; message?: unknown };
  const parts = [
    typeof e.httpStatus === "number" ? `HTTP ${e.httpStatus}` : null,
    typeof e.code === "string" ? e.code : null,
  ].filter(Boolean);
  const message = typeof e.message === "string" ? e.message : "";
  return `${parts.join(" ")}${parts.length && message ? ": " : ""}${message}`.slice(0, 500);
}
