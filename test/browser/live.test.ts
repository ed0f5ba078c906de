import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import type { TruthMessage } from "../../simulator/index.js";
import { startSyncEnv, type SyncEnv } from "../support/sync-env.js";
import { ADMIN_TOKEN } from "../support/test-server.js";

/**
 * The dashboard in Chromium against the real server (in-process) and the tenant simulator, over
 * the real identity platform and Graph protocols: an integration made through the wizard (a
 * refused combination, a wrong secret, then the right one), its mailbox syncing to up to date,
 * a delivered message arriving live in the bucket, an attachment downloaded byte for byte, and
 * the integration turned off, on and deleted. The tests run in order on one page.
 */
const PROJECT = "live-browser";
const TITLE = "Contoso live";
const NAME = "contoso-live";
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");

let env: SyncEnv;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let alice: string;
let bucketName: string;
let mailboxId: string;
let delivered: TruthMessage;
const attachmentBytes = randomBytes(4096);

beforeAll(async () => {
  ensureClientBuilt();
  // Some latency, so the first round lasts long enough to be seen in progress.
  env = await startSyncEnv({ messagesPerMailbox: 400, latencyMs: 15 });
  alice = env.tenant.mailboxes.alice;
  await env.server.ok(
    `mutation { createProject(input: { name: "${PROJECT}", title: "Live browser test" }) { id } }`,
  );
  browser = await launchChromium();
  context = await browser.newContext({
    viewport: { width: 1366, height: 800 },
    acceptDownloads: true,
  });
  page = await context.newPage();
  page.setDefaultTimeout(8_000);
});

afterEach(async (test) => {
  await page?.screenshot({
    path: join(SHOTS, `live-${test.task.name.slice(0, 60).replace(/\W+/g, "-")}.png`),
  });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await env?.stop();
});

const radio = (name: RegExp) => page.getByRole("radio", { name });
const textbox = (name: RegExp) => page.getByRole("textbox", { name });
const mailboxCard = () => page.getByRole("article", { name: `Mailbox ${alice}` });

interface IntegrationState {
  project: {
    integration: {
      id: string;
      enabled: boolean;
      disabledReason: string | null;
      mailboxes: { id: string; bucket: { name: string; messageCount: number } }[];
    } | null;
  };
}

/**
 * Asks for a round now (syncMailbox) instead of waiting for the 1 s interval, and waits through
 * the API until the bucket holds the message: a round that starts after the request always runs,
 * even when one is in flight, so this does not depend on how late an interval round is under load.
 */
async function syncUntilStored(subject: string) {
  await env.server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailboxId });
  const newest = async () => {
    const data = await env.server.ok<{
      project: { bucket: { messages: { edges: { node: { subject: string } }[] } } };
    }>(
      `query($p: String!, $b: String!) { project(name: $p) { bucket(name: $b) {
        messages(first: 5) { edges { node { subject } } } } } }`,
      { p: PROJECT, b: bucketName },
    );
    return data.project.bucket.messages.edges.map((e) => e.node.subject);
  };
  await expect.poll(newest, { timeout: 20_000, interval: 100 }).toContain(subject);
}

const integrationState = () =>
  env.server.ok<IntegrationState>(
    `query($p: String!, $n: String!) { project(name: $p) { integration(name: $n) {
      id enabled disabledReason mailboxes { id bucket { name messageCount } } } } }`,
    { p: PROJECT, n: NAME },
  );

