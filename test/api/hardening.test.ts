import {
  connect as netConnect,
  createServer as createTcpServer,
  type Server as TcpServer,
} from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntegrationRow } from "../../server/storage/entities/index.js";
import {
  startTestServer,
  ADMIN_TOKEN,
  type GraphQLResponse,
  type TestServer,
} from "../support/test-server.js";
import { flipCiphertextByte, storeIntegration } from "../support/stored-integration.js";
import { UPDATE_CONNECTION, expectRefused } from "../support/integration-api.js";
import { connect, createToken, eventually, settle } from "../live/fixtures.js";
import { getIntrospectionQuery } from "graphql";

/**
 * `{ projects { buckets { project { buckets … { name } } } } }` of the given depth, counted as
 * graphql-depth-limit (and so MAILSTREAM_MAX_QUERY_DEPTH) counts: top-level fields are depth 0.
 */
function nested(depth: number): string {
  const fields = Array.from({ length: depth }, (_, i) =>
    i === 0 ? "projects" : i % 2 === 1 ? "buckets" : "project",
  );
  return `{ ${fields.join(" { ")} { name }${" }".repeat(fields.length - 1)} }`;
}

/** Messages of every bucket, and for each message its bucket's messages again: 200 × 200 nodes. */
const COSTLY = `{ projects { buckets { messages(first: 200) { edges { node {
  bucket { messages(first: 200) { edges { node { id subject } } } }
} } } } } }`;

const INTROSPECTION = `{ __schema { queryType { name } } }`;

let dev: TestServer;
let production: TestServer;
/** Every limit at its default. */
let defaults: TestServer;
const others: TestServer[] = [];
const sockets: { dispose(): unknown }[] = [];

beforeAll(async () => {
  [dev, production, defaults] = await Promise.all([
    startTestServer({ env: { MAILSTREAM_MAX_BODY_BYTES: "2000" } }),
    startTestServer({ env: { NODE_ENV: "production" } }),
    startTestServer(),
  ]);
  for (const server of [dev, production, defaults]) {
    await server.ok(`mutation {
      createProject(input: { name: "hardened" }) { id }
      createBucket(input: { project: "hardened", name: "inbox" }) { id }
    }`);
  }
});
afterAll(async () => {
  for (const socket of sockets) await socket.dispose();
  await Promise.all([dev, production, defaults, ...others].map((server) => server?.stop()));
});

