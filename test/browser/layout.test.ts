import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../../server/cli/chromium.js";
import { signIn } from "../support/dashboard-page.js";
import { ensureClientBuilt } from "../../server/cli/client-build.js";
import { createIntegration } from "../support/sync-env.js";
import { startSyncEnv, type SyncEnv } from "../support/sync-env.js";

/**
 * Every page at a phone's width (390 px) in light and dark mode: no sideways scroll, the sidebar
 * folded behind a Menu button, the system's dark preference honoured. Screenshots of each go to
 * the temporary directory below.
 */
const PROJECT = "layout-browser";
const SHOTS = join(tmpdir(), "mailstream-dashboard-test");

let env: SyncEnv;
let browser: Browser;
let bucket: string;

beforeAll(async () => {
  ensureClientBuilt();
  env = await startSyncEnv({ messagesPerMailbox: 30 });
  await env.server.ok(`mutation { createProject(input: { name: "${PROJECT}" }) { id } }`);
  const created = await createIntegration(env, {
    project: PROJECT,
    name: "phone",
    mailboxes: [{ email: env.tenant.mailboxes.alice, allTime: true }],
  });
  bucket = created.mailboxes[0]!.bucket.name;
  await env.server.ok(
    `mutation($b: [ID!]!) { createStream(input: { project: "${PROJECT}", name: "orders", bucketIds: $b }) { id } }`,
    { b: [created.mailboxes[0]!.bucket.id] },
  );
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await env?.stop();
});

async function signedIn(colorScheme: "light" | "dark"): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme,
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(8_000);
  await signIn(page, env.server.url, PROJECT);
  return [context, page];
}

/** Elements sticking out past the viewport's right edge, for the failure message. */
const overflow = (page: Page) =>
  page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: Array.from(document.querySelectorAll<HTMLElement>("body *"))
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((el) => {
        // Inside a scrolling or clipping box, it scrolls there, not the page.
        for (let p = el.parentElement; p; p = p.parentElement)
          if (getComputedStyle(p).overflowX !== "visible") return false;
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
  }));

const pages = () =>
  [
    ["integrations", `/p/${PROJECT}/integrations`, "Integrations"],
    ["integration", `/p/${PROJECT}/integrations/phone`, "phone"],
    ["wizard", `/p/${PROJECT}/integrations/new`, "New integration"],
    ["buckets", `/p/${PROJECT}/buckets`, "Buckets"],
    ["bucket", `/p/${PROJECT}/buckets/${encodeURIComponent(bucket)}`, null],
    ["streams", `/p/${PROJECT}/streams`, "Streams"],
    ["stream", `/p/${PROJECT}/streams/orders`, null],
    ["usage", `/usage`, "Usage"],
    ["tokens", `/tokens`, "API tokens"],
    ["audit", `/audit`, "Audit log"],
    ["explorer", `/explorer`, "API explorer"],
  ] as const;

describe.each(["light", "dark"] as const)("the dashboard at 390 px, %s mode", (scheme) => {
  it("has no sideways scroll on any page", async () => {
    const [context, page] = await signedIn(scheme);
    const wide: string[] = [];
    try {
      for (const [name, path, heading] of pages()) {
        await page.goto(`${env.server.url}${path}`);
        await page
          .getByRole("heading", { level: 1, ...(heading ? { name: heading } : {}) })
          .first()
          .waitFor();
        await page.waitForTimeout(150);
        await page.screenshot({ path: join(SHOTS, `phone-${scheme}-${name}.png`), fullPage: true });
        const o = await overflow(page);
        if (o.scrollWidth > o.innerWidth)
          wide.push(`${name} (${o.scrollWidth} px): ${o.wide.join(", ")}`);
      }
      expect(wide).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("folds the sidebar behind a Menu button and honours the colour preference", async () => {
    const [context, page] = await signedIn(scheme);
    try {
      const nav = page.getByRole("navigation", { name: "Main" });
      expect(await nav.isVisible()).toBe(false);
      await page.getByRole("button", { name: "Menu" }).click();
      await nav.getByRole("link", { name: "Buckets" }).click();
      await page.waitForURL(`**/p/${PROJECT}/buckets`);
      await expect.poll(() => nav.isVisible()).toBe(false);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r, g, b] = background.match(/\d+/g)!.map(Number);
      const light = (r! + g! + b!) / 3 > 128;
      expect(light).toBe(scheme === "light");
    } finally {
      await context.close();
    }
  });
});
