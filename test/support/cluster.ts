import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import type { Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import { createScratchDatabase } from "./database.js";
import { childEnv, exited, freePort, startScript } from "./node-process.js";
import { SIMULATOR_HOSTS } from "./test-server.js";

/**
 * Several real Mailstream server processes (`server/main.ts`, each with its own data dir) on one
 * scratch PostgreSQL database, reached through a TCP proxy the test can cut and restore, and one
 * tenant simulator in the test process that every process trusts. Each process names itself
 * (MAILSTREAM_PROCESS_NAME) and so its Graph User-Agent: `sim.origins` says which process made
 * which request.
 */
export const CLUSTER_TOKEN = "ms_cluster_test_admin_token_0123456789";

export interface ClusterProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  gql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

export interface Cluster {
  sim: Simulator;
  processes: ClusterProcess[];
  /** Direct connection to the scratch database (not through the proxy), for inspection. */
  db: pg.Client;
  /** The TCP proxy in front of PostgreSQL that every process connects through. */
  proxy: TcpProxy;
  /** Starts another process (e.g. to replace a killed one). */
  add(name: string): Promise<ClusterProcess>;
  /** The process a `Mailbox.sync.heldBy.name` or User-Agent names. */
  byName(name: string): ClusterProcess;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  names: string[];
  /** Extra environment for every process (MAILSTREAM_LEASE_TTL, MAILSTREAM_SYNC_INTERVAL…). */
  env?: Record<string, string>;
  latencyMs?: number;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const sim = await startTestSimulator({ latencyMs: options.latencyMs ?? 0 });
  const scratch = await createScratchDatabase(adminUrl);
  const target = new URL(scratch.url);
  const proxy = await TcpProxy.start(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(scratch.url);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  const db = new pg.Client({ connectionString: scratch.url });
  await db.connect();
  const secretKey = randomBytes(32).toString("base64");
  const dirs: string[] = [];
  const processes: ClusterProcess[] = [];

  const add = async (name: string): Promise<ClusterProcess> => {
    const dataDir = mkdtempSync(join(tmpdir(), `mailstream-cluster-${name}-`));
    dirs.push(dataDir);
    const port = await freePort();
    const { child, output } = startScript(
      "server/main.ts",
      childEnv({
        PORT: String(port),
        DATABASE_URL: viaProxy.toString(),
        MAILSTREAM_DATA_DIR: dataDir,
        MAILSTREAM_SECRET_KEY: secretKey,
        MAILSTREAM_ADMIN_TOKEN: CLUSTER_TOKEN,
        MAILSTREAM_PROCESS_NAME: name,
        MAILSTREAM_ALLOWED_HOSTS: SIMULATOR_HOSTS,
        LOG_LEVEL: process.env.CLUSTER_LOG_LEVEL ?? "info",
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
        ...options.env,
      }),
    );
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`process ${name} did not start: ${output.stderr || output.stdout}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const gql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${CLUSTER_TOKEN}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data: T; errors?: unknown[] };
      if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const logDir = process.env.MAILSTREAM_CLUSTER_LOGS;
    if (logDir) {
      const file = createWriteStream(join(logDir, `${name}.log`), { flags: "a" });
      child.stdout!.pipe(file);
      child.stderr!.pipe(file);
    }
    const member = { name, url, child, output, gql };
    processes.push(member);
    return member;
  };

  // The first start migrates and creates the admin token; the others then join at once.
  const [first, ...rest] = options.names;
  await add(first!);
  await Promise.all(rest.map((name) => add(name)));

  return {
    sim,
    processes,
    db,
    proxy,
    add,
    byName(name) {
      const found = processes.find((p) => p.name === name || name.includes(`(${p.name})`));
      if (!found) throw new Error(`no process ${name}`);
      return found;
    },
    async stop() {
      for (const p of processes) {
        if (p.child.exitCode === null && p.child.signalCode === null) {
          p.child.kill("SIGCONT");
          p.child.kill("SIGKILL");
          await exited(p.child);
        }
      }
      await db.end().catch(() => undefined);
      await proxy.close();
      await sim.stop();
      await scratch.drop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP proxy in front of PostgreSQL, in a process of its own (tcp-proxy-process.mjs): `cut()`
 * drops every connection and refuses new ones (as a database that went away), `restore()` accepts
 * them again — without touching the shared server.
 */
export class TcpProxy {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly lines: string[],
  ) {}

  static async start(host: string, port: number): Promise<TcpProxy> {
    const script = fileURLToPath(new URL("./tcp-proxy-process.mjs", import.meta.url));
    const child = spawn(process.execPath, [script, host, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      lines.push(...parts);
    });
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error("the TCP proxy did not start");
      await new Promise((r) => setTimeout(r, 20));
    }
    return new TcpProxy(child, Number(lines[0]), lines);
  }

  async cut(): Promise<void> {
    await this.signal("SIGUSR1", "cut");
  }

  async restore(): Promise<void> {
    await this.signal("SIGUSR2", "restored");
  }

  async close(): Promise<void> {
    this.child.kill("SIGKILL");
    await exited(this.child);
  }

  private async signal(signal: NodeJS.Signals, answer: string): Promise<void> {
    const seen = this.lines.filter((l) => l === answer).length;
    this.child.kill(signal);
    while (this.lines.filter((l) => l === answer).length === seen)
      await new Promise((r) => setTimeout(r, 10));
  }
}
