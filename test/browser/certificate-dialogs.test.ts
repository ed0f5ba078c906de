import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { signedInPage } from "../support/dashboard-page.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import {
  generateClientCertificate,
  type AppRegistration,
  type ClientCertificate,
} from "../../simulator/index.js";
import { certificateConnection } from "../support/integration-api.js";
import { createIntegrationWith, startSyncEnv, type SyncEnv } from "../support/sync-env.js";

/**
 * A certificate's private key given to "Rotate credentials" and "Migrate to Graph" the way an
 * administrator does: the PEM pasted with its line breaks (or its file loaded), and the
 * thumbprint Azure shows. The simulated app registration knows only the certificates registered
 * on it, so a key that reached the server mangled is refused there with AADSTS errors; here the
 * new certificate must validate and the integration keep syncing with it. One page, in order.
 */
const PROJECT = "cert-browser";
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");

let env: SyncEnv;
let browser: Browser;
let page: Page;
let app: AppRegistration;
let first: ClientCertificate;
let next: ClientCertificate;
let integrationId: string;
let mailboxId: string;
let bucketName: string;

beforeAll(async () => {
  ensureClientBuilt();
  env = await startSyncEnv({ messagesPerMailbox: 10 });
  await env.server.ok(
    `mutation { createProject(input: { name: "${PROJECT}", title: "Certificates" }) { id } }`,
  );
  [first, next] = await Promise.all([
    generateClientCertificate({ commonName: "mailstream-first" }),
    generateClientCertificate({ commonName: "mailstream-next" }),
  ]);
  // An app of its own, so that its certificates can be replaced without touching the demo app's.
  app = env.sim.tenant(env.tenant.tenantId).addApp({ displayName: "Mailstream (certificates)" });
  app.addCertificate(first.certPem);
  const created = await createIntegrationWith(env.server, {
    project: PROJECT,
    name: "certified",
    connection: {
      ...certificateConnection(env.tenant, first.sha1Thumbprint, first.privateKeyPem),
      clientId: app.clientId,
    },
    mailboxes: [{ email: env.tenant.mailboxes.alice, allTime: true }],
  });
  expect(created.credentials.status).toBe("VALID");
  integrationId = created.id;
  mailboxId = created.mailboxes[0]!.id;
  bucketName = created.mailboxes[0]!.bucket.name;

  browser = await launchChromium();
  page = await signedInPage(browser, env.server.url, PROJECT);
});

