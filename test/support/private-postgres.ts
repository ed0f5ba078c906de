import { execFile } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./node-process.js";

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own (never the shared one), in a temp dir on a free loopback
 * port, so a test can stop and start it. PostgreSQL refuses to run as root: when the tests run as
 * root, it runs as the `postgres` user.
 */
export interface PrivatePostgres {
  url: string;
  /** Immediate shutdown: connections drop at once, as when the database host dies. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), "mailstream-pg-"));
  const data = join(root, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = async (flag: string) => Number((await run("id", [flag, "postgres"])).stdout.trim());
    chownSync(root, await id("-u"), await id("-g"));
  }
  const port = await freePort();
  const as = async (command: string, args: string[]) => {
    if (asRoot) {
      const { stdout } = await run("runuser", ["-u", "postgres", "--", command, ...args]);
      return stdout;
    }
    return (await run(command, args)).stdout;
  };
  await as("initdb", ["-D", data, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = async () => {
    await as("pg_ctl", ["-D", data, "-o", options, "-l", join(root, "log"), "-w", "start"]);
  };
  const stop = async () => {
    await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop().catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
