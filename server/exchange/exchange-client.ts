import { GraphError, ResponseType, type Client } from "@microsoft/microsoft-graph-client";
import { normalizedGraphEndpoint, type ExchangeConnection } from "./connection.js";
import { createGraphClient } from "./graph-client-factory.js";
import {
  ExchangeError,
  graphHttpError,
  identityError,
  isNotEnabledForRest,
  type ExchangeErrorKind,
} from "./graph-errors.js";
import { RequestScope, type ExchangeEvent, type ExchangeMetrics } from "./graph-middleware.js";
import {
  FOLDER_SELECT,
  MESSAGE_SELECT,
  isSearchFolder,
  toRemoteAttachment,
  toRemoteMessage,
  type ExchangeFolder,
  type GraphAttachment,
  type GraphCollection,
  type GraphFolder,
  type GraphMessage,
} from "./graph-types.js";
import {
  MailboxRequestLimiter,
  type LimiterOptions,
  type LimiterStats,
} from "./mailbox-limiter.js";
import { defaultOutbound, type OutboundHttp } from "./outbound-http.js";
import { DEFAULT_RETRY_OPTIONS, parseRetryAfter, type RetryOptions } from "./retry-policy.js";
import { TokenProvider, type TokenProviderOptions } from "./token-provider.js";
import type { RemoteAttachment, RemoteMessage } from "../sync/mail-source.js";

/**
 * The product's operations on one Microsoft 365 connection, over msal-node and the Graph client.
 * Every request goes through the per-mailbox limiter (4 in flight, a budget per window), so a sync
 * engine may fire pages of many folders at once and let the limiter pipeline them. Every failure
 * is an ExchangeError (see graph-errors.ts).
 */
export interface ExchangeClientOptions {
  retry?: Partial<RetryOptions>;
  /** Share one limiter between clients of the same app so its per-mailbox limits hold overall. */
  limiter?: MailboxRequestLimiter;
  limits?: Partial<LimiterOptions>;
  tokens?: TokenProviderOptions;
  onEvent?: (event: ExchangeEvent) => void;
  /**
   * The guarded HTTP every request goes through (egress rule, time limits, no redirects). Share
   * one built from config.allowedHosts; default: public addresses only.
   */
  outbound?: OutboundHttp;
  /** Counts every HTTP exchange with Graph by status and throttling (GET /metrics). */
  metrics?: ExchangeMetrics;
}

export type TokenCheck =
  | { ok: true; expiresOn: Date }
  | { ok: false; kind: ExchangeErrorKind; code: string; message: string };

export type MailboxAccess =
  "ACCESSIBLE" | "NOT_FOUND" | "NOT_ENABLED_FOR_REST" | "ACCESS_DENIED" | "ERROR";

export interface MailboxCheck {
  email: string;
  access: MailboxAccess;
  /** Graph's error code, when not accessible. */
  code: string | null;
  error: string | null;
}

export interface DeltaPageRequest {
  /** A nextLink or deltaLink from an earlier page; absent for the first page of a folder. */
  link?: string | null;
  /** First page only: messages received at or after this instant (Graph then caps the round at 5,000). */
  receivedFrom?: Date | null;
  pageSize: number;
  /** First page only (later pages carry it in the link). */
  select?: readonly string[];
  signal?: AbortSignal;
}

export interface ExchangeDeltaPage {
  messages: RemoteMessage[];
  /** Ids of `@removed` entries: deleted, or moved out of the folder. */
  removedIds: string[];
  nextLink: string | null;
  deltaLink: string | null;
}

export interface ListMessagesRequest {
  link?: string | null;
  /** Received at or after. */
  receivedFrom?: Date | null;
  /** Received strictly before. */
  receivedBefore?: Date | null;
  /** By receivedDateTime (default "asc": oldest first). */
  order?: "asc" | "desc";
  top: number;
  select?: readonly string[];
  /** Ask Graph for the total count of matching messages (`@odata.count`). */
  count?: boolean;
  /**
   * Bring each message's attachment metadata along (`$expand=attachments($select=…)`), so a
   * listing page costs one request however many of its messages carry attachments.
   */
  expandAttachments?: boolean;
  signal?: AbortSignal;
}

