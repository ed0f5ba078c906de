// Storage path benchmark (issue "sync engine"): rows/s stored through the product's storage code
// (storeMessages: identity lookup, sequence and unit allocation, bulk insert, one transaction per
// page of 500 as the sync does) against raw prepared better-sqlite3 INSERTs of the same rows in
// one transaction, each on a fresh migrated database, same run. Target: within 3x.
// Run: npm run bench:storage   (MESSAGES=… to change the size)
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BucketRow, MessageRow, ProjectRow } from "../server/storage/entities/index.js";
import { Database } from "../server/storage/database.js";
import {
  type IncomingMessage,
  participantAddresses,
  storeMessages,
} from "../server/storage/message-store.js";

const MESSAGES = Number(process.env.MESSAGES ?? 20_000);
const PAGE = 500;
const BODY = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(30);

function messages(): IncomingMessage[] {
  return Array.from({ length: MESSAGES }, (_, n) => ({
    internetMessageId: `<m${n}@bench.example>`,
    graphId: `AAMk-${n}`,
    conversationId: `conv-${n % 997}`,
    mailbox: "orders@contoso.com",
    folder: "Root/Top of Information Store/Inbox/Orders",
    subject: `Order ${n} confirmation`,
    from: { name: "Alice", address: `alice${n % 50}@fabrikam.com` },
    sender: null,
    to: [{ name: "Orders", address: "orders@contoso.com" }],
    cc: n % 3 ? [] : [{ name: null, address: "bob@contoso.com" }],
    bcc: [],
    sentAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    receivedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n + 5)),
    bodyText: BODY,
    bodyHtml: `<p>${BODY}</p>`,
    attachments: [],
  }));
}

async function freshDatabase() {
  const dataDir = mkdtempSync(join(tmpdir(), "mailstream-storage-bench-"));
  const db = await Database.open({ dataDir, databaseUrl: null });
  const now = new Date();
  const project = await db.transaction((m) =>
    m.save(
      m.create(ProjectRow, {
        id: randomUUID(),
        name: "bench",
        title: "",
        description: "",
        unitBudget: null,
        messagesCreated: 0,
        unitsCharged: 0,
        lastSequence: "0",
        createdAt: now,
        updatedAt: now,
      }),
    ),
  );
  const bucket = await db.transaction((m) =>
    m.save(
      m.create(BucketRow, {
        id: randomUUID(),
        projectId: project.id,
        name: "inbox",
        title: "",
        createdAt: now,
      }),
    ),
  );
  return { db, dataDir, projectId: project.id, bucketId: bucket.id };
}

async function throughStorage(input: IncomingMessage[]) {
  const { db, dataDir, projectId, bucketId } = await freshDatabase();
  const started = performance.now();
  for (let i = 0; i < input.length; i += PAGE) {
    await db.transaction((m) =>
      storeMessages(m, projectId, bucketId, input.slice(i, i + PAGE), new Date()),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const stored = await db.read((m) => m.countBy(MessageRow, { bucketId }));
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { stored, seconds };
}

async function rawInserts(input: IncomingMessage[]) {
  const { db, dataDir, projectId, bucketId } = await freshDatabase();
  const sqlite = (
    db.dataSource.driver as unknown as { databaseConnection: import("better-sqlite3").Database }
  ).databaseConnection;
  const columns = [
    "id",
    "bucket_id",
    "project_id",
    "sequence_id",
    "internet_message_id",
    "graph_id",
    "conversation_id",
    "mailbox",
    "folder",
    "subject",
    "from_participant",
    "sender_participant",
    "to_participants",
    "cc_participants",
    "bcc_participants",
    "participant_addresses",
    "sent_at",
    "received_at",
    "body_text",
    "body_html",
    "stored_at",
    "updated_at",
  ];
  const insert = sqlite.prepare(
    `INSERT INTO message (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  const iso = (d: Date | null) => (d ? d.toISOString().replace("T", " ").replace("Z", "") : null);
  const now = iso(new Date());
  // The same values, converted up front: the baseline measures SQLite alone.
  const rows = input.map((m, i) => [
    randomUUID(),
    bucketId,
    projectId,
    i + 1,
    m.internetMessageId,
    m.graphId,
    m.conversationId,
    m.mailbox,
    m.folder,
    m.subject,
    JSON.stringify(m.from),
    JSON.stringify(m.sender),
    JSON.stringify(m.to),
    JSON.stringify(m.cc),
    JSON.stringify(m.bcc),
    participantAddresses(m),
    iso(m.sentAt),
    iso(m.receivedAt),
    m.bodyText,
    m.bodyHtml,
    now,
    now,
  ]);
  const started = performance.now();
  sqlite.transaction(() => {
    for (const row of rows) insert.run(...row);
  })();
  const seconds = (performance.now() - started) / 1000;
  const stored = (sqlite.prepare("SELECT COUNT(*) AS n FROM message").get() as { n: number }).n;
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { stored, seconds };
}

const input = messages();
const raw = await rawInserts(input);
const storage = await throughStorage(input);
const rawRate = raw.stored / raw.seconds;
const rate = storage.stored / storage.seconds;
console.log(
  `raw prepared inserts, one transaction: ${raw.stored} rows in ${raw.seconds.toFixed(2)} s = ${Math.round(rawRate)} rows/s`,
);
console.log(
  `storeMessages, pages of ${PAGE}:          ${storage.stored} rows in ${storage.seconds.toFixed(2)} s = ${Math.round(rate)} rows/s`,
);
console.log(`ratio raw/storage: ${(rawRate / rate).toFixed(2)}x (target <= 3x)`);
