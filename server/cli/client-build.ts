import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Builds the dashboard (`client/dist`) when it is missing or older than its sources, for
 * `npm run demo`, `npm run screenshot` and the browser tests. Several processes may ask at once
 * (vitest runs test files in parallel): a lock directory makes them build one at a time, and the
 * ones that waited find the build fresh.
 */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Newest modification time of the client's sources and build configuration. */
function newestSource(): number {
  const walk = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(newest, entry.isDirectory() ? walk(path) : statSync(path).mtimeMs);
    }, 0);
  return Math.max(
    walk(join(REPO_ROOT, "client/src")),
    walk(join(REPO_ROOT, "client/public")),
    statSync(join(REPO_ROOT, "client/index.html")).mtimeMs,
    statSync(join(REPO_ROOT, "client/vite.config.ts")).mtimeMs,
  );
}

export function clientBuildIsFresh(): boolean {
  const index = join(REPO_ROOT, "client/dist/index.html");
  return existsSync(index) && statSync(index).mtimeMs >= newestSource();
}

const LOCK = join(
  tmpdir(),
  `mailstream-client-build-${createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12)}.lock`,
);
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 120_000;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquireLock(): void {
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else sleep(100);
    }
  }
}

/** Returns true when it built. Synchronous on purpose: callers run it before anything starts. */
export function ensureClientBuilt(log: (line: string) => void = () => undefined): boolean {
  if (clientBuildIsFresh()) return false;
  acquireLock();
  try {
    if (clientBuildIsFresh()) return false;
    log("Building the dashboard (client/dist is missing or older than client/src)…");
    const vite = join(
      createRequire(import.meta.url).resolve("vite/package.json"),
      "..",
      "bin",
      "vite.js",
    );
    execFileSync(
      process.execPath,
      [vite, "build", "--config", "client/vite.config.ts", "--logLevel", "warn"],
      { cwd: REPO_ROOT, stdio: "pipe" },
    );
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
