import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { signedInPage } from "../support/dashboard-page.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import { startSyncEnv, type SyncEnv } from "../support/sync-env.js";

/**
 * The new-integration wizard against the tenant simulator: every field's error at once in the
 * form's words (step 2), errors that go when the input is corrected (step 3), and nothing
 * created on the server for mailboxes before "Create integration".
 */
const PROJECT = "wizard-browser";
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");

let env: SyncEnv;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  ensureClientBuilt();
  env = await startSyncEnv({ messagesPerMailbox: 20 });
  await env.server.ok(`mutation { createProject(input: { name: "${PROJECT}" }) { id } }`);
  browser = await launchChromium();
  page = await signedInPage(browser, env.server.url, PROJECT, 8_000);
});

afterEach(async (test) => {
  await page?.screenshot({
    path: join(SHOTS, `wizard-${test.task.name.slice(0, 60).replace(/\W+/g, "-")}.png`),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const textbox = (name: RegExp) => page.getByRole("textbox", { name });
const projectState = () =>
  env.server.ok<{ project: { integrations: { name: string }[]; buckets: { name: string }[] } }>(
    `query($p: String!) { project(name: $p) { integrations { name } buckets { name } } }`,
    { p: PROJECT },
  );

async function toStep2(name: string) {
  await page.goto(`${env.server.url}/p/${PROJECT}/integrations/new`);
  await textbox(/API name/).fill(name);
  await page.getByRole("button", { name: "Continue" }).click();
}

async function saveCredentials() {
  const { tenant } = env;
  await textbox(/OAuth authority URL/).fill(tenant.authorityUrl);
  await textbox(/OAuth client ID/).fill(tenant.app.clientId);
  await page.getByLabel(/^Client secret/).fill(tenant.app.clientSecret);
  await page.getByText("National cloud").click();
  await textbox(/Graph endpoint/).fill(tenant.graphEndpoint);
  await page.getByRole("button", { name: /Validate & save credentials/ }).click();
  await page.locator(".check-results").getByText("Credentials saved").waitFor();
  await page.getByRole("button", { name: "Continue" }).click();
}

describe("the wizard", () => {
  it("step 2 shows every field's error at once, in the form's words", async () => {
    await toStep2("all-errors");
    await page.getByText("National cloud").click();
    await textbox(/Graph endpoint/).fill("http://graph.example");
    await textbox(/OAuth client ID/).fill("not-a-guid");
    await page.getByRole("button", { name: /Validate & save credentials/ }).click();
    const card = page.locator(".wizard-card");
    await card.getByText("Correct the 4 fields marked below.").waitFor();
    const errors = await card.locator(".field-error").allTextContents();
    expect(errors).toHaveLength(4);
    expect(errors.join(" ")).toMatch(/OAuth authority URL/);
    expect(errors.join(" ")).toMatch(/OAuth client ID is a GUID/);
    expect(errors.join(" ")).toMatch(/client secret/);
    expect(errors.join(" ")).toMatch(/Graph endpoint must start with https/);
    // No API field names.
    expect(await card.innerText()).not.toMatch(/authorityUrl|clientId|clientSecret|graphEndpoint/);
    // An error goes as soon as its field is edited.
    await textbox(/OAuth client ID/).fill(env.tenant.app.clientId);
    await expect.poll(() => card.locator(".field-error").count()).toBe(3);

    // A refusal only the server makes (the browser sees an https URL) is in the form's words too.
    await textbox(/OAuth authority URL/).fill(`${env.tenant.authorityUrl}/oauth2/v2.0/token`);
    await page.getByLabel(/^Client secret/).fill(env.tenant.app.clientSecret);
    await textbox(/Graph endpoint/).fill(env.tenant.graphEndpoint);
    await page.getByRole("button", { name: /Validate & save credentials/ }).click();
    await card
      .getByText(/must end at the tenant/)
      .first()
      .waitFor();
    expect(await card.innerText()).toMatch(/OAuth authority URL/);
    expect(await card.innerText()).not.toMatch(/authorityUrl|clientId|clientSecret|graphEndpoint/);
    expect((await projectState()).project.integrations).toEqual([]);
  });

  it("step 3 clears an error once the input is corrected or its chips are removed", async () => {
    await toStep2("stale-errors");
    await saveCredentials();
    const editor = page.locator(".mailbox-editor");
    const email = editor.getByRole("textbox", { name: /^Email/ });
    await email.fill("carol@");
    await editor.getByRole("button", { name: "Add mailbox" }).click();
    await editor.locator(".field-error").first().waitFor();
    await email.fill(env.tenant.mailboxes.carol);
    await expect.poll(() => editor.locator(".field-error").count()).toBe(0);

    const allowed = editor.getByRole("textbox", { name: "Allowed folders" });
    await allowed.fill("Root/Top of Information Store/Inbox/Orders");
    await allowed.press("Enter");
    const denied = editor.getByRole("textbox", { name: "Denied folders" });
    await denied.fill("Root/Top of Information Store/Inbox");
    await denied.press("Enter");
    await editor.getByRole("button", { name: "Add mailbox" }).click();
    await editor
      .getByText(/is inside denied folder/)
      .first()
      .waitFor();
    await editor
      .getByRole("button", { name: "Remove Root/Top of Information Store/Inbox/Orders" })
      .click();
    await editor
      .getByRole("button", { name: "Remove Root/Top of Information Store/Inbox" })
      .click();
    await expect.poll(() => editor.locator(".field-error").count()).toBe(0);
    expect(await editor.getByRole("alert").count()).toBe(0);
  });

  it("creates no bucket for a mailbox removed from the list, nor when the wizard is discarded", async () => {
    const { bob, alice } = env.tenant.mailboxes;
    // Still in the wizard of the previous test: carol is in the editor.
    await page.locator(".mailbox-editor").getByRole("button", { name: "Add mailbox" }).click();
    const added = page.getByRole("list", { name: "Added mailboxes" });
    await added.getByText("Accessible").waitFor();
    await added.getByRole("button", { name: `Remove ${env.tenant.mailboxes.carol}` }).click();
    for (const mailbox of [bob, alice]) {
      await page.getByRole("button", { name: "Add mailbox" }).click();
      await page
        .locator(".mailbox-editor")
        .getByRole("textbox", { name: /^Email/ })
        .fill(mailbox);
      await page.locator(".mailbox-editor").getByRole("button", { name: "Add mailbox" }).click();
      await added.getByText(mailbox).waitFor();
    }
    await added.getByRole("button", { name: `Remove ${bob}` }).click();
    // The saved (disabled) integration exists; no bucket does.
    expect(await projectState()).toEqual({
      project: { integrations: [{ name: "stale-errors" }], buckets: [] },
    });

    await page.getByRole("button", { name: "Cancel" }).click();
    const dialog = page.getByRole("dialog", { name: "Discard this integration?" });
    expect(await dialog.textContent()).toContain("No mailbox or bucket has been created yet.");
    await dialog.getByRole("button", { name: "Discard integration" }).click();
    await page.waitForURL(`**/p/${PROJECT}/integrations`);
    expect(await projectState()).toEqual({ project: { integrations: [], buckets: [] } });
  });

  it("adds the listed mailboxes on Create integration, one bucket each", async () => {
    await toStep2("committed");
    await saveCredentials();
    await page
      .locator(".mailbox-editor")
      .getByRole("textbox", { name: /^Email/ })
      .fill(env.tenant.mailboxes.alice);
    await page.locator(".mailbox-editor").getByRole("button", { name: "Add mailbox" }).click();
    await page.getByRole("list", { name: "Added mailboxes" }).getByText("Accessible").waitFor();
    expect((await projectState()).project.buckets).toEqual([]);
    await page.getByRole("button", { name: "Create integration" }).click();
    await page.waitForURL(`**/p/${PROJECT}/integrations/committed`);
    const state = await projectState();
    expect(state.project.integrations).toEqual([{ name: "committed" }]);
    expect(state.project.buckets).toHaveLength(1);
  });
});