export interface ExchangeListPage {
  messages: RemoteMessage[];
  nextLink: string | null;
  count: number | null;
}

/** The body of `POST /subscriptions` (Graph's subscription resource, the fields we set). */
export interface GraphSubscriptionRequest {
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  resource: string;
  expirationDateTime: string;
  clientState: string;
  latestSupportedTlsVersion: "v1_2";
}

export interface GraphSubscription {
  id: string;
  resource?: string;
  expirationDateTime: string;
}

export const ROOT_FOLDER_NAME = "Root";
/** msgfolderroot; named this way in paths whatever its (possibly localized) displayName. */
export const TOP_OF_STORE_NAME = "Top of Information Store";

const FOLDER_PAGE = 100;
const ATTACHMENT_SELECT = ["id", "name", "contentType", "size", "isInline"];

export class ExchangeClient {
  readonly tokens: TokenProvider;
  readonly limiter: MailboxRequestLimiter;
  private readonly graph: Client;
  private readonly endpoint: string;

  constructor(
    readonly connection: ExchangeConnection,
    options: ExchangeClientOptions = {},
  ) {
    const retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.endpoint = normalizedGraphEndpoint(connection);
    const outbound = options.outbound ?? defaultOutbound();
    this.tokens = new TokenProvider(connection, {
      retry: options.retry,
      outbound,
      ...options.tokens,
    });
    this.limiter = options.limiter ?? new MailboxRequestLimiter(options.limits);
    this.graph = createGraphClient(connection, {
      tokens: this.tokens,
      limiter: this.limiter,
      retry,
      outbound,
      onEvent: options.onEvent,
      metrics: options.metrics,
    });
  }

  /** Acquires a token with the configured credentials; the identity platform's error otherwise. */
  async acquireToken(): Promise<TokenCheck> {
    try {
      const token = await this.tokens.acquire();
      return { ok: true, expiresOn: token.expiresOn };
    } catch (error) {
      const e = identityError(error);
      return { ok: false, kind: e.kind, code: e.code, message: e.message };
    }
  }

  /**
   * Whether the app can read the mailbox, proven with a mail request (its Inbox): application
   * access policies apply to mail endpoints, not to the user object.
   */
  async checkMailbox(email: string, signal?: AbortSignal): Promise<MailboxCheck> {
    try {
      await this.request(
        email,
        withQuery(`${userPath(email)}/mailFolders/inbox`, { $select: "id" }),
        { signal },
      );
      return { email, access: "ACCESSIBLE", code: null, error: null };
    } catch (error) {
      if (!(error instanceof ExchangeError)) throw error;
      const access: MailboxAccess = isNotEnabledForRest(error.code)
        ? "NOT_ENABLED_FOR_REST"
        : error.kind === "not_found"
          ? "NOT_FOUND"
          : error.kind === "permission"
            ? "ACCESS_DENIED"
            : "ERROR";
      return { email, access, code: error.code, error: error.message };
    }
  }

  /**
   * Every folder from msgfolderroot down, parents before children, hidden folders included. Search
   * folders are skipped unless asked for (then marked): they show other folders' messages.
   */
  async *listFolderTree(
    email: string,
    options: { signal?: AbortSignal; includeSearchFolders?: boolean } = {},
  ): AsyncGenerator<ExchangeFolder> {
    const select = FOLDER_SELECT.join(",");
    const top = await this.request<GraphFolder>(
      email,
      withQuery(`${userPath(email)}/mailFolders/msgfolderroot`, { $select: select }),
      {
        signal: options.signal,
      },
    );
    const root = toFolder(top, [ROOT_FOLDER_NAME, TOP_OF_STORE_NAME]);
    yield root;
    let level = [root];
    while (level.length > 0) {
      // A whole level at once: the limiter keeps it to 4 requests in flight.
      const lists = await Promise.all(
        level
          .filter((f) => f.childFolderCount > 0 && !f.isSearchFolder)
          .map((f) => this.childFolders(email, f, select, options.signal)),
      );
      const next: ExchangeFolder[] = [];
      for (const child of lists.flat()) {
        if (child.isSearchFolder && !options.includeSearchFolders) continue;
        yield child;
        next.push(child);
      }
      level = next;
    }
  }

