import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { signedInPage } from "../support/dashboard-page.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import {
  createIntegration,
  startSyncEnv,
  type SyncEnv,
  waitForMailbox,
} from "../support/sync-env.js";

/**
 * Running an integration from the dashboard against the tenant simulator: a mailbox Graph cannot
 * read (dave is unlicensed) and one stopped by a sync error (bob, unlicensed after his check)
 * shown as failing in the list, dave explained on his page, a removed mailbox gone from the
 * connection panel, re-enabling over a used-up budget explained at once,
 * buckets that say which mailboxes feed them and can be deleted, and the bucket browser's order,
 * folder choices and checked inputs. The tests run in order on one page.
 */
const PROJECT = "ops-browser";
const NAME = "ops";
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");
const SLASHED_SUBJECT = "Receipt filed in a folder named with a slash";

let env: SyncEnv;
let browser: Browser;
let page: Page;
let integrationId: string;
let aliceBucket: string;
let daveBucket: string;

beforeAll(async () => {
  ensureClientBuilt();
  env = await startSyncEnv({ messagesPerMailbox: 40 });
  await env.server.ok(
    `mutation { createProject(input: { name: "${PROJECT}", title: "Ops" }) { id } }`,
  );
  const { alice, dave } = env.tenant.mailboxes;
  // A folder whose name holds a slash: stored escaped (Invoices\/Receipts), shown as named.
  env.sim.deliver(alice, { folder: ["Inbox", "Invoices/Receipts"], subject: SLASHED_SUBJECT });
  const created = await createIntegration(env, {
    project: PROJECT,
    name: NAME,
    mailboxes: [
      { email: alice, allTime: true },
      { email: dave, allTime: true },
    ],
  });
  integrationId = created.id;
  aliceBucket = created.mailboxes.find((m) => m.email === alice)!.bucket.name;
  daveBucket = created.mailboxes.find((m) => m.email === dave)!.bucket.name;
  await env.server.ok(`mutation($id: ID!) { validateIntegrationCredentials(id: $id) { status } }`, {
    id: integrationId,
  });
  browser = await launchChromium();
  page = await signedInPage(browser, env.server.url, PROJECT);
});

const bucketId = async (name: string) =>
  (
    await env.server.ok<{ project: { bucket: { id: string } } }>(
      `query($b: String!) { project(name: "${PROJECT}") { bucket(name: $b) { id } } }`,
      { b: name },
    )
  ).project.bucket.id;

