import { randomUUID } from "node:crypto";
import type { Principal } from "./access-tokens.js";
import type { Mailbox } from "./mailbox.js";
import { GraphHttpError } from "./odata-query.js";
import type { Directory } from "./tenant-directory.js";

/**
 * Graph change notifications (webhooks) as Microsoft documents them: `POST /subscriptions` checks
 * the request, validates `notificationUrl` and `lifecycleNotificationUrl` with the validationToken
 * handshake (POST `?validationToken=…`, the endpoint must answer 200 `text/plain` with the decoded
 * token within 10 s), and answers 201 with the subscription; `PATCH` renews (and reauthorizes),
 * `DELETE` answers 204, `POST …/reauthorize` reauthorizes. Mail changes are posted to the
 * notification URL as `{ value: [changeNotification] }` without resource data; lifecycle events
 * (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) are sent on demand. Expired
 * subscriptions disappear. Everything sent is recorded for tests.
 */

/** Graph's limit for Outlook messages without resource data: 10,080 minutes (7 days). */
export const MAX_MESSAGE_SUBSCRIPTION_MINUTES = 10_080;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const NOTIFICATION_TIMEOUT_MS = 3_000;

export interface SimSubscription {
  id: string;
  resource: string;
  changeType: string[];
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: number;
  applicationId: string;
  creatorId: string;
  tenantId: string;
  /** The mailbox the resource names. */
  mailbox: Mailbox;
  /** A folder id when the resource is one folder's messages. */
  folderId: string | null;
  /** After a reauthorizationRequired: change notifications pause until PATCH or reauthorize. */
  needsReauthorization: boolean;
  renewals: number;
}

export interface SentNotification {
  kind: "change" | "lifecycle" | "validation";
  url: string;
  subscriptionId: string | null;
  body: unknown;
  /** HTTP status of the answer; 0 when none came (refused, timed out). */
  status: number;
  at: number;
  durationMs: number;
}

export interface SubscriptionSettings {
  /** Refuse every new subscription with this status (403 like a tenant that forbids them). */
  refuse: { status: number; code: string; message: string } | null;
  /** Largest accepted lifetime; longer requests are refused (Graph's rule). */
  maxExpirationMinutes: number;
  /** Grant at most this lifetime (Graph answers with the expiration it set): short test expirations. */
  grantedLifetimeSeconds: number | null;
  /** Accept http:// notification URLs on loopback (Graph demands https; tests run plain HTTP). */
  allowLoopbackHttp: boolean;
}

export class GraphSubscriptions {
  readonly subscriptions = new Map<string, SimSubscription>();
  /** Every POST the simulator made to a subscriber, oldest first (bounded). */
  readonly sent: SentNotification[] = [];
  /** Create, renew, reauthorize and delete calls seen, oldest first. */
  readonly operations: { op: string; subscriptionId: string | null; status: number; at: number }[] =
    [];
  readonly settings: SubscriptionSettings = {
    refuse: null,
    maxExpirationMinutes: MAX_MESSAGE_SUBSCRIPTION_MINUTES,
    grantedLifetimeSeconds: null,
    allowLoopbackHttp: true,
  };

  constructor(
    private readonly directory: Directory,
    private readonly now: () => number,
  ) {}

  /** `/v1.0/subscriptions[/{id}[/reauthorize]]`. Returns the status and body to send. */
  async handle(
    principal: Principal,
    method: string,
    rest: string[],
    body: Record<string, unknown>,
  ): Promise<{ status: number; body?: unknown }> {
    this.expire();
    const [id, action] = rest;
    const op = `${method} ${id === undefined ? "" : action ? `{id}/${action}` : "{id}"}`.trim();
    try {
      const answer = await this.route(principal, method, id, action, body);
      this.operations.push({
        op,
        subscriptionId: id ?? answer.id ?? null,
        status: answer.status,
        at: this.now(),
      });
      return answer;
    } catch (error) {
      const status = error instanceof GraphHttpError ? error.status : 500;
      this.operations.push({ op, subscriptionId: id ?? null, status, at: this.now() });
      throw error;
    }
  }