  async listFolders(
    email: string,
    options: { signal?: AbortSignal; includeSearchFolders?: boolean } = {},
  ): Promise<ExchangeFolder[]> {
    const out: ExchangeFolder[] = [];
    for await (const folder of this.listFolderTree(email, options)) out.push(folder);
    return out;
  }

  /** One page of a folder's message delta (immutable ids, `Prefer: odata.maxpagesize`). */
  async deltaPage(
    email: string,
    folderId: string,
    request: DeltaPageRequest,
  ): Promise<ExchangeDeltaPage> {
    const target = request.link
      ? this.ownLink(request.link)
      : withQuery(`${userPath(email)}/mailFolders/${encodeURIComponent(folderId)}/messages/delta`, {
          $select: (request.select ?? MESSAGE_SELECT).join(","),
          $filter: request.receivedFrom
            ? `receivedDateTime ge ${isoSeconds(request.receivedFrom)}`
            : undefined,
        });
    const page = await this.request<GraphCollection<GraphMessage>>(email, target, {
      signal: request.signal,
      prefer: [`odata.maxpagesize=${request.pageSize}`, 'IdType="ImmutableId"'],
    });
    const messages: RemoteMessage[] = [];
    const removedIds: string[] = [];
    for (const item of page.value ?? []) {
      if (item["@removed"]) removedIds.push(item.id);
      else messages.push(toRemoteMessage(item));
    }
    return {
      messages,
      removedIds,
      nextLink: page["@odata.nextLink"] ?? null,
      deltaLink: page["@odata.deltaLink"] ?? null,
    };
  }

  /** A page of a folder's messages by receivedDateTime — the listing has no 5,000 cap. */
  async listMessages(
    email: string,
    folderId: string,
    request: ListMessagesRequest,
  ): Promise<ExchangeListPage> {
    const filters: string[] = [];
    if (request.receivedFrom)
      filters.push(`receivedDateTime ge ${isoSeconds(request.receivedFrom)}`);
    if (request.receivedBefore)
      filters.push(`receivedDateTime lt ${isoSeconds(request.receivedBefore)}`);
    const target = request.link
      ? this.ownLink(request.link)
      : withQuery(`${userPath(email)}/mailFolders/${encodeURIComponent(folderId)}/messages`, {
          $filter: filters.length > 0 ? filters.join(" and ") : undefined,
          $orderby: `receivedDateTime ${request.order ?? "asc"}`,
          $top: String(request.top),
          $select: (request.select ?? MESSAGE_SELECT).join(","),
          $count: request.count ? "true" : undefined,
          $expand: request.expandAttachments
            ? `attachments($select=${ATTACHMENT_SELECT.join(",")})`
            : undefined,
        });
    const page = await this.request<GraphCollection<GraphMessage>>(email, target, {
      signal: request.signal,
      prefer: ['IdType="ImmutableId"'],
    });
    return {
      messages: (page.value ?? []).map(toRemoteMessage),
      nextLink: page["@odata.nextLink"] ?? null,
      count: page["@odata.count"] ?? null,
    };
  }

  /** How many messages of a folder were received in [from, before) — a volume estimate. */
  async countMessages(
    email: string,
    folderId: string,
    request: {
      receivedFrom?: Date | null;
      receivedBefore?: Date | null;
      signal?: AbortSignal;
    } = {},
  ): Promise<number> {
    const page = await this.listMessages(email, folderId, {
      ...request,
      top: 1,
      select: ["id"],
      count: true,
    });
    return page.count ?? 0;
  }