describe("the dashboard against the tenant simulator", () => {
  it("signs in with the admin token", async () => {
    await page.goto(`${env.server.url}/`);
    await page.getByRole("textbox", { name: "API token" }).fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/p/${PROJECT}/integrations`);
    await page.getByText("No integrations yet").waitFor();
  });

  it("creates an integration through the wizard: a refused combination, a wrong secret, then the right one", async () => {
    await page.getByRole("link", { name: "New integration" }).first().click();
    await textbox(/^Title/).fill(TITLE);
    await textbox(/API name/).fill(NAME);
    await page.getByRole("button", { name: "Continue" }).click();

    // Not offered: Graph with a service user.
    await radio(/^Graph API/).check();
    expect(await radio(/With service user access/).isDisabled()).toBe(true);
    expect(await page.getByText("Graph API does not support service user access.").count()).toBe(1);
    expect(await radio(/With application access/).isChecked()).toBe(true);
    expect(await radio(/With client secret/).isChecked()).toBe(true);

    const { tenant, sim } = env;
    await textbox(/OAuth authority URL/).fill(tenant.authorityUrl);
    await textbox(/OAuth client ID/).fill(tenant.app.clientId);
    await page.getByLabel(/^Client secret/).fill("not-the-secret~123");
    await page.getByText("National cloud").click();
    await textbox(/Graph endpoint/).fill(tenant.graphEndpoint);

    // A wrong secret: the identity platform's AADSTS error, explained, and nothing saved.
    const validate = page.getByRole("button", { name: /Validate & save credentials/ });
    await validate.click();
    const checks = page.locator(".check-results");
    await checks.getByText("No access token").waitFor();
    expect(await checks.textContent()).toContain("The client secret is wrong.");
    await checks.getByText("Details from Microsoft").click();
    expect(await checks.locator("code").textContent()).toMatch(/^AADSTS7000215: /);
    expect(await checks.getByText("Credentials saved").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Continue" }).isDisabled()).toBe(true);
    expect(await integrationState()).toEqual({ project: { integration: null } });

    // The right one: a token from the simulator's identity platform, and the integration saved.
    await page.getByLabel(/^Client secret/).fill(tenant.app.clientSecret);
    await validate.click();
    await checks.getByText("Credentials saved").waitFor();
    expect(await checks.textContent()).toContain(
      `Access token acquired from ${new URL(sim.loginUrl).host}`,
    );
    await page.getByRole("button", { name: "Continue" }).click();

    // Step 3: alice, all time, with attachment contents.
    await page.getByRole("textbox", { name: /^Email/ }).fill(alice);
    await radio(/^All time/).check();
    await page.getByRole("checkbox", { name: /Sync attachment contents/ }).check();
    await page.getByRole("button", { name: "Add mailbox" }).click();
    const added = page.getByRole("list", { name: "Added mailboxes" });
    await added.getByText(alice).waitFor();
    await added.getByText("Accessible").waitFor();
    await page.getByRole("button", { name: "Create integration" }).click();
    await page.waitForURL(`**/p/${PROJECT}/integrations/${NAME}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(TITLE);
  });

  it("shows the mailbox's progress bar filling up until it is up to date", async () => {
    const bar = mailboxCard().getByRole("progressbar", { name: `Folders synced for ${alice}` });
    const seen = new Set<string>();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const caption = (await mailboxCard().locator(".progress-caption").textContent()) ?? "";
      seen.add(caption.replace(/\d[\d,]*/g, "N"));
      if (caption === "Up to date") break;
      if (Date.now() > deadline) throw new Error(`not up to date: ${[...seen].join(" | ")}`);
      await page.waitForTimeout(50);
    }
    // It was seen mid-round (folders counted up), and the bar ends full.
    expect([...seen].some((c) => /^N \/ N folders · N%$/.test(c))).toBe(true);
    expect(await bar.getAttribute("aria-valuenow")).toBe(await bar.getAttribute("aria-valuemax"));
    await mailboxCard().getByText("Up to date").first().waitFor();

    const state = (await integrationState()).project.integration!;
    bucketName = state.mailboxes[0]!.bucket.name;
    mailboxId = state.mailboxes[0]!.id;
    const inBucket = mailboxCard().locator(".mailbox-stats div").filter({ hasText: "In bucket" });
    await expect
      .poll(async () => (await inBucket.locator("dd").textContent())?.replace(/,/g, ""))
      .toBe(String(state.mailboxes[0]!.bucket.messageCount));
  });

  it("shows a message delivered to the mailbox in the bucket without a reload", async () => {
    await mailboxCard().getByRole("link").first().click();
    await page.waitForURL(`**/p/${PROJECT}/buckets/${encodeURIComponent(bucketName)}`);
    await page.getByRole("list", { name: "Messages" }).waitFor();
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = "same page"));

    delivered = env.sim.deliver(alice, {
      subject: "Live: pallet 42 arrived",
      from: { name: "Fabrikam Logistics", address: "logistics@fabrikam.com" },
      attachments: [
        {
          name: "pallet-42.bin",
          contentType: "application/octet-stream",
          content: attachmentBytes,
        },
      ],
    });
    await syncUntilStored("Live: pallet 42 arrived");
    // Stored: the page shows it from the live event, without a reload.
    const row = page
      .getByRole("list", { name: "Messages" })
      .getByRole("listitem")
      .filter({ hasText: "Live: pallet 42 arrived" });
    await row.waitFor();
    expect(await row.getAttribute("class")).toContain("is-fresh");
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe(
      "same page",
    );
    // At the top of the list, with its sender.
    const first = page.getByRole("list", { name: "Messages" }).getByRole("listitem").first();
    expect(await first.textContent()).toContain("Fabrikam Logistics");
  });

  it("downloads the delivered message's attachment with the simulator's bytes", async () => {
    await page
      .getByRole("list", { name: "Messages" })
      .getByRole("link", { name: /Live: pallet 42 arrived/ })
      .click();
    await page.getByRole("heading", { name: "Live: pallet 42 arrived" }).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download pallet-42.bin" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("pallet-42.bin");
    const bytes = await readFile((await download.path())!);
    const expected = env.sim.attachmentContent(alice, delivered.id, delivered.attachments[0]!.id);
    expect(expected.equals(attachmentBytes)).toBe(true);
    expect(bytes.equals(expected)).toBe(true);
  });

  it("shows bidirectional controls in a subject, a sender name and an attachment name as visible markers", async () => {
    env.sim.deliver(alice, {
      subject: "Invoice \u202Egpj.exe",
      from: { name: "Fabrikam \u202ELogistics", address: "logistics@fabrikam.com" },
      attachments: [
        {
          name: "report\u202Efdp.exe",
          contentType: "application/octet-stream",
          content: attachmentBytes,
        },
      ],
    });
    await syncUntilStored("Invoice \u202Egpj.exe");
    await page.goto(`${env.server.url}/p/${PROJECT}/buckets/${encodeURIComponent(bucketName)}`);
    const row = page
      .getByRole("list", { name: "Messages" })
      .getByRole("listitem")
      .filter({ hasText: "Invoice [RLO]gpj.exe" });
    await row.waitFor();
    expect(await row.innerText()).toContain("Fabrikam [RLO]Logistics");
    expect(await row.innerText()).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    await row.getByRole("link").first().click();
    await page.getByRole("heading", { name: "Invoice [RLO]gpj.exe" }).waitFor();
    expect(await page.locator(".attachment-name").allTextContents()).toContain(
      "report[RLO]fdp.exe",
    );
    // No override reaches the page's text, and the marked text is isolated.
    expect(await page.locator("main").innerText()).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(await page.locator("#message-subject bdi").count()).toBe(1);
    await page.screenshot({ path: join(tmpdir(), "mailstream-bidi.png") });
  });

  it("edits a mailbox's filters in a dialog on its card", async () => {
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/${NAME}`);
    await mailboxCard().getByRole("button", { name: "Edit filters" }).click();
    const dialog = page.getByRole("dialog", { name: `Filters of ${alice}` });
    await dialog.waitFor();
    const domains = dialog.getByRole("textbox", { name: "Denied participant domains" });
    await domains.fill("spam.example");
    await domains.press("Enter");
    await dialog
      .getByRole("list", { name: "Denied participant domains" })
      .getByText("spam.example")
      .waitFor();
    await dialog.getByRole("button", { name: "Save filters" }).click();
    await dialog.waitFor({ state: "detached" });
    const saved = await env.server.ok<{
      project: { integration: { mailboxes: { filters: { deniedDomains: string[] } }[] } };
    }>(
      `query($p: String!, $n: String!) { project(name: $p) { integration(name: $n) {
        mailboxes { filters { deniedDomains } } } } }`,
      { p: PROJECT, n: NAME },
    );
    expect(saved.project.integration.mailboxes[0]!.filters.deniedDomains).toEqual(["spam.example"]);

    // Adding the same mailbox again is refused in the dialog, and discarding it changes nothing.
    await page.getByRole("button", { name: "Add mailbox" }).click();
    const add = page.getByRole("dialog", { name: "Add mailbox" });
    await add.getByRole("textbox", { name: /^Email/ }).fill(alice);
    await add.getByRole("radio", { name: /^All time/ }).check();
    await add.getByRole("button", { name: "Add mailbox" }).click();
    await add.getByRole("alert").filter({ hasText: alice }).first().waitFor();
    await add.getByRole("button", { name: "Discard new mailbox" }).click();
    await add.waitFor({ state: "detached" });
    expect((await integrationState()).project.integration!.mailboxes).toHaveLength(1);
  });

  it("turns the integration off and on, and deletes it after a confirmation", async () => {
    await page.getByRole("link", { name: "Integrations" }).first().click();
    await page.waitForURL(`**/p/${PROJECT}/integrations`);
    const row = page.getByRole("list", { name: "Integrations" }).getByRole("listitem");
    await row.getByRole("switch", { name: `Disable ${TITLE}` }).click();
    await row.getByRole("switch", { name: `Enable ${TITLE}` }).waitFor();
    await row.getByText("Turned off").waitFor();
    let state = (await integrationState()).project.integration!;
    expect([state.enabled, state.disabledReason]).toEqual([false, "USER"]);

    await row.getByRole("switch", { name: `Enable ${TITLE}` }).click();
    await row.getByRole("switch", { name: `Disable ${TITLE}` }).waitFor();
    await row.getByText("Enabled").waitFor();
    state = (await integrationState()).project.integration!;
    expect([state.enabled, state.disabledReason]).toEqual([true, null]);

    // Cancelling the confirmation keeps it.
    await row.getByRole("button", { name: `Delete ${TITLE}` }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${TITLE}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Buckets and the messages already synced");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect((await integrationState()).project.integration).not.toBeNull();

    await row.getByRole("button", { name: `Delete ${TITLE}` }).click();
    await dialog.getByRole("button", { name: "Delete integration" }).click();
    await page.getByText("No integrations yet").waitFor();
    expect((await integrationState()).project.integration).toBeNull();
    // The bucket and its messages stay.
    const kept = await env.server.ok<{ project: { bucket: { messageCount: number } | null } }>(
      `query($p: String!, $b: String!) { project(name: $p) { bucket(name: $b) { messageCount } } }`,
      { p: PROJECT, b: bucketName },
    );
    expect(kept.project.bucket?.messageCount).toBeGreaterThan(0);
  });
});
