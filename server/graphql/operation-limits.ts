import { createRequire } from "node:module";
import {
  type ASTVisitor,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  KnownFragmentNamesRule,
  NoFragmentCyclesRule,
  type ValidationContext,
  type ValidationRule,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isEnumType,
  isUnionType,
  specifiedRules,
  validate,
  visit,
} from "graphql";
import depthLimit from "graphql-depth-limit";
import type { Viewer } from "../auth/viewer.js";

// Its ESM build imports graphql's .mjs files, while everything else (Apollo, type-graphql) loads
// graphql's CommonJS build: two realms. Its CommonJS build shares ours.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  "graphql-query-complexity",
) as typeof import("graphql-query-complexity");

type ComplexityEstimator = import("graphql-query-complexity").ComplexityEstimator;

export interface LimitsConfig {
  maxQueryDepth: number;
  maxQueryCost: number;
  /** MAILSTREAM_INTROSPECTION: introspection allowed at all. */
  introspection: boolean;
  /** MAILSTREAM_PUBLIC_INTROSPECTION: introspection allowed without a token. */
  publicIntrospection: boolean;
}

export interface OperationRequest {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  viewer: Viewer | null;
}

/**
 * The limits every GraphQL operation passes, whichever transport brought it (HTTP through Apollo,
 * WebSocket through graphql-ws): built once per server and shared, so the two cannot drift apart.
 */
export interface OperationLimits {
  /** Rules run after graphql-js's specifiedRules (depth; introspection when it is off). */
  readonly rules: readonly ValidationRule[];
  /** specifiedRules, then `rules` once the document is sound: what graphql-ws validates with. */
  validate(document: DocumentNode): readonly GraphQLError[];
  /** Checks that need the variables and the caller: cost, and a token for introspection. */
  check(request: OperationRequest): GraphQLError | null;
}

/**
 * Selections the cost estimate walks at most (graphql-query-complexity's default); beyond it the
 * estimate stops, and the query is refused as too costly rather than let through unmeasured.
 */
const MAX_QUERY_NODES = 10_000;

/** Rules graphql-depth-limit needs to hold before it can walk a document without crashing. */
const STRUCTURAL_RULES = [NoFragmentCyclesRule, KnownFragmentNamesRule];

/**
 * `rule`, run only on a document whose fragments are known and acyclic. graphql-depth-limit
 * follows spreads recursively and overflows the stack on `fragment A on T { ...A }`; such a document
 * gets graphql-js's own NoFragmentCycles error (GRAPHQL_VALIDATION_FAILED) instead, since
 * specifiedRules run in the same validation.
 */
function onSoundDocuments(rule: ValidationRule): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const problems = validate(context.getSchema(), context.getDocument(), STRUCTURAL_RULES);
    return problems.length > 0 ? {} : rule(context);
  };
}

const INTROSPECTION_FIELDS = new Set(["__schema", "__type"]);

/** Refuses `__schema` and `__type` (MAILSTREAM_INTROSPECTION off); `__typename` stays allowed. */
const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    if (INTROSPECTION_FIELDS.has(node.name.value)) {
      context.reportError(
        new GraphQLError(
          `GraphQL introspection is not allowed on this server, but the query asked for ${node.name.value} (MAILSTREAM_INTROSPECTION is off). The schema is published as schema/schema.graphql.`,
          { nodes: [node] },
        ),
      );
    }
  },
});

const usesIntrospection = (document: DocumentNode): boolean => {
  let found = false;
  visit(document, {
    Field(node) {
      if (INTROSPECTION_FIELDS.has(node.name.value)) found = true;
    },
  });
  return found;
};

/**
 * How many items each introspection list yields in this schema: `__schema { types }` exactly, the
 * lists inside a type or field on average (so `types { fields { … } }` counts every field of the
 * schema once). `__type(name:)` scales its selection by that type's own size over the average.
 */
function introspectionEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const types = Object.values(schema.getTypeMap());
  let fields = 0;
  let args = 0;
  let inputFields = 0;
  let enumValues = 0;
  let interfaces = 0;
  let possibleTypes = 0;
  const sizeOf = new Map<string, number>();
  for (const type of types) {
    let size = 1;
    if (isObjectType(type) || isInterfaceType(type)) {
      const own = Object.values(type.getFields());
      fields += own.length;
      args += own.reduce((sum, f) => sum + f.args.length, 0);
      interfaces += type.getInterfaces().length;
      size = own.length;
    }
    if (isInterfaceType(type) || isUnionType(type)) {
      const possible = schema.getPossibleTypes(type).length;
      possibleTypes += possible;
      size = Math.max(size, possible);
    }
    if (isInputObjectType(type)) {
      const own = Object.keys(type.getFields()).length;
      inputFields += own;
      size = own;
    }
    if (isEnumType(type)) {
      enumValues += type.getValues().length;
      size = type.getValues().length;
    }
    sizeOf.set(type.name, Math.max(1, size));
  }
  const perType = (total: number) => Math.max(1, Math.ceil(total / types.length));
  const perTypeFields = perType(fields);
  const directives = schema.getDirectives();
  const lists: Record<string, number> = {
    "__Schema.types": types.length,
    "__Schema.directives": directives.length,
    "__Type.fields": perTypeFields,
    "__Type.inputFields": perType(inputFields),
    "__Type.enumValues": perType(enumValues),
    "__Type.interfaces": perType(interfaces),
    "__Type.possibleTypes": perType(possibleTypes),
    "__Field.args": Math.max(1, Math.ceil(args / Math.max(1, fields))),
    "__Directive.args": Math.max(1, ...directives.map((d) => d.args.length)),
  };
  return ({ type, field, args: values, childComplexity }) => {
    if (field.name === "__type") {
      const size = sizeOf.get(String(values.name)) ?? 1;
      return 1 + childComplexity * Math.max(1, Math.ceil(size / perTypeFields));
    }
    const count = lists[`${type.name}.${field.name}`];
    return count === undefined ? undefined : 1 + childComplexity * count;
  };
}

export function createOperationLimits(
  schema: GraphQLSchema,
  config: LimitsConfig,
): OperationLimits {
  const rules: ValidationRule[] = [onSoundDocuments(depthLimit(config.maxQueryDepth))];
  if (!config.introspection) rules.push(noIntrospection);
  const allRules = [...specifiedRules, ...rules];
  const estimators: ComplexityEstimator[] = [
    introspectionEstimator(schema),
    fieldExtensionsEstimator(),
    ({ args, childComplexity }) => {
      const size = Number(args.first ?? args.size ?? 0);
      return size > 0 ? 1 + childComplexity * size : undefined;
    },
    simpleEstimator({ defaultComplexity: 1 }),
  ];
  return {
    rules,
    validate: (document) => validate(schema, document, allRules),
    check({ document, operationName, variables, viewer }) {
      if (!viewer && !config.publicIntrospection && usesIntrospection(document)) {
        return new GraphQLError(
          "Introspection needs an API token: send 'Authorization: Bearer <token>' (any valid token will do), or read schema/schema.graphql.",
          { extensions: { code: "UNAUTHENTICATED" } },
        );
      }
      let cost: number;
      try {
        cost = getComplexity({
          schema,
          query: document,
          operationName: operationName ?? undefined,
          variables: variables ?? {},
          estimators,
          maxQueryNodes: MAX_QUERY_NODES,
        });
      } catch (error) {
        if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) {
          return new GraphQLError(
            `This query selects more than ${MAX_QUERY_NODES} fields and fragments: ask for fewer fields or use fewer aliases.`,
            { extensions: { code: "QUERY_TOO_COSTLY", maxCost: config.maxQueryCost } },
          );
        }
        // Variables that do not coerce: execution refuses them with BAD_USER_INPUT, naming why.
        return null;
      }
      if (cost <= config.maxQueryCost) return null;
      return new GraphQLError(
        `This query costs ${cost}, above the limit of ${config.maxQueryCost}: ask for fewer fields or smaller pages.`,
        { extensions: { code: "QUERY_TOO_COSTLY", cost, maxCost: config.maxQueryCost } },
      );
    },
  };
}
