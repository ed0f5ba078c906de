import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { createRequire } from "node:module";

// Its ESM build imports graphql's .mjs files, while everything else (Apollo, type-graphql) loads
// graphql's CommonJS build: two realms. Its CommonJS build shares ours.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  "graphql-query-complexity",
) as typeof import("graphql-query-complexity");

/**
 * Refuses operations whose estimated cost exceeds `maxCost`: one per field, list fields that take
 * a page size (`first`, `size`) count their children that many times.
 */
export function queryCostPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: request.variables,
              estimators: [
                fieldExtensionsEstimator(),
                ({ args, childComplexity }) => {
                  const size = Number(args.first ?? args.size ?? 0);
                  return size > 0 ? 1 + childComplexity * size : undefined;
                },
                simpleEstimator({ defaultComplexity: 1 }),
              ],
            });
          } catch {
            // Variables that do not coerce: execution refuses them with BAD_USER_INPUT, naming why.
            return;
          }
          if (cost > maxCost) {
            throw new GraphQLError(
              `This query costs ${cost}, above the limit of ${maxCost}: ask for fewer fields or smaller pages.`,
              // `http` sets the response status (a refusal, not a server fault); Apollo strips it.
              { extensions: { code: "QUERY_TOO_COSTLY", cost, maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
