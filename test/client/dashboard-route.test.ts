import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardRouter } from "../../server/http/dashboard-route.js";

const dist = mkdtempSync(join(tmpdir(), "mailstream-dist-"));
let server: Server;
let base: string;

beforeAll(async () => {
  mkdirSync(join(dist, "assets"));
  mkdirSync(join(dist, ".vite"));
  writeFileSync(join(dist, "index.html"), '<!doctype html><div id="app"></div>');
  writeFileSync(join(dist, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(dist, "favicon.svg"), "<svg/>");
  writeFileSync(join(dist, ".vite", "manifest.json"), "{}");
  const app = express();
  app.get("/graphql", (_req, res) => void res.json({ api: true }));
  app.use(createDashboardRouter({ distDir: dist }));
  app.use((_req, res) => void res.status(404).json({ error: "Not found." }));
  server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(dist, { recursive: true, force: true });
});

const html = { accept: "text/html,application/xhtml+xml" };

describe("the dashboard route", () => {
  it("answers client routes with index.html, never cached and with a content security policy", async () => {
    for (const path of ["/", "/p/demo/integrations/customer-service", "/tokens"]) {
      const res = await fetch(base + path, { headers: html });
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<div id="app">');
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    }
  });

  it("serves hashed assets with a long immutable cache and 404s unknown ones", async () => {
    const res = await fetch(`${base}/assets/index-abc123.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/max-age=31536000.*immutable/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const favicon = await fetch(`${base}/favicon.svg`);
    expect(favicon.headers.get("x-content-type-options")).toBe("nosniff");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it("leaves the API paths and non-HTML requests to the server, and hides the build manifest", async () => {
    expect(await (await fetch(`${base}/graphql`, { headers: html })).json()).toEqual({ api: true });
    expect((await fetch(`${base}/attachments/abc`, { headers: html })).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { headers: html })).status).toBe(404);
    expect(
      (await fetch(`${base}/p/demo`, { headers: { accept: "application/json" } })).status,
    ).toBe(404);
    const manifest = await fetch(`${base}/.vite/manifest.json`, { headers: html });
    expect(await manifest.text()).not.toBe("{}");
  });

  it("says how to build the dashboard when it is not built", async () => {
    const app = express().use(createDashboardRouter({ distDir: join(dist, "nowhere") }));
    const other = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => other.once("listening", resolve));
    const res = await fetch(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`, {
      headers: html,
    });
    other.close();
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/npm run build:client/);
  });
});
