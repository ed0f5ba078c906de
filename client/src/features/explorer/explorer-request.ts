import { authorizationHeader } from "../../api/session";

/** What one run of the explorer answered: the HTTP status, the body as text, and how long it took. */
export interface ExplorerAnswer {
  status: number;
  body: string;
  durationMs: number;
}

/** Variables as the user typed them: empty means none; anything else must be a JSON object. */
export function parseVariables(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (!text.trim()) return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return { ok: false, error: 'Variables must be a JSON object, such as { "first": 10 }.' };
    }
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, error: `Variables are not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Sends one operation to this server's /graphql with the session's token, exactly as a script
 * would (POST, JSON body, bearer header): nothing goes to any other host.
 */
export async function runOperation(
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<ExplorerAnswer> {
  const started = performance.now();
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: authorizationHeader(token) },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body = text;
  try {
    body = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON (a proxy's error page, say): shown as it came.
  }
  return { status: response.status, body, durationMs: Math.round(performance.now() - started) };
}

/** The same request as a curl command line, for a script or a terminal. */
export function curlCommand(
  origin: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): string {
  const body = JSON.stringify({ query, variables });
  const quoted = `'${body.replaceAll("'", `'\\''`)}'`;
  return [
    `curl -s ${origin}/graphql`,
    `  -H 'content-type: application/json'`,
    `  -H 'authorization: ${authorizationHeader(token)}'`,
    `  -d ${quoted}`,
  ].join(" \\\n");
}

/** The root fields of the schema, from an introspection answer, for the reference beside the editor. */
export interface RootField {
  root: "query" | "mutation" | "subscription";
  name: string;
  description: string | null;
  args: { name: string; type: string }[];
  type: string;
}

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}

export const ROOT_FIELDS_QUERY = `query ExplorerSchema {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      name
      fields {
        name
        description
        args { name type { ...Ref } }
        type { ...Ref }
      }
    }
  }
}
fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`;

export function typeName(ref: TypeRef): string {
  if (ref.kind === "NON_NULL" && ref.ofType) return `${typeName(ref.ofType)}!`;
  if (ref.kind === "LIST" && ref.ofType) return `[${typeName(ref.ofType)}]`;
  return ref.name ?? "?";
}

interface SchemaAnswer {
  __schema: {
    queryType: { name: string } | null;
    mutationType: { name: string } | null;
    subscriptionType: { name: string } | null;
    types: {
      name: string;
      fields:
        | {
            name: string;
            description: string | null;
            args: { name: string; type: TypeRef }[];
            type: TypeRef;
          }[]
        | null;
    }[];
  };
}

export function rootFields(data: SchemaAnswer): RootField[] {
  const roots: [RootField["root"], string | undefined][] = [
    ["query", data.__schema.queryType?.name],
    ["mutation", data.__schema.mutationType?.name],
    ["subscription", data.__schema.subscriptionType?.name],
  ];
  const out: RootField[] = [];
  for (const [root, name] of roots) {
    const type = data.__schema.types.find((t) => t.name === name);
    for (const field of type?.fields ?? []) {
      out.push({
        root,
        name: field.name,
        description: field.description,
        args: field.args.map((a) => ({ name: a.name, type: typeName(a.type) })),
        type: typeName(field.type),
      });
    }
  }
  return out;
}