afterEach(async (test) => {
  await page?.screenshot({
    path: join(SHOTS, `ops-${test.task.name.slice(0, 60).replace(/\W+/g, "-")}.png`),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

const row = () => page.getByRole("list", { name: "Integrations" }).getByRole("listitem").first();

describe("operating an integration from the dashboard", () => {
  it("shows the failing mailbox in the integrations list instead of 'Enabled'", async () => {
    await row().getByText("1 of 2 mailboxes failing").waitFor();
    expect(await row().getByText("Enabled", { exact: true }).count()).toBe(0);
    expect(await row().locator(".integration-error").innerText()).toContain(
      env.tenant.mailboxes.dave,
    );
    // Search and sort: a search that matches nothing empties the list.
    await page.getByRole("searchbox", { name: "Search integrations" }).fill("nothing-like-this");
    await expect
      .poll(() => page.getByRole("list", { name: "Integrations" }).getByRole("listitem").count())
      .toBe(0);
    await page
      .getByRole("searchbox", { name: "Search integrations" })
      .fill(env.tenant.mailboxes.dave);
    await row().waitFor();
  });

  it("shows a mailbox stopped by a sync error in the list although the last check found it readable", async () => {
    // dave above fails both the credential check and the sync; here only the sync fails (bob is
    // unlicensed after the check found him readable), so the list must read the mailbox's state.
    const project = "stopped-mailbox";
    const { bob } = env.tenant.mailboxes;
    await env.server.ok(`mutation { createProject(input: { name: "${project}" }) { id } }`);
    const created = await createIntegration(env, {
      project,
      name: "stopped",
      mailboxes: [{ email: bob, allTime: true }],
    });
    const checked = await env.server.ok<{
      validateIntegrationCredentials: { mailboxes: { email: string; access: string }[] };
    }>(
      `mutation($id: ID!) { validateIntegrationCredentials(id: $id) { mailboxes { email access } } }`,
      { id: created.id },
    );
    expect(checked.validateIntegrationCredentials.mailboxes).toEqual([
      { email: bob, access: "ACCESSIBLE" },
    ]);
    const mailbox = created.mailboxes[0]!.id;
    await waitForMailbox(env.server, mailbox, (v) => v.sync.status === "UP_TO_DATE");
    env.sim.setMailboxKind(bob, "unlicensed");
    const stopped = await waitForMailbox(env.server, mailbox, (v) => v.disabledReason !== null);
    expect(stopped.disabledReason).toBe("SYNC_ERROR");

    await page.goto(`${env.server.url}/p/${project}/integrations`);
    await row().getByText("Mailbox failing").waitFor();
    expect(await row().getByText("Enabled", { exact: true }).count()).toBe(0);
    expect(await row().locator(".integration-error").innerText()).toContain(bob);
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations`);
  });

  it("says what is wrong with an unlicensed mailbox and what to do, details one click away", async () => {
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/${NAME}`);
    const access = page.getByRole("list", { name: "Mailbox access at the last check" });
    const dave = access.getByRole("listitem").filter({ hasText: env.tenant.mailboxes.dave });
    await dave.getByText("Not readable by Graph").waitFor();
    expect(await dave.innerText()).toMatch(/license/i);
    expect(await dave.innerText()).not.toMatch(/not found/i);
    await dave
      .locator("summary")
      .getByText(/Assign it an Exchange Online license/)
      .click();
    expect(await dave.locator("code").innerText()).toMatch(
      /MailboxNotEnabledForRESTAPI|NOT_ENABLED/i,
    );
  });

  it("does not say 'added' with a green check for a mailbox that cannot be read", async () => {
    await page.getByRole("button", { name: "Add mailbox" }).first().click();
    const add = page.getByRole("dialog", { name: "Add mailbox" });
    await add.getByRole("textbox", { name: /^Email/ }).fill(env.tenant.mailboxes.erin);
    await add.getByRole("radio", { name: /^All time/ }).check();
    await add.getByRole("button", { name: "Add mailbox" }).click();
    const toast = page.locator(".toast").filter({ hasText: env.tenant.mailboxes.erin });
    await toast.waitFor();
    expect(await toast.getAttribute("class")).toContain("toast-danger");
    expect(await toast.innerText()).toMatch(/cannot be read/);
  });

  it("stops listing a removed mailbox in the connection panel", async () => {
    const { dave } = env.tenant.mailboxes;
    const access = page.getByRole("list", { name: "Mailbox access at the last check" });
    await access.getByText(dave).waitFor();
    await page
      .getByRole("article", { name: `Mailbox ${dave}` })
      .getByRole("button", { name: `Remove ${dave}` })
      .click();
    await page
      .getByRole("dialog")
      .getByRole("button", { name: /Remove/ })
      .last()
      .click();
    await page.getByRole("article", { name: `Mailbox ${dave}` }).waitFor({ state: "detached" });
    await expect.poll(() => access.getByText(dave).count()).toBe(0);
  });

  it("explains at once, with a link to Usage, why the integration cannot be turned on over a used-up budget", async () => {
    await env.server.ok(
      `mutation($id: ID!) { setIntegrationEnabled(id: $id, enabled: false) { id } }`,
      { id: integrationId },
    );
    await env.server.ok(
      `mutation { updateProject(name: "${PROJECT}", input: { unitBudget: 1 }) { name } }`,
    );
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations`);
    await row()
      .getByRole("switch", { name: "Enable Ops".replace("Ops", NAME) })
      .click();
    const refusal = row().getByRole("alert");
    await refusal.getByText(/unit budget is used up/).waitFor();
    expect(await refusal.innerText()).not.toMatch(/unitBudget/);
    expect(
      await row()
        .getByRole("switch", { name: `Enable ${NAME}` })
        .count(),
    ).toBe(1);
    await refusal.getByRole("link", { name: /Usage page/ }).click();
    await page.waitForURL("**/usage");
    // The Usage page's Budget buttons say whose budget they edit.
    await page.getByRole("button", { name: "Budget of Ops" }).waitFor();
  });

  it("says which mailboxes feed each bucket and deletes an unfed one after a confirmation", async () => {
    await page.goto(`${env.server.url}/p/${PROJECT}/buckets`);
    const rowOf = (name: string) => page.getByRole("row").filter({ hasText: name });
    await rowOf(aliceBucket).locator(".feeders").getByText(env.tenant.mailboxes.alice).waitFor();
    expect(
      await rowOf(aliceBucket)
        .getByRole("button", { name: /^Delete bucket/ })
        .isDisabled(),
    ).toBe(true);
    expect(await rowOf(daveBucket).getByText("No mailbox").count()).toBe(1);
    await rowOf(daveBucket)
      .getByRole("button", { name: /^Delete bucket/ })
      .click();
    const dialog = page.getByRole("dialog", { name: /^Delete bucket/ });
    expect(await dialog.innerText()).toMatch(/deletes the bucket and its \d+ messages?/);
    await dialog.getByRole("button", { name: "Delete bucket" }).click();
    await rowOf(daveBucket).waitFor({ state: "detached" });
    const left = await env.server.ok<{ project: { buckets: { name: string }[] } }>(
      `{ project(name: "${PROJECT}") { buckets { name } } }`,
    );
    expect(left.project.buckets.map((b) => b.name)).not.toContain(daveBucket);
  });

  it("browses a bucket oldest first, offers its folders and checks a participant before asking", async () => {
    await page.goto(`${env.server.url}/p/${PROJECT}/buckets/${encodeURIComponent(aliceBucket)}`);
    const times = () =>
      page
        .getByRole("list", { name: "Messages" })
        .locator("time")
        .evaluateAll((els) => els.map((e) => e.getAttribute("datetime") ?? ""));
    await page.getByRole("list", { name: "Messages" }).getByRole("listitem").first().waitFor();
    const newest = await times();
    expect([...newest].sort().reverse()).toEqual(newest);
    await page.getByRole("button", { name: "Oldest first" }).click();
    await expect.poll(async () => (await times())[0]).not.toBe(newest[0]);
    const oldest = await times();
    expect([...oldest].sort()).toEqual(oldest);

    const folders = await page
      .locator("#bucket-folders option")
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(folders.length).toBeGreaterThan(0);
    expect(folders.every((f) => f.startsWith("Root/"))).toBe(true);
    // Folder names as users named them, without the filters' escapes.
    expect(folders).toContain("Root/Top of Information Store/Inbox/Invoices\\/Receipts");
    const labels = await page
      .locator("#bucket-folders option")
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).label));
    expect(labels.join("\n")).not.toContain("\\");
    const slashed = page
      .getByRole("list", { name: "Messages" })
      .getByRole("listitem")
      .filter({ hasText: SLASHED_SUBJECT });
    expect(await slashed.locator(".message-folder").innerText()).toBe("Invoices/Receipts");

    await page.getByRole("textbox", { name: "Participant address" }).fill("carol@");
    await page.getByRole("button", { name: "Apply" }).click();
    await page
      .locator(".filter-problems")
      .getByText(/not an email address/)
      .waitFor();
    expect(await page.getByText("No message matches").count()).toBe(0);

    // A search: the list says how many match, counted by the server.
    await page.getByRole("textbox", { name: "Participant address" }).fill("");
    const { bucket } = await env.server.ok<{
      bucket: { messages: { edges: { node: { subject: string } }[] } };
    }>(
      `query($id: ID!) { bucket(id: $id) { messages(first: 1) { edges { node { subject } } } } }`,
      {
        id: await bucketId(aliceBucket),
      },
    );
    const word = bucket.messages.edges[0]!.node.subject.split(/\W+/).find((w) => w.length > 2)!;
    const counted = await env.server.ok<{ bucket: { messages: { totalCount: number } } }>(
      `query($id: ID!, $s: String!) { bucket(id: $id) { messages(filter: { search: $s }) { totalCount } } }`,
      { id: await bucketId(aliceBucket), s: word },
    );
    const total = counted.bucket.messages.totalCount;
    expect(total).toBeGreaterThan(0);
    await page.getByRole("searchbox", { name: "Search subject and body" }).fill(word);
    await page.getByRole("button", { name: "Apply" }).click();
    await page
      .getByText(`1–${Math.min(total, 50)} of ${total} (filtered)`, { exact: true })
      .waitFor();
  });

  it("migrates an EWS integration to Graph, explaining what stays", async () => {
    await env.server.ok(
      `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
      {
        input: {
          project: PROJECT,
          name: "onprem",
          connection: {
            api: "EWS",
            authMethod: "NTLM",
            access: "SERVICE_USER",
            ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
            serviceUsername: "svc@contoso.com",
            servicePassword: "pw",
          },
        },
      },
    );
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/onprem`);
    await page.getByRole("button", { name: "Migrate to Graph" }).click();
    const dialog = page.getByRole("dialog", { name: "Migrate to Graph" });
    expect(await dialog.innerText()).toMatch(
      /buckets, the messages already synced and the\s+usage stay/,
    );
    expect(await dialog.innerText()).toMatch(/neither stored twice nor charged again/);
    const { tenant } = env;
    await dialog.getByRole("textbox", { name: /OAuth authority URL/ }).fill(tenant.authorityUrl);
    await dialog.getByRole("textbox", { name: /OAuth client ID/ }).fill(tenant.app.clientId);
    await dialog.getByLabel(/^Client secret/).fill(tenant.app.clientSecret);
    await dialog.getByRole("textbox", { name: /Graph endpoint/ }).fill(tenant.graphEndpoint);
    await dialog.getByRole("button", { name: "Validate & migrate" }).click();
    await dialog.waitFor({ state: "detached" });
    const after = await env.server.ok<{ project: { integration: { api: string } } }>(
      `{ project(name: "${PROJECT}") { integration(name: "onprem") { api } } }`,
    );
    expect(after.project.integration.api).toBe("GRAPH");
    await expect.poll(() => page.getByRole("button", { name: "Migrate to Graph" }).count()).toBe(0);
  });

  it("rotates the secret from the integration page: checked first, then saved with its expiry, then warned about", async () => {
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/${NAME}`);
    await page.getByRole("button", { name: "Rotate credentials" }).click();
    const dialog = page.getByRole("dialog", { name: /^Rotate credentials/ });
    await dialog.getByLabel(/^New client secret/).fill("wrong-secret~123");
    await dialog.getByRole("button", { name: "Validate & replace" }).click();
    await dialog.getByRole("alert").first().waitFor();
    expect(await dialog.isVisible()).toBe(true);

    const soon = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await dialog.getByLabel(/^New client secret/).fill(env.tenant.app.clientSecret);
    await dialog.getByLabel(/^Expires on/).fill(soon);
    await dialog.getByRole("button", { name: "Validate & replace" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Credentials expire soon").waitFor();
    const saved = await env.server.ok<{ project: { integration: { secretExpiresAt: string } } }>(
      `{ project(name: "${PROJECT}") { integration(name: "${NAME}") { secretExpiresAt } } }`,
    );
    expect(saved.project.integration.secretExpiresAt.slice(0, 10)).toBe(soon);
  });

  it("peeks at a stream's next batch, shows the lag and advances past it", async () => {
    const buckets = await env.server.ok<{
      project: { bucket: { id: string; messageCount: number } };
    }>(
      `query($b: String!) { project(name: "${PROJECT}") { bucket(name: $b) { id messageCount } } }`,
      { b: aliceBucket },
    );
    const total = buckets.project.bucket.messageCount;
    expect(total).toBeGreaterThan(10);
    await env.server.ok(
      `mutation($b: [ID!]!) { createStream(input: { project: "${PROJECT}", name: "orders", bucketIds: $b, startAt: "2000-01-01T00:00:00Z" }) { id } }`,
      { b: [buckets.project.bucket.id] },
    );
    await page.goto(`${env.server.url}/p/${PROJECT}/streams/orders`);
    await page.getByRole("button", { name: "Peek at the next batch" }).click();
    const batch = page.getByRole("list", { name: "Next batch" });
    await expect.poll(() => batch.getByRole("listitem").count()).toBe(10);
    await page.getByText(`${total} messages behind`).waitFor();
    await page.getByRole("button", { name: "Advance past this batch" }).click();
    await page
      .getByRole("dialog", { name: "Advance past this batch?" })
      .getByRole("button", { name: "Advance" })
      .click();
    await page.getByText(`${total - 10} messages behind`).waitFor();
  });

  it("charts the units charged per day and integration on the Usage page", async () => {
    const usage = await env.server.ok<{ project: { usage: { unitsCharged: number } } }>(
      `{ project(name: "${PROJECT}") { usage { unitsCharged } } }`,
    );
    await page.goto(`${env.server.url}/usage`);
    const chart = page.getByRole("region", { name: "Units per day of Ops" });
    const svg = chart.getByRole("img");
    await svg.waitFor();
    expect(await svg.getAttribute("aria-label")).toContain(
      `${usage.project.usage.unitsCharged.toLocaleString("en-US")} in all`,
    );
    expect(await chart.locator(".usage-legend").innerText()).toContain(NAME);
    expect(await chart.locator("rect[fill]").count()).toBeGreaterThan(0);
    // The busiest day's bar is drawn at (nearly) the chart's full height, not merely present.
    const chartHeight = Number((await svg.getAttribute("viewBox"))!.split(" ")[3]);
    const heights = await chart
      .locator("rect[fill]")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("height"))));
    expect(Math.max(...heights)).toBeGreaterThan(chartHeight * 0.9);
  });
});
