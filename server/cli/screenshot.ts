// `npm run screenshot [-- <file.png>]`: starts the demo (server/cli/start-demo.ts) on free ports,
// opens the demo integration's page in Chromium at 1440×900, waits for alice's first round to be
// part-way through (bob up to date), and writes docs/dashboard.png (the picture the README shows),
// then the same page at a phone's width (docs/dashboard-phone.png, 390×844) and in dark mode
// (docs/dashboard-dark.png). With a file argument, the other two are written beside it.
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Page } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { REPO_ROOT } from "./client-build.js";
import { type Demo, DemoError, startDemo } from "./start-demo.js";

const OUT = resolve(process.argv[2] ?? `${REPO_ROOT}/docs/dashboard.png`);
const PHONE_OUT = OUT.replace(/(\.png)?$/, "-phone.png");
const DARK_OUT = OUT.replace(/(\.png)?$/, "-dark.png");
const VIEWPORT = { width: 1440, height: 900 };
const PHONE_VIEWPORT = { width: 390, height: 844 };
/** How long the page watches before the picture, so the rate sparklines have a history. */
const MIN_WATCH_MS = 10_000;
const MAX_WAIT_MS = 60_000;

/**
 * The moment worth a picture, read from the page itself: alice's first round part-way through its
 * folders (a blue bar with counters moving) and bob up to date (a full green bar).
 */
async function midSync(page: Page, alice: string, bob: string): Promise<boolean> {
  const caption = (email: string) =>
    page
      .getByRole("article", { name: `Mailbox ${email}` })
      .locator(".progress-caption")
      .textContent();
  const progress = /folders · (\d+)%$/.exec((await caption(alice)) ?? "");
  const percent = progress ? Number(progress[1]) : -1;
  return percent >= 35 && percent <= 80 && (await caption(bob)) === "Up to date";
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let demo: Demo | null = null;
  const browser = await launchChromium();
  // Interrupted: still stop the server (its own process group) and the browser. A Ctrl-C can
  // arrive twice (from the terminal and relayed by tsx); the second must not kill this process.
  let interrupted = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping…`);
      void Promise.allSettled([browser.close(), demo?.stop()]).then(() => process.exit(1));
    });
  }
  try {
    demo = await startDemo({ port: 0, logLevel: "warn", log });
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      colorScheme: "light",
      locale: "en-US",
      timezoneId: "UTC",
      // No transitions: the picture shows the page's state, not a bar half-way through easing.
      reducedMotion: "reduce",
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${demo.url}/`);
    await page.getByRole("textbox", { name: "API token" }).fill(demo.adminToken);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`**/p/${demo.project}/**`);
    await page.goto(demo.dashboardUrl);
    await page.getByRole("heading", { level: 1, name: demo.integration.title }).waitFor();
    const opened = Date.now();
    log("Watching the sync…");

    const { alice, bob } = demo.tenant.mailboxes;
    for (;;) {
      const elapsed = Date.now() - opened;
      if (elapsed >= MIN_WATCH_MS && (await midSync(page, alice, bob))) break;
      if (elapsed > MAX_WAIT_MS) {
        log(`No mid-sync moment within ${MAX_WAIT_MS / 1000} s; taking the picture anyway.`);
        break;
      }
      await page.waitForTimeout(100);
    }
    await mkdir(dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT });
    log(`Wrote ${OUT}`);

    // The same page in dark mode, then at a phone's width (light), from the same session.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.waitForTimeout(200);
    await page.screenshot({ path: DARK_OUT });
    log(`Wrote ${DARK_OUT}`);
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(PHONE_VIEWPORT);
    await page.waitForTimeout(300);
    await page.screenshot({ path: PHONE_OUT });
    log(`Wrote ${PHONE_OUT}`);
  } finally {
    // Chromium may already be gone (a Ctrl-C reaches it too); the demo is stopped regardless.
    await Promise.allSettled([browser.close(), demo?.stop()]);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      error instanceof DemoError
        ? `npm run screenshot: ${error.message}\n`
        : `npm run screenshot failed: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exit(1);
  },
);
