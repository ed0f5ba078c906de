import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { publishMessagesAdded } from "../../server/messages/message-events.js";
import type { MessageRow } from "../../server/storage/entities/index.js";
import { type IncomingMessage, storeMessages } from "../../server/storage/message-store.js";
import type { TestServer } from "../support/test-server.js";

export interface ProjectRef {
  id: string;
  name: string;
}

/** A project with buckets, made through the API as a user would. */
export async function createProject(
  server: TestServer,
  name: string,
  buckets: string[] = ["inbox"],
) {
  const created = await server.ok<{ createProject: ProjectRef }>(
    `mutation($name: String!) { createProject(input: { name: $name }) { id name } }`,
    { name },
  );
  const bucketIds: Record<string, string> = {};
  for (const bucket of buckets) {
    const made = await server.ok<{ createBucket: { id: string } }>(
      `mutation($project: String!, $name: String!) { createBucket(input: { project: $project, name: $name }) { id } }`,
      { project: name, name: bucket },
    );
    bucketIds[bucket] = made.createBucket.id;
  }
  return { project: created.createProject, bucketIds };
}

export async function createToken(
  server: TestServer,
  grants: { project: string; permissions: string[] }[],
) {
  const data = await server.ok<{ createApiToken: { token: string; apiToken: { id: string } } }>(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } } }`,
    { input: { name: `token-${Math.random().toString(36).slice(2, 8)}`, grants } },
  );
  return { token: data.createApiToken.token, id: data.createApiToken.apiToken.id };
}

let counter = 0;

/** A message as the sync engine hands it to storage. */
export function incomingMessage(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  const n = ++counter;
  return {
    internetMessageId: `<m${n}.${Date.now()}@example.com>`,
    graphId: `graph-${n}`,
    conversationId: null,
    mailbox: "orders@contoso.com",
    folder: "Root/Top of Information Store/Inbox",
    subject: `Message ${n}`,
    from: { name: "Alice", address: "alice@fabrikam.com" },
    sender: null,
    to: [{ name: "Orders", address: "orders@contoso.com" }],
    cc: [],
    bcc: [],
    sentAt: new Date("2026-03-01T10:00:00Z"),
    receivedAt: new Date("2026-03-01T10:00:05Z"),
    bodyText: `Body of message ${n}`,
    bodyHtml: null,
    attachments: [],
    ...overrides,
  };
}

/** Stores messages the way the sync engine does: one transaction, then the events after commit. */
export async function storeAndPublish(
  server: TestServer,
  project: ProjectRef,
  bucketId: string,
  messages: IncomingMessage[],
): Promise<MessageRow[]> {
  const deps = server.app.deps;
  const { created } = await deps.db.transaction((m) =>
    storeMessages(m, project.id, bucketId, messages, deps.now()),
  );
  publishMessagesAdded(deps.events, project, created);
  return created;
}

export interface Received<T> {
  data: T[];
  errors: { message: string; extensions?: Record<string, unknown> }[];
  completed: boolean;
}

/** A graphql-ws connection as a client application opens one (no retries, so close codes show). */
export function connect(
  server: TestServer,
  token: string | null,
  params?: Record<string, unknown>,
) {
  const closed: { code: number; reason: string }[] = [];
  let onClosed: (() => void) | null = null;
  const client: Client = createClient({
    url: `${server.url.replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: params ?? (token ? { authorization: `Bearer ${token}` } : {}),
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        closed.push({ code: e.code, reason: String(e.reason) });
        onClosed?.();
      },
    },
    onNonLazyError: () => undefined,
  });
  return {
    client,
    closed,
    /** Resolves with the first close event. */
    whenClosed(): Promise<{ code: number; reason: string }> {
      if (closed[0]) return Promise.resolve(closed[0]);
      return new Promise((resolve) => (onClosed = () => resolve(closed[0]!)));
    },
    subscribe<T>(
      query: string,
      variables: Record<string, unknown> = {},
    ): Received<T> & { stop(): void } {
      const received: Received<T> & { stop(): void } = {
        data: [],
        errors: [],
        completed: false,
        stop: () => undefined,
      };
      received.stop = client.subscribe<T>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors) received.errors.push(...(result.errors as Received<T>["errors"]));
            if (result.data) received.data.push(result.data as T);
          },
          error: (error) => {
            if (Array.isArray(error)) received.errors.push(...(error as Received<T>["errors"]));
            else
              received.errors.push({
                message: String((error as { reason?: string }).reason ?? error),
              });
          },
          complete: () => {
            received.completed = true;
          },
        },
      );
      return received;
    },
    dispose: () => client.dispose(),
  };
}

/** Waits until `check` passes (polling), failing after `timeoutMs`. */
export async function eventually(
  check: () => boolean,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets in-flight events arrive, for "nothing more came" checks. */
export const settle = (ms = 200): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
