import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { GraphQLContext } from "../context.js";
import type { OperationLimits } from "../operation-limits.js";

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, QUERY_TOO_COSTLY: 400 };

/**
 * The checks of {@link OperationLimits.check} (cost; a token for introspection) on HTTP, once the
 * operation is parsed and validated and before anything runs.
 */
export function operationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, contextValue }) {
          const refused = limits.check({
            document,
            operationName: request.operationName,
            variables: request.variables,
            viewer: contextValue.viewer,
          });
          if (!refused) return;
          const code = String(refused.extensions.code);
          // `http` sets the response status (a refusal, not a server fault); Apollo strips it.
          throw new GraphQLError(refused.message, {
            extensions: { ...refused.extensions, http: { status: STATUS[code] ?? 400 } },
          });
        },
      };
    },
  };
}