  private async route(
    principal: Principal,
    method: string,
    id: string | undefined,
    action: string | undefined,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body?: unknown; id?: string }> {
    if (id === undefined) {
      if (method === "GET")
        return {
          status: 200,
          body: { value: this.visible(principal).map((s) => this.render(s)) },
        };
      if (method === "POST") {
        const created = await this.create(principal, body);
        return { status: 201, body: this.render(created), id: created.id };
      }
      throw new GraphHttpError(405, "BadRequest", `${method} is not supported on subscriptions.`);
    }
    const sub = this.subscriptions.get(id);
    if (!sub || sub.applicationId !== principal.app.clientId)
      throw new GraphHttpError(404, "ResourceNotFound", `The object was not found.`);
    if (action === "reauthorize" && method === "POST") {
      sub.needsReauthorization = false;
      return { status: 204 };
    }
    if (action !== undefined) throw new GraphHttpError(400, "BadRequest", "Unsupported action.");
    if (method === "GET") return { status: 200, body: this.render(sub) };
    if (method === "DELETE") {
      this.subscriptions.delete(id);
      return { status: 204 };
    }
    if (method === "PATCH") {
      sub.expirationDateTime = this.checkExpiration(body.expirationDateTime);
      sub.needsReauthorization = false;
      sub.renewals++;
      return { status: 200, body: this.render(sub) };
    }
    throw new GraphHttpError(405, "BadRequest", `${method} is not supported on a subscription.`);
  }

  private async create(
    principal: Principal,
    body: Record<string, unknown>,
  ): Promise<SimSubscription> {
    const refuse = this.settings.refuse;
    if (refuse) throw new GraphHttpError(refuse.status, refuse.code, refuse.message);
    const changeType = String(body.changeType ?? "")
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    if (
      changeType.length === 0 ||
      changeType.some((c) => !["created", "updated", "deleted"].includes(c))
    )
      throw new GraphHttpError(
        400,
        "InvalidRequest",
        "changeType must be created, updated and/or deleted.",
      );
    const notificationUrl = this.checkUrl(body.notificationUrl, "notificationUrl", true);
    const lifecycleNotificationUrl = this.checkUrl(
      body.lifecycleNotificationUrl,
      "lifecycleNotificationUrl",
      false,
    );
    const clientState =
      body.clientState === undefined || body.clientState === null ? null : String(body.clientState);
    if (clientState !== null && clientState.length > 128)
      throw new GraphHttpError(
        400,
        "InvalidRequest",
        "clientState must be at most 128 characters.",
      );
    if (body.includeResourceData === true)
      throw new GraphHttpError(
        400,
        "InvalidRequest",
        "This simulator serves notifications without resource data.",
      );
    const expirationDateTime = this.checkExpiration(body.expirationDateTime);
    const { mailbox, folderId } = this.resolveResource(principal, String(body.resource ?? ""));

    // The handshake: both URLs must echo the token, or there is no subscription.
    for (const url of [notificationUrl, lifecycleNotificationUrl]) {
      if (url && !(await this.validate(url)))
        throw new GraphHttpError(
          400,
          "ValidationError",
          "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        );
    }
    const sub: SimSubscription = {
      id: randomUUID(),
      resource: String(body.resource),
      changeType,
      clientState,
      notificationUrl,
      lifecycleNotificationUrl,
      expirationDateTime,
      applicationId: principal.app.clientId,
      creatorId:
        principal.kind === "user" ? principal.user.id : randomUUIDFor(principal.app.clientId),
      tenantId: principal.tenant.id,
      mailbox,
      folderId,
      needsReauthorization: false,
      renewals: 0,
    };
    this.subscriptions.set(sub.id, sub);
    return sub;
  }

  private checkUrl(value: unknown, name: string, required: boolean): string {
    if (value === undefined || value === null || value === "") {
      if (required) throw new GraphHttpError(400, "InvalidRequest", `${name} is required.`);
      return "";
    }
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw new GraphHttpError(400, "InvalidRequest", `${name} is not a valid URL.`);
    }
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (
      url.protocol !== "https:" &&
      !(url.protocol === "http:" && loopback && this.settings.allowLoopbackHttp)
    )
      throw new GraphHttpError(400, "InvalidRequest", `${name} must use the https protocol.`);
    return url.toString();
  }

