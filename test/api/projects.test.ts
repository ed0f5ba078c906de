import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshot } from "../support/snapshot.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const CREATE = `mutation($input: CreateProjectInput!) {
  createProject(input: $input) { id name title description unitBudget usage { messagesCreated unitsCharged } }
}`;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("projects", () => {
  it("creates, reads, updates and deletes a project", async () => {
    const created = await server.ok<{ createProject: Record<string, unknown> }>(CREATE, {
      input: {
        name: "sales-emea",
        title: "Sales EMEA",
        description: "Orders mailbox",
        unitBudget: 1000,
      },
    });
    expect(created.createProject).toMatchObject({
      name: "sales-emea",
      title: "Sales EMEA",
      description: "Orders mailbox",
      unitBudget: 1000,
      usage: { messagesCreated: 0, unitsCharged: 0 },
    });
    const read = await server.ok<{ project: { title: string } }>(
      `{ project(name: "sales-emea") { title } }`,
    );
    expect(read.project.title).toBe("Sales EMEA");

    const updated = await server.ok<{
      updateProject: { title: string; unitBudget: number | null; name: string };
    }>(
      `mutation { updateProject(name: "sales-emea", input: { title: "EMEA", unitBudget: null }) { name title unitBudget } }`,
    );
    expect(updated.updateProject).toEqual({ name: "sales-emea", title: "EMEA", unitBudget: null });

    const deleted = await server.ok<{ deleteProject: boolean }>(
      `mutation { deleteProject(name: "sales-emea") }`,
    );
    expect(deleted.deleteProject).toBe(true);
    expect(
      (await server.ok<{ project: null }>(`{ project(name: "sales-emea") { id } }`)).project,
    ).toBeNull();
  });

  it("defaults the title to the name and the description to empty", async () => {
    const created = await server.ok<{ createProject: { title: string; description: string } }>(
      CREATE,
      {
        input: { name: "defaults" },
      },
    );
    expect(created.createProject).toMatchObject({ title: "defaults", description: "" });
  });

  it.each([
    ["", "input.name"],
    ["has space", "input.name"],
    ["a/b", "input.name"],
    ["x".repeat(257), "input.name"],
    ["ünïcode", "input.name"],
  ])("refuses the API name %j with BAD_USER_INPUT and changes nothing", async (name, field) => {
    const before = await snapshot(server);
    const result = await server.gql(CREATE, { input: { name } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(result.errors?.[0]?.message).toMatch(/letters|characters/i);
    expect(await snapshot(server)).toBe(before);
  });

  it("accepts every allowed character and the longest name", async () => {
    for (const name of ["A-z_0-9", "x".repeat(256)]) {
      const result = await server.gql(CREATE, { input: { name } });
      expect(result.errors).toBeUndefined();
    }
  });

  it("refuses a negative budget", async () => {
    const before = await snapshot(server);
    const result = await server.gql(CREATE, { input: { name: "budget", unitBudget: -1 } });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "input.unitBudget",
    });
    expect(await snapshot(server)).toBe(before);
  });

  it("answers CONFLICT for a taken name and changes nothing", async () => {
    await server.ok(CREATE, { input: { name: "taken" } });
    const before = await snapshot(server);
    const result = await server.gql(CREATE, { input: { name: "taken", title: "Other" } });
    expect(result.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(result.errors?.[0]?.message).toContain("taken");
    expect(await snapshot(server)).toBe(before);
  });

  it("has no mutation input that renames a project", async () => {
    const result = await server.gql(
      `mutation { updateProject(name: "taken", input: { name: "renamed" }) { name } }`,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("answers NOT_FOUND when updating or deleting a project that does not exist", async () => {
    for (const query of [
      `mutation { updateProject(name: "nope", input: { title: "x" }) { name } }`,
      `mutation { deleteProject(name: "nope") }`,
    ]) {
      expect((await server.gql(query)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
  });

  it("refuses callers without a token, with UNAUTHENTICATED", async () => {
    for (const token of [null, "ms_not_a_real_token"]) {
      const result = await server.gql(`{ projects { name } }`, undefined, token);
      expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(result.errors?.[0]?.message).toContain("Authorization: Bearer");
    }
  });
});

describe("text no database can hold", () => {
  it.each([
    [
      "a project title",
      CREATE,
      { input: { name: "nul-title", title: "Sales\u0000" } },
      "input.title",
    ],
    [
      "a project description",
      CREATE,
      { input: { name: "nul-description", description: "a\u0000b" } },
      "input.description",
    ],
    [
      "an API token name",
      `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { name: "ci\u0000", admin: true } },
      "input.name",
    ],
    [
      "a lone surrogate in a title",
      CREATE,
      { input: { name: "surrogate-title", title: "bad \ud800 text" } },
      "input.title",
    ],
  ])(
    "refuses %s with BAD_USER_INPUT naming the field, changing nothing",
    async (_what, query, variables, field) => {
      const before = await snapshot(server);
      const answer = await server.gql(query, variables);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(answer.errors?.[0]?.message).toMatch(/NUL character \(U\+0000\)/);
      expect(JSON.stringify(answer)).not.toMatch(/SQL|invalid byte sequence|0x00/i);
      expect(await snapshot(server)).toBe(before);
    },
  );
});
