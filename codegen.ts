import type { CodegenConfig } from "@graphql-codegen/cli";

/** Where the generated, committed documents live (test/client/codegen.test.ts compares them). */
export const GENERATED_DIR = "client/src/gql/";

/**
 * Typed documents for the dashboard: every operation is written in a `.graphql` file next to the
 * page that uses it and checked against the schema the server emits. Pages import the generated
 * `…Document` constants from `client/src/gql/graphql.ts`, so only the documents the bundle uses are
 * shipped (the preset's `graphql()` lookup table would ship all of them with their source text).
 */
export function codegenConfig(outputDir: string = GENERATED_DIR): CodegenConfig {
  return {
    schema: "schema/schema.graphql",
    documents: ["client/src/**/*.graphql"],
    ignoreNoDocuments: false,
    silent: true,
    generates: {
      [outputDir]: {
        preset: "client",
        presetConfig: { fragmentMasking: false },
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          onlyOperationTypes: true,
          skipTypename: false,
          strictScalars: true,
          scalars: { DateTime: "string", ID: "string" },
        },
      },
    },
  };
}

export default codegenConfig();
