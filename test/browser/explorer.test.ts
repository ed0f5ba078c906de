import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The API explorer inside the dashboard works with the network to the outside cut: every request
 * that is not to the server itself is refused and recorded, and the explorer still runs operations
 * with the session's token and lists the schema.
 */
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  ensureClientBuilt();
  server = await startTestServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the API explorer", () => {
  it("runs operations and lists the schema offline, with the session's token", async () => {
    const context = await browser.newContext({ reducedMotion: "reduce" });
    const origin = new URL(server.url).origin;
    const outside: string[] = [];
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(origin)) return route.continue();
      outside.push(url);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    try {
      // A browser at the endpoint itself is pointed to the explorer.
      await page.goto(`${server.url}/graphql`);
      await page.getByRole("link", { name: "API explorer" }).click();
      await page.getByRole("textbox", { name: "API token" }).fill(ADMIN_TOKEN);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("link", { name: "API explorer" }).click();
      await page.waitForURL("**/explorer");
      await page.getByRole("heading", { level: 1, name: "API explorer" }).waitFor();

      await page.getByRole("button", { name: "Run" }).click();
      const answer = page.getByLabel("Answer");
      await expect.poll(() => answer.textContent()).toMatch(/"admin": true/);
      expect(await page.getByText("HTTP 200").isVisible()).toBe(true);

      // The schema's root fields, filtered.
      await page.getByRole("searchbox", { name: "Filter fields" }).fill("createProject");
      await page.getByText(/mutation createProject\(input: CreateProjectInput!\)/).waitFor();

      // Variables that are not a JSON object are refused before anything is sent.
      await page.getByRole("textbox", { name: "Variables (JSON, optional)" }).fill("[1, 2]");
      await page.getByRole("button", { name: "Run" }).click();
      await page.getByText("Variables must be a JSON object").waitFor();

      // An operation's errors are shown as the server gave them.
      await page.getByRole("textbox", { name: "Variables (JSON, optional)" }).fill("");
      await page
        .getByRole("textbox", { name: "Operation" })
        .fill('query { project(name: "no-such-project") { name } }');
      await page.getByRole("textbox", { name: "Operation" }).press("Control+Enter");
      await expect.poll(() => answer.textContent()).toMatch(/"project": null|NOT_FOUND/);

      expect(outside).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
