import { describe, expect, it } from "vitest";
import {
  ExchangeError,
  graphHttpError,
  identityError,
  kindOfHttpStatus,
} from "../../server/exchange/graph-errors.js";
import { MailboxRequestLimiter } from "../../server/exchange/mailbox-limiter.js";
import {
  DEFAULT_RETRY_OPTIONS,
  backoffDelay,
  decideAfterNetworkError,
  decideAfterStatus,
  parseRetryAfter,
} from "../../server/exchange/retry-policy.js";

describe("Graph error codes", () => {
  it.each([
    [429, "ApplicationThrottled", "temporary"],
    [503, "ServiceUnavailable", "temporary"],
    [504, null, "temporary"],
    [500, "UnknownError", "temporary"],
    [401, "InvalidAuthenticationToken", "credentials"],
    [403, "ErrorAccessDenied", "permission"],
    [403, "Authorization_RequestDenied", "permission"],
    [404, "ErrorInvalidUser", "not_found"],
    [404, "MailboxNotEnabledForRESTAPI", "not_found"],
    [404, "ErrorItemNotFound", "not_found"],
    [410, "SyncStateNotFound", "sync_state_expired"],
    [410, "syncStateNotFound", "sync_state_expired"],
    [400, "resyncRequired", "sync_state_expired"],
    [400, "ErrorInvalidIdMalformed", "unexpected"],
    [400, null, "unexpected"],
  ])("HTTP %i %s is %s", (status, code, kind) => {
    const error = graphHttpError(status, code, "text");
    expect(error).toBeInstanceOf(ExchangeError);
    expect(error.kind).toBe(kind);
    expect(error.httpStatus).toBe(status);
  });

  it("classifies by code before status: a 404 that is MailboxNotEnabledForRESTAPI is not a 'generic 404'", () => {
    expect(graphHttpError(403, "ErrorInvalidUser", "").kind).toBe("not_found");
    expect(graphHttpError(400, "ErrorAccessDenied", "").kind).toBe("permission");
  });

  it("falls back on the status for unknown codes", () => {
    expect([502, 408, 401, 403, 404, 410, 501].map(kindOfHttpStatus)).toEqual([
      "temporary",
      "temporary",
      "credentials",
      "permission",
      "not_found",
      "sync_state_expired",
      "unexpected",
    ]);
  });
});

describe("identity platform errors", () => {
  const serverError = (errorCode: string, errorNo: number | undefined, status: number) => ({
    name: "ServerError",
    errorCode,
    errorNo: errorNo === undefined ? undefined : String(errorNo),
    status,
    errorMessage: `Error(s): ${errorNo} - Timestamp: 2024-01-01 00:00:00Z - Description: AADSTS${errorNo}: Something precise.\r\nTrace ID: abc\r\nCorrelation ID: def\r\nTimestamp: x - Correlation ID: def - Trace ID: abc`,
  });

  it.each([
    [7000215, "invalid_client", 401, "credentials"],
    [7000222, "invalid_client", 401, "credentials"],
    [700016, "unauthorized_client", 400, "credentials"],
    [90002, "invalid_request", 400, "credentials"],
    [700027, "invalid_client", 401, "credentials"],
    [50126, "invalid_grant", 400, "credentials"],
    [90033, "temporarily_unavailable", 503, "temporary"],
  ])("AADSTS%i is %s", (errorNo, errorCode, status, kind) => {
    const error = identityError(serverError(errorCode, errorNo, status));
    expect(error.kind).toBe(kind);
    expect(error.code).toBe(`AADSTS${errorNo}`);
    expect(error.message).toBe(`AADSTS${errorNo}: Something precise.`);
  });

  it("sorts MSAL's own failures", () => {
    expect(
      identityError({ name: "NetworkError", errorCode: "network_error", errorMessage: "x" }).kind,
    ).toBe("temporary");
    expect(identityError({ name: "ClientAuthError", errorCode: "network_error" }).kind).toBe(
      "temporary",
    );
    expect(
      identityError({ name: "ClientConfigurationError", errorCode: "authority_uri_insecure" }).kind,
    ).toBe("credentials");
    expect(
      identityError({ name: "ServerError", errorCode: "temporarily_unavailable", status: 503 })
        .kind,
    ).toBe("temporary");
    const passthrough = new ExchangeError("permission", "X", 403, "m");
    expect(identityError(passthrough)).toBe(passthrough);
  });
});

