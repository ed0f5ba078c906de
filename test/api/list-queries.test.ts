import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeIntegration } from "../support/stored-integration.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.ok(`mutation { createProject(input: { name: "lists" }) { id } }`);
  for (const [name, title] of [
    ["orders-eu", "Orders Europe"],
    ["archive", "Old mail"],
    ["orders-us", "Orders America"],
  ]) {
    await server.ok(
      `mutation($name: String!, $title: String!) { createBucket(input: { project: "lists", name: $name, title: $title }) { id } }`,
      { name, title },
    );
  }
});
afterAll(() => server.stop());

const buckets = async (args: string) =>
  (
    await server.ok<{ project: { buckets: { name: string }[] } }>(
      `{ project(name: "lists") { buckets${args} { name } } }`,
    )
  ).project.buckets.map((b) => b.name);

describe("search, sort and paging of lists", () => {
  it("narrows by name or title, sorts and pages", async () => {
    expect(await buckets("")).toEqual(["archive", "orders-eu", "orders-us"]);
    expect(await buckets(`(search: "ORDERS")`)).toEqual(["orders-eu", "orders-us"]);
    expect(await buckets(`(search: "old")`)).toEqual(["archive"]); // its title
    expect(await buckets(`(orderBy: NAME_DESC)`)).toEqual(["orders-us", "orders-eu", "archive"]);
    expect(await buckets(`(orderBy: NEWEST_FIRST)`)).toEqual(["orders-us", "archive", "orders-eu"]);
    expect(await buckets(`(orderBy: OLDEST_FIRST, first: 2)`)).toEqual(["orders-eu", "archive"]);
    expect(await buckets(`(orderBy: OLDEST_FIRST, first: 2, offset: 2)`)).toEqual(["orders-us"]);
    const tokens = await server.ok<{ apiTokens: { name: string }[] }>(
      `{ apiTokens(search: "zzz-none") { name } }`,
    );
    expect(tokens.apiTokens).toEqual([]);
    const others = await server.ok<{ project: { integrations: unknown[]; streams: unknown[] } }>(
      `{ project(name: "lists") { integrations(search: "x", orderBy: NAME_ASC) { id } streams(first: 5) { id } } }`,
    );
    expect(others.project).toEqual({ integrations: [], streams: [] });
  });

  it("narrows, sorts and pages integrations and streams the same way", async () => {
    // Lists that are empty above would pass with their arguments ignored: give them rows.
    for (const [name, title] of [
      ["orders-exchange", "Orders mailboxes"],
      ["archive-exchange", "Old mail"],
    ]) {
      await storeIntegration(server.app.deps.db, server.app.deps.secrets, {
        secrets: { clientSecret: `${name}-secret` },
        projectName: "lists",
        name,
        title,
        enabled: false,
      });
    }
    const ids = (
      await server.ok<{ project: { buckets: { id: string }[] } }>(
        `{ project(name: "lists") { buckets { id } } }`,
      )
    ).project.buckets.map((b) => b.id);
    for (const name of ["orders-feed", "archive-feed", "orders-audit"]) {
      await server.ok(
        `mutation($name: String!, $b: [ID!]!) { createStream(input: { project: "lists", name: $name, bucketIds: $b }) { id } }`,
        { name, b: ids },
      );
    }
    const names = async (list: "integrations" | "streams", args: string) =>
      (
        await server.ok<{ project: Record<string, { name: string }[]> }>(
          `{ project(name: "lists") { ${list}${args} { name } } }`,
        )
      ).project[list]!.map((r) => r.name);
    expect(await names("integrations", "")).toEqual(["archive-exchange", "orders-exchange"]);
    expect(await names("integrations", `(search: "OLD")`)).toEqual(["archive-exchange"]);
    expect(await names("integrations", `(orderBy: NAME_DESC)`)).toEqual([
      "orders-exchange",
      "archive-exchange",
    ]);
    expect(await names("integrations", `(orderBy: NAME_ASC, first: 1, offset: 1)`)).toEqual([
      "orders-exchange",
    ]);
    expect(await names("streams", `(search: "orders")`)).toEqual(["orders-audit", "orders-feed"]);
    expect(await names("streams", `(orderBy: NAME_DESC, first: 2)`)).toEqual([
      "orders-feed",
      "orders-audit",
    ]);
  });

  it("refuses a bad window, naming the argument", async () => {
    for (const [args, field] of [
      [`(first: 0)`, "first"],
      [`(first: 5000)`, "first"],
      [`(offset: -1)`, "offset"],
      [`(search: "${"x".repeat(300)}")`, "search"],
    ] as const) {
      const result = await server.gql(`{ project(name: "lists") { buckets${args} { name } } }`);
      expect(result.errors?.[0]?.extensions, args).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
  });
});