  /** One message by its immutable id, or null when the mailbox no longer has it. */
  async getMessage(
    email: string,
    messageId: string,
    signal?: AbortSignal,
  ): Promise<RemoteMessage | null> {
    const target = withQuery(`${userPath(email)}/messages/${encodeURIComponent(messageId)}`, {
      $select: MESSAGE_SELECT.join(","),
    });
    try {
      const message = await this.request<GraphMessage>(email, target, {
        signal,
        prefer: ['IdType="ImmutableId"'],
      });
      return toRemoteMessage(message);
    } catch (error) {
      if (error instanceof ExchangeError && error.code === "ErrorItemNotFound") return null;
      throw error;
    }
  }

  /**
   * The parentFolderId of a message (`$select=parentFolderId`, one small request), in the id form
   * the folder listing uses; null when Graph no longer has the message.
   */
  async messageFolder(
    email: string,
    messageId: string,
    signal?: AbortSignal,
  ): Promise<string | null> {
    const target = withQuery(`${userPath(email)}/messages/${encodeURIComponent(messageId)}`, {
      $select: "parentFolderId",
    });
    try {
      const message = await this.request<{ parentFolderId?: string | null }>(email, target, {
        signal,
      });
      return typeof message.parentFolderId === "string" && message.parentFolderId !== ""
        ? message.parentFolderId
        : null;
    } catch (error) {
      if (error instanceof ExchangeError && error.code === "ErrorItemNotFound") return null;
      throw error;
    }
  }

  /** Attachment metadata; file contents too with `includeContent` (Graph sends them base64). */
  async listAttachments(
    email: string,
    messageId: string,
    options: { includeContent?: boolean; signal?: AbortSignal } = {},
  ): Promise<RemoteAttachment[]> {
    let target: string | null = withQuery(
      `${userPath(email)}/messages/${encodeURIComponent(messageId)}/attachments`,
      {
        $select: options.includeContent ? undefined : ATTACHMENT_SELECT.join(","),
      },
    );
    const out: RemoteAttachment[] = [];
    while (target) {
      const page: GraphCollection<GraphAttachment> = await this.request(email, target, {
        signal: options.signal,
        prefer: ['IdType="ImmutableId"'],
      });
      out.push(...(page.value ?? []).map(toRemoteAttachment));
      target = page["@odata.nextLink"] ? this.ownLink(page["@odata.nextLink"]) : null;
    }
    return out;
  }

  /** Raw attachment contents (`$value`): the file, or the attached item as MIME. */
  async attachmentContent(
    email: string,
    messageId: string,
    attachmentId: string,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const path = `${userPath(email)}/messages/${encodeURIComponent(messageId)}/attachments/${encodeURIComponent(attachmentId)}/$value`;
    const response = await this.request<Response>(email, path, {
      signal,
      raw: true,
      prefer: ['IdType="ImmutableId"'],
    });
    if (!response.ok) {
      let code: string | null = null;
      let message = "";
      try {
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        code = body.error?.code ?? null;
        message = body.error?.message ?? "";
      } catch {
        // not JSON: the status says enough
      }
      throw graphHttpError(
        response.status,
        code,
        message,
        parseRetryAfter(response.headers.get("retry-after")),
      );
    }
    return Buffer.from(await response.arrayBuffer());
  }

  // ---- change notifications (subscriptions) ---------------------------------------------------

  /** `POST /subscriptions`: Graph validates the notification URLs before it answers 201. */
  createSubscription(
    email: string,
    body: GraphSubscriptionRequest,
    signal?: AbortSignal,
  ): Promise<GraphSubscription> {
    return this.request<GraphSubscription>(email, "/subscriptions", {
      signal,
      method: "POST",
      body,
    });
  }

  /** `PATCH /subscriptions/{id}`: renews, and reauthorizes at the same time. */
  renewSubscription(
    email: string,
    id: string,
    expirationDateTime: Date,
    signal?: AbortSignal,
  ): Promise<GraphSubscription> {
    return this.request<GraphSubscription>(email, `/subscriptions/${encodeURIComponent(id)}`, {
      signal,
      method: "PATCH",
      body: { expirationDateTime: expirationDateTime.toISOString() },
    });
  }