describe("retry policy", () => {
  const options = {
    ...DEFAULT_RETRY_OPTIONS,
    maxAttempts: 4,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    maxRetryAfterMs: 10_000,
  };

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0")).toBe(0);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now())).toBeGreaterThan(
      3000,
    );
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("honours Retry-After on 429, 503 and 504 and backs off exponentially otherwise", () => {
    expect(decideAfterStatus(429, "2", 1, options)).toEqual({ retry: true, delayMs: 2000 });
    expect(decideAfterStatus(503, "1", 2, options)).toEqual({ retry: true, delayMs: 1000 });
    const backoff = decideAfterStatus(500, "7", 3, options, () => 0.5);
    expect(backoff).toEqual({ retry: true, delayMs: 200 });
    expect(decideAfterStatus(502, null, 1, options, () => 1)).toEqual({
      retry: true,
      delayMs: 100,
    });
  });

  it("never retries client errors, stops after maxAttempts, and hands long waits back", () => {
    expect(decideAfterStatus(400, null, 1, options)).toEqual({
      retry: false,
      retryAfterMs: undefined,
    });
    expect(decideAfterStatus(404, null, 1, options).retry).toBe(false);
    expect(decideAfterStatus(503, "1", 4, options)).toEqual({ retry: false, retryAfterMs: 1000 });
    expect(decideAfterStatus(429, "60", 1, options)).toEqual({
      retry: false,
      retryAfterMs: 60_000,
    });
    expect(decideAfterNetworkError(4, options)).toEqual({ retry: false });
  });

  it("caps backoff with full jitter", () => {
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(10, options, () => 1)).toBe(1000);
    expect(backoffDelay(10, options, () => 0)).toBe(0);
  });
});

describe("mailbox request limiter", () => {
  it("admits four at a time per key, first come first served, keys independent", async () => {
    const limiter = new MailboxRequestLimiter({ maxConcurrent: 4 });
    const releases = await Promise.all(Array.from({ length: 4 }, () => limiter.acquire("a")));
    const order: number[] = [];
    const waiting = [1, 2].map((n) =>
      limiter.acquire("a").then((release) => (order.push(n), release)),
    );
    const other = await limiter.acquire("b");
    expect(limiter.stats("a")).toMatchObject({ inFlight: 4, queued: 2 });
    releases[0]?.();
    releases[1]?.();
    const later = await Promise.all(waiting);
    expect(order).toEqual([1, 2]);
    expect(limiter.stats("a")).toMatchObject({
      inFlight: 4,
      queued: 0,
      maxInFlight: 4,
      requests: 6,
    });
    for (const r of [...releases, ...later, other]) r();
    expect(limiter.stats("a").inFlight).toBe(0);
  });

  it("holds requests beyond the budget until the window moves on", async () => {
    let now = 0;
    const limiter = new MailboxRequestLimiter(
      { maxConcurrent: 10, budgetRequests: 2, budgetWindowMs: 50 },
      () => now,
    );
    (await limiter.acquire("k"))();
    (await limiter.acquire("k"))();
    let third = false;
    const pending = limiter.acquire("k").then((r) => {
      third = true;
      r();
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    now = 60;
    await pending;
    expect(third).toBe(true);
  });

  it("lets a waiting request be aborted", async () => {
    const limiter = new MailboxRequestLimiter({ maxConcurrent: 1 });
    const held = await limiter.acquire("k");
    const controller = new AbortController();
    const waiting = limiter.acquire("k", controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    expect(limiter.stats("k").queued).toBe(0);
    held();
  });
});
