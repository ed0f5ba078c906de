import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ExchangeEvent } from "../../server/exchange/graph-middleware.js";
import {
  countRequests,
  isTokenRequest,
  startExchangeFixture,
  type ExchangeFixture,
} from "./exchange-fixture.js";

let fx: ExchangeFixture;
let alice: string;
let inboxId: string;

beforeAll(async () => {
  fx = await startExchangeFixture({ messagesPerMailbox: 200 });
  alice = fx.demo.mailboxes.alice;
  inboxId = fx.sim.folders(alice).find((f) => f.wellKnownName === "inbox")?.id ?? "";
});

afterEach(() => {
  fx.sim.faults.clear();
  fx.sim.setLatency(0);
  fx.sim.resetStats();
});

afterAll(() => fx.stop());

const graphRequests = (): number => countRequests(fx.sim, (_path, target) => target === "graph");

describe("retries", () => {
  it("waits the Retry-After of a 429 before trying again", async () => {
    const events: ExchangeEvent[] = [];
    const client = fx.client(undefined, { onEvent: (e) => events.push(e) });
    await client.acquireToken();
    fx.sim.resetStats();
    fx.sim.addFault({
      mailbox: alice,
      action: { type: "status", status: 429, retryAfterSeconds: 1 },
    });
    const started = Date.now();
    const page = await client.deltaPage(alice, inboxId, { pageSize: 10 });
    expect(page.messages).toHaveLength(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(graphRequests()).toBe(2);
    expect(events).toEqual([
      { type: "retry", mailbox: alice, attempt: 1, delayMs: 1000, reason: "HTTP 429" },
    ]);
  });

  it("retries 503, 504 and 500 answers and a reset connection", async () => {
    const client = fx.client();
    await client.acquireToken();
    fx.sim.resetStats();
    fx.sim.addFault({
      mailbox: alice,
      action: { type: "status", status: 503, retryAfterSeconds: 0 },
    });
    fx.sim.addFault({ mailbox: alice, action: { type: "status", status: 504 } });
    fx.sim.addFault({ mailbox: alice, action: { type: "status", status: 500 } });
    fx.sim.addFault({ mailbox: alice, action: { type: "reset" } });
    const check = await client.checkMailbox(alice);
    expect(check.access).toBe("ACCESSIBLE");
    expect(graphRequests()).toBe(5);
  });

  it("gives up after maxAttempts with a temporary error carrying the status", async () => {
    const client = fx.client(undefined, { retry: { maxAttempts: 3 } });
    await client.acquireToken();
    fx.sim.resetStats();
    fx.sim.addFault({
      mailbox: alice,
      times: Number.POSITIVE_INFINITY,
      action: { type: "status", status: 503, retryAfterSeconds: 0 },
    });
    await expect(client.deltaPage(alice, inboxId, { pageSize: 10 })).rejects.toMatchObject({
      name: "ExchangeError",
      kind: "temporary",
      code: "ServiceUnavailable",
      httpStatus: 503,
    });
    expect(graphRequests()).toBe(3);
  });

  it("hands a long Retry-After to the caller instead of sleeping on it", async () => {
    const client = fx.client(undefined, { retry: { maxRetryAfterMs: 5_000 } });
    fx.sim.addFault({
      mailbox: alice,
      action: { type: "status", status: 429, retryAfterSeconds: 600 },
    });
    const started = Date.now();
    await expect(client.deltaPage(alice, inboxId, { pageSize: 10 })).rejects.toMatchObject({
      kind: "temporary",
      code: "ApplicationThrottled",
      httpStatus: 429,
      retryAfterMs: 600_000,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("retries network failures until they are exhausted, then reports them", async () => {
    const client = fx.client(undefined, { retry: { maxAttempts: 2 } });
    await client.acquireToken();
    fx.sim.resetStats();
    fx.sim.addFault({ mailbox: alice, times: Number.POSITIVE_INFINITY, action: { type: "reset" } });
    await expect(client.deltaPage(alice, inboxId, { pageSize: 10 })).rejects.toMatchObject({
      kind: "temporary",
      code: "NetworkError",
      httpStatus: null,
    });
    expect(graphRequests()).toBe(2);
  });

  it("abandons an attempt that takes longer than requestTimeoutMs and tries again", async () => {
    const client = fx.client(undefined, { retry: { requestTimeoutMs: 300 } });
    await client.acquireToken();
    fx.sim.addFault({ mailbox: alice, action: { type: "delay", ms: 1500 } });
    const started = Date.now();
    const page = await client.deltaPage(alice, inboxId, { pageSize: 10 });
    expect(page.messages).toHaveLength(10);
    expect(Date.now() - started).toBeLessThan(1400);
  });

  it("stops at once when the caller aborts", async () => {
    const client = fx.client();
    fx.sim.addFault({
      mailbox: alice,
      times: Number.POSITIVE_INFINITY,
      action: { type: "status", status: 503, retryAfterSeconds: 1 },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("round stopped")), 200);
    const started = Date.now();
    await expect(
      client.deltaPage(alice, inboxId, { pageSize: 10, signal: controller.signal }),
    ).rejects.toThrow("round stopped");
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe("errors that are not retried", () => {
  it("reports an expired delta token as sync_state_expired", async () => {
    const client = fx.client();
    let page = await client.deltaPage(alice, inboxId, { pageSize: 100 });
    while (page.nextLink)
      page = await client.deltaPage(alice, inboxId, { link: page.nextLink, pageSize: 100 });
    fx.sim.expireDeltaTokens(alice);
    fx.sim.resetStats();
    await expect(
      client.deltaPage(alice, inboxId, { link: page.deltaLink, pageSize: 100 }),
    ).rejects.toMatchObject({
      kind: "sync_state_expired",
      code: "SyncStateNotFound",
      httpStatus: 410,
    });
    expect(graphRequests()).toBe(1);
  });

  it("reports a mailbox deleted mid-sync as not_found", async () => {
    const tenant = fx.sim.tenant(fx.demo.tenantId);
    tenant.addMailbox({ email: "leaver@contoso.com", messages: 30 });
    const client = fx.client();
    const folders = await client.listFolders("leaver@contoso.com");
    fx.sim.deleteMailbox("leaver@contoso.com");
    await expect(
      client.deltaPage("leaver@contoso.com", folders[1]?.id ?? "", { pageSize: 10 }),
    ).rejects.toMatchObject({
      kind: "not_found",
      code: "ErrorInvalidUser",
    });
  });

  it("reports an application access policy as permission", async () => {
    const client = fx.client(
      fx.connection("secret", {
        clientId: fx.demo.restrictedApp.clientId,
        clientSecret: fx.demo.restrictedApp.clientSecret,
      }),
    );
    await expect(client.listFolders(fx.demo.mailboxes.carol)).rejects.toMatchObject({
      kind: "permission",
      code: "ErrorAccessDenied",
      httpStatus: 403,
    });
  });
});

describe("tokens during a sync", () => {
  it("acquires a fresh token when the current one expires mid-way, once", async () => {
    const client = fx.client();
    const first = await client.deltaPage(alice, inboxId, { pageSize: 10 });
    fx.sim.resetStats();
    fx.sim.expireAccessTokens();
    const pages = await Promise.all([
      client.deltaPage(alice, inboxId, { link: first.nextLink, pageSize: 10 }),
      client.deltaPage(alice, inboxId, { link: first.nextLink, pageSize: 10 }),
      client.deltaPage(alice, inboxId, { link: first.nextLink, pageSize: 10 }),
    ]);
    expect(pages.every((p) => p.messages.length === 10)).toBe(true);
    expect(countRequests(fx.sim, isTokenRequest)).toBe(1);
    expect(fx.sim.requestLog.filter((e) => e.target === "graph" && e.status === 401)).toHaveLength(
      3,
    );
  });

  it("renews tokens that run out on their own", async () => {
    fx.sim.setTokenLifetime(1);
    try {
      const client = fx.client(undefined, { tokens: { renewBeforeExpiryMs: 0 } });
      await client.checkMailbox(alice);
      // The simulator's token is good for 1–2 s; past that both sides agree it has expired.
      await new Promise((r) => setTimeout(r, 2100));
      fx.sim.resetStats();
      expect((await client.checkMailbox(alice)).access).toBe("ACCESSIBLE");
      expect(countRequests(fx.sim, isTokenRequest)).toBe(1);
    } finally {
      fx.sim.setTokenLifetime(3599);
    }
  });

  it("reports credentials when Graph refuses even a fresh token", async () => {
    const client = fx.client();
    await client.acquireToken();
    fx.sim.resetStats();
    fx.sim.addFault({ mailbox: alice, times: 2, action: { type: "status", status: 401 } });
    await expect(client.deltaPage(alice, inboxId, { pageSize: 10 })).rejects.toMatchObject({
      kind: "credentials",
      code: "InvalidAuthenticationToken",
      httpStatus: 401,
    });
    expect(graphRequests()).toBe(2);
    expect(countRequests(fx.sim, isTokenRequest)).toBe(1);
  });

  it("reports the identity platform's error when the secret was removed meanwhile", async () => {
    const tenant = fx.sim.tenant(fx.demo.tenantId);
    const app = tenant.addApp({ displayName: "short-lived" });
    const secret = app.addSecret().value;
    const client = fx.client(
      fx.connection("secret", { clientId: app.clientId, clientSecret: secret }),
    );
    await client.checkMailbox(alice);
    app.removeCredentials();
    fx.sim.revokeTokens({ clientId: app.clientId });
    await expect(client.deltaPage(alice, inboxId, { pageSize: 10 })).rejects.toMatchObject({
      kind: "credentials",
      code: "AADSTS7000215",
    });
  });
});

describe("per-mailbox limits", () => {
  it("never has a fifth request in flight to one mailbox, yet uses all four", async () => {
    fx.sim.setLatency(40);
    const client = fx.client();
    await client.acquireToken();
    fx.sim.resetStats();
    const folders = (await client.listFolders(alice)).filter((f) => f.totalItemCount > 0);
    const work: Promise<unknown>[] = folders.flatMap((f) => [
      client.deltaPage(alice, f.id, { pageSize: 5 }),
      client.listMessages(alice, f.id, { top: 5 }),
    ]);
    work.push(...Array.from({ length: 6 }, () => client.checkMailbox(fx.demo.mailboxes.bob)));
    await Promise.all(work);
    const stats = fx.sim.mailboxStats(alice);
    expect(stats.throttled).toBe(0);
    expect(stats.maxInFlight).toBe(4);
    expect(client.limiterStats(alice).maxInFlight).toBe(4);
    expect(client.limiterStats(alice).inFlight).toBe(0);
  });

  it("spreads requests over the window when the budget is small", async () => {
    const client = fx.client(undefined, { limits: { budgetRequests: 3, budgetWindowMs: 400 } });
    await client.acquireToken();
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => client.checkMailbox(alice)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });
});
