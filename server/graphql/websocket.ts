import type { Server } from "node:http";
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLFormattedError,
  getOperationAST,
  parse,
} from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { Services } from "../app/services.js";
import type { Viewer } from "../auth/viewer.js";
import { bearerToken } from "../http/auth-header.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import { createSharedSubscribe } from "../events/shared-execution.js";
import type { GraphQLContext } from "./context.js";
import type { OperationLimits } from "./operation-limits.js";

/** How long a WebSocket may stay open without `connection_init`. */
const CONNECTION_INIT_WAIT_MS = 5_000;

/**
 * How long a socket of a revoked token stays open after the revocation: long enough for its
 * subscriptions' UNAUTHENTICATED errors to be sent first.
 */
const REVOKED_CLOSE_DELAY_MS = 100;

export interface WebSocketEndpointOptions {
  schema: import("graphql").GraphQLSchema;
  services: Services;
  limits: OperationLimits;
  /** The one bearer-token check, shared with HTTP and the attachments route. */
  authenticate(header: unknown): Promise<Viewer | null>;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** Largest accepted message, in bytes: the HTTP body limit (MAILSTREAM_MAX_BODY_BYTES). */
  maxPayload: number;
  /** Operations one socket may have active at once (MAILSTREAM_MAX_SUBSCRIPTIONS_PER_SOCKET). */
  maxSubscriptionsPerSocket: number;
  /** Sockets one token may have open at once (MAILSTREAM_MAX_SOCKETS_PER_TOKEN). */
  maxSocketsPerToken: number;
  log: Logger;
  metrics: Metrics;
}

type SocketExtra = {
  /** The `authorization` of connection_init, checked again for every operation. */
  authorization?: unknown;
  /** When each operation id arrived (performance.now()), for the duration metric. */
  started?: Map<string, number>;
};

/** How long to wait before watching revocations again after the bus failed (Redis down). */
const REWATCH_DELAY_MS = 1_000;

const FORBIDDEN = 4403;
/** The token already has as many sockets open as it may (HTTP 429's meaning, in 4xxx). */
const TOO_MANY_SOCKETS = 4429;

const validationFailed = (errors: readonly GraphQLError[]): GraphQLError[] =>
  errors.map(
    (e) =>
      new GraphQLError(e.message, {
        nodes: e.nodes,
        source: e.source,
        positions: e.positions,
        extensions: { ...e.extensions, code: "GRAPHQL_VALIDATION_FAILED" },
      }),
  );

/**
 * graphql-ws on `/graphql` of the HTTP server. Every operation passes the same checks as over
 * HTTP (OperationLimits: validation, depth, cost, introspection) and re-checks the token, so a
 * socket cannot outlive what its token may do; a revoked token's sockets close (4403) within a
 * moment of the revocation, after their subscriptions ended with UNAUTHENTICATED.
 */
