import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CA_CERT_FILE, loadOrCreateCertificateAuthority } from "../simulator/index.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The simulator's CA directory for a bench that talks HTTPS to it. Node reads NODE_EXTRA_CA_CERTS
 * only at start, so the first call makes the CA, runs the bench script again trusting it, removes
 * the CA and exits with the child's status; in that child it returns the CA's directory.
 * `build`: compile the server first (benches that start `dist/server/main.js`).
 */
export async function simulatorCaDir(
  script: string | URL,
  options: { build?: boolean } = {},
): Promise<string> {
  const existing = process.env.MAILSTREAM_BENCH_CA_DIR;
  if (existing) return existing;
  if (options.build) {
    const build = spawnSync("npm", ["run", "build", "--silent"], {
      cwd: REPO_ROOT,
      stdio: "inherit",
    });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
  const caDir = mkdtempSync(join(tmpdir(), "mailstream-bench-ca-"));
  await loadOrCreateCertificateAuthority(caDir);
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(script)], {
    stdio: "inherit",
    env: {
      ...process.env,
      MAILSTREAM_BENCH_CA_DIR: caDir,
      NODE_EXTRA_CA_CERTS: join(caDir, CA_CERT_FILE),
    },
  });
  rmSync(caDir, { recursive: true, force: true });
  process.exit(child.status ?? 1);
}
