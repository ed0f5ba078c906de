import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metrics } from "../../server/observability/metrics.js";
import {
  connect,
  createProject,
  eventually,
  incomingMessage,
  storeAndPublish,
} from "../live/fixtures.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * /healthz and /metrics of one server with the in-process bus (both databases): GraphQL operations
 * counted by name on HTTP and WebSocket, live subscriptions while they run, the bus's lag. The
 * Redis half (and metrics after a sync) is test/live/scale-out.test.ts.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const metrics = async () => {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};

describe("health and metrics", () => {
  it("answers /healthz with exactly {status: ok} while the database answers", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("counts GraphQL operations by name, type, transport and outcome, and live subscriptions", async () => {
    await server.ok(`query ListProjects { projects { id } }`);
    await server.gql(`query Broken { nope }`);
    const { project, bucketIds } = await createProject(server, "observed");
    const connection = connect(server, ADMIN_TOKEN);
    const received = connection.subscribe(
      `subscription Watch { messageAdded(project: "observed") { sequenceId } }`,
    );
    await eventually(
      () => server.app.services.events.subscriberCount("messageAdded") === 1,
      5_000,
      "the subscription",
    );
    await storeAndPublish(server, project, bucketIds.inbox!, [incomingMessage()]);
    await eventually(() => received.data.length === 1, 5_000, "the event");
    let text = await metrics();
    expect(text).toContain(
      'mailstream_graphql_operations_total{operation="ListProjects",type="query",transport="http",outcome="ok"} 1',
    );
    expect(text).toMatch(
      /mailstream_graphql_operations_total\{operation="Broken",type="query",transport="http",outcome="error"\} 1/,
    );
    expect(text).toContain(
      'mailstream_graphql_operations_total{operation="Watch",type="subscription",transport="ws",outcome="ok"} 1',
    );
    expect(text).toMatch(
      /mailstream_graphql_operation_duration_seconds_count\{operation="ListProjects",type="query",transport="http"\} 1/,
    );
    expect(text).toContain("mailstream_live_subscriptions 1");
    expect(text).toContain('mailstream_event_bus_subscribers{channel="messageAdded"} 1');
    expect(text).toContain("mailstream_event_bus_connected 1");
    expect(text).toMatch(/mailstream_event_bus_lag_seconds_count\{transport="memory"\} [1-9]/);
    expect(received.errors).toEqual([]);
    connection.dispose();
    await eventually(
      () => server.app.services.events.subscriberCount("messageAdded") === 0,
      5_000,
      "the subscription to end",
    );
    text = await metrics();
    expect(text).toContain("mailstream_live_subscriptions 0");
  });

  it("requires MAILSTREAM_METRICS_TOKEN when it is set", async () => {
    const guarded = await server.restart({ env: { MAILSTREAM_METRICS_TOKEN: "m".repeat(24) } });
    server = guarded;
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${"m".repeat(24)}` },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("mailstream_sync_leases_held 0");
  });

  it("bounds the operation names a client can add to the registry", async () => {
    const registry = new Metrics({ defaultMetrics: false });
    for (let n = 0; n < 500; n++) registry.operation(`Op${n}`, "query", "http", 0.001, true);
    registry.operation("not a name!", "query", "http", 0.001, true);
    const text = (await registry.exposition()).body;
    const names = new Set(
      [...text.matchAll(/mailstream_graphql_operations_total\{operation="([^"]+)"/g)].map(
        (m) => m[1],
      ),
    );
    expect(names.size).toBe(201);
    expect(names.has("other")).toBe(true);
    expect(names.has("Op499")).toBe(false);
  });
});
