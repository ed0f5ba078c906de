import { startSimulator, type Simulator, type SimulatorOptions } from "../../simulator/index.js";

/**
 * Starts a simulator inside a test worker with the CA that test/global-setup.ts created (and that
 * this process trusts through NODE_EXTRA_CA_CERTS). Any test of the repository may use it.
 */
export function startTestSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const caDir = process.env.MAILSTREAM_SIMULATOR_CA_DIR;
  if (!caDir || !process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(
      "The simulator CA is missing: test/global-setup.ts must run as vitest globalSetup (pool: forks).",
    );
  }
  return startSimulator({ caDir, ...options });
}