  private checkExpiration(value: unknown): number {
    const at = typeof value === "string" ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at))
      throw new GraphHttpError(
        400,
        "InvalidRequest",
        "expirationDateTime is required and must be a date.",
      );
    const now = this.now();
    if (at <= now)
      throw new GraphHttpError(
        400,
        "InvalidRequest",
        "Subscription expiration must be in the future.",
      );
    const maxMinutes = this.settings.maxExpirationMinutes;
    if (at > now + maxMinutes * 60_000)
      throw new GraphHttpError(
        400,
        "InvalidRequest",
        `Subscription expiration can only be ${maxMinutes} minutes in the future.`,
      );
    const granted = this.settings.grantedLifetimeSeconds;
    return granted === null ? at : Math.min(at, now + granted * 1000);
  }

  /** `/users/{id|upn}/messages`, `/users/{id}/mailFolders('{id}')/messages`, `/me/…` for delegated. */
  private resolveResource(
    principal: Principal,
    resource: string,
  ): { mailbox: Mailbox; folderId: string | null } {
    const parts = resource
      .replace(/^\/+/, "")
      .split("/")
      .flatMap((seg) => {
        const m = /^([^()]+)\('?([^')]*)'?\)$/.exec(seg);
        return m ? [m[1] ?? "", m[2] ?? ""] : [seg];
      })
      .filter(Boolean);
    let user;
    let rest: string[];
    if (parts[0]?.toLowerCase() === "me" && principal.kind === "user") {
      user = principal.user;
      rest = parts.slice(1);
    } else if (parts[0]?.toLowerCase() === "users" && parts[1]) {
      user = principal.tenant.userByIdOrUpn(decodeURIComponent(parts[1]));
      rest = parts.slice(2);
    } else throw new GraphHttpError(400, "InvalidRequest", `Invalid resource: '${resource}'.`);
    const mailbox = user?.mailbox;
    if (!user || !mailbox || mailbox.deleted || mailbox.kind !== "licensed")
      throw new GraphHttpError(404, "ResourceNotFound", `Resource '${resource}' does not exist.`);
    const allowed =
      principal.kind === "user"
        ? principal.user.id === user.id || principal.user.fullAccessTo.has(mailbox.email)
        : ["Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic.All", "Mail.ReadBasic"].some((r) =>
            principal.roles.has(r),
          ) && principal.app.mayAccessMailbox(mailbox.email);
    if (!allowed)
      throw new GraphHttpError(
        403,
        "ExtensionError",
        "Operation: Create; Exception: [Status Code: Forbidden; Reason: Access is denied.]",
      );
    let folderId: string | null = null;
    if (
      rest[0]?.toLowerCase() === "mailfolders" &&
      rest[1] &&
      rest[2]?.toLowerCase() === "messages"
    ) {
      const folder = mailbox.resolveFolder(rest[1]);
      if (!folder)
        throw new GraphHttpError(404, "ResourceNotFound", `Folder '${rest[1]}' does not exist.`);
      folderId = folder.id;
    } else if (!(rest.length === 1 && rest[0]?.toLowerCase() === "messages"))
      throw new GraphHttpError(400, "InvalidRequest", `Unsupported resource: '${resource}'.`);
    return { mailbox, folderId };
  }

  private async validate(url: string): Promise<boolean> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set("validationToken", token);
    const started = this.now();
    let status = 0;
    let ok = false;
    try {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
        signal: AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS),
        redirect: "manual",
      });
      status = response.status;
      const text = await response.text();
      ok =
        status === 200 &&
        (response.headers.get("content-type") ?? "").toLowerCase().startsWith("text/plain") &&
        text === token;
    } catch {
      ok = false;
    }
    this.record({
      kind: "validation",
      url,
      subscriptionId: null,
      body: token,
      status,
      at: started,
      durationMs: this.now() - started,
    });
    return ok;
  }

  // ---- notifications -------------------------------------------------------------------------

  /** A change in a mailbox: every live subscription on it (and its folder) gets a notification. */
  mailChanged(
    mailbox: Mailbox,
    change: { kind: "created" | "updated" | "deleted"; messageId: string; folderId: string },
  ): void {
    this.expire();
    for (const sub of this.subscriptions.values()) {
      if (sub.mailbox !== mailbox || !sub.changeType.includes(change.kind)) continue;
      if (sub.folderId !== null && sub.folderId !== change.folderId) continue;
      if (sub.needsReauthorization) continue;
      const user = this.directory.tenantOf(mailbox).userByIdOrUpn(mailbox.email);
      const userId = user?.id ?? mailbox.userId;
      const notification = {
        id: randomUUID().replace(/-/g, "").slice(0, 13),
        subscriptionId: sub.id,
        subscriptionExpirationDateTime: new Date(sub.expirationDateTime).toISOString(),
        changeType: change.kind,
        resource: `Users/${userId}/Messages/${change.messageId}`,
        tenantId: sub.tenantId,
        ...(sub.clientState !== null && { clientState: sub.clientState }),
        resourceData: {
          "@odata.type": "#Microsoft.Graph.Message",
          "@odata.id": `Users/${userId}/Messages/${change.messageId}`,
          id: change.messageId,
        },
      };
      void this.post("change", sub.notificationUrl, sub.id, { value: [notification] });
    }
  }

  /**
   * Sends a lifecycle notification now. `subscriptionRemoved` removes the subscription first;
   * `reauthorizationRequired` pauses its change notifications until it is renewed or reauthorized.
   */
  async lifecycle(
    subscriptionId: string,
    event: "reauthorizationRequired" | "subscriptionRemoved" | "missed",
  ): Promise<number> {
    const sub = this.subscriptions.get(subscriptionId);
    if (!sub) throw new Error(`no subscription ${subscriptionId}`);
    if (!sub.lifecycleNotificationUrl)
      throw new Error(`subscription ${subscriptionId} has no lifecycleNotificationUrl`);
    if (event === "subscriptionRemoved") this.subscriptions.delete(sub.id);
    if (event === "reauthorizationRequired") sub.needsReauthorization = true;
    return this.post("lifecycle", sub.lifecycleNotificationUrl, sub.id, {
      value: [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: new Date(sub.expirationDateTime).toISOString(),
          tenantId: sub.tenantId,
          ...(sub.clientState !== null && { clientState: sub.clientState }),
          lifecycleEvent: event,
        },
      ],
    });
  }

  /** Subscriptions of a mailbox (by address), live ones only. */
  ofMailbox(email: string): SimSubscription[] {
    this.expire();
    const lower = email.toLowerCase();
    return [...this.subscriptions.values()].filter((s) => s.mailbox.email === lower);
  }

  list(): SimSubscription[] {
    this.expire();
    return [...this.subscriptions.values()];
  }

  clearRecords(): void {
    this.sent.length = 0;
    this.operations.length = 0;
  }

  /** Posts a body; answers below 300 count as delivered. One retry after a failure, like Graph's resends. */
  private async post(
    kind: "change" | "lifecycle",
    url: string,
    subscriptionId: string,
    body: unknown,
  ): Promise<number> {
    let status = 0;
    for (let attempt = 0; attempt < 2 && !(status >= 200 && status < 300); attempt++) {
      const started = this.now();
      status = 0;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(NOTIFICATION_TIMEOUT_MS),
          redirect: "manual",
        });
        status = response.status;
        await response.arrayBuffer();
      } catch {
        status = 0;
      }
      this.record({
        kind,
        url,
        subscriptionId,
        body,
        status,
        at: started,
        durationMs: this.now() - started,
      });
    }
    return status;
  }

  private record(entry: SentNotification): void {
    this.sent.push(entry);
    if (this.sent.length > 10_000) this.sent.splice(0, this.sent.length - 10_000);
  }

  private expire(): void {
    const now = this.now();
    for (const [id, sub] of this.subscriptions)
      if (sub.expirationDateTime <= now) this.subscriptions.delete(id);
  }

  private visible(principal: Principal): SimSubscription[] {
    return [...this.subscriptions.values()].filter(
      (s) => s.applicationId === principal.app.clientId,
    );
  }

  render(sub: SimSubscription): Record<string, unknown> {
    return {
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
      id: sub.id,
      resource: sub.resource,
      applicationId: sub.applicationId,
      changeType: sub.changeType.join(","),
      clientState: sub.clientState,
      notificationUrl: sub.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: sub.lifecycleNotificationUrl || null,
      expirationDateTime: new Date(sub.expirationDateTime).toISOString(),
      creatorId: sub.creatorId,
      includeResourceData: false,
      latestSupportedTlsVersion: "v1_2",
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }
}

/** A stable service-principal-like id for an app (creatorId of app-only subscriptions). */
function randomUUIDFor(clientId: string): string {
  return clientId;
}
