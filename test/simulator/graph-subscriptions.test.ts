import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../../simulator/index.js";
import { appToken } from "./http-helpers.js";
import { startTestSimulator } from "./test-simulator.js";

/** The simulator's /subscriptions as Microsoft documents them (the product's use is in test/push). */
let sim: Simulator;
let token: string;
let receiver: Server;
let receiverUrl: string;
/** How the receiver answers validation requests. */
let mode: "echo" | "json" | "wrong" | "slow" = "echo";
const received: { url: string; body: string }[] = [];
const alice = "alice@fabrikam.com";

beforeAll(async () => {
  sim = await startTestSimulator();
  const tenant = sim.addTenant({ name: "fabrikam", domains: ["fabrikam.com"], seed: 5 });
  const app = tenant.addApp();
  token = await appToken(sim, tenant.id, app.clientId, app.addSecret().value);
  tenant.addMailbox({ email: alice, messages: 5 });
  receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const validation = url.searchParams.get("validationToken");
      if (validation !== null) {
        if (mode === "slow") return; // never answers
        if (mode === "json") res.writeHead(200, { "content-type": "application/json" });
        else res.writeHead(200, { "content-type": "text/plain" });
        res.end(mode === "wrong" ? "nope" : validation);
        return;
      }
      received.push({ url: url.pathname, body: Buffer.concat(chunks).toString() });
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sim.stop();
  await new Promise((r) => receiver.close(r));
});

async function graph(method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.graphUrl}/v1.0${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Graph's JSON, read by the assertions
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {} };
}

const request = (overrides: Record<string, unknown> = {}) => ({
  changeType: "created,updated,deleted",
  notificationUrl: `${receiverUrl}/hook`,
  lifecycleNotificationUrl: `${receiverUrl}/lifecycle`,
  resource: `/users/${alice}/messages`,
  expirationDateTime: new Date(Date.now() + 60 * 60_000).toISOString(),
  clientState: "secret-state",
  ...overrides,
});

describe("POST /subscriptions", () => {
  it("validates both URLs by the handshake, answers 201, notifies on new mail, renews, deletes", async () => {
    mode = "echo";
    const created = await graph("POST", "/subscriptions", request());
    expect(created.status).toBe(201);
    expect(created.body.id).toBeTruthy();
    expect(created.body.changeType).toBe("created,updated,deleted");
    const validations = sim.subscriptions.sent.filter((s) => s.kind === "validation");
    expect(validations.map((v) => new URL(v.url).pathname)).toEqual(["/hook", "/lifecycle"]);

    sim.deliver(alice, { subject: "hello" });
    await expect.poll(() => received.filter((r) => r.url === "/hook").length).toBe(1);
    const note = JSON.parse(received.find((r) => r.url === "/hook")!.body) as {
      value: Record<string, unknown>[];
    };
    expect(note.value[0]).toMatchObject({
      subscriptionId: created.body.id,
      clientState: "secret-state",
      changeType: "created",
    });
    expect(String(note.value[0]!.resource)).toMatch(/^Users\/.+\/Messages\/.+/);

    const later = new Date(Date.now() + 120 * 60_000).toISOString();
    const renewed = await graph("PATCH", `/subscriptions/${created.body.id}`, {
      expirationDateTime: later,
    });
    expect(renewed.status).toBe(200);
    expect(renewed.body.expirationDateTime).toBe(later);
    expect((await graph("POST", `/subscriptions/${created.body.id}/reauthorize`)).status).toBe(204);
    expect((await graph("DELETE", `/subscriptions/${created.body.id}`)).status).toBe(204);
    expect((await graph("DELETE", `/subscriptions/${created.body.id}`)).status).toBe(404);
    expect(
      (await graph("PATCH", `/subscriptions/${created.body.id}`, { expirationDateTime: later }))
        .status,
    ).toBe(404);
  });

  it("refuses a subscription whose endpoint echoes wrongly, not as text/plain, or not at all", async () => {
    for (const m of ["wrong", "json"] as const) {
      mode = m;
      const answer = await graph("POST", "/subscriptions", request());
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("ValidationError");
    }
    mode = "echo";
  });

  it("refuses lifetimes beyond 10,080 minutes, past expirations, long clientStates and http to other hosts", async () => {
    mode = "echo";
    const tooLong = new Date(Date.now() + 10_081 * 60_000).toISOString();
    expect(
      (await graph("POST", "/subscriptions", request({ expirationDateTime: tooLong }))).status,
    ).toBe(400);
    const max = new Date(Date.now() + 10_079 * 60_000).toISOString();
    const ok = await graph("POST", "/subscriptions", request({ expirationDateTime: max }));
    expect(ok.status).toBe(201);
    await graph("DELETE", `/subscriptions/${ok.body.id}`);
    const past = new Date(Date.now() - 1000).toISOString();
    expect(
      (await graph("POST", "/subscriptions", request({ expirationDateTime: past }))).status,
    ).toBe(400);
    expect(
      (await graph("POST", "/subscriptions", request({ clientState: "x".repeat(129) }))).status,
    ).toBe(400);
    expect(
      (
        await graph(
          "POST",
          "/subscriptions",
          request({ notificationUrl: "http://example.com/hook" }),
        )
      ).status,
    ).toBe(400);
  });

  it("the refusal switch answers 403; granted lifetimes can be shortened; lifecycle events on demand", async () => {
    sim.subscriptions.settings.refuse = {
      status: 403,
      code: "ExtensionError",
      message: "Forbidden",
    };
    expect((await graph("POST", "/subscriptions", request())).status).toBe(403);
    sim.subscriptions.settings.refuse = null;
    sim.subscriptions.settings.grantedLifetimeSeconds = 120;
    const created = await graph("POST", "/subscriptions", request());
    sim.subscriptions.settings.grantedLifetimeSeconds = null;
    expect(new Date(created.body.expirationDateTime).getTime() - Date.now()).toBeLessThanOrEqual(
      120_000,
    );
    received.length = 0;
    expect(await sim.subscriptions.lifecycle(created.body.id, "missed")).toBe(202);
    expect(JSON.parse(received[0]!.body).value[0]).toMatchObject({
      subscriptionId: created.body.id,
      lifecycleEvent: "missed",
      clientState: "secret-state",
    });
    expect(await sim.subscriptions.lifecycle(created.body.id, "subscriptionRemoved")).toBe(202);
    expect((await graph("GET", `/subscriptions/${created.body.id}`)).status).toBe(404);
  });
});
