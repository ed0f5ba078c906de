import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishMessagesAdded } from "../../server/messages/message-events.js";
import { storeMessages } from "../../server/storage/message-store.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { type ProjectRef, createProject, incomingMessage } from "../live/fixtures.js";

const TOTAL = 10_000;
const WRITERS = 4;
const FETCH_SIZE = 256;

const FETCH = `query($size: Int) {
  project(name: "concurrent") { stream(name: "everything") {
    fetch(size: $size) { sequenceId isEndSequence filtered results { sequenceId message { id sequenceId } } }
  } }
}`;
const ADVANCE = `mutation($sequenceId: String!) {
  advanceStream(project: "concurrent", name: "everything", sequenceId: $sequenceId) { position }
}`;

interface Batch {
  sequenceId: string;
  isEndSequence: boolean;
  filtered: number;
  results: { sequenceId: string; message: { id: string; sequenceId: string } }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer;
let project: ProjectRef;
let bucketIds: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  ({ project, bucketIds } = await createProject(server, "concurrent", ["left", "right"]));
  await server.ok(
    `mutation($ids: [ID!]!) { createStream(input: { project: "concurrent", name: "everything", bucketIds: $ids }) { id } }`,
    {
      ids: [bucketIds.left, bucketIds.right],
    },
  );
});
afterAll(() => server.stop());

/**
 * One writer as the sync engine writes: a page per transaction, the events after commit. The
 * pause before commit widens the window in which a later transaction could commit first, which
 * is exactly what must never let a consumer skip a message.
 */
async function writer(index: number, count: number, stored: Map<string, string>): Promise<void> {
  const { db, events } = server.app.deps;
  let left = count;
  let page = 0;
  while (left > 0) {
    const size = Math.min(left, 20 + ((index * 31 + page * 17) % 90));
    const bucketId = (index + page) % 2 === 0 ? bucketIds.left! : bucketIds.right!;
    const messages = Array.from({ length: size }, () =>
      incomingMessage({ subject: `writer ${index}` }),
    );
    const { created } = await db.transaction(async (m) => {
      const result = await storeMessages(m, project.id, bucketId, messages, new Date());
      await sleep((index + page) % 3);
      return result;
    });
    for (const row of created) stored.set(row.id, row.sequenceId);
    publishMessagesAdded(events, project, created);
    left -= size;
    page++;
    await sleep(page % 2);
  }
}

describe("a stream consumer with concurrent writers", () => {
  it(`sees each of ${TOTAL} messages exactly once, in sequence order, and replays a batch it did not advance past`, async () => {
    const stored = new Map<string, string>();
    let writing = true;
    const writers = Promise.all(
      Array.from({ length: WRITERS }, (_, i) => writer(i, TOTAL / WRITERS, stored)),
    ).finally(() => {
      writing = false;
    });

    const seen: { id: string; sequenceId: bigint }[] = [];
    let batches = 0;
    let replays = 0;
    for (;;) {
      const writersDone = !writing;
      const data = await server.ok<{ project: { stream: { fetch: Batch } } }>(FETCH, {
        size: FETCH_SIZE,
      });
      const batch = data.project.stream.fetch;
      batches++;
      if (batches % 5 === 0 && batch.results.length > 0) {
        // A consumer that crashed before advancing: the same messages come first again.
        const again = (
          await server.ok<{ project: { stream: { fetch: Batch } } }>(FETCH, { size: FETCH_SIZE })
        ).project.stream.fetch;
        expect(again.results.slice(0, batch.results.length)).toEqual(batch.results);
        replays++;
      }
      expect(batch.filtered).toBe(0);
      for (const result of batch.results) {
        const sequenceId = BigInt(result.sequenceId);
        const previous = seen.at(-1)?.sequenceId ?? 0n;
        expect(sequenceId > previous, `sequence ${sequenceId} after ${previous}`).toBe(true);
        expect(result.message.sequenceId).toBe(result.sequenceId);
        seen.push({ id: result.message.id, sequenceId });
      }
      if (batch.results.length > 0) {
        expect(batch.sequenceId).toBe(batch.results.at(-1)!.sequenceId);
        await server.ok(ADVANCE, { sequenceId: batch.sequenceId });
      }
      if (batch.isEndSequence && writersDone) break;
      if (batch.isEndSequence) await sleep(2);
    }
    await writers;

    expect(stored.size).toBe(TOTAL);
    expect(seen).toHaveLength(TOTAL);
    expect(new Set(seen.map((s) => s.id)).size).toBe(TOTAL);
    for (const { id, sequenceId } of seen) expect(stored.get(id)).toBe(String(sequenceId));
    expect(batches).toBeGreaterThan(TOTAL / FETCH_SIZE);
    expect(replays).toBeGreaterThan(0);
  }, 120_000);
});
