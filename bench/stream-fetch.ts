// Stream fetch benchmark: a consumer reading batches of 100 through GraphQL (HTTP, the fields a
// consumer needs) against, in the same run on the same database: a raw keyset `SELECT … LIMIT 100`,
// and what an integrator would otherwise write — a minimal node:http handler that authenticates
// the same token, runs the same keyset read and returns the same JSON (target: the GraphQL fetch +
// advance loop reaches >= 0.6 of that handler's throughput).
// Run: npm run bench:stream (SQLite); TEST_POSTGRES_URL=postgres://… npm run bench:stream for PostgreSQL.
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { hashToken } from "../server/auth/token-hash.js";
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

    // What an integrator would write instead: authenticate the bearer token against the stored
    // hashes, read the next 100 after `after`, answer the fields the GraphQL query asks for.
    const tokenSql = postgres
      ? `SELECT id FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL`
      : `SELECT id FROM api_token WHERE token_hash = ? AND revoked_at IS NULL`;
    const iso = (v: unknown) => (v === null ? null : new Date(v as string).toISOString());
    const json = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as unknown) : v);
    const handler = createServer((req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
        const known = (await db.dataSource.query(tokenSql, [hashToken(token)])) as unknown[];
        if (known.length === 0) {
          res.writeHead(401).end();
          return;
        }
        const after = new URL(req.url ?? "/", "http://x").searchParams.get("after") ?? "0";
        const rows = (await db.dataSource.query(sql, [
          project.id,
          after,
          bucketIds.inbox,
        ])) as Record<string, unknown>[];
        const results = rows.map((r) => ({
          sequenceId: String(r.sequence_id),
          message: {
            id: r.id,
            sequenceId: String(r.sequence_id),
            internetMessageId: r.internet_message_id,
            conversationId: r.conversation_id,
            mailbox: r.mailbox,
            folder: r.folder,
            subject: r.subject,
            from: json(r.from_participant),
            to: json(r.to_participants),
            cc: json(r.cc_participants),
            sentAt: iso(r.sent_at),
            receivedAt: iso(r.received_at),
            bodyText: r.body_text,
            bodyHtml: r.body_html,
            storedAt: iso(r.stored_at),
          },
        }));
        const body = JSON.stringify({
          sequenceId: results.at(-1)?.sequenceId ?? after,
          isEndSequence: results.length < BATCH,
          results,
        });
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      })();
    });
    await new Promise<void>((resolve) => handler.listen(0, "127.0.0.1", resolve));
    const handlerUrl = `http://127.0.0.1:${(handler.address() as AddressInfo).port}`;

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

    const get = (url: string): Promise<Batch> =>
      new Promise((resolve, reject) => {
        const req = request(
          url,
          { agent, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () =>
              resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Batch),
            );
          },
        );
        req.on("error", reject);
        req.end();
      });
    const minimal = async () => {
      let rows = 0;
      let after = "0";
      const started = performance.now();
      for (;;) {
        const batch = await get(`${handlerUrl}/batch?after=${after}`);
        rows += batch.results.length;
        after = batch.sequenceId;
        if (batch.isEndSequence) break;
      }
      return { rows, ms: performance.now() - started };
    };

    await raw(); // warm-up, all three
    await graphql();
    await minimal();
    const results: { raw: number; fetch: number; loop: number; handler: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r = await raw();
      const g = await graphql();
      const h = await minimal();
      if (g.rows !== r.rows || h.rows !== r.rows)
        throw new Error(`GraphQL read ${g.rows} rows, the handler ${h.rows}, raw ${r.rows}`);
      results.push({
        raw: (r.rows / r.ms) * 1000,
        fetch: (g.rows / g.fetchMs) * 1000,
        loop: (g.rows / g.totalMs) * 1000,
        handler: (h.rows / h.ms) * 1000,
      });
    }
    handler.close();
    const best = (key: "raw" | "fetch" | "loop" | "handler") =>
      Math.max(...results.map((r) => r[key]));
    const rows = (n: number) => `${Math.round(n).toLocaleString("en")} rows/s`;
    console.log(
      `stream fetch, batches of ${BATCH}, ${MESSAGES * 0.75} messages in the stream, ${db.dialect}, best of ${ROUNDS}`,
    );
    console.log(`raw keyset SELECT … LIMIT ${BATCH}:      ${rows(best("raw"))}`);
    console.log(`GraphQL fetch(size: ${BATCH}) over HTTP:   ${rows(best("fetch"))}`);
    console.log(`GraphQL fetch + advanceStream loop:  ${rows(best("loop"))}`);
    console.log(
      `minimal node:http handler (same token check, read, JSON): ${rows(best("handler"))}`,
    );
    console.log(
      `ratio raw/GraphQL fetch: ${(best("raw") / best("fetch")).toFixed(2)}x (old target <= 5x)`,
    );
    console.log(
      `ratio GraphQL fetch + advance loop / minimal handler: ${(best("loop") / best("handler")).toFixed(2)} (target >= 0.6)`,
    );
  } finally {
    await server.stop();
  }
}

await main();
