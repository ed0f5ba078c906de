import { type GraphQLSchema, lexicographicSortSchema, printSchema } from "graphql";

const HEADER =
  "# Emitted from the type-graphql code by `npm run emit-schema`; do not edit by hand.\n\n";

/** The committed SDL form: sorted, so diffs show real changes only. */
export const printSchemaSdl = (schema: GraphQLSchema): string =>
  HEADER + printSchema(lexicographicSortSchema(schema)) + "\n";