afterEach(async (test) => {
  await page?.screenshot({
    path: join(SHOTS, `cert-${test.task.name.slice(0, 60).replace(/\W+/g, "-")}.png`),
  });
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

interface Connection {
  project: {
    integration: { api: string; authMethod: string; certificateThumbprint: string | null };
  };
}
const connectionOf = (name: string) =>
  env.server.ok<Connection>(
    `{ project(name: "${PROJECT}") { integration(name: "${name}") {
      api authMethod certificateThumbprint } } }`,
  );
const validate = async (id: string) =>
  (
    await env.server.ok<{ validateIntegrationCredentials: { status: string; error: string } }>(
      `mutation($id: ID!) { validateIntegrationCredentials(id: $id) { status error } }`,
      { id },
    )
  ).validateIntegrationCredentials;

/** Waits until the dialog closes (the server took the credentials), or fails with its refusal. */
async function accepted(dialog: Locator) {
  const refusals = dialog.locator('[role="alert"], .field-error');
  await Promise.race([dialog.waitFor({ state: "detached" }), refusals.first().waitFor()]);
  if (await dialog.isVisible()) expect.fail(`refused: ${await refusals.allInnerTexts()}`);
}

/** Asks for a round now and waits through the API until the bucket holds the message. */
async function syncUntilStored(subject: string) {
  await env.server.ok(`mutation($id: ID!) { syncMailbox(id: $id) { id } }`, { id: mailboxId });
  const subjects = async () => {
    const data = await env.server.ok<{
      project: { bucket: { messages: { edges: { node: { subject: string } }[] } } };
    }>(
      `query($b: String!) { project(name: "${PROJECT}") { bucket(name: $b) {
        messages(first: 5) { edges { node { subject } } } } } }`,
      { b: bucketName },
    );
    return data.project.bucket.messages.edges.map((e) => e.node.subject);
  };
  await expect.poll(subjects, { timeout: 20_000, interval: 100 }).toContain(subject);
}

describe("a certificate's private key in the dialogs", () => {
  it("rotates to a new certificate from its pasted PEM key, which then alone keeps the mailbox syncing", async () => {
    expect(next.privateKeyPem.trim().split("\n").length).toBeGreaterThan(3);
    app.addCertificate(next.certPem);
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/certified`);
    await page.getByRole("button", { name: "Rotate credentials" }).click();
    const dialog = page.getByRole("dialog", { name: /^Rotate credentials/ });
    const key = dialog.getByLabel(/^New private key/);
    await key.fill(next.privateKeyPem);
    await dialog.getByLabel(/^New certificate thumbprint/).fill(next.sha1Thumbprint);
    await dialog.getByRole("button", { name: "Validate & replace" }).click();
    await accepted(dialog);

    expect((await connectionOf("certified")).project.integration).toMatchObject({
      authMethod: "CERTIFICATE",
      certificateThumbprint: next.sha1Thumbprint,
    });
    // The old certificate removed from the app: only the new key gets tokens now.
    app.removeCredentials();
    app.addCertificate(next.certPem);
    expect(await validate(integrationId)).toMatchObject({ status: "VALID", error: null });
    env.sim.deliver(env.tenant.mailboxes.alice, {
      subject: "After the certificate rotation",
      from: { name: "Fabrikam", address: "orders@fabrikam.com" },
    });
    await syncUntilStored("After the certificate rotation");
  });

  it("loads the key file into the rotate dialog as it is on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailstream-key-"));
    const file = join(dir, "mailstream-next.key");
    writeFileSync(file, next.privateKeyPem);
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/certified`);
    await page.getByRole("button", { name: "Rotate credentials" }).click();
    const dialog = page.getByRole("dialog", { name: /^Rotate credentials/ });
    await dialog.locator('input[type="file"]').setInputFiles(file);
    await expect
      .poll(() => dialog.getByLabel(/^New private key/).inputValue())
      .toBe(next.privateKeyPem);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
  });

  it("migrates an EWS integration to Graph with a certificate from its pasted PEM key", async () => {
    const { tenant } = env;
    const onprem = await createIntegrationWith(env.server, {
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
      mailboxes: [],
    });
    await page.goto(`${env.server.url}/p/${PROJECT}/integrations/onprem`);
    await page.getByRole("button", { name: "Migrate to Graph" }).click();
    const dialog = page.getByRole("dialog", { name: "Migrate to Graph" });
    await dialog.getByRole("textbox", { name: /OAuth authority URL/ }).fill(tenant.authorityUrl);
    await dialog.getByRole("textbox", { name: /OAuth client ID/ }).fill(tenant.app.clientId);
    await dialog.getByRole("radio", { name: /private key & thumbprint/ }).check();
    await dialog.getByLabel(/^Private key/).fill(tenant.app.certificate.privateKeyPem);
    await dialog
      .getByLabel(/^Certificate thumbprint/)
      .fill(tenant.app.certificate.sha256Thumbprint);
    await dialog.getByRole("textbox", { name: /Graph endpoint/ }).fill(tenant.graphEndpoint);
    await dialog.getByRole("button", { name: "Validate & migrate" }).click();
    await accepted(dialog);

    expect((await connectionOf("onprem")).project.integration).toMatchObject({
      api: "GRAPH",
      authMethod: "CERTIFICATE",
      certificateThumbprint: tenant.app.certificate.sha256Thumbprint,
    });
    expect(await validate(onprem.id)).toMatchObject({ status: "VALID", error: null });
  });
});
