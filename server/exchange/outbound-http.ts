import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { lookup as dnsLookupAsync } from "node:dns/promises";
import { isIP } from "node:net";
import {
  Agent,
  Client,
  buildConnector,
  fetch as undiciFetch,
  type RequestInit as UndiciRequestInit,
} from "undici";
import {
  describeEgressRefusal,
  egressRefusal,
  normalizeHost,
  parseAllowedHosts,
  type AllowedHosts,
  type EgressRefusal,
} from "../domain/egress-rule.js";
import { destinationRefused, redirectRefused, type OutboundRole } from "./graph-errors.js";

/**
 * The one way the server reaches Microsoft (identity platform and Graph): an undici Agent whose
 * connections are checked against the egress rule (domain/egress-rule.ts) on the address actually
 * connected to — after DNS, for every address a name resolves to, so a name that rebinds to
 * 127.0.0.1 between a check and the connection is still refused — and again on the connected
 * socket's peer address. Refusals fail the request with EgressRefusedError before a byte is sent.
 *
 * Redirects are never followed (`redirect: "manual"`): a 3xx reaches the caller, which treats it as
 * an error naming the host, so a secret or token is never re-sent to another host or over http.
 *
 * Time limits: a connection (TCP + TLS) must be up within `connectTimeoutMs` (10 s), and the
 * response headers must arrive within `headersTimeoutMs` (30 s) of the request being sent; between
 * two chunks of a body at most `headersTimeoutMs` may pass too. Callers keep their own overall
 * limit per attempt (RetryOptions.requestTimeoutMs).
 */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;

export interface OutboundTimeouts {
  /** TCP connect + TLS handshake (default 10 s). */
  connectTimeoutMs?: number;
  /** Request sent → response headers, and between body chunks (default 30 s). */
  headersTimeoutMs?: number;
}

export interface OutboundHttpOptions extends OutboundTimeouts {
  /** MAILSTREAM_ALLOWED_HOSTS (config.allowedHosts); default: public addresses only. */
  allowedHosts?: AllowedHosts;
  /**
   * Sent as User-Agent unless a request sets its own: Microsoft asks callers to identify their
   * traffic, and with several server processes it says which one made a request.
   */
  userAgent?: string;
}

/** A connection refused by the egress rule; `refusal` says what and why. */
export class EgressRefusedError extends Error {
  override readonly name = "EgressRefusedError";
  readonly code = "EgressRefused";

