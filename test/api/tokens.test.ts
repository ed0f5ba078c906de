import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { snapshot } from "../support/snapshot.js";

const CREATE_TOKEN = `mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name admin grants { project permissions } } }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.ok(
    `mutation { a: createProject(input: { name: "alpha" }) { id } b: createProject(input: { name: "beta" }) { id } }`,
  );
});
afterAll(() => server.stop());

async function createToken(input: Record<string, unknown>) {
  const data = await server.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    CREATE_TOKEN,
    { input },
  );
  return data.createApiToken;
}

describe("API tokens", () => {
  it("shows a new token once and stores only its hash", async () => {
    const created = await createToken({
      name: "reader",
      grants: [{ project: "alpha", permissions: ["INTEGRATIONS_READ"] }],
    });
    expect(created.token).toMatch(/^ms_[A-Za-z0-9_-]{43}$/);
    const listed = await server.ok<{ apiTokens: { id: string; name: string }[] }>(
      `{ apiTokens { id name } }`,
    );
    expect(listed.apiTokens.map((t) => t.name)).toContain("reader");
    expect(JSON.stringify(listed)).not.toContain(created.token);
    expect(await snapshot(server)).not.toContain(created.token);
    if (!server.databaseUrl) {
      for (const file of readdirSync(server.dataDir).filter((f) =>
        f.startsWith("mailstream.sqlite"),
      )) {
        expect(readFileSync(join(server.dataDir, file)).includes(Buffer.from(created.token))).toBe(
          false,
        );
      }
    }
  });

  it("tells a token who it is (viewer) with its grants", async () => {
    const created = await createToken({
      name: "two-perms",
      grants: [{ project: "alpha", permissions: ["BUCKETS_READ", "MESSAGES_READ"] }],
    });
    const me = await server.ok<{ viewer: unknown }>(
      `{ viewer { name admin grants { project permissions } } }`,
      {},
      created.token,
    );
    expect(me.viewer).toEqual({
      name: "two-perms",
      admin: false,
      grants: [{ project: "alpha", permissions: ["BUCKETS_READ", "MESSAGES_READ"] }],
    });
  });

  it("lets only admins create tokens", async () => {
    const created = await createToken({
      name: "writer",
      grants: [{ project: "alpha", permissions: ["INTEGRATIONS_WRITE"] }],
    });
    const result = await server.gql(
      CREATE_TOKEN,
      { input: { name: "escalate", admin: true } },
      created.token,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses tokens without grants, unknown projects and empty permission lists", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "nothing" }, "BAD_USER_INPUT"],
      [
        { name: "ghost", grants: [{ project: "ghost", permissions: ["BUCKETS_READ"] }] },
        "NOT_FOUND",
      ],
      [{ name: "empty", grants: [{ project: "alpha", permissions: [] }] }, "BAD_USER_INPUT"],
      [{ name: "", admin: true }, "BAD_USER_INPUT"],
    ];
    for (const [input, code] of cases) {
      const before = await snapshot(server);
      const result = await server.gql(CREATE_TOKEN, { input });
      expect(result.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe(code);
      expect(await snapshot(server)).toBe(before);
    }
  });

  it("stops accepting a revoked token at once", async () => {
    const created = await createToken({
      name: "short-lived",
      grants: [{ project: "alpha", permissions: ["BUCKETS_READ"] }],
    });
    expect((await server.gql(`{ viewer { name } }`, {}, created.token)).errors).toBeUndefined();
    await server.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: created.apiToken.id });
    const after = await server.gql(`{ viewer { name } }`, {}, created.token);
    expect(after.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const again = await server.gql(`mutation($id: ID!) { revokeApiToken(id: $id) }`, {
      id: created.apiToken.id,
    });
    expect(again.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("tells a missing token from a rejected one (both UNAUTHENTICATED), on HTTP and attachments", async () => {
    const created = await createToken({
      name: "soon-revoked",
      grants: [{ project: "alpha", permissions: ["BUCKETS_READ"] }],
    });
    await server.ok(`mutation($id: ID!) { revokeApiToken(id: $id) }`, { id: created.apiToken.id });
    const missing = (await server.gql(`{ viewer { name } }`, {}, null)).errors?.[0];
    const revoked = (await server.gql(`{ viewer { name } }`, {}, created.token)).errors?.[0];
    const mistyped = (await server.gql(`{ viewer { name } }`, {}, "ms_mistyped")).errors?.[0];
    for (const error of [missing, revoked, mistyped]) {
      expect(error?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    expect(missing?.message).toMatch(/No API token was sent.*Authorization: Bearer/);
    expect(revoked?.message).toMatch(/not valid \(revoked, or mistyped\).*create a new one/);
    expect(mistyped?.message).toBe(revoked?.message);
    expect(missing?.message).not.toBe(revoked?.message);

    const download = (authorization?: string) =>
      fetch(`${server.url}/attachments/no-such-reference`, {
        headers: authorization ? { authorization } : {},
      });
    const noToken = await download();
    const badToken = await download(`Bearer ${created.token}`);
    expect([noToken.status, badToken.status]).toEqual([401, 401]);
    expect(((await noToken.json()) as { error: string }).error).toMatch(/No API token was sent/);
    expect(((await badToken.json()) as { error: string }).error).toMatch(/not valid/);
  });

  it("scopes a project token: sees its project only, reads but cannot write", async () => {
    const reader = await createToken({
      name: "alpha-reader",
      grants: [{ project: "alpha", permissions: ["INTEGRATIONS_READ"] }],
    });
    const projects = await server.ok<{ projects: { name: string }[] }>(
      `{ projects { name } }`,
      {},
      reader.token,
    );
    expect(projects.projects.map((p) => p.name)).toEqual(["alpha"]);
    const beta = await server.ok<{ project: null }>(
      `{ project(name: "beta") { name } }`,
      {},
      reader.token,
    );
    expect(beta.project).toBeNull();
    const integrations = await server.gql(
      `{ project(name: "alpha") { integrations { id } } }`,
      {},
      reader.token,
    );
    expect(integrations.errors).toBeUndefined();
    const buckets = await server.gql(
      `{ project(name: "alpha") { buckets { id } } }`,
      {},
      reader.token,
    );
    expect(buckets.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const createBucket = await server.gql(
      `mutation { createBucket(input: { project: "alpha", name: "b1" }) { id } }`,
      {},
      reader.token,
    );
    expect(createBucket.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const createInBeta = await server.gql(
      `mutation { createBucket(input: { project: "beta", name: "b1" }) { id } }`,
      {},
      reader.token,
    );
    expect(createInBeta.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const updateProject = await server.gql(
      `mutation { updateProject(name: "alpha", input: { title: "x" }) { id } }`,
      {},
      reader.token,
    );
    expect(updateProject.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const deleteBeta = await server.gql(
      `mutation { deleteProject(name: "beta") }`,
      {},
      reader.token,
    );
    expect(deleteBeta.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("lists only itself for a non-admin token", async () => {
    const created = await createToken({
      name: "self-only",
      grants: [{ project: "beta", permissions: ["STREAMS_READ"] }],
    });
    const listed = await server.ok<{ apiTokens: { name: string }[] }>(
      `{ apiTokens { name } }`,
      {},
      created.token,
    );
    expect(listed.apiTokens.map((t) => t.name)).toEqual(["self-only"]);
  });
});