  /** `DELETE /subscriptions/{id}`; one already gone (404) counts as deleted. */
  async deleteSubscription(email: string, id: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.request(email, `/subscriptions/${encodeURIComponent(id)}`, {
        signal,
        method: "DELETE",
      });
    } catch (error) {
      if (error instanceof ExchangeError && error.httpStatus === 404) return;
      throw error;
    }
  }

  limiterStats(email: string): LimiterStats {
    return this.limiter.stats(this.limiterKey(email));
  }

  private async childFolders(
    email: string,
    parent: ExchangeFolder,
    select: string,
    signal?: AbortSignal,
  ): Promise<ExchangeFolder[]> {
    let target: string | null = withQuery(
      `${userPath(email)}/mailFolders/${encodeURIComponent(parent.id)}/childFolders`,
      {
        includeHiddenFolders: "true",
        $top: String(FOLDER_PAGE),
        $select: select,
      },
    );
    const out: ExchangeFolder[] = [];
    while (target) {
      const page: GraphCollection<GraphFolder> = await this.request(email, target, { signal });
      for (const f of page.value ?? [])
        out.push(toFolder(f, [...parent.path, f.displayName ?? ""]));
      target = page["@odata.nextLink"] ? this.ownLink(page["@odata.nextLink"]) : null;
    }
    return out;
  }

  private async request<T>(
    email: string,
    target: string,
    options: {
      signal?: AbortSignal;
      prefer?: string[];
      raw?: boolean;
      method?: "GET" | "POST" | "PATCH" | "DELETE";
      body?: unknown;
    } = {},
  ): Promise<T> {
    const scope = new RequestScope(this.limiterKey(email), email.toLowerCase(), options.signal);
    let request = this.graph.api(target).middlewareOptions([scope]);
    if (options.prefer) request = request.header("Prefer", options.prefer.join(", "));
    if (options.raw) request = request.responseType(ResponseType.RAW);
    try {
      switch (options.method ?? "GET") {
        case "POST":
          return (await request.post(options.body)) as T;
        case "PATCH":
          return (await request.patch(options.body)) as T;
        case "DELETE":
          return (await request.delete()) as T;
        default:
          return (await request.get()) as T;
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (scope.failure) throw scope.failure;
      if (error instanceof ExchangeError) throw error;
      if (error instanceof GraphError) {
        const retryAfter = parseRetryAfter(error.headers?.get("retry-after"));
        throw graphHttpError(error.statusCode, error.code, error.message ?? "", retryAfter);
      }
      throw new ExchangeError(
        "unexpected",
        "Unknown",
        null,
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  /** Paging links must point at this connection's Graph endpoint (our token goes with them). */
  private ownLink(link: string): string {
    if (!link.startsWith(`${this.endpoint}/`)) {
      throw new ExchangeError(
        "unexpected",
        "ForeignLink",
        null,
        "Refusing to follow a paging link outside the Graph endpoint",
      );
    }
    return link;
  }

  private limiterKey(email: string): string {
    return `${this.connection.clientId.toLowerCase()}|${email.toLowerCase()}`;
  }
}

function userPath(email: string): string {
  return `/users/${encodeURIComponent(email)}`;
}

function withQuery(path: string, params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return parts.length > 0 ? `${path}?${parts.join("&")}` : path;
}

/** Graph DateTimeOffset literal, UTC. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

function toFolder(f: GraphFolder, path: string[]): ExchangeFolder {
  return {
    id: f.id,
    displayName: f.displayName ?? "",
    parentId: f.parentFolderId ?? null,
    path,
    totalItemCount: f.totalItemCount ?? 0,
    childFolderCount: f.childFolderCount ?? 0,
    isHidden: f.isHidden === true,
    isSearchFolder: isSearchFolder(f),
  };
}
