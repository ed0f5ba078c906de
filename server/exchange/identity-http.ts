import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import { ExchangeError, isTimeout, networkError } from "./graph-errors.js";
import type { OutboundHttp } from "./outbound-http.js";
import {
  decideAfterNetworkError,
  decideAfterStatus,
  isRetryableStatus,
  sleep,
  type RetryOptions,
} from "./retry-policy.js";

/**
 * msal-node's network client, replaced so the identity platform gets the same retry policy as
 * Graph: network errors and 5xx/429 are retried here (honouring Retry-After) before MSAL sees an
 * answer. MSAL cannot tell us a Retry-After itself, and without this a transient 503 would fail the
 * acquisition and leave MSAL's throttling cache refusing every retry until it expired.
 *
 * Every request goes through the guarded OutboundHttp (egress rule, time limits, no redirects).
 * MSAL turns whatever a network client throws into its own opaque `network_error`, so the
 * classified reason of the last failure is kept here for the TokenProvider (`takeFailure`).
 */
export class IdentityHttpClient implements INetworkModule {
  private failure?: ExchangeError;

  constructor(
    private readonly retry: RetryOptions,
    private readonly outbound: OutboundHttp,
  ) {}

  /** Why the last request failed before MSAL saw an answer, once. */
  takeFailure(): ExchangeError | undefined {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>("GET", url, options, timeout);
  }

  sendPostRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    return this.send<T>("POST", url, options);
  }

  private async send<T>(
    method: "GET" | "POST",
    url: string,
    options: NetworkRequestOptions | undefined,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    this.failure = undefined;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.outbound.guardedFetch("authority", url, {
          method,
          headers: options?.headers,
          body: method === "POST" ? (options?.body ?? "") : undefined,
          signal: AbortSignal.timeout(timeout ?? this.retry.requestTimeoutMs),
        });
      } catch (error) {
        // A refused destination or a redirect: the configuration's fault, never retried.
        if (error instanceof ExchangeError) throw (this.failure = error);
        const decision = decideAfterNetworkError(attempt, this.retry);
        if (!decision.retry) {
          throw (this.failure = networkError(error, isTimeout(error), "the identity platform"));
        }
        await sleep(decision.delayMs);
        continue;
      }
      if (isRetryableStatus(response.status)) {
        const decision = decideAfterStatus(
          response.status,
          response.headers.get("retry-after"),
          attempt,
          this.retry,
        );
        if (decision.retry) {
          await response.body?.cancel();
          await sleep(decision.delayMs);
          continue;
        }
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key] = value));
      const text = await response.text();
      return { headers, body: parseBody(text, response.status) as T, status: response.status };
    }
  }
}

/** The identity platform answers JSON; a proxy in between may not. */
function parseBody(text: string, status: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {
      error: status >= 500 || status === 429 ? "temporarily_unavailable" : "invalid_response",
      error_description: `The identity platform answered HTTP ${status} without a JSON body`,
    };
  }
}