export function attachWebSocketEndpoint(
  httpServer: Server,
  options: WebSocketEndpointOptions,
): { dispose(): Promise<void> } {
  const { schema, services, limits, authenticate, formatError } = options;
  /** Open sockets by the id of the token they connected with. */
  const byToken = new Map<string, Set<WebSocket>>();
  const closeRevoked = (socket: WebSocket) =>
    setTimeout(
      () => socket.close(FORBIDDEN, "Forbidden: the API token was revoked"),
      REVOKED_CLOSE_DELAY_MS,
    ).unref();
  // Revocations close sockets at once; when the bus fails (Redis down) the watch starts again once
  // it is back (each operation re-checks its token meanwhile).
  let revocations: AsyncIterableIterator<{ kind: string; tokenId?: string }> | null = null;
  let disposed = false;
  const watchRevocations = async (): Promise<void> => {
    while (!disposed) {
      revocations = services.events.subscribe("accessRevoked");
      try {
        for await (const event of revocations) {
          if (event.kind !== "TOKEN_REVOKED" || !event.tokenId) continue;
          for (const socket of byToken.get(event.tokenId) ?? []) closeRevoked(socket);
        }
        return;
      } catch (error) {
        options.log.debug({ err: error }, "revocation watch ended; watching again shortly");
        await new Promise((resolve) => setTimeout(resolve, REWATCH_DELAY_MS).unref());
      }
    }
  };
  void watchRevocations().catch((error: unknown) =>
    options.log.error({ err: error }, "stopped watching token revocations for open sockets"),
  );
  // Upgrades handled here rather than by ws attaching to the server, so the server's own errors
  // (a taken port) reach start() alone instead of being re-emitted as WebSocket server faults.
  const wsServer = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload });
  httpServer.on("upgrade", (req, socket, head) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== "/graphql") {
      socket.destroy();
      return;
    }
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit("connection", ws, req));
  });
  const cleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      connectionInitWaitTimeout: CONNECTION_INIT_WAIT_MS,
      // Answering `false` closes the socket with 4403 Forbidden.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const viewer = await authenticate(authorization);
        if (!viewer) {
          // Still 4403 (graphql-ws's code for a refused connection_init), with a reason that tells
          // a missing token from a rejected one. (A close reason has at most 123 bytes.)
          ctx.extra.socket.close(
            FORBIDDEN,
            bearerToken(authorization) === null
              ? "UNAUTHENTICATED: no API token: send connectionParams.authorization 'Bearer <token>'"
              : "UNAUTHENTICATED: this API token is not valid (revoked or mistyped): create a new one",
          );
          return false;
        }
        ctx.extra.authorization = authorization;
        const { socket } = ctx.extra;
        let sockets = byToken.get(viewer.tokenId);
        if (!sockets) byToken.set(viewer.tokenId, (sockets = new Set()));
        if (sockets.size >= options.maxSocketsPerToken) {
          // Closed here with its own code; graphql-ws's 4403 for `false` then finds it closing.
          // (A close reason has at most 123 bytes.)
          socket.close(
            TOO_MANY_SOCKETS,
            `Too many connections for this API token (limit ${options.maxSocketsPerToken})`,
          );
          return false;
        }
        sockets.add(socket);
        socket.once("close", () => {
          sockets.delete(socket);
          if (sockets.size === 0 && byToken.get(viewer.tokenId) === sockets) {
            byToken.delete(viewer.tokenId);
          }
        });
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        (ctx.extra.started ??= new Map()).set(id, performance.now());
        // graphql-ws lists the new operation in ctx.subscriptions before asking us.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > options.maxSubscriptionsPerSocket) {
          return [
            new GraphQLError(
              `This connection already has ${options.maxSubscriptionsPerSocket} active operations, the most one connection may have (MAILSTREAM_MAX_SUBSCRIPTIONS_PER_SOCKET): complete one first, or open another connection.`,
              {
                extensions: {
                  code: "TOO_MANY_SUBSCRIPTIONS",
                  limit: options.maxSubscriptionsPerSocket,
                },
              },
            ),
          ];
        }
        const viewer = await authenticate(ctx.extra.authorization);
        if (!viewer) {
          // Revoked since the socket opened (another process, or a missed event): refuse and close.
          closeRevoked(ctx.extra.socket);
          return [
            new GraphQLError(
              "The API token of this connection is no longer valid (revoked): create a new one and connect again with it.",
              { extensions: { code: "UNAUTHENTICATED" } },
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [
            error instanceof GraphQLError
              ? new GraphQLError(error.message, {
                  source: error.source,
                  positions: error.positions,
                  extensions: { code: "GRAPHQL_PARSE_FAILED" },
                })
              : new GraphQLError("The query could not be parsed.", {
                  extensions: { code: "GRAPHQL_PARSE_FAILED" },
                }),
          ];
        }
        const invalid = limits.validate(document);
        if (invalid.length > 0) return validationFailed(invalid);
        const refused = limits.check({
          document,
          operationName: payload.operationName,
          variables: payload.variables,
          viewer,
        });
        if (refused) return [refused];
        const contextValue: GraphQLContext = { viewer, services };
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue,
        };
      },
      subscribe: createSharedSubscribe(
        (c) => (c as GraphQLContext).viewer?.tokenId ?? null,
        options.metrics,
      ),
      onOperation: (ctx, id, payload, args, result) => {
        const started = ctx.extra.started?.get(id);
        ctx.extra.started?.delete(id);
        const operation = getOperationAST(args.document, args.operationName);
        const failed = "errors" in result && (result.errors?.length ?? 0) > 0;
        options.metrics.operation(
          payload.operationName ?? operation?.name?.value,
          operation?.operation ?? "unknown",
          "ws",
          started === undefined ? 0 : (performance.now() - started) / 1000,
          !failed,
        );
        return undefined;
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e)) }
          : undefined,
      onError: (ctx, id, payload, errors) => {
        // Refused before it ran (limits, validation, token): counted here; later errors were
        // counted when the operation started.
        const started = ctx.extra.started?.get(id);
        if (started !== undefined) {
          ctx.extra.started?.delete(id);
          options.metrics.operation(
            payload.operationName,
            "unknown",
            "ws",
            (performance.now() - started) / 1000,
            false,
          );
        }
        return errors.map((e) => formatError(e.toJSON(), e));
      },
      onComplete: (ctx, id) => {
        ctx.extra.started?.delete(id);
      },
    },
    wsServer,
  );
  return {
    async dispose() {
      disposed = true;
      await revocations?.return?.();
      await cleanup.dispose();
    },
  };
}
