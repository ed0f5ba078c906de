import { type DemoTenant, seedDemoTenant, type Simulator } from "../../simulator/index.js";
import { startTestSimulator } from "../simulator/test-simulator.js";
import { startTestServer, type TestServer, type TestServerOptions } from "./test-server.js";

/** A simulated tenant and a Mailstream server that trusts it, syncing every second. */
export interface SyncEnv {
  sim: Simulator;
  tenant: DemoTenant;
  server: TestServer;
  stop(): Promise<void>;
}

export interface SimulatorAndServer {
  sim: Simulator;
  server: TestServer;
  stop(): Promise<void>;
}

/** An empty simulator and a Mailstream server that trusts it, syncing every second. */
export async function startSimulatorAndServer(
  options: {
    env?: Record<string, string>;
    latencyMs?: number;
    exchange?: TestServerOptions["exchange"];
  } = {},
): Promise<SimulatorAndServer> {
  const sim = await startTestSimulator({ latencyMs: options.latencyMs });
  const server = await startTestServer({
    env: { MAILSTREAM_SYNC_INTERVAL: "1", ...options.env },
    // Short waits against the simulator; the policy (Retry-After, backoff) stays the same.
    exchange: options.exchange ?? { retry: { baseDelayMs: 20, maxDelayMs: 200 } },
  });
  return {
    sim,
    server,
    async stop() {
      await server.stop();
      await sim.stop();
    },
  };
}

/** The same with the demo tenant seeded (its mailboxes of `messagesPerMailbox` each). */
export async function startSyncEnv(
  options: { messagesPerMailbox?: number; env?: Record<string, string>; latencyMs?: number } = {},
): Promise<SyncEnv> {
  const base = await startSimulatorAndServer(options);
  const tenant = await seedDemoTenant(base.sim, {
    messagesPerMailbox: options.messagesPerMailbox ?? 300,
  });
  return { ...base, tenant };
}

export const CREATE_INTEGRATION = `mutation($input: CreateIntegrationInput!) {
  createIntegration(input: $input) {
    id name enabled disabledReason lastError
    credentials { status error mailboxes { email access error } }
    mailboxes { id email bucket { id name } }
  }
}`;

export interface CreatedIntegration {
  id: string;
  enabled: boolean;
  disabledReason: string | null;
  lastError: string | null;
  credentials: {
    status: string;
    error: string | null;
    mailboxes: { email: string; access: string; error: string | null }[];
  };
  mailboxes: { id: string; email: string; bucket: { id: string; name: string } }[];
}

/**
 * Creates an integration through the API (connection: the demo app's client secret unless given)
 * and answers what createIntegration answered.
 */
export async function createIntegration(
  env: Pick<SyncEnv, "server" | "tenant">,
  input: {
    project: string;
    name: string;
    mailboxes: Record<string, unknown>[];
    connection?: unknown;
  },
): Promise<CreatedIntegration> {
  const data = await env.server.ok<{ createIntegration: CreatedIntegration }>(CREATE_INTEGRATION, {
    input: { connection: secretConnection(env.tenant), ...input },
  });
  return data.createIntegration;
}

/** A new simulated tenant with one app and secret, and the GRAPH connection that reaches it. */
export function simulatedTenant(sim: Simulator, name: string, seed: number) {
  const tenant = sim.addTenant({ name, domains: [`${name}.com`], seed });
  const app = tenant.addApp({ displayName: "Mailstream" });
  const secret = app.addSecret();
  const connection = {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: sim.authorityUrl(tenant),
    clientId: app.clientId,
    clientSecret: secret.value,
    graphEndpoint: sim.graphUrl,
  };
  return { tenant, app, connection };
}

/** createIntegration through the API with a full input (connection included). */
export async function createIntegrationWith(
  server: TestServer,
  input: Record<string, unknown>,
): Promise<CreatedIntegration> {
  const data = await server.ok<{ createIntegration: CreatedIntegration }>(CREATE_INTEGRATION, {
    input,
  });
  return data.createIntegration;
}

export function secretConnection(
  tenant: DemoTenant,
  app: { clientId: string; clientSecret: string } = tenant.app,
) {
  return {
    api: "GRAPH",
    authMethod: "CLIENT_SECRET",
    access: "APPLICATION",
    authorityUrl: tenant.authorityUrl,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    graphEndpoint: tenant.graphEndpoint,
  };
}

const SYNC_STATE = `query($id: ID!) { mailbox(id: $id) { enabled disabledReason sync { status phase lastError messagesSeen messagesStored messagesFiltered foldersDone foldersTotal startedAt lastSyncedAt } } }`;

export interface MailboxSyncView {
  enabled: boolean;
  disabledReason: string | null;
  sync: {
    status: string;
    phase: string | null;
    lastError: string | null;
    messagesSeen: number;
    messagesStored: number;
    messagesFiltered: number;
    foldersDone: number;
    foldersTotal: number;
    startedAt: string | null;
    lastSyncedAt: string | null;
  };
}

/** Polls `Mailbox.sync` until `done` holds (or fails the test after `timeoutMs`). */
export async function waitForMailbox(
  server: TestServer,
  mailboxId: string,
  done: (view: MailboxSyncView) => boolean,
  timeoutMs = 60_000,
): Promise<MailboxSyncView> {
  const deadline = Date.now() + timeoutMs;
  let last: MailboxSyncView | null = null;
  while (Date.now() < deadline) {
    last = (await server.ok<{ mailbox: MailboxSyncView }>(SYNC_STATE, { id: mailboxId })).mailbox;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mailbox ${mailboxId} did not reach the expected state: ${JSON.stringify(last)}`);
}

/** Waits for a round that started after `since` (default now) to complete, so earlier changes are in. */
export async function waitForFreshRound(
  server: TestServer,
  mailboxId: string,
  timeoutMs = 60_000,
  since = Date.now(),
): Promise<MailboxSyncView> {
  return waitForMailbox(
    server,
    mailboxId,
    (v) =>
      v.sync.status === "UP_TO_DATE" &&
      !!v.sync.startedAt &&
      new Date(v.sync.startedAt).getTime() > since,
    timeoutMs,
  );
}

export interface BucketMessage {
  internetMessageId: string;
  folder: string;
  mailbox: string;
  subject: string;
  attachments: {
    name: string;
    reference: string | null;
    contentType: string;
    size: number;
    inline: boolean;
  }[];
}

const BUCKET_PAGE = `query($id: ID!, $after: String) {
  bucket(id: $id) {
    messages(first: 200, after: $after) {
      edges { node { internetMessageId folder mailbox subject attachments { name reference contentType size inline } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

/** Every message in a bucket, through the paged GraphQL API. */
export function bucketMessages(server: TestServer, bucketId: string): Promise<BucketMessage[]> {
  return allBucketMessages((query, variables) => server.ok(query, variables), bucketId);
}

/** Every message of a bucket, page by page, through any process's API (`query` returns data). */
export async function allBucketMessages(
  query: <T>(text: string, variables: Record<string, unknown>) => Promise<T>,
  bucketId: string,
): Promise<BucketMessage[]> {
  const out: BucketMessage[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      bucket: {
        messages: {
          edges: { node: BucketMessage }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      };
    } = await query(BUCKET_PAGE, { id: bucketId, after });
    out.push(...data.bucket.messages.edges.map((e) => e.node));
    if (!data.bucket.messages.pageInfo.hasNextPage) return out;
    after = data.bucket.messages.pageInfo.endCursor;
  }
}
