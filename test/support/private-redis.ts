import { type ChildProcess, spawn } from "node:child_process";
import { createConnection } from "node:net";
import { exited, freePort } from "./node-process.js";

/**
 * A redis-server of the test's own (never the shared one): on a free loopback port, nothing saved
 * to disk, so a test can kill it and start it again on the same port.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: connections drop at once, as when a Redis host dies. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: pub/sub keeps nothing anyway). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    await waitForPing(port, 10_000);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running) return;
    running.kill("SIGKILL");
    await exited(running);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, kill, stop: kill };
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.setTimeout(1_000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      socket.destroy();
      resolve(data.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}
