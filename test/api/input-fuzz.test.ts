import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshot } from "../support/snapshot.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * Random inputs to the mutations a script drives (strings of every kind — NUL, lone surrogates,
 * bidirectional controls, very long — numbers at the edges, nulls, wrong shapes): every answer is
 * a GraphQL error with a code a client can act on or a success, never an internal error or a
 * stack trace, and a refused mutation leaves every table as it was. Production mode, as deployed.
 */
let server: TestServer;
let integrationId: string;
let bucketId: string;
beforeAll(async () => {
  server = await startTestServer({ env: { NODE_ENV: "production" } });
  await server.ok(`mutation { createProject(input: { name: "fuzz" }) { id } }`);
  const bucket = await server.ok<{ createBucket: { id: string } }>(
    `mutation { createBucket(input: { project: "fuzz", name: "inbox" }) { id } }`,
  );
  bucketId = bucket.createBucket.id;
  const created = await server.ok<{ createIntegration: { id: string } }>(
    `mutation { createIntegration(input: { project: "fuzz", name: "onprem", enabled: false, connection: {
      api: EWS, authMethod: NTLM, access: SERVICE_USER, serviceUsername: "CONTOSO\\\\svc",
      servicePassword: "pw", ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx" } }) { id } }`,
  );
  integrationId = created.createIntegration.id;
});
afterAll(() => server.stop());

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800",
    "\u202Eexe.pdf",
    "../../etc/passwd",
    "' OR 1=1 --",
    "Root/Top of Information Store/Inbox",
    "x".repeat(20_000),
  ),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const int = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)));
const date = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  text,
);

/** Mutations with their variables; each arbitrary gives one call. */
const calls: [string, string, fc.Arbitrary<Record<string, unknown>>][] = [
  [
    "createProject",
    `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`,
    fc.record({
      input: fc.record({
        name: text,
        title: maybe(text),
        description: maybe(text),
        unitBudget: maybe(int),
      }),
    }),
  ],
  [
    "updateProject",
    `mutation($name: String!, $input: UpdateProjectInput!) { updateProject(name: $name, input: $input) { id } }`,
    fc.record({
      name: fc.oneof(fc.constant("fuzz"), text),
      input: fc.record({ title: maybe(text), description: maybe(text), unitBudget: maybe(int) }),
    }),
  ],
  [
    "createApiToken",
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    fc.record({
      input: fc.record({
        name: text,
        admin: maybe(fc.boolean()),
        grants: maybe(
          fc.array(
            fc.record({
              project: fc.oneof(fc.constant("fuzz"), text),
              permissions: fc.array(fc.constantFrom("BUCKETS_READ", "MESSAGES_READ"), {
                maxLength: 2,
              }),
            }),
            { maxLength: 3 },
          ),
        ),
      }),
    }),
  ],
  [
    "addMailbox",
    `mutation($id: ID!, $input: MailboxInput!) { addMailbox(integrationId: $id, input: $input) { id } }`,
    fc.record({
      id: fc.oneof(fc.constant("INTEGRATION"), text),
      input: fc.record({
        email: text,
        syncFrom: maybe(date),
        allTime: maybe(fc.boolean()),
        filters: maybe(
          fc.record({
            allowedFolders: maybe(fc.array(text, { maxLength: 4 })),
            deniedFolders: maybe(fc.array(text, { maxLength: 4 })),
            allowedDomains: maybe(fc.array(text, { maxLength: 4 })),
            deniedParticipants: maybe(fc.array(text, { maxLength: 4 })),
          }),
        ),
        bucket: maybe(
          fc.record({
            existingBucketId: maybe(fc.oneof(fc.constant("BUCKET"), text)),
            newBucket: maybe(fc.record({ project: text, name: text, title: maybe(text) })),
          }),
        ),
      }),
    }),
  ],
  [
    "createStream",
    `mutation($input: CreateStreamInput!) { createStream(input: $input) { id } }`,
    fc.record({
      input: fc.record({
        project: fc.oneof(fc.constant("fuzz"), text),
        name: text,
        title: maybe(text),
        bucketIds: fc.array(fc.oneof(fc.constant("BUCKET"), text), { maxLength: 3 }),
        startAt: maybe(date),
      }),
    }),
  ],
];

/** Placeholders for ids that exist, so the fuzz reaches the rules behind the lookups. */
function withIds(variables: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(variables)
      .replaceAll('"INTEGRATION"', JSON.stringify(integrationId))
      .replaceAll('"BUCKET"', JSON.stringify(bucketId)),
  ) as Record<string, unknown>;
}

const ACTIONABLE = new Set([
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "FORBIDDEN",
  "GRAPHQL_VALIDATION_FAILED",
  "QUERY_TOO_COSTLY",
]);

describe("fuzzed mutation inputs", () => {
  it.each(calls)(
    "%s: no internal error, no stack, nothing changed on refusal",
    async (_name, query, arb) => {
      await fc.assert(
        fc.asyncProperty(arb, async (raw) => {
          const variables = withIds(raw);
          const before = await snapshot(server);
          const res = await fetch(`${server.url}/graphql`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: "Bearer ms_test_admin_token_0123456789abcdef",
            },
            body: JSON.stringify({ query, variables }),
          });
          const body = (await res.json()) as {
            data?: unknown;
            errors?: { message: string; extensions?: { code?: string; stacktrace?: unknown } }[];
          };
          expect(res.status).toBeLessThan(500);
          expect(JSON.stringify(body)).not.toMatch(
            /stacktrace|\bat \S+ \(|SQLITE_|QueryFailedError/,
          );
          for (const error of body.errors ?? []) {
            expect(ACTIONABLE, error.message).toContain(error.extensions?.code);
            expect(error.message.length).toBeGreaterThan(10);
          }
          if (body.errors?.length) expect(await snapshot(server)).toBe(before);
        }),
        { numRuns: 100, seed: 20261201 },
      );
    },
    120_000,
  );
});
