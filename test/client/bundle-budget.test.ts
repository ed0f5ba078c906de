import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkBudget,
  INITIAL_JS_BUDGET_BYTES,
  measureBundle,
  type BundleReport,
} from "../../client/scripts/check-bundle.js";

const root = new URL("../../", import.meta.url).pathname;
const outDir = mkdtempSync(join(tmpdir(), "mailstream-bundle-"));
const viteBin = join(
  createRequire(import.meta.url).resolve("vite/package.json"),
  "..",
  "bin",
  "vite.js",
);
let report: BundleReport;

beforeAll(() => {
  // A fresh production build of the current sources (not whatever client/dist holds).
  execFileSync(
    process.execPath,
    [
      viteBin,
      "build",
      "--config",
      "client/vite.config.ts",
      "--outDir",
      outDir,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ],
    {
      cwd: root,
      stdio: "pipe",
    },
  );
  report = measureBundle(outDir);
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the dashboard's bundle budget", () => {
  it("keeps the JavaScript of the first page load at or under 150 KB gzipped", () => {
    const result = checkBudget(report);
    expect(result.ok, result.message).toBe(true);
    expect(report.initialJsGzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
  });

  it("counts the entry and its static imports, and leaves the lazily loaded pages out", () => {
    expect(report.initialJs.length).toBeGreaterThanOrEqual(1);
    expect(report.initialJs.some((f) => /wizard|bucket-page|tokens-page/.test(f.file))).toBe(false);
    expect(report.lazyJsGzipBytes).toBeGreaterThan(0);
  });

  it("fails the build step when the initial JavaScript is over the budget", () => {
    const result = checkBudget(report, report.initialJsGzipBytes - 1);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/Bundle budget exceeded/);
  });
});
