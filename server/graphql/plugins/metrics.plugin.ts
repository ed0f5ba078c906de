import type { ApolloServerPlugin } from "@apollo/server";
import { getOperationAST } from "graphql";
import type { Metrics } from "../../observability/metrics.js";
import type { GraphQLContext } from "../context.js";

/**
 * GraphQL operations over HTTP, by name, type and outcome, with their duration (request received to
 * answer ready). WebSocket operations are counted by the graphql-ws hooks (server/graphql/websocket.ts).
 */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async willSendResponse({ operation, operationName, document, errors, response }) {
          // Named in the document but not in the request, or refused before it was resolved.
          const named = document ? getOperationAST(document, request.operationName) : null;
          const failed =
            (errors?.length ?? 0) > 0 ||
            (response.body.kind === "single" &&
              (response.body.singleResult.errors?.length ?? 0) > 0);
          metrics.operation(
            operationName ?? request.operationName ?? named?.name?.value,
            (operation ?? named)?.operation ?? "unknown",
            "http",
            (performance.now() - started) / 1000,
            !failed,
          );
        },
      };
    },
  };
}
