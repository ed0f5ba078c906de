import { createServer } from "node:net";
import { seedDemoTenant, type DemoTenant, type Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import { createIntegration, waitForMailbox } from "../support/sync-env.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/**
 * A simulated tenant and a Mailstream server with change notifications on: the server listens on
 * a port chosen first, so MAILSTREAM_PUBLIC_URL can name it and the simulator (the caller here)
 * reaches /notifications/graph over loopback. Polling is slow (15 min) unless `env` says otherwise,
 * so what arrives in seconds came by notification.
 */
export interface PushEnv {
  sim: Simulator;
  tenant: DemoTenant;
  server: TestServer;
  port: number;
  publicUrl: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startPushEnv(
  options: { env?: Record<string, string>; messagesPerMailbox?: number; publicUrl?: string } = {},
): Promise<PushEnv> {
  const sim = await startTestSimulator();
  const tenant = await seedDemoTenant(sim, {
    messagesPerMailbox: options.messagesPerMailbox ?? 40,
  });
  const port = await freePort();
  const publicUrl = options.publicUrl ?? `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    MAILSTREAM_PUBLIC_URL: publicUrl,
    MAILSTREAM_SYNC_INTERVAL: "900",
    MAILSTREAM_SAFETY_POLL_INTERVAL: "900",
    ...options.env,
  };
  const server = await startTestServer({
    env,
    exchange: { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
  });
  const pushEnv: PushEnv = {
    sim,
    tenant,
    server,
    port,
    publicUrl,
    env,
    async stop() {
      await pushEnv.server.stop();
      await sim.stop();
    },
  };
  return pushEnv;
}

export const PUSH_STATE = `query($id: ID!) { mailbox(id: $id) { enabled sync { status lastSyncedAt startedAt push pushReason pushExpiresAt } } }`;

export interface PushView {
  enabled: boolean;
  sync: {
    status: string;
    lastSyncedAt: string | null;
    startedAt: string | null;
    push: string;
    pushReason: string | null;
    pushExpiresAt: string | null;
  };
}

export async function pushState(server: TestServer, mailboxId: string): Promise<PushView> {
  return (await server.ok<{ mailbox: PushView }>(PUSH_STATE, { id: mailboxId })).mailbox;
}

/** Polls until `check` holds; fails with the last value after `timeoutMs`. */
export async function until<T>(
  read: () => Promise<T> | T,
  check: (value: T) => boolean,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(`${what} not reached in ${timeoutMs} ms: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

/** A project and an integration with one mailbox, synced once and subscribed. */
export async function subscribedMailbox(
  env: PushEnv,
  project: string,
  email: string,
): Promise<{ id: string; bucketId: string; integrationId: string }> {
  await env.server.gql(`mutation($n: String!) { createProject(input: { name: $n }) { id } }`, {
    n: project,
  });
  const created = await createIntegration(env, {
    project,
    name: `push-${project}`,
    mailboxes: [{ email, allTime: true }],
  });
  const mailbox = created.mailboxes[0]!;
  await waitForMailbox(env.server, mailbox.id, (v) => v.sync.status === "UP_TO_DATE");
  await until(
    () => pushState(env.server, mailbox.id),
    (v) => v.sync.push === "ACTIVE",
    15_000,
    "push ACTIVE",
  );
  return { id: mailbox.id, bucketId: mailbox.bucket.id, integrationId: created.id };
}

export const STATS = `{ pushNotificationStats { received accepted rejected lifecycle validations } }`;

export interface Stats {
  received: number;
  accepted: number;
  rejected: number;
  lifecycle: number;
  validations: number;
}

export async function stats(server: TestServer): Promise<Stats> {
  return (await server.ok<{ pushNotificationStats: Stats }>(STATS)).pushNotificationStats;
}

/**
 * One mailbox's rounds in the simulator's log: a full round walks the folder tree once (from
 * msgfolderroot), a notified round looks up the folder of each message it was notified of
 * (`$select=parentFolderId`; one, in these tests).
 */
export function roundsSeen(sim: Simulator, email: string): number {
  return sim.requestLog.filter((e) => {
    if (e.target !== "graph" || e.mailbox !== email.toLowerCase()) return false;
    const path = e.path.toLowerCase();
    return (
      path.includes("/mailfolders/msgfolderroot") ||
      /\/messages\/[^/?]+\?\$select=parentfolderid$/.test(path)
    );
  }).length;
}
