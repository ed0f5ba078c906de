import type { Context, Middleware, MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { ExchangeError, identityError, isTimeout, networkError } from "./graph-errors.js";
import type { Metrics } from "../observability/metrics.js";
import type { MailboxRequestLimiter } from "./mailbox-limiter.js";
import type { OutboundHttp } from "./outbound-http.js";
import {
  decideAfterNetworkError,
  decideAfterStatus,
  isRetryableStatus,
  sleep,
  type RetryOptions,
} from "./retry-policy.js";
import type { TokenProvider } from "./token-provider.js";

/**
 * The Graph client's middleware chain, ours around the library's:
 *   RetryMiddleware → AuthenticationHandler → LimiterMiddleware → TelemetryHandler → OutboundMessageHandler
 * Retries sit outside authentication so each attempt gets a current token (and a fresh one after a
 * 401); the limiter sits around the HTTP exchange itself so a request waiting to retry holds no
 * slot, and a slot is held until the whole body has arrived.
 */

/** Where Microsoft requests are counted (server/observability/metrics.ts); EWS records the same. */
export type ExchangeMetrics = Pick<Metrics, "exchangeRequest">;

/** 429, or 503 with Retry-After: Microsoft asking us to slow down (the retry policy honours it). */
export const isThrottled = (status: number, retryAfter: string | null): boolean =>
  status === 429 || (status === 503 && retryAfter !== null);

/** Per-request state, passed with `.middlewareOptions([scope])`. */
export class RequestScope implements MiddlewareOptions {
  /** Set when the chain gives up with a classified error (the Graph client would wrap it). */
  failure?: ExchangeError;
  attempts = 0;

  constructor(
    /** Limiter key: `<clientId>|<mailbox>`. */
    readonly limiterKey: string,
    readonly mailbox: string,
    readonly signal?: AbortSignal,
  ) {}
}

export type ExchangeEvent =
  | { type: "retry"; mailbox: string; attempt: number; delayMs: number; reason: string }
  | { type: "token-refresh"; mailbox: string };

function scopeOf(context: Context): RequestScope | undefined {
  return context.middlewareControl?.getMiddlewareOptions(RequestScope) as RequestScope | undefined;
}

function headersOf(context: Context): Record<string, string> {
  const options = (context.options ??= {});
  if (options.headers instanceof Headers) {
    const plain: Record<string, string> = {};
    options.headers.forEach((v, k) => (plain[k] = v));
    options.headers = plain;
  }
  return (options.headers ??= {}) as Record<string, string>;
}

export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly options: RetryOptions,
    private readonly tokens: TokenProvider,
    private readonly onEvent: (event: ExchangeEvent) => void = () => undefined,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error("RetryMiddleware has no next middleware");
    const scope = scopeOf(context);
    const callerSignal = scope?.signal;
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      if (scope) scope.attempts = attempt;
      const headers = headersOf(context);
      // The handlers after us append; each attempt must start without the previous token.
      delete headers.Authorization;
      delete headers.authorization;
      delete headers.SdkVersion;
      // The attempt's own time limit starts once it holds a slot (LimiterMiddleware).
      (context.options ??= {}).signal = callerSignal ?? null;
      try {
        await next.execute(context);
      } catch (error) {
        if (callerSignal?.aborted) throw callerSignal.reason;
        const classified =
          error instanceof ExchangeError ? error : networkError(error, isTimeout(error));
        const decision =
          classified.kind === "temporary"
            ? decideAfterNetworkError(attempt, this.options)
            : { retry: false as const };
        if (!decision.retry) {
          if (scope) scope.failure = classified;
          throw classified;
        }
        this.onEvent({
          type: "retry",
          mailbox: scope?.mailbox ?? "",
          attempt,
          delayMs: decision.delayMs,
          reason: classified.code,
        });
        await sleep(decision.delayMs, callerSignal);
        continue;
      }
      const response = context.response;
      if (!response) return;
      if (response.status === 401 && !refreshedToken) {
        refreshedToken = true;
        const rejected = /^Bearer (.+)$/.exec(headers.Authorization ?? "")?.[1];
        this.onEvent({ type: "token-refresh", mailbox: scope?.mailbox ?? "" });
        try {
          await this.tokens.refreshAfterRejection(rejected);
        } catch (error) {
          const classified = identityError(error);
          if (scope) scope.failure = classified;
          throw classified;
        }
        continue;
      }
      if (!isRetryableStatus(response.status)) return;
      const decision = decideAfterStatus(
        response.status,
        response.headers.get("retry-after"),
        attempt,
        this.options,
      );
      if (!decision.retry) return;
      this.onEvent({
        type: "retry",
        mailbox: scope?.mailbox ?? "",
        attempt,
        delayMs: decision.delayMs,
        reason: `HTTP ${response.status}`,
      });
      await sleep(decision.delayMs, callerSignal);
    }
  }
}

export class LimiterMiddleware implements Middleware {
  private next?: Middleware;

  constructor(
    private readonly limiter: MailboxRequestLimiter,
    private readonly requestTimeoutMs: number,
  ) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error("LimiterMiddleware has no next middleware");
    const scope = scopeOf(context);
    const callerSignal = context.options?.signal ?? undefined;
    const release = await this.limiter.acquire(scope?.limiterKey ?? "", callerSignal);
    const attempt = attemptSignal(callerSignal, this.requestTimeoutMs);
    (context.options ??= {}).signal = attempt.signal;
    try {
      await next.execute(context);
      const response = context.response;
      if (response) {
        // Read the whole body while holding the slot: the request is in flight until it has.
        const body = await response.arrayBuffer();
        const empty = response.status === 204 || response.status === 205 || response.status === 304;
        context.response = new Response(empty ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      }
    } finally {
      attempt.dispose();
      release();
    }
  }
}

/**
 * The end of the chain: the HTTP exchange itself, through the guarded OutboundHttp (egress rule,
 * connect and header time limits). A refused destination and a redirect are classified errors
 * ("credentials": the integration's configuration, not a passing fault); anything else thrown is
 * a network error for RetryMiddleware.
 */
export class OutboundMessageHandler implements Middleware {
  constructor(
    private readonly outbound: OutboundHttp,
    private readonly metrics?: ExchangeMetrics,
  ) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    context.response = await this.outbound.guardedFetch(
      "graph",
      url,
      context.options as RequestInit,
      (response) =>
        this.metrics?.exchangeRequest(
          "graph",
          response?.status ?? null,
          response !== null && isThrottled(response.status, response.headers.get("retry-after")),
        ),
    );
  }
}

/**
 * The signal of one attempt: the caller's abort or the time limit, whichever comes first. Built by
 * hand rather than with AbortSignal.any so a long-lived caller signal (a whole sync round) keeps no
 * listener per request once the attempt is over.
 */
function attemptSignal(
  caller: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException("The request timed out", "TimeoutError")),
    timeoutMs,
  );
  const onAbort = (): void => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
  };
}
