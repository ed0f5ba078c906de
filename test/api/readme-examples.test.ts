import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoTenant, type DemoTenant } from "../../simulator/index.js";
import { startSimulatorAndServer, type SimulatorAndServer } from "../support/sync-env.js";
import { ADMIN_TOKEN } from "../support/test-server.js";

/**
 * The README's curl example, as written: each `gql '…'` line's body, and the `printf` line with
 * the values the demo prints substituted for `%s`, posted to a server with the demo's simulated
 * tenant, with the admin token as `$TOKEN`.
 */
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const section = readme.slice(readme.indexOf("## A first mutation with curl"));
const block = section.slice(
  section.indexOf("```sh") + 5,
  section.indexOf("```", section.indexOf("```sh") + 5),
);

function bodies(values: Record<string, string>): unknown[] {
  const out: unknown[] = [];
  for (const line of block.split("\n")) {
    if (!line.startsWith("gql ")) continue;
    const printf = /^gql "\$\(printf '(.*)' ((?:"\$[A-Z_]+" ?)+)\)"$/.exec(line);
    if (printf) {
      const names = printf[2]!
        .trim()
        .split(" ")
        .map((n) => n.slice(2, -1));
      let i = 0;
      out.push(JSON.parse(printf[1]!.replace(/%s/g, () => values[names[i++]!]!)));
      continue;
    }
    const quoted = /^gql '(.*)'$/.exec(line);
    if (!quoted) throw new Error(`README line not understood: ${line}`);
    out.push(JSON.parse(quoted[1]!));
  }
  return out;
}

let env: SimulatorAndServer;
let tenant: DemoTenant;
beforeAll(async () => {
  env = await startSimulatorAndServer();
  tenant = await seedDemoTenant(env.sim, { messagesPerMailbox: 20 });
});
afterAll(() => env.stop());

describe("the README's curl example", () => {
  it("creates a project and an integration against the simulated tenant, and reads its bucket", async () => {
    expect(block).toContain("graphEndpoint");
    const requests = bodies({
      AUTHORITY: tenant.authorityUrl,
      CLIENT_ID: tenant.app.clientId,
      SECRET: tenant.app.clientSecret,
      GRAPH: tenant.graphEndpoint,
    });
    expect(requests).toHaveLength(3);
    const answers: Record<string, unknown>[] = [];
    for (const body of requests) {
      const response = await fetch(`${env.server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as {
        data?: Record<string, unknown>;
        errors?: unknown;
      };
      expect(answer.errors, JSON.stringify(body)).toBeUndefined();
      answers.push(answer.data!);
    }
    expect(answers[1]).toMatchObject({
      createIntegration: {
        enabled: true,
        credentials: {
          status: "VALID",
          error: null,
          mailboxes: [{ email: tenant.mailboxes.carol, access: "ACCESSIBLE", error: null }],
        },
      },
    });
    expect(answers[2]).toMatchObject({ project: { buckets: [expect.any(Object)] } });
  });
});