async function post(
  server: TestServer,
  body: string,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<{ status: number; headers: Headers; text: string; json: GraphQLResponse | null }> {
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
    body,
  });
  const text = await response.text();
  let json: GraphQLResponse | null = null;
  try {
    json = JSON.parse(text) as GraphQLResponse;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const query = (server: TestServer, text: string) => post(server, JSON.stringify({ query: text }));

/** A graphql-ws connection with the admin token, closed after the file's tests. */
function socket(server: TestServer, token: string = ADMIN_TOKEN) {
  const connection = connect(server, token);
  sockets.push(connection);
  return connection;
}

/** One operation over a socket: its errors (or data) once it ends. */
async function overSocket(server: TestServer, text: string) {
  const received = socket(server).subscribe<Record<string, unknown>>(text);
  await eventually(
    () => received.completed || received.errors.length > 0,
    10_000,
    "the operation to end",
  );
  return received;
}

/** `count` aliases of `field`, as one query. */
const aliased = (count: number, field: string) =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(" ")} }`;

const MESSAGES_PAGE = `project(name: "hardened") { bucket(name: "inbox") { messages(first: 200) { edges { node { id subject } } } } }`;
const FRAGMENT_CYCLE = `query { viewer { ...A } } fragment A on ApiToken { id ...A }`;

describe("query limits", () => {
  it("accepts a query at the depth limit and refuses one a level deeper", async () => {
    const atLimit = await query(dev, nested(12));
    expect(atLimit.json?.errors).toBeUndefined();
    expect(atLimit.status).toBe(200);

    const tooDeep = await query(dev, nested(13));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json?.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(tooDeep.json?.errors?.[0]?.message).toMatch(/exceeds maximum operation depth of 12/);
    expect(tooDeep.json?.data).toBeUndefined();
  });

  it("refuses a query whose estimated cost is above the limit, before running it", async () => {
    const result = await query(dev, COSTLY);
    expect(result.status).toBe(400);
    const error = result.json?.errors?.[0];
    expect(error?.extensions).toMatchObject({ code: "QUERY_TOO_COSTLY", maxCost: 50_000 });
    expect(error?.extensions?.cost).toBeGreaterThan(50_000);
    expect(error?.message).toMatch(/above the limit of 50000/);
    expect(result.json?.data ?? undefined).toBeUndefined();

    const affordable = await query(dev, COSTLY.replaceAll("first: 200", "first: 20"));
    expect(affordable.json?.errors).toBeUndefined();
  });

  it.each([
    [1000, "BAD_USER_INPUT"],
    [0, "BAD_USER_INPUT"],
    [201, "BAD_USER_INPUT"],
    [200, null],
  ])("caps a page of messages: first: %i answers %s", async (first, code) => {
    const result = await query(
      dev,
      `{ project(name: "hardened") { bucket(name: "inbox") { messages(first: ${first}) { totalCount } } } }`,
    );
    if (code === null) {
      expect(result.json?.errors).toBeUndefined();
    } else {
      expect(result.json?.errors?.[0]?.extensions).toMatchObject({ code, field: "first" });
      expect(result.json?.errors?.[0]?.message).toMatch(/first must be from 1 to 200/);
    }
  });
});

describe("request hygiene", () => {
  it("refuses a GET query without a CSRF-preflight header, and answers one with it", async () => {
    const url = `${dev.url}/graphql?query=${encodeURIComponent("{ viewer { name } }")}`;
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const simple = await fetch(url, { headers: auth });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);

    const preflighted = await fetch(url, {
      headers: { ...auth, "apollo-require-preflight": "true" },
    });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { viewer: { name: "bootstrap admin" } } });
  });

  it("refuses a text/plain POST (a form a browser would send cross-site)", async () => {
    const result = await post(
      dev,
      JSON.stringify({ query: 'mutation { deleteProject(name: "hardened") }' }),
      {
        "content-type": "text/plain",
      },
    );
    expect(result.status).toBe(400);
    expect(result.text).toMatch(/Cross-Site Request Forgery/);
    const still = await dev.ok<{ project: { name: string } | null }>(
      `{ project(name: "hardened") { name } }`,
    );
    expect(still.project).toEqual({ name: "hardened" });
  });

  it("refuses a body over MAILSTREAM_MAX_BODY_BYTES with 413 and a JSON error", async () => {
    const padding = "x".repeat(2100);
    const result = await post(dev, JSON.stringify({ query: `{ viewer { name } } # ${padding}` }));
    expect(result.status).toBe(413);
    expect(result.json?.errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(result.json?.errors?.[0]?.message).toMatch(/2000 bytes/);
    expect(result.text).not.toMatch(/\bat \S+ \(/);

    const small = await post(
      dev,
      JSON.stringify({ query: `{ viewer { name } } # ${"x".repeat(1000)}` }),
    );
    expect(small.status).toBe(200);
  });

  it("marks /graphql answers nosniff", async () => {
    const answer = await fetch(`${dev.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ viewer { name } }" }),
    });
    expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    const page = await fetch(`${dev.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const tooLarge = await post(
      dev,
      JSON.stringify({ query: `{ viewer { name } } # ${"x".repeat(2100)}` }),
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answers malformed JSON with 400 and a JSON error, without a stack trace", async () => {
    const result = await post(production, "{ not json");
    expect(result.status).toBe(400);
    expect(result.json?.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    expect(result.text).not.toMatch(/\bat \S+ \(|node_modules/);
  });
});

describe("introspection and landing page", () => {
  const landingPage = (server: TestServer) =>
    fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });

  it("are on in development", async () => {
    const result = await query(dev, INTROSPECTION);
    expect(result.json).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
    const page = await landingPage(dev);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    // Not to be framed by another site (clickjacking).
    expect(page.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    // Works offline: it loads nothing (Apollo's own page pulls its scripts from a CDN) and points
    // to the dashboard's explorer.
    const html = await page.text();
    expect(html).not.toMatch(/<script|<link|https?:\/\//i);
    expect(html).toContain('href="/explorer"');
  });

  it("are off in production", async () => {
    const result = await query(production, INTROSPECTION);
    expect(result.json?.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(result.json?.errors?.[0]?.message).toMatch(/introspection is not allowed/);
    const page = await landingPage(production);
    expect(page.headers.get("content-type") ?? "").not.toMatch(/text\/html/);
  });

  it.each([
    [{ MAILSTREAM_INTROSPECTION: "false" }, false],
    [{ NODE_ENV: "production", MAILSTREAM_INTROSPECTION: "true" }, true],
  ])("follow MAILSTREAM_INTROSPECTION: %j → %s", async (env, on) => {
    const server = await startTestServer({ env });
    others.push(server);
    const result = await query(server, INTROSPECTION);
    if (on) expect(result.json?.data).toEqual({ __schema: { queryType: { name: "Query" } } });
    else expect(result.json?.errors?.[0]?.message).toMatch(/introspection is not allowed/);
    const page = await landingPage(server);
    expect(/text\/html/.test(page.headers.get("content-type") ?? "")).toBe(on);
  });
});

describe("error details", () => {
  /** A stored secret that no longer opens: an unexpected failure deep inside a mutation. */
  async function brokenIntegration(server: TestServer): Promise<string> {
    const row = await storeIntegration(server.app.deps.db, server.app.deps.secrets, {
      secrets: { clientSecret: "hardening-canary-secret" },
    });
    await server.app.deps.db.transaction((m) =>
      m.update(
        IntegrationRow,
        { id: row.id },
        { secretEnvelope: flipCiphertextByte(row.secretEnvelope!) },
      ),
    );
    return row.id;
  }
  const VALIDATE = `mutation($id: ID!) { validateIntegrationCredentials(id: $id) { status } }`;

  it("masks an unexpected error in production: no message details, no stack trace", async () => {
    const id = await brokenIntegration(production);
    const result = await production.gql(VALIDATE, { id });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({
      message: "Internal server error",
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    });
    expect(result.errors?.[0]?.extensions?.stacktrace).toBeUndefined();
    expect(JSON.stringify(result)).not.toMatch(/integrity|SecretBox|\.ts:\d+/);
  });

  it("keeps domain errors' code and message in production, without a stack trace", async () => {
    const result = await production.gql(
      `mutation { createProject(input: { name: "has space" }) { id } }`,
    );
    expect(result.errors?.[0]?.extensions).toEqual({ code: "BAD_USER_INPUT", field: "input.name" });
    const invalid = await production.gql(`{ nosuchfield }`);
    expect(invalid.errors?.[0]?.extensions).toEqual({ code: "GRAPHQL_VALIDATION_FAILED" });
  });

  it("gives no name suggestions in production, on either transport", async () => {
    const typo = `{ projct(name: "hardened") { name } }`;
    const devAnswer = await dev.gql(typo);
    expect(devAnswer.errors?.[0]?.message).toMatch(/Did you mean "project"/);
    const answer = await production.gql(typo);
    expect(answer.errors?.[0]).toMatchObject({
      message: 'Cannot query field "projct" on type "Query".',
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    const enumTypo = await production.gql(
      `mutation { validateCredentials(connection: { api: GRAPHS, authMethod: CLIENT_SECRET, access: APPLICATION, authorityUrl: "https://login.microsoftonline.com/x.onmicrosoft.com", clientId: "x" }) { status } }`,
    );
    expect(enumTypo.errors?.[0]?.message).toMatch(/GRAPHS/);
    expect(JSON.stringify(enumTypo)).not.toMatch(/Did you mean/);
    const ws = await overSocket(production, typo);
    expect(ws.errors[0]?.message).toBe('Cannot query field "projct" on type "Query".');
  });

  it("shows the details and the stack trace outside production", async () => {
    const id = await brokenIntegration(dev);
    const result = await dev.gql(VALIDATE, { id });
    expect(result.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    expect(result.errors?.[0]?.message).toMatch(/integrity check/);
    expect(result.errors?.[0]?.extensions?.stacktrace).toEqual(expect.any(Array));
  });
});

describe("variables that do not coerce", () => {
  it("answer BAD_USER_INPUT, not an internal error", async () => {
    const server = await startTestServer();
    try {
      const result = await server.gql(
        `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`,
        {
          input: { name: "x", unitBudget: "lots" },
        },
      );
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      const unknown = await server.gql(
        `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`,
        {
          input: { name: "x", colour: "red" },
        },
      );
      expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    } finally {
      await server.stop();
    }
  });
});

describe("stored secrets stay with their hosts", () => {
  /** A loopback listener of the test's own: records every connection and byte it receives. */
  async function listener(): Promise<{ url: string; received: () => number; close(): void }> {
    let received = 0;
    const server: TcpServer = createTcpServer((socket) => {
      received++;
      socket.on("data", () => received++);
      socket.on("error", () => undefined);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `https://127.0.0.1:${port}`,
      received: () => received,
      close: () => server.close(),
    };
  }

  const CANARY = "hardening-stored-secret-7c1e";
  const stored = {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: "https://login.microsoftonline.com/contoso.onmicrosoft.com",
    clientId: "7f3b1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e",
    graphEndpoint: "https://graph.microsoft.com",
  };

  it("refuses to move the authority, Graph or EWS host without the secret, and sends nothing there", async () => {
    const row = await storeIntegration(dev.app.deps.db, dev.app.deps.secrets, {
      projectName: "hardened",
      secrets: { clientSecret: CANARY },
    });
    const writer = await createToken(dev, [
      { project: "hardened", permissions: ["INTEGRATIONS_WRITE"] },
    ]);
    const trap = await listener();
    try {
      const moves: [Record<string, unknown>, RegExp][] = [
        [{ authorityUrl: `${trap.url}/contoso.onmicrosoft.com` }, /sign-in \(authority\) host/],
        [{ graphEndpoint: trap.url }, /Graph host/],
      ];
      for (const [change, what] of moves) {
        const error = await expectRefused(
          dev,
          UPDATE_CONNECTION,
          { id: row.id, connection: { ...stored, ...change } },
          {
            code: "BAD_USER_INPUT",
            field: "connection.clientSecret",
            message: [what, trap.url, /send clientSecret again/, /only ever sent to the host/],
          },
          writer.token,
        );
        expect(error.message).not.toContain(CANARY);
      }
      // EWS: the EWS URL moves as well as the API; without the secret, nothing is sent either.
      await expectRefused(
        dev,
        UPDATE_CONNECTION,
        {
          id: row.id,
          connection: { ...stored, api: "EWS", ewsUrl: `${trap.url}/EWS/Exchange.asmx` },
        },
        { code: "BAD_USER_INPUT", field: "connection.clientSecret", message: [/EWS host/] },
        writer.token,
      );
      expect(trap.received()).toBe(0);

      // The listener does notice a request: with the secret sent again, the server tries the host.
      const resent = await dev.gql(
        UPDATE_CONNECTION,
        {
          id: row.id,
          connection: {
            ...stored,
            authorityUrl: `${trap.url}/contoso.onmicrosoft.com`,
            clientSecret: "typed-in-again-for-this-host",
          },
        },
        writer.token,
      );
      expect(resent.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|SERVICE_UNAVAILABLE/);
      expect(trap.received()).toBeGreaterThan(0);
    } finally {
      trap.close();
    }
  });
});

describe("one set of limits on both transports", () => {
  it("refuses a query too large to measure (over 10,000 selections) as too costly", async () => {
    const result = await query(defaults, aliased(2500, `viewer { id name admin createdAt }`));
    expect(result.status).toBe(400);
    expect(result.json?.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
    expect(result.json?.errors?.[0]?.message).toMatch(/more than 10000 fields/);
  });

  it("refuses an over-costly query over WebSocket as over HTTP", async () => {
    const costly = aliased(1000, MESSAGES_PAGE);
    const http = await query(defaults, costly);
    expect(http.json?.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
    const ws = await overSocket(defaults, costly);
    expect(ws.data).toEqual([]);
    expect(ws.errors[0]).toMatchObject({
      message: expect.stringMatching(/above the limit of 50000/),
      extensions: { code: "QUERY_TOO_COSTLY", maxCost: 50_000 },
    });
    expect(ws.errors[0]?.extensions?.http).toBeUndefined();
    const cheap = await overSocket(defaults, aliased(2, MESSAGES_PAGE));
    expect(cheap.errors).toEqual([]);
    expect(cheap.data).toHaveLength(1);
  });

  it("closes a socket whose message is larger than MAILSTREAM_MAX_BODY_BYTES (1009)", async () => {
    const small = await overSocket(dev, `{ viewer { name } } # ${"x".repeat(1000)}`);
    expect(small.errors).toEqual([]);
    const connection = socket(dev);
    connection.subscribe(`{ viewer { name } } # ${"x".repeat(2100)}`);
    expect((await connection.whenClosed()).code).toBe(1009);
  });

  it("refuses introspection over WebSocket in production", async () => {
    const ws = await overSocket(production, INTROSPECTION);
    expect(ws.errors[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(ws.errors[0]?.message).toMatch(/introspection is not allowed/);
    const typename = await overSocket(production, `{ __typename }`);
    expect(typename.data).toEqual([{ __typename: "Query" }]);
  });

  it("answers a fragment cycle with graphql-js's validation error on both transports", async () => {
    for (const server of [dev, production]) {
      const http = await query(server, FRAGMENT_CYCLE);
      expect(http.status).toBe(400);
      expect(http.json?.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(http.json?.errors?.[0]?.message).toMatch(/Cannot spread fragment "A" within itself/);
      expect(http.text).not.toMatch(/RangeError|Maximum call stack|graphql-depth-limit/);
    }
    const unknown = await query(dev, `query { viewer { ...Missing } }`);
    expect(unknown.json?.errors?.[0]?.message).toMatch(/Unknown fragment "Missing"/);

    const connection = socket(dev);
    const ws = connection.subscribe(FRAGMENT_CYCLE);
    await eventually(() => ws.errors.length > 0, 5_000, "validation error");
    expect(ws.errors[0]).toMatchObject({
      message: expect.stringMatching(/Cannot spread fragment "A" within itself/),
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    // The socket stays open for the next operation.
    const after = connection.subscribe<{ viewer: { name: string } }>(`{ viewer { name } }`);
    await eventually(() => after.completed, 5_000, "a query after the refusal");
    expect(after.data).toEqual([{ viewer: { name: "bootstrap admin" } }]);
    expect(connection.closed).toEqual([]);
  });
});

describe("introspection", () => {
  it("needs a token (unless MAILSTREAM_PUBLIC_INTROSPECTION)", async () => {
    const anonymous = await post(defaults, JSON.stringify({ query: INTROSPECTION }), {
      "content-type": "application/json",
      authorization: "",
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json?.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(anonymous.json?.errors?.[0]?.message).toMatch(/Introspection needs an API token/);
    expect(anonymous.json?.data).toBeUndefined();

    const server = await startTestServer({ env: { MAILSTREAM_PUBLIC_INTROSPECTION: "true" } });
    others.push(server);
    const open = await server.gql(INTROSPECTION, {}, null);
    expect(open).toEqual({ data: { __schema: { queryType: { name: "Query" } } } });
  });

  it("counts towards the cost limit: the full introspection query passes, thousands of aliased __schema do not", async () => {
    const full = await query(defaults, getIntrospectionQuery());
    expect(full.json?.errors).toBeUndefined();
    expect(full.json?.data).toHaveProperty("__schema.types");

    const costly = aliased(2000, `__schema { types { fields { name type { name } } } }`);
    const result = await query(defaults, costly);
    expect(result.status).toBe(400);
    expect(result.json?.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
    expect(result.text.length).toBeLessThan(2_000);
    // One type asked by name counts that type's own size.
    const mutations = await query(
      defaults,
      aliased(1000, `__type(name: "Mutation") { fields { name args { name } } }`),
    );
    expect(mutations.json?.errors?.[0]?.extensions?.code).toBe("QUERY_TOO_COSTLY");
  });
});

describe("resource limits", () => {
  const EVENTS = `subscription { integrationEvents(project: "hardened") { kind } }`;

  it("refuses a socket's subscription beyond MAILSTREAM_MAX_SUBSCRIPTIONS_PER_SOCKET (100), naming the limit", async () => {
    const connection = socket(defaults);
    const accepted = Array.from({ length: 100 }, () => connection.subscribe(EVENTS));
    const refused = connection.subscribe(EVENTS);
    await eventually(() => refused.errors.length > 0, 10_000, "the refusal");
    expect(refused.errors[0]).toMatchObject({
      message: expect.stringMatching(
        /already has 100 active operations.*MAX_SUBSCRIPTIONS_PER_SOCKET/,
      ),
      extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: 100 },
    });
    expect(accepted.every((s) => s.errors.length === 0 && !s.completed)).toBe(true);
    // Completing one makes room again; another socket has its own allowance.
    accepted[0]!.stop();
    const again = connection.subscribe(EVENTS);
    const elsewhere = socket(defaults).subscribe(EVENTS);
    await settle(300);
    expect(again.errors).toEqual([]);
    expect(elsewhere.errors).toEqual([]);
    for (const s of accepted) s.stop();
  });

  it("closes a token's socket beyond MAILSTREAM_MAX_SOCKETS_PER_TOKEN with 4429 and a reason", async () => {
    const limited = await startTestServer({ env: { MAILSTREAM_MAX_SOCKETS_PER_TOKEN: "2" } });
    others.push(limited);
    const open = [socket(limited), socket(limited)];
    for (const connection of open) {
      const received = connection.subscribe(`{ viewer { name } }`);
      await eventually(() => received.completed, 10_000, "the query over the socket");
    }
    const third = socket(limited);
    expect(await third.whenClosed()).toEqual({
      code: 4429,
      reason: "Too many connections for this API token (limit 2)",
    });
    // Another token is not affected; closing one socket frees its place.
    await limited.ok(`mutation { createProject(input: { name: "other" }) { id } }`);
    const other = await createToken(limited, [{ project: "other", permissions: ["BUCKETS_READ"] }]);
    const theirs = socket(limited, other.token).subscribe(`{ viewer { name } }`);
    await eventually(() => theirs.completed, 10_000, "the other token's query");
    await open[0]!.dispose();
    await settle(100);
    const fourth = socket(limited).subscribe(`{ viewer { name } }`);
    await eventually(() => fourth.completed, 10_000, "a query once a socket closed");
    expect(fourth.errors).toEqual([]);
  });

  it("answers 408 and closes a connection whose body is trickled in past MAILSTREAM_REQUEST_TIMEOUT", async () => {
    const strict = await startTestServer({ env: { MAILSTREAM_REQUEST_TIMEOUT: "2" } });
    others.push(strict);
    const { port } = new URL(strict.url);
    const tcp = netConnect(Number(port), "127.0.0.1");
    let answer = "";
    tcp.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    const closed = new Promise<number>((resolve) => tcp.on("close", () => resolve(Date.now())));
    const started = Date.now();
    tcp.write(
      "POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n" +
        `authorization: Bearer ${ADMIN_TOKEN}\r\ncontent-length: 1000\r\n\r\n{`,
    );
    const trickle = setInterval(() => tcp.writable && tcp.write(" "), 200);
    try {
      const end = await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(end - started).toBeGreaterThanOrEqual(1_900);
      expect(end - started).toBeLessThan(6_000);
    } finally {
      clearInterval(trickle);
      tcp.destroy();
    }
    // A request sent in time is answered as ever.
    expect((await query(strict, `{ viewer { name } }`)).status).toBe(200);
  });
});

describe("input sizes", () => {
  const LONG = "t".repeat(10_001);
  const CONNECTION = {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001",
    clientId: "00000000-0000-0000-0000-000000000002",
    clientSecret: "not-used",
  };
  const MAILBOX = { email: "orders@contoso.com", allTime: true };
  const CREATE_INTEGRATION = `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`;
  const cases: {
    what: string;
    query: string;
    variables: Record<string, unknown>;
    field: string;
  }[] = [
    {
      what: "a 10,001-character project title",
      query: `mutation($t: String) { createProject(input: { name: "long", title: $t }) { id } }`,
      variables: { t: LONG },
      field: "input.title",
    },
    {
      what: "a 10,001-character project description",
      query: `mutation($t: String) { updateProject(name: "hardened", input: { description: $t }) { id } }`,
      variables: { t: LONG },
      field: "input.description",
    },
    {
      what: "a 10,001-character bucket title",
      query: `mutation($t: String) { createBucket(input: { project: "hardened", name: "long", title: $t }) { id } }`,
      variables: { t: LONG },
      field: "input.title",
    },
    {
      what: "40,000 folder filters",
      query: CREATE_INTEGRATION,
      variables: {
        input: {
          project: "hardened",
          name: "filters",
          connection: CONNECTION,
          mailboxes: [
            {
              ...MAILBOX,
              filters: { deniedFolders: Array.from({ length: 40_000 }, (_, i) => `F${i}`) },
            },
          ],
        },
      },
      field: "input.mailboxes.0.filters.deniedFolders",
    },
    {
      what: "a 1,025-character participant filter",
      query: CREATE_INTEGRATION,
      variables: {
        input: {
          project: "hardened",
          name: "filters",
          connection: CONNECTION,
          mailboxes: [{ ...MAILBOX, filters: { allowedParticipants: ["p".repeat(1_025)] } }],
        },
      },
      field: "input.mailboxes.0.filters.allowedParticipants.0",
    },
    {
      what: "501 mailboxes in one createIntegration",
      query: CREATE_INTEGRATION,
      variables: {
        input: {
          project: "hardened",
          name: "many",
          connection: CONNECTION,
          mailboxes: Array.from({ length: 501 }, (_, i) => ({
            ...MAILBOX,
            email: `m${i}@contoso.com`,
          })),
        },
      },
      field: "input.mailboxes",
    },
    {
      what: "501 mailboxes in one validateCredentials",
      query: `mutation($c: ConnectionInput!, $m: [String!]) { validateCredentials(connection: $c, mailboxes: $m) { status } }`,
      variables: {
        c: CONNECTION,
        m: Array.from({ length: 501 }, (_, i) => `m${i}@contoso.com`),
      },
      field: "mailboxes",
    },
    {
      what: "1,001 stream folder filters",
      query: `mutation($f: [String!]) { createStream(input: { project: "hardened", name: "s", bucketIds: ["x"], filter: { folders: $f } }) { id } }`,
      variables: { f: Array.from({ length: 1_001 }, (_, i) => `F${i}`) },
      field: "input.filter.folders",
    },
  ];

  for (const { what, query: text, variables, field } of cases) {
    it(`refuses ${what} with BAD_USER_INPUT naming ${field}, changing nothing`, async () => {
      const error = await expectRefused(defaults, text, variables, {
        code: "BAD_USER_INPUT",
        field,
      });
      expect(error.message).toMatch(/at most/);
    });
  }
});
