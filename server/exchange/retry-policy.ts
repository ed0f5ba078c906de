/**
 * How long to wait before trying a Microsoft request again, and whether to. The Graph client's
 * built-in RetryHandler retries only 429/503/504, not network errors, and cannot fetch a fresh
 * token on 401; so the module uses its own middleware (graph-middleware.ts) driven by this policy:
 * - 429/503/504 with Retry-After: wait what Microsoft asks (up to maxRetryAfterMs; longer waits are
 *   handed to the caller as a temporary error carrying retryAfterMs);
 * - other 5xx, 429 without Retry-After, network errors and timeouts: exponential backoff with full
 *   jitter;
 * - 401: once, with a freshly acquired token;
 * - at most maxAttempts tries in all.
 */
export interface RetryOptions {
  /** Tries per request, the first included. */
  maxAttempts: number;
  /** First backoff step; doubles per attempt. */
  baseDelayMs: number;
  /** Cap of one backoff step. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for inside the request. */
  maxRetryAfterMs: number;
  /** One attempt's time limit. */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  requestTimeoutMs: 120_000,
};

/** Statuses that name a Retry-After Microsoft expects clients to honour. */
const RETRY_AFTER_STATUSES = new Set([429, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; retryAfterMs?: number };

/** Decision after an HTTP answer with a retryable status, on the given (1-based) attempt. */
export function decideAfterStatus(
  status: number,
  retryAfterHeader: string | null,
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): RetryDecision {
  const retryAfterMs = RETRY_AFTER_STATUSES.has(status)
    ? parseRetryAfter(retryAfterHeader)
    : undefined;
  if (!isRetryableStatus(status) || attempt >= options.maxAttempts)
    return { retry: false, retryAfterMs };
  if (retryAfterMs !== undefined) {
    return retryAfterMs <= options.maxRetryAfterMs
      ? { retry: true, delayMs: retryAfterMs }
      : { retry: false, retryAfterMs };
  }
  return { retry: true, delayMs: backoffDelay(attempt, options, random) };
}

/** Decision after a network error or timeout (no HTTP answer). */
export function decideAfterNetworkError(
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): RetryDecision {
  return attempt >= options.maxAttempts
    ? { retry: false }
    : { retry: true, delayMs: backoffDelay(attempt, options, random) };
}

/** Sleeps, unless the signal aborts first (then rejects with its reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
