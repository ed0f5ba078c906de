import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { signedInPage } from "../support/dashboard-page.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import { createIntegration, startSyncEnv, type SyncEnv } from "../support/sync-env.js";

/**
 * A mailbox's card on the live integration page against the tenant simulator: during a first sync
 * slowed down by the simulator's latency it says how long is left (and nothing once it is done),
 * and once the project's unit budget is used up its badge, switch and footer agree that it is
 * paused by the budget, with the way out (the Usage page); and the volume estimate says what it
 * does not count. The tests run in order on one page.
 */
const PROJECT = "progress-browser";
const NAME = "progress";
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");
/** Simulated Graph latency during the first sync: long enough to be seen mid-round. */
const SLOW_MS = 400;
const TIME_LEFT = /^(about .+|less than a minute) left$/;

let env: SyncEnv;
let browser: Browser;
let page: Page;
let alice: string;
let integrationId: string;
let mailboxId: string;

beforeAll(async () => {
  ensureClientBuilt();
  env = await startSyncEnv({ messagesPerMailbox: 1500 });
  alice = env.tenant.mailboxes.alice;
  await env.server.ok(
    `mutation { createProject(input: { name: "${PROJECT}", title: "Progress" }) { id } }`,
  );
  browser = await launchChromium();
  page = await signedInPage(browser, env.server.url, PROJECT);
});

afterEach(async (test) => {
  await page?.screenshot({
    path: join(SHOTS, `progress-${test.task.name.slice(0, 60).replace(/\W+/g, "-")}.png`),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const card = () => page.getByRole("article", { name: `Mailbox ${alice}` });
const timeLeft = () => card().getByText(TIME_LEFT);

const syncState = async () =>
  (
    await env.server.ok<{
      mailbox: { sync: { status: string; etaSeconds: number | null } };
    }>(`query($id: ID!) { mailbox(id: $id) { sync { status etaSeconds } } }`, { id: mailboxId })
  ).mailbox.sync;

const integrationState = async () =>
  (
    await env.server.ok<{ integration: { enabled: boolean; disabledReason: string | null } }>(
      `query($id: ID!) { integration(id: $id) { enabled disabledReason } }`,
      { id: integrationId },
    )
  ).integration;

describe("a mailbox's progress and standing on the integration page", () => {
  it("shows the time left during a first sync, and none once it is done", async () => {
    env.sim.setLatency(SLOW_MS);
    const created = await createIntegration(env, {
      project: PROJECT,
      name: NAME,
      mailboxes: [{ email: alice, allTime: true }],
    });
    integrationId = created.id;
    mailboxId = created.mailboxes[0]!.id;
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/${NAME}`);

    await timeLeft().waitFor({ timeout: 30_000 });
    // The counters say which round they count.
    for (const counter of ["Seen", "Stored", "Filtered out", "Attachments"])
      await card()
        .locator(".mailbox-stats dt")
        .filter({ hasText: counter })
        .getByText("this round")
        .waitFor();
    await page.screenshot({ path: join(SHOTS, "progress-eta-desktop.png") });
    await page.setViewportSize({ width: 390, height: 844 });
    // The sidebar slides away when the page narrows: shoot once it has.
    await page.locator(".sidebar").waitFor({ state: "hidden" });
    await timeLeft().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await page.screenshot({ path: join(SHOTS, "progress-eta-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1366, height: 900 });

    // Full speed again: the round ends, and with it the time left.
    env.sim.setLatency(0);
    await card().locator(".progress-caption").getByText("Up to date").waitFor({ timeout: 60_000 });
    expect(await syncState()).toMatchObject({ status: "UP_TO_DATE", etaSeconds: null });
    expect(await timeLeft().count()).toBe(0);
    await card()
      .locator(".mailbox-stats dt")
      .filter({ hasText: "Seen" })
      .getByText("last round")
      .waitFor();
  }, 120_000);

  it("shows a mailbox paused by a used-up budget as paused, saying why, with a link to Usage", async () => {
    const { project } = await env.server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "${PROJECT}") { usage { unitsCharged } } }`,
    );
    await env.server.ok(
      `mutation($b: Int!) { updateProject(name: "${PROJECT}", input: { unitBudget: $b }) { name } }`,
      { b: project.usage.unitsCharged },
    );
    env.sim.deliver(alice, { subject: "One message over the budget" });
    await env.server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailboxId });
    await expect
      .poll(integrationState, { timeout: 20_000, interval: 100 })
      .toEqual({ enabled: false, disabledReason: "QUOTA" });

    // The page's banner, and the card in the same words: paused, by the budget, fixed on Usage.
    await page.getByText("Paused: unit budget reached").first().waitFor();
    await card().locator(".mailbox-status").getByText("Paused", { exact: true }).waitFor();
    // The mailbox's own switch stays on (it syncs again when the budget has room), and nothing on
    // the card says it is disabled.
    expect(
      await card()
        .getByRole("switch", { name: `Disable syncing of ${alice}` })
        .getAttribute("aria-checked"),
    ).toBe("true");
    expect(await card().innerText()).not.toMatch(/Disabled/);
    const why = card().locator(".mailbox-footer");
    expect(await why.innerText()).toMatch(/unit budget is used up/);
    expect(await why.innerText()).not.toMatch(/unitBudget|QUOTA|disabledReason/);
    expect(await card().getByRole("button", { name: "Sync now" }).isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, "progress-paused-desktop.png") });
    await card().screenshot({ path: join(SHOTS, "progress-paused-card.png") });
    await why.getByRole("link", { name: /Usage page/ }).click();
    await page.waitForURL("**/usage");

    // Raising the budget resumes it by itself, as the card says.
    await env.server.ok(
      `mutation { updateProject(name: "${PROJECT}", input: { unitBudget: null }) { name } }`,
    );
    await expect
      .poll(integrationState, { timeout: 10_000, interval: 100 })
      .toEqual({ enabled: true, disabledReason: null });
    await page.goBack();
    await card().locator(".mailbox-status").getByText("Paused", { exact: true }).waitFor({
      state: "detached",
    });
    expect(await card().getByRole("button", { name: "Sync now" }).isDisabled()).toBe(false);
  });

  it("says what the volume estimate leaves out", async () => {
    await page.getByRole("button", { name: "Add mailbox" }).click();
    const add = page.getByRole("dialog", { name: "Add mailbox" });
    await add.getByRole("textbox", { name: /^Email/ }).fill(env.tenant.mailboxes.bob);
    await add.getByRole("radio", { name: /^All time/ }).check();
    await add.getByRole("button", { name: "Estimate volume" }).click();
    await add.getByText(/^About [\d,]+ messages/).waitFor();
    await add.getByText(/Participant and domain filters are not counted/).waitFor();
    await add.getByRole("button", { name: "Discard new mailbox" }).click();
    await add.waitFor({ state: "detached" });
  });
});
