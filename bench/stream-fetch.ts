// Stream fetch benchmark: a consumer reading batches of 100 through GraphQL (HTTP, the fields a
// consumer needs) against a raw keyset `SELECT … LIMIT 100` on the same database, same run.
// Run: npm run bench:stream (SQLite); TEST_POSTGRES_URL=postgres://… npm run bench:stream for PostgreSQL.
import { Agent, request } from "node:http";
import { storeMessages } from "../server/storage/message-store.js";
import { ADMIN_TOKEN, startTestServer } from "../test/support/test-server.js";
import { createProject, incomingMessage } from "../test/live/fixtures.js";

const MESSAGES = Number(process.env.MESSAGES ?? 20_000);
const BATCH = 100;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const FETCH = `query($size: Int) {
  project(name: "bench") { stream(name: "consumer") {
    fetch(size: $size) {
      sequenceId isEndSequence filtered
      results { sequenceId message {
        id sequenceId internetMessageId conversationId mailbox folder subject
        from { name address } to { name address } cc { name address }
        sentAt receivedAt bodyText bodyHtml storedAt
      } }
    }
  } }
}`;
const ADVANCE = `mutation($sequenceId: String!) { advanceStream(project: "bench", name: "consumer", sequenceId: $sequenceId) { position } }`;
const RESET = `mutation { resetStream(project: "bench", name: "consumer", to: "2000-01-01T00:00:00Z") { position } }`;

interface Batch {
  sequenceId: string;
  isEndSequence: boolean;
  results: unknown[];
}

async function main(): Promise<void> {
  const server = await startTestServer();
  try {
    const { project, bucketIds } = await createProject(server, "bench", ["inbox", "other"]);
    const { db } = server.app.deps;
    for (let stored = 0; stored < MESSAGES; stored += 500) {
      await db.transaction((m) =>
        storeMessages(
          m,
          project.id,
          (stored / 500) % 4 === 3 ? bucketIds.other! : bucketIds.inbox!,
          Array.from({ length: 500 }, () =>
            incomingMessage({ bodyText: "Lorem ipsum dolor sit amet. ".repeat(40) }),
          ),
          new Date(),
        ),
      );
    }
    // Storing took longer than the server's keep-alive timeout: let the client notice the closed
    // idle connection before the next request rather than reusing it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await fetch(`${server.url}/healthz`).catch(() => undefined);
    await server.ok(
      `mutation($ids: [ID!]!) { createStream(input: { project: "bench", name: "consumer", bucketIds: $ids }) { id } }`,
      {
        ids: [bucketIds.inbox],
      },
    );

    // Raw: the same keyset read, straight through the driver.
    const postgres = db.dialect === "postgres";
    const sql = postgres
      ? `SELECT * FROM message WHERE project_id = $1 AND sequence_id > $2 AND bucket_id IN ($3) ORDER BY sequence_id LIMIT ${BATCH}`
      : `SELECT * FROM message WHERE project_id = ? AND sequence_id > ? AND bucket_id IN (?) ORDER BY sequence_id LIMIT ${BATCH}`;
    const raw = async () => {
      let rows = 0;
      let after: string | number = 0;
      const started = performance.now();
      for (;;) {
        const batch = (await db.dataSource.query(sql, [project.id, after, bucketIds.inbox])) as {
          sequence_id: string | number;
        }[];
        if (batch.length === 0) break;
        rows += batch.length;
        after = batch.at(-1)!.sequence_id;
      }
      return { rows, ms: performance.now() - started };
    };

    // A consumer's client: node:http with a keep-alive connection (fetch() itself costs ~1 ms per
    // request here, which would be measuring the client rather than the server).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const endpoint = new URL(`${server.url}/graphql`);
    const post = <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ query, variables });
        const req = request(
          endpoint,
          {
            method: "POST",
            agent,
            headers: {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(body),
              authorization: `Bearer ${ADMIN_TOKEN}`,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => {
              const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
                data: T;
                errors?: unknown;
              };
              if (answer.errors) reject(new Error(JSON.stringify(answer.errors)));
              else resolve(answer.data);
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      });

    const graphql = async () => {
      await post(RESET);
      let rows = 0;
      let fetchMs = 0;
      const started = performance.now();
      for (;;) {
        const t = performance.now();
        const data = await post<{ project: { stream: { fetch: Batch } } }>(FETCH, {
          size: BATCH,
        });
        fetchMs += performance.now() - t;
        const batch = data.project.stream.fetch;
        rows += batch.results.length;
        if (batch.results.length > 0) await post(ADVANCE, { sequenceId: batch.sequenceId });
        if (batch.isEndSequence) break;
      }
      return { rows, fetchMs, totalMs: performance.now() - started };
    };

    await raw(); // warm-up, both
    await graphql();
    const results: { raw: number; fetch: number; loop: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r = await raw();
      const g = await graphql();
      if (g.rows !== r.rows) throw new Error(`GraphQL read ${g.rows} rows, raw ${r.rows}`);
      results.push({
        raw: (r.rows / r.ms) * 1000,
        fetch: (g.rows / g.fetchMs) * 1000,
        loop: (g.rows / g.totalMs) * 1000,
      });
    }
    const best = (key: "raw" | "fetch" | "loop") => Math.max(...results.map((r) => r[key]));
    const rows = (n: number) => `${Math.round(n).toLocaleString("en")} rows/s`;
    console.log(
      `stream fetch, batches of ${BATCH}, ${MESSAGES * 0.75} messages in the stream, ${db.dialect}, best of ${ROUNDS}`,
    );
    console.log(`raw keyset SELECT … LIMIT ${BATCH}:      ${rows(best("raw"))}`);
    console.log(`GraphQL fetch(size: ${BATCH}) over HTTP:   ${rows(best("fetch"))}`);
    console.log(`GraphQL fetch + advanceStream loop:  ${rows(best("loop"))}`);
    console.log(
      `ratio raw/GraphQL fetch: ${(best("raw") / best("fetch")).toFixed(2)}x (target <= 5x)`,
    );
  } finally {
    await server.stop();
  }
}

await main();
