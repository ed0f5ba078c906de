import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateCertificateAuthority } from "../simulator/certificates.js";

/**
 * Runs in vitest's main process before any worker forks: creates the tenant simulator's CA in a
 * temporary directory and makes every worker trust it through NODE_EXTRA_CA_CERTS (Node reads it
 * at process start only; forked workers inherit this environment). Simulators started in the
 * workers load the same CA from MAILSTREAM_SIMULATOR_CA_DIR (test/simulator/test-simulator.ts).
 * A CA the environment already trusted stays trusted.
 *
 * Each vitest project runs its global setup, in the same process: the first creates the CA, the
 * others reuse it, and the last teardown removes it.
 */
export const SIMULATOR_CA_DIR_ENV = "MAILSTREAM_SIMULATOR_CA_DIR";

interface SharedCa {
  users: number;
  dir: string;
  previous: string | undefined;
}

const KEY = Symbol.for("mailstream.test.simulatorCa");
const registry = globalThis as typeof globalThis & { [KEY]?: SharedCa };

export default async function setup(): Promise<() => Promise<void>> {
  const shared = registry[KEY] ?? (registry[KEY] = await createSharedCa());
  shared.users++;
  return async () => {
    shared.users--;
    if (shared.users > 0) return;
    delete registry[KEY];
    if (shared.previous === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = shared.previous;
    delete process.env[SIMULATOR_CA_DIR_ENV];
    await rm(shared.dir, { recursive: true, force: true });
  };
}

async function createSharedCa(): Promise<SharedCa> {
  const dir = await mkdtemp(join(tmpdir(), "mailstream-simulator-ca-"));
  const ca = await loadOrCreateCertificateAuthority(dir);
  const previous = process.env.NODE_EXTRA_CA_CERTS;
  const inherited = previous ? await readFile(previous, "utf8").catch(() => "") : "";
  const bundle = join(dir, "trusted.pem");
  await writeFile(bundle, `${inherited}\n${ca.certPem}`);
  process.env.NODE_EXTRA_CA_CERTS = bundle;
  process.env[SIMULATOR_CA_DIR_ENV] = dir;
  return { users: 0, dir, previous };
}
