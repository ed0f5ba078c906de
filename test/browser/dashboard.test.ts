import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import { ADMIN_TOKEN, startTestServer, type TestServer } from "../support/test-server.js";

/**
 * The dashboard in Debian's Chromium against the real server (started in-process), signed in with
 * the admin token: project switcher, the wizard's refused combinations, a token shown once.
 */
const PROJECT = "browser-test";
/** A screenshot after each test, to look at when one fails. */
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");

let server: TestServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ensureClientBuilt();
  server = await startTestServer({});
  const home = await fetch(`${server.url}/`, { headers: { accept: "text/html" } });
  const body = await home.text();
  if (!home.ok || !body.includes('id="app"')) {
    throw new Error(
      `The dashboard is not served at / (HTTP ${home.status}): mount createDashboardRouter() from server/http/dashboard-route.ts in server/app/create-app.ts.`,
    );
  }
  await server.ok(
    `mutation { createProject(input: { name: "${PROJECT}", title: "Browser test" }) { id } }`,
  );
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
});

afterEach(async (context) => {
  await page?.screenshot({
    path: join(SHOTS, `${context.task.name.slice(0, 60).replace(/\W+/g, "-")}.png`),
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the dashboard in Chromium", () => {
  it("refuses a wrong token, signs in with the admin token and lists the project in the switcher", async () => {
    await page.goto(`${server.url}/`);
    const tokenField = page.getByRole("textbox", { name: "API token" });
    await tokenField.fill("ms_not_a_real_token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByText("This token was not accepted").count()).toBe(1);

    await tokenField.fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/p/${PROJECT}/integrations`);
    const switcher = page.getByRole("combobox", { name: "Project" });
    expect(await switcher.inputValue()).toBe(PROJECT);
    expect(await switcher.locator("option").allTextContents()).toContain(
      `Browser test (${PROJECT})`,
    );
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Integrations");
    expect(await page.getByText("No integrations yet").count()).toBe(1);
  });

  it("does not offer Graph with a service user, nor NTLM with application access, in the wizard", async () => {
    await page.getByRole("link", { name: "New integration" }).first().click();
    await page.getByRole("textbox", { name: /API name/ }).fill("shared-mailboxes");
    await page.getByRole("button", { name: "Continue" }).click();

    const radio = (name: RegExp) => page.getByRole("radio", { name });
    await radio(/^Graph API/).check();
    expect(await radio(/With service user access/).isDisabled()).toBe(true);
    expect(await radio(/With NTLM/).isDisabled()).toBe(true);
    expect(await radio(/With application access/).isChecked()).toBe(true);
    expect(await page.getByText("Graph API does not support service user access.").count()).toBe(1);

    await radio(/^EWS API/).check();
    expect(await radio(/With service user access/).isDisabled()).toBe(false);
    await radio(/With NTLM/).check();
    expect(await radio(/With application access/).isDisabled()).toBe(true);
    expect(await radio(/With service user access/).isChecked()).toBe(true);
    expect(
      await page.getByText("NTLM only supports delegate access (a service user).").count(),
    ).toBe(1);

    await radio(/With client secret/).check();
    expect(await radio(/With application access/).isDisabled()).toBe(false);
  });

  it("creates an API token and shows it once", async () => {
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("link", { name: "API tokens" }).click();
    await page.waitForURL("**/tokens");
    await page.getByRole("button", { name: "New token" }).click();
    await page.getByRole("textbox", { name: /Name/ }).fill("browser-made");
    await page.getByRole("button", { name: "Create token" }).click();

    const value = page.getByRole("textbox", { name: "Token" });
    await value.waitFor();
    const token = await value.inputValue();
    expect(token.length).toBeGreaterThan(20);
    expect(await page.getByText("Copy it now: it is shown only once.").count()).toBe(1);
    const viewer = await server.ok<{ viewer: { name: string } }>("{ viewer { name } }", {}, token);
    expect(viewer.viewer.name).toBe("browser-made");

    await page.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.getByRole("cell", { name: "browser-made" }).count()).toBe(1);
    expect(await page.content()).not.toContain(token);
  });

  it("lists the audit log for admins, newest first, refusals included", async () => {
    await server.gql(`mutation { createProject(input: { name: "${PROJECT}" }) { id } }`);
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.waitForURL("**/audit");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Audit log");
    const rows = page.locator("table.audit-table tbody tr");
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(3);
    expect(await rows.nth(0).textContent()).toMatch(/createProject.*CONFLICT/);
    expect(await rows.nth(1).textContent()).toMatch(/createApiToken.*browser-made.*OK/);
    await page.screenshot({ path: join(SHOTS, "audit-log.png") });
  });
});
