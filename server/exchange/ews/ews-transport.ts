import { ExchangeError, isTimeout, networkError } from "../graph-errors.js";
import { egressRefusalOf } from "../outbound-http.js";
import {
  backoffDelay,
  DEFAULT_RETRY_OPTIONS,
  parseRetryAfter,
  sleep,
  type RetryOptions,
} from "../retry-policy.js";
import type { ExchangeMetrics } from "../graph-middleware.js";
import type { EwsAnswer } from "./ews-connection.js";
import { ewsError, kindOfEwsCode } from "./ews-errors.js";
import { responseMessages, statusOf } from "./ews-operations.js";
import type { EwsPrincipal } from "./ews-principal.js";
import { buildEnvelope, parseEnvelope, type XmlNode } from "./soap-envelope.js";

/**
 * One EWS request with Exchange's rules for failures (Microsoft's "EWS throttling in Exchange"):
 * - ErrorServerBusy — in a response message (HTTP 200), a SOAP fault (HTTP 500) or with a 503 —
 *   holds the whole principal back for at least BackOffMilliseconds, then the request is sent
 *   again; a hint longer than `maxRetryAfterMs` is handed to the caller as a temporary error;
 * - 503 without a hint, other 5xx, resets and timeouts: exponential backoff with full jitter;
 * - a fault or response code the error table knows becomes an ExchangeError of its kind (the
 *   caller decides what a per-item error means: ErrorItemNotFound is usually a skip).
 */
export interface CallOptions {
  /** Application access: the mailbox to impersonate (ExchangeImpersonation + X-AnchorMailbox). */
  impersonate?: string | null;
  signal?: AbortSignal;
}

const SERVICE = "the Exchange server (EWS)";
/** When Exchange says it is busy but gives no hint, wait at least this long. */
const MIN_BUSY_BACKOFF_MS = 1_000;

export class EwsTransport {
  readonly retry: RetryOptions;

  constructor(
    readonly principal: EwsPrincipal,
    retry: Partial<RetryOptions> = {},
    private readonly random: () => number = Math.random,
    private readonly metrics?: ExchangeMetrics,
  ) {
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...retry };
  }

  /** The response messages of `operation`, each still to be checked for its own ResponseCode. */
  async call(operation: string, body: XmlNode, options: CallOptions = {}): Promise<XmlNode[]> {
    const xml = buildEnvelope(operation, body, { impersonate: options.impersonate });
    const headers: Record<string, string> = {
      soapaction: `"http://schemas.microsoft.com/exchange/services/2006/messages/${operation}"`,
    };
    if (options.impersonate) headers["x-anchormailbox"] = options.impersonate;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.maxAttempts;
      let answer: EwsAnswer;
      let outcome: ReturnType<EwsTransport["judge"]>;
      try {
        [answer, outcome] = await this.principal.run(async (connection) => {
          const timeout = AbortSignal.timeout(this.retry.requestTimeoutMs);
          const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
          const answer = await connection.post(xml, headers, signal);
          const outcome = this.judge(answer, operation);
          const busy = "busyMs" in outcome && outcome.busyMs !== undefined;
          this.metrics?.exchangeRequest("ews", answer.status, busy);
          // Before the slot is released: the next request of the principal must see it.
          if (busy) this.principal.backOff(outcome.busyMs!);
          return [answer, outcome] as const;
        }, options.signal);
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        if (error instanceof ExchangeError) throw error;
        const refusal = egressRefusalOf(error);
        if (!refusal) this.metrics?.exchangeRequest("ews", null, false);
        if (refusal)
          throw new ExchangeError(
            "credentials",
            "DestinationRefused",
            null,
            `The EWS URL's host ${refusal.message}`,
          );
        if (last) throw networkError(error, isTimeout(error), SERVICE);
        await sleep(backoffDelay(attempt, this.retry, this.random), options.signal);
        continue;
      }
      if ("messages" in outcome) return outcome.messages;
      if ("error" in outcome) throw outcome.error;
      // Busy or failing: wait (the principal, when Exchange said it is busy), then again.
      // Busy: the principal already waits (every request of it, not only this one).
      const delay = outcome.busyMs ?? backoffDelay(attempt, this.retry, this.random);
      if (last || delay > this.retry.maxRetryAfterMs) {
        throw new ExchangeError(
          "temporary",
          outcome.code,
          answer.status,
          `${outcome.code}: ${SERVICE} is busy or failing (HTTP ${answer.status}); try again later`,
          delay,
        );
      }
      if (outcome.busyMs === undefined) await sleep(delay, options.signal);
    }
  }

  private judge(
    answer: EwsAnswer,
    operation: string,
  ):
    | { messages: XmlNode[] }
    | { error: ExchangeError }
    | { retry: true; code: string; busyMs?: number } {
    const { status } = answer;
    if (status >= 300 && status < 400) {
      return {
        error: new ExchangeError(
          "credentials",
          "RedirectRefused",
          status,
          `The EWS URL answered HTTP ${status}, a redirect; redirects are not followed, so nothing was sent there. Configure the URL that answers itself (https://<host>/EWS/Exchange.asmx).`,
        ),
      };
    }
    let parsed: ReturnType<typeof parseEnvelope> | null = null;
    try {
      parsed = answer.body.trim() === "" ? null : parseEnvelope(answer.body);
    } catch {
      parsed = null;
    }
    if (parsed?.fault) {
      const { code, message, backOffMs } = parsed.fault;
      if (code === "ErrorServerBusy")
        return { retry: true, code, busyMs: Math.max(backOffMs ?? 0, MIN_BUSY_BACKOFF_MS) };
      if (kindOfEwsCode(code) === "temporary" && status >= 500) return { retry: true, code };
      return { error: ewsError(code, message, status) };
    }
    if (status === 503 || status === 429) {
      const hinted = parseRetryAfter(first(answer.headers["retry-after"]));
      return {
        retry: true,
        code: `HTTP${status}`,
        busyMs: Math.max(hinted ?? 0, MIN_BUSY_BACKOFF_MS),
      };
    }
    if (status >= 500 || status === 408) return { retry: true, code: `HTTP${status}` };
    if (status !== 200 || !parsed?.body) {
      const kind = status === 403 ? "permission" : status === 404 ? "not_found" : "unexpected";
      return {
        error: new ExchangeError(
          kind,
          `HTTP${status}`,
          status,
          status === 404
            ? `HTTP 404: there is no EWS endpoint at this URL (expected https://<host>/EWS/Exchange.asmx)`
            : `HTTP ${status}: ${SERVICE} did not answer with a SOAP response`,
        ),
      };
    }
    const messages = responseMessages(parsed.body, operation);
    for (const message of messages) {
      const s = statusOf(message);
      if (s.code === "ErrorServerBusy")
        return {
          retry: true,
          code: s.code,
          busyMs: Math.max(s.backOffMs ?? 0, MIN_BUSY_BACKOFF_MS),
        };
    }
    return { messages };
  }
}

const first = (value: string | string[] | undefined): string | null =>
  (Array.isArray(value) ? value[0] : value) ?? null;

/** A response message's error, when it has one (ResponseClass Error / a ResponseCode ≠ NoError). */
export function messageError(message: XmlNode, httpStatus = 200): ExchangeError | null {
  const s = statusOf(message);
  if (s.code === "NoError") return null;
  return ewsError(s.code, s.message, httpStatus, s.backOffMs ?? undefined);
}