  constructor(readonly refusal: EgressRefusal) {
    super(describeEgressRefusal(refusal));
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

export class OutboundHttp {
  readonly allowedHosts: AllowedHosts;
  private readonly agent: Agent;
  private readonly guardedConnect: buildConnector.connector;
  private readonly headersTimeout: number;
  private readonly userAgent: string | undefined;

  constructor(options: OutboundHttpOptions = {}) {
    this.userAgent = options.userAgent;
    const allowed = (this.allowedHosts = options.allowedHosts ?? parseAllowedHosts(""));
    const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    const connect = buildConnector({
      timeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      lookup: guardedLookup(allowed),
    });
    this.headersTimeout = headersTimeout;
    this.guardedConnect = (target, callback) => {
      // An address in the URL is connected to without a lookup: judge it here.
      if (isIP(target.hostname)) {
        const refusal = egressRefusal(target.hostname, target.hostname, allowed);
        if (refusal) return callback(new EgressRefusedError(refusal), null);
      }
      connect(target, (error, socket) => {
        if (error) return callback(error, null);
        // Second line of defence: the peer the socket is really connected to.
        const peer = socket!.remoteAddress;
        const refusal = peer ? egressRefusal(target.hostname, peer, allowed) : null;
        if (refusal) {
          socket!.destroy();
          return callback(new EgressRefusedError(refusal), null);
        }
        callback(null, socket!);
      });
    };
    this.agent = new Agent({
      headersTimeout,
      bodyTimeout: headersTimeout,
      connect: this.guardedConnect,
    });
  }

  /**
   * One connection to `origin` under the same egress rule and time limits (EWS: NTLM authenticates
   * a connection, so each concurrency slot owns one; pipelining 1 so requests never interleave).
   */
  client(origin: string, options: { keepAliveTimeoutMs?: number } = {}): Client {
    const keepAlive = options.keepAliveTimeoutMs ?? 60_000;
    return new Client(origin, {
      pipelining: 1,
      headersTimeout: this.headersTimeout,
      bodyTimeout: this.headersTimeout,
      keepAliveTimeout: keepAlive,
      keepAliveMaxTimeout: Math.max(keepAlive, 600_000),
      connect: this.guardedConnect,
    });
  }

  /** fetch through the guarded agent; redirects come back as they are (never followed). */
  fetch(url: string, init: RequestInit = {}): Promise<Response> {
    let headers = init.headers;
    if (this.userAgent) {
      const withAgent = new Headers(headers);
      if (!withAgent.has("user-agent")) withAgent.set("user-agent", this.userAgent);
      headers = withAgent;
    }
    return undiciFetch(url, {
      ...(init as UndiciRequestInit),
      headers: headers as UndiciRequestInit["headers"],
      redirect: "manual",
      dispatcher: this.agent,
    }) as unknown as Promise<Response>;
  }

  /**
   * `fetch` for one of the integration's hosts (`role` names it in errors): a destination the
   * egress rule refuses and a redirect (3xx other than 304, never followed) are classified errors
   * ("credentials": the integration's configuration, not a passing fault); anything else thrown
   * is a network error for the caller's retries. `observe` sees every answer (redirects too) and
   * every network failure, never a refused destination (nothing was sent).
   */
  async guardedFetch(
    role: OutboundRole,
    url: string,
    init: RequestInit = {},
    observe?: (response: Response | null) => void,
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(url, init);
    } catch (error) {
      const refused = egressRefusalOf(error);
      if (refused) throw destinationRefused(role, refused.message);
      observe?.(null);
      throw error;
    }
    observe?.(response);
    if (response.status >= 300 && response.status < 400 && response.status !== 304) {
      await response.body?.cancel();
      throw redirectRefused(role, url, response.status, response.headers.get("location"));
    }
    return response;
  }

  /**
   * The refusal a connection to `url`'s host would meet now, checked before anything is sent (the
   * API's BAD_USER_INPUT). Null when every address the host resolves to may be reached, and when
   * it does not resolve at all (the request itself then fails as a network error, as before).
   */
  async refusalFor(url: string): Promise<EgressRefusal | null> {
    let hostname: string;
    try {
      hostname = normalizeHost(new URL(url).hostname);
    } catch {
      return null;
    }
    if (isIP(hostname)) return egressRefusal(hostname, hostname, this.allowedHosts);
    let addresses: LookupAddress[];
    try {
      addresses = await dnsLookupAsync(hostname, { all: true, verbatim: true });
    } catch {
      return null;
    }
    for (const { address } of addresses) {
      const refusal = egressRefusal(hostname, address, this.allowedHosts);
      if (refusal) return refusal;
    }
    return null;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * dns.lookup for net/tls.connect that refuses the connection when any address the name resolves
 * to breaks the rule (a name mixing public and private addresses is refused as a whole). Node
 * calls it with `all: true` when it races address families (autoSelectFamily), else for one.
 */
function guardedLookup(allowed: AllowedHosts) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      for (const { address } of addresses) {
        const refusal = egressRefusal(hostname, address, allowed);
        if (refusal) return callback(new EgressRefusedError(refusal), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(
          Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }),
          [],
        );
      callback(null, first.address, first.family);
    });
  };
}

/** The EgressRefusedError behind a failed fetch (undici wraps it as the cause of "fetch failed"). */
export function egressRefusalOf(error: unknown): EgressRefusedError | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof EgressRefusedError) return e;
  }
  return null;
}

let publicOnly: OutboundHttp | undefined;

/** The guard for callers given none: public addresses only (made on first use, not at import). */
export function defaultOutbound(): OutboundHttp {
  return (publicOnly ??= new OutboundHttp());
}
