import type { Browser, Page } from "playwright-core";
import { ADMIN_TOKEN } from "./test-server.js";

/** Signs `page` in with the admin token and waits for the project's integrations page. */
export async function signIn(page: Page, serverUrl: string, project: string): Promise<void> {
  await page.goto(`${serverUrl}/`);
  await page.getByRole("textbox", { name: "API token" }).fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`**/p/${project}/integrations`);
}

/** A desktop-sized page of the dashboard, signed in, with `timeoutMs` for every wait. */
export async function signedInPage(
  browser: Browser,
  serverUrl: string,
  project: string,
  timeoutMs = 10_000,
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.setDefaultTimeout(timeoutMs);
  await signIn(page, serverUrl, project);
  return page;
}
