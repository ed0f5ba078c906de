import { AuthenticationHandler, Client, TelemetryHandler } from "@microsoft/microsoft-graph-client";
import { normalizedGraphEndpoint, type ExchangeConnection } from "./connection.js";
import {
  LimiterMiddleware,
  OutboundMessageHandler,
  RetryMiddleware,
  type ExchangeEvent,
  type ExchangeMetrics,
} from "./graph-middleware.js";
import type { MailboxRequestLimiter } from "./mailbox-limiter.js";
import type { OutboundHttp } from "./outbound-http.js";
import type { RetryOptions } from "./retry-policy.js";
import type { TokenProvider } from "./token-provider.js";

/**
 * A Graph client for one connection. `baseUrl` is the Graph endpoint without version (the client
 * appends `defaultVersion`); the endpoint's host goes into `customHosts` — host name only, without
 * the port, or the AuthenticationHandler silently sends no token to a non-Microsoft host. The
 * library's HTTPMessageHandler (global fetch, redirects followed) is replaced by one that sends
 * through the guarded OutboundHttp.
 */
export function createGraphClient(
  connection: ExchangeConnection,
  deps: {
    tokens: TokenProvider;
    limiter: MailboxRequestLimiter;
    retry: RetryOptions;
    outbound: OutboundHttp;
    onEvent?: (event: ExchangeEvent) => void;
    metrics?: ExchangeMetrics;
  },
): Client {
  const endpoint = normalizedGraphEndpoint(connection);
  const host = new URL(endpoint).hostname;
  return Client.initWithMiddleware({
    baseUrl: endpoint,
    defaultVersion: "v1.0",
    customHosts: new Set([host]),
    middleware: [
      new RetryMiddleware(deps.retry, deps.tokens, deps.onEvent),
      new AuthenticationHandler(deps.tokens),
      new LimiterMiddleware(deps.limiter, deps.retry.requestTimeoutMs),
      new TelemetryHandler(),
      new OutboundMessageHandler(deps.outbound, deps.metrics),
    ],
  });
}
