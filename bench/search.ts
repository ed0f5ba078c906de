/**
 * Search at scale (`npm run bench:search`, `MESSAGES=100000` for a quick run): one SQLite bucket of
 * MESSAGES messages (default 1,000,000) with a Zipf-distributed vocabulary, searched through the
 * same storage calls Bucket.messages makes (first 50, newest first; alone, with countUpTo(10000),
 * with totalCount), against the LIKE '%…%' scan it replaced, in the same run on the same database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { messageFilterKeys } from "../server/domain/message-listing.js";
import { Database } from "../server/storage/database.js";
import { countMessages, pageMessages } from "../server/storage/message-queries.js";
import { indexMessages, type SearchableMessage } from "../server/storage/message-search.js";

const MESSAGES = Number(process.env.MESSAGES ?? 1_000_000);
const SEARCHES = Number(process.env.SEARCHES ?? 300);
const LIKE_SEARCHES = Number(process.env.LIKE_SEARCHES ?? 5);
const VOCABULARY = 20_000;
const PEOPLE = 5_000;

/** A deterministic generator (mulberry32), so every run searches the same data. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
const syllables = [
  "ka",
  "lo",
  "mi",
  "ne",
  "ru",
  "sa",
  "to",
  "vi",
  "de",
  "ga",
  "po",
  "zu",
  "ber",
  "lin",
  "tor",
];
const word = (n: number) => {
  let text = "";
  let x = n + 1;
  while (x > 0) {
    text += syllables[x % syllables.length];
    x = Math.floor(x / syllables.length);
  }
  return text;
};
const words = Array.from({ length: VOCABULARY }, (_, i) => word(i));
// Zipf(1): rank r drawn with probability ∝ 1/r, through the inverse of the harmonic CDF.
const harmonic = Array.from({ length: VOCABULARY }, (_, i) => 1 / (i + 1));
const cumulative: number[] = [];
harmonic.reduce((sum, h, i) => (cumulative[i] = sum + h), 0);
const total = cumulative.at(-1)!;
function zipfWord(): string {
  const target = rand() * total;
  let lo = 0;
  let hi = VOCABULARY - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return words[lo]!;
}
const sentence = (n: number) => Array.from({ length: n }, zipfWord).join(" ");
const people = Array.from({ length: PEOPLE }, (_, i) => ({
  name: `${word(i * 7 + 3)} ${word(i * 13 + 5)}`,
  address: `${word(i * 7 + 3)}.${word(i * 13 + 5)}@${word(i % 300)}.example`,
}));
const person = () => people[Math.floor(rand() * PEOPLE)]!;

const pad = (n: number) => String(n).padStart(2, "0");
const sqliteDate = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, "0")}`;

interface Prepared {
  run(...values: unknown[]): { lastInsertRowid: number | bigint };
  all(...values: unknown[]): unknown[];
}
interface Raw {
  prepare(sql: string): Prepared;
  exec(sql: string): void;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), "mailstream-bench-search-"));
  const db = await Database.open({ dataDir, databaseUrl: null });
  try {
    const raw = (db.dataSource.driver as unknown as { databaseConnection: Raw }).databaseConnection;
    const now = sqliteDate(new Date());
    raw
      .prepare(
        `INSERT INTO project (id, name, title, description, created_at, updated_at) VALUES ('p', 'bench', '', '', ?, ?)`,
      )
      .run(now, now);
    raw
      .prepare(
        `INSERT INTO bucket (id, project_id, name, title, created_at) VALUES ('b', 'p', 'all', '', ?)`,
      )
      .run(now);
    const insertMessage = raw.prepare(
      `INSERT INTO message (id, bucket_id, project_id, sequence_id, internet_message_id, graph_id, mailbox, folder, subject,
        from_participant, to_participants, cc_participants, bcc_participants, participant_addresses, received_at, body_text,
        stored_at, updated_at) VALUES (?, 'b', 'p', ?, ?, ?, 'orders@contoso.com', 'Root/Top of Information Store/Inbox', ?, ?, ?, '[]', '[]', ?, ?, ?, ?, ?)`,
    );
    const start = Date.parse("2023-01-01T00:00:00Z");
    const span = 2 * 365 * 24 * 3600 * 1000;
    const t0 = performance.now();
    const BATCH = 10_000;
    for (let i = 0; i < MESSAGES; i += BATCH) {
      raw.exec("BEGIN");
      const batch: SearchableMessage[] = [];
      for (let j = i; j < Math.min(MESSAGES, i + BATCH); j++) {
        const id = `m${String(j).padStart(9, "0")}`;
        const from = person();
        const to = { name: "Orders", address: "orders@contoso.com" };
        const subject = sentence(6);
        const bodyText = sentence(60);
        const receivedAt = new Date(start + Math.floor(rand() * span));
        insertMessage.run(
          id,
          j + 1,
          `<${id}@bench>`,
          `g${j}`,
          subject,
          JSON.stringify(from),
          JSON.stringify([to]),
          ` ${from.address} ${to.address} `,
          sqliteDate(receivedAt),
          bodyText,
          now,
          now,
        );
        batch.push({
          id,
          bucketId: "b",
          receivedAt,
          subject,
          bodyText,
          from,
          sender: null,
          to: [to],
          cc: [],
          bcc: [],
        });
      }
      // The index the storing transaction writes, on the same connection and transaction.
      await indexMessages(db.dataSource.manager, batch);
      raw.exec("COMMIT");
      if ((i / BATCH) % 10 === 0) process.stdout.write(`\rloaded ${i + BATCH} messages`);
    }
    raw.exec("ANALYZE");
    const pageBytes = (pragma: string) =>
      Number(Object.values(raw.prepare(`PRAGMA ${pragma}`).all()[0] as object)[0]);
    const databaseMb = (pageBytes("page_count") * pageBytes("page_size")) / 1e6;
    console.log(
      `\nloaded ${MESSAGES} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s; database ${databaseMb.toFixed(0)} MB`,
    );

    // Queries: a word of middling frequency, two words, a participant's name, a prefix.
    const queries: { kind: string; text: string }[] = [];
    for (let i = 0; i < SEARCHES; i++) {
      const kind = ["word", "two words", "participant", "prefix"][i % 4]!;
      // Prefixes of 3, 5 and 7 letters in turn (what a search looks like while typing).
      const prefixLength = [3, 5, 7][Math.floor(i / 4) % 3]!;
      const mid = () => words[100 + Math.floor(rand() * (VOCABULARY - 100))]!;
      const text =
        kind === "word"
          ? mid()
          : kind === "two words"
            ? `${words[10 + Math.floor(rand() * 200)]} ${mid()}`
            : kind === "participant"
              ? person().name
              : mid().slice(0, prefixLength);
      queries.push({ kind: kind === "prefix" ? `prefix (${prefixLength})` : kind, text });
    }
    // Three ways to ask: the page alone; the page and a count up to 10,000 (what the dashboard
    // asks: "1–50 of 10,000+"); the page and the exact totalCount.
    const modes = {
      page: null,
      "page + countUpTo(10000)": 10_001,
      "page + totalCount": 0,
    } as const;
    type Mode = keyof typeof modes;
    const run = async (text: string, mode: Mode) => {
      const filter = messageFilterKeys({ search: text });
      const started = performance.now();
      const limit = modes[mode];
      const found = await db.read(async (m) => {
        await pageMessages(m, "b", { first: 50, after: null, order: "NEWEST_FIRST" }, filter);
        return limit === null ? 0 : countMessages(m, "b", filter, limit === 0 ? null : limit);
      });
      return { ms: performance.now() - started, found };
    };
    const pct = (list: number[], p: number) => {
      const sorted = [...list].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
    };
    const medians: Record<string, number> = {};
    for (const mode of Object.keys(modes) as Mode[]) {
      await run(queries[0]!.text, mode); // warm-up
      const times: number[] = [];
      const byKind = new Map<string, number[]>();
      let matches = 0;
      for (const q of queries) {
        const { ms, found } = await run(q.text, mode);
        times.push(ms);
        matches += found;
        const list = byKind.get(q.kind) ?? [];
        list.push(ms);
        byKind.set(q.kind, list);
      }
      medians[mode] = pct(times, 50);
      console.log(
        `${mode}: ${SEARCHES} searches, p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms${mode === "page + totalCount" ? `, ${Math.round(matches / SEARCHES)} matches on average` : ""}`,
      );
      for (const [kind, list] of byKind) {
        console.log(
          `  ${kind.padEnd(12)} p50 ${pct(list, 50).toFixed(1)} ms, p95 ${pct(list, 95).toFixed(1)} ms`,
        );
      }
      // The most frequent word: the worst case (nearly every message matches).
      const common = await run(words[0]!, mode);
      console.log(`  most frequent word: ${common.ms.toFixed(0)} ms`);
    }
    const exactCommon = await db.read((m) =>
      countMessages(m, "b", messageFilterKeys({ search: words[0]! }), null),
    );
    console.log(`(the most frequent word is in ${exactCommon} of ${MESSAGES} messages)`);

    // The LIKE scan it replaced (the same page and count), on the same database.
    const likeTimes: number[] = [];
    for (const q of queries.slice(0, LIKE_SEARCHES)) {
      const pattern = `%${q.text.toLowerCase()}%`;
      const started = performance.now();
      raw
        .prepare(
          `SELECT * FROM message WHERE bucket_id = 'b' AND (LOWER(subject) LIKE ? OR LOWER(body_text) LIKE ?) ORDER BY sequence_id DESC LIMIT 51`,
        )
        .all(pattern, pattern);
      raw
        .prepare(
          `SELECT COUNT(*) FROM message WHERE bucket_id = 'b' AND (LOWER(subject) LIKE ? OR LOWER(body_text) LIKE ?)`,
        )
        .all(pattern, pattern);
      likeTimes.push(performance.now() - started);
    }
    const likeMedian = pct(likeTimes, 50);
    console.log(
      `LIKE '%…%' (page + count): ${LIKE_SEARCHES} searches, median ${likeMedian.toFixed(0)} ms; full-text page + totalCount p50 is ${(likeMedian / medians["page + totalCount"]!).toFixed(0)}× faster`,
    );
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
