// `npm run screenshot [-- <file.png>]`: starts the demo (server/cli/start-demo.ts) on free ports,
// opens the demo integration's page in Chromium at 1440×900 while both mailboxes sync, and writes
// docs/dashboard.png (the picture the README shows).
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { launchChromium } from "./chromium.js";
import { REPO_ROOT } from "./client-build.js";
import { type Demo, DemoError, startDemo } from "./start-demo.js";

const OUT = resolve(process.argv[2] ?? `${REPO_ROOT}/docs/dashboard.png`);
const VIEWPORT = { width: 1440, height: 900 };
/** How long the page watches before the picture, so the rate sparklines have a history. */
const MIN_WATCH_MS = 10_000;
const MAX_WAIT_MS = 60_000;

interface MailboxSync {
  email: string;
  sync: { status: string; foldersDone: number; foldersTotal: number };
}

/** Mid-sync: every mailbox syncing, and the furthest one at least a third through its folders. */
function midSync(mailboxes: MailboxSync[]): boolean {
  const fraction = (m: MailboxSync) =>
    m.sync.foldersTotal > 0 ? m.sync.foldersDone / m.sync.foldersTotal : 0;
  return (
    mailboxes.every((m) => m.sync.status === "SYNCING") &&
    Math.max(...mailboxes.map(fraction)) >= 0.35
  );
}

async function main(): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  let demo: Demo | null = null;
  const browser = await launchChromium();
  try {
    // Slower and larger than `npm run demo`, so both rounds are still running when the picture is taken.
    demo = await startDemo({
      port: 0,
      latencyMs: 60,
      messagesPerMailbox: 8000,
      deliverEveryMs: 2000,
      logLevel: "warn",
      log,
    });
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      colorScheme: "light",
      locale: "en-US",
      timezoneId: "UTC",
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

    const query = `query($p: String!, $n: String!) { project(name: $p) { integration(name: $n) {
      mailboxes { email sync { status foldersDone foldersTotal } } } } }`;
    for (;;) {
      const data = await demo.gql<{
        project: { integration: { mailboxes: MailboxSync[] } };
      }>(query, { p: demo.project, n: demo.integration.name });
      const mailboxes = data.project.integration.mailboxes;
      const elapsed = Date.now() - opened;
      if (elapsed >= MIN_WATCH_MS && midSync(mailboxes)) break;
      if (elapsed > MAX_WAIT_MS) {
        log(`Not mid-sync after ${MAX_WAIT_MS / 1000} s; taking the picture anyway.`);
        break;
      }
      await page.waitForTimeout(250);
    }
    // Let the last progress event paint (the bar's width eases in over 300 ms).
    await page.waitForTimeout(600);
    await mkdir(dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT });
    log(`Wrote ${OUT}`);
  } finally {
    await browser.close();
    await demo?.stop();
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
