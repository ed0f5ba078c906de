import {
  Client,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
  type CombinedError,
} from "@urql/preact";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws/client";
import { authorizationHeader } from "./session";
import { createStore, type Store } from "./store";

export type LiveStatus = "connecting" | "live" | "reconnecting" | "offline";

export interface ApiClient {
  client: Client;
  /** The WebSocket's state, shown in the top bar so stale live data is never mistaken for calm. */
  live: Store<LiveStatus>;
  dispose(): void;
}

/** graphql-ws closes with 4403 when the token in connectionParams is refused. */
const FORBIDDEN_CLOSE = 4403;
const MAX_RETRY_WAIT_MS = 10_000;

function webSocketUrl(): string {
  const url = new URL("/graphql", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/**
 * One urql client per signed-in token: queries and mutations over HTTP with the bearer header,
 * subscriptions over one graphql-ws socket (opened at sign-in) carrying the same token in
 * connectionParams. An UNAUTHENTICATED answer (revoked token) signs the session out.
 */
export function createApiClient(token: string, onUnauthenticated: () => void): ApiClient {
  const live = createStore<LiveStatus>("connecting");
  let everConnected = false;
  const ws: WsClient = createWsClient({
    url: webSocketUrl(),
    connectionParams: { authorization: authorizationHeader(token) },
    // Open for the whole session, not only while a page subscribes: the top bar's "Live" then
    // says whether the server is reachable on every page, and returning to a live page needs no
    // new handshake.
    lazy: false,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(MAX_RETRY_WAIT_MS, 500 * 2 ** retries) + Math.random() * 300),
      ),
    shouldRetry: (event) =>
      !(
        typeof event === "object" &&
        event !== null &&
        "code" in event &&
        event.code === FORBIDDEN_CLOSE
      ),
    on: {
      connecting: () => live.set(everConnected ? "reconnecting" : "connecting"),
      connected: () => {
        everConnected = true;
        live.set("live");
      },
      closed: (event) => {
        const code = (event as { code?: number } | undefined)?.code;
        if (code === FORBIDDEN_CLOSE) onUnauthenticated();
        // 1000: closed on purpose (sign-out); anything else is an outage being retried.
        live.set(code === 1000 ? "connecting" : "reconnecting");
      },
    },
  });

  const client = new Client({
    url: "/graphql",
    // Apollo's CSRF prevention refuses simple GET requests; POST with JSON always passes.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: authorizationHeader(token) } }),
    exchanges: [
      mapExchange({
        onError(error: CombinedError) {
          if (error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED"))
            onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    live,
    dispose() {
      void ws.dispose();
    },
  };
}
