import { In, IsNull, type EntityManager } from "typeorm";
import { randomBytes } from "node:crypto";
import {
  AttachmentBlobRow,
  AttachmentRow,
  MessageRow,
  ProjectRow,
  type StoredParticipant,
} from "./entities/index.js";
import { bulkInsert } from "./bulk-insert.js";
import { indexMessages } from "./message-search.js";
import { chargeUsageDay, type UsageSource } from "./usage-store.js";
import { newId } from "./ids.js";

export interface IncomingAttachment {
  graphId: string;
  name: string;
  contentType: string;
  size: number;
  inline: boolean;
  kind: "file" | "item" | "reference";
  /** Set when the contents were fetched and put in the blob store (mailbox `syncAttachments`). */
  contentSha256: string | null;
}

/** A message as the sync engine hands it to storage, already filtered. */
export interface IncomingMessage {
  internetMessageId: string;
  graphId: string;
  conversationId: string | null;
  mailbox: string;
  folder: string;
  subject: string;
  from: StoredParticipant | null;
  sender: StoredParticipant | null;
  to: StoredParticipant[];
  cc: StoredParticipant[];
  bcc: StoredParticipant[];
  sentAt: Date | null;
  receivedAt: Date;
  bodyText: string;
  bodyHtml: string | null;
  attachments: IncomingAttachment[];
  /** What was changed to make it storable, in words; null: nothing. */
  storageNotes?: string[] | null;
}

export interface StoreResult {
  created: MessageRow[];
  /** Messages already in the bucket whose mailbox/folder were brought up to date. */
  updated: number;
  /** New messages left out because the project's unit budget ran out. */
  overBudget: number;
}

/**
 * Stores a page of messages into a bucket, inside the caller's transaction (which also saves the
 * folder checkpoint the page covers). Identity is the internet Message-ID: a message already in
 * the bucket keeps its subject and body and only takes the mailbox/folder of this copy; a new one
 * gets the next sequence ids of the project and is charged 1 unit, in this same transaction.
 *
 * Idempotent under concurrency: the project row is locked before the bucket is searched, so two
 * transactions storing the same Message-ID (folder workers of one mailbox, mailboxes sharing a
 * bucket) take turns, and the second finds the first's row instead of violating the unique index.
 * One lock order for every storing transaction also leaves no room for deadlocks.
 */
export async function storeMessages(
  m: EntityManager,
  projectId: string,
  bucketId: string,
  incoming: IncomingMessage[],
  now: Date,
  /** The integration and mailbox the messages came from, for the usage ledger. */
  source: UsageSource | null = null,
): Promise<StoreResult> {
  const byId = new Map<string, IncomingMessage>();
  for (const message of incoming) byId.set(message.internetMessageId, message);
  if (byId.size === 0) return { created: [], updated: 0, overBudget: 0 };
  const project = await lockProject(m, projectId);

  const existing = await m.find(MessageRow, {
    where: { bucketId, internetMessageId: In([...byId.keys()]) },
    select: { id: true, internetMessageId: true, graphId: true, mailbox: true, folder: true },
  });
  let updated = 0;
  const withContents: { messageId: string; attachments: IncomingAttachment[] }[] = [];
  for (const row of existing) {
    const copy = byId.get(row.internetMessageId)!;
    byId.delete(row.internetMessageId);
    if (copy.attachments.some((a) => a.contentSha256))
      withContents.push({ messageId: row.id, attachments: copy.attachments });
    if (
      row.graphId !== copy.graphId ||
      row.mailbox !== copy.mailbox ||
      row.folder !== copy.folder
    ) {
      await m.update(
        MessageRow,
        { id: row.id },
        { graphId: copy.graphId, mailbox: copy.mailbox, folder: copy.folder, updatedAt: now },
      );
      updated++;
    }
  }

  await addMissingContents(m, withContents, now);

  const fresh = [...byId.values()];
  if (fresh.length === 0) return { created: [], updated, overBudget: 0 };
  const allowed = await allocateSequences(m, project, fresh.length);
  await chargeUsageDay(m, projectId, source, now.toISOString().slice(0, 10), allowed.count);
  const storing = fresh.slice(0, allowed.count);
  let sequence = allowed.first;
  // Plain rows, not m.create(): TypeORM's entity transformer walked the metadata of every row.
  const rows = storing.map((message): MessageRow => ({
    id: newId(),
    bucketId,
    projectId,
    sequenceId: String(sequence++),
    internetMessageId: message.internetMessageId,
    graphId: message.graphId,
    conversationId: message.conversationId,
    mailbox: message.mailbox,
    folder: message.folder,
    subject: message.subject,
    from: message.from,
    sender: message.sender,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    participantAddresses: participantAddresses(message),
    sentAt: message.sentAt,
    receivedAt: message.receivedAt,
    bodyText: message.bodyText,
    bodyHtml: message.bodyHtml,
    storageNotes: message.storageNotes ?? null,
    storedAt: now,
    updatedAt: now,
  }));
  await bulkInsert(m, MessageRow, rows);
  await indexMessages(m, rows);
  const attachments: AttachmentRow[] = [];
  storing.forEach((message, i) => {
    for (const a of message.attachments)
      attachments.push({
        id: newId(),
        messageId: rows[i]!.id,
        graphId: a.graphId,
        name: a.name,
        contentType: a.contentType,
        size: String(a.size),
        inline: a.inline,
        kind: a.kind,
        contentSha256: a.contentSha256,
        reference: a.contentSha256 ? newAttachmentReference() : null,
      });
  });
  await ensureBlobs(
    m,
    storing.flatMap((message) => message.attachments),
    now,
  );
  await bulkInsert(m, AttachmentRow, attachments);
  return { created: rows, updated, overBudget: fresh.length - storing.length };
}

/**
 * Contents fetched for messages stored earlier without them (`syncAttachments` turned on later,
 * then a resync): their attachment rows take the contents and a download reference. Matched by
 * kind, name and size, as attachment ids differ between copies of a message.
 */
async function addMissingContents(
  m: EntityManager,
  messages: { messageId: string; attachments: IncomingAttachment[] }[],
  now: Date,
): Promise<void> {
  if (messages.length === 0) return;
  const rows = await m.find(AttachmentRow, {
    where: { messageId: In(messages.map((x) => x.messageId)), contentSha256: IsNull() },
  });
  const open = new Map<string, AttachmentRow[]>();
  for (const row of rows) {
    const list = open.get(row.messageId);
    if (list) list.push(row);
    else open.set(row.messageId, [row]);
  }
  const added: IncomingAttachment[] = [];
  for (const { messageId, attachments } of messages) {
    const candidates = open.get(messageId) ?? [];
    for (const attachment of attachments) {
      if (!attachment.contentSha256) continue;
      const i = candidates.findIndex(
        (row) =>
          row.kind === attachment.kind &&
          row.name === attachment.name &&
          Number(row.size) === attachment.size,
      );
      if (i < 0) continue;
      const [row] = candidates.splice(i, 1);
      await m.update(
        AttachmentRow,
        { id: row!.id },
        { contentSha256: attachment.contentSha256, reference: newAttachmentReference() },
      );
      added.push(attachment);
    }
  }
  await ensureBlobs(m, added, now);
}

/** One content-addressed blob row per distinct content among `attachments`. */
async function ensureBlobs(
  m: EntityManager,
  attachments: IncomingAttachment[],
  now: Date,
): Promise<void> {
  const sizes = new Map<string, number>();
  for (const a of attachments) if (a.contentSha256) sizes.set(a.contentSha256, a.size);
  if (sizes.size === 0) return;
  const known = new Set(
    (
      await m.find(AttachmentBlobRow, {
        where: { sha256: In([...sizes.keys()]) },
        select: { sha256: true },
      })
    ).map((b) => b.sha256),
  );
  const missing = [...sizes].filter(([sha256]) => !known.has(sha256));
  if (missing.length === 0) return;
  // Blobs are shared by every project: another project's transaction may insert the same
  // content meanwhile, and either row serves both.
  await m
    .createQueryBuilder()
    .insert()
    .into(AttachmentBlobRow)
    .values(missing.map(([sha256, size]) => ({ sha256, size: String(size), createdAt: now })))
    .orIgnore()
    .execute();
}

/**
 * The project row, locked until commit: transactions that store messages into the project run
 * one at a time from here, so they commit in sequence-id order and a stream reader never sees a
 * larger id before a smaller one (DOMAIN.md, Streams).
 */
async function lockProject(m: EntityManager, projectId: string): Promise<ProjectRow> {
  const query = m.createQueryBuilder(ProjectRow, "p").where("p.id = :projectId", { projectId });
  // SQLite serialises writers on its own (and TypeORM cannot lock rows there).
  if (m.connection.options.type === "postgres") query.setLock("pessimistic_write");
  const project = await query.getOne();
  if (!project) throw new Error(`project ${projectId} vanished while storing messages`);
  return project;
}

/** Takes up to `wanted` sequence ids and units from the locked project in one UPDATE. */
async function allocateSequences(
  m: EntityManager,
  project: ProjectRow,
  wanted: number,
): Promise<{ first: number; count: number }> {
  const projectId = project.id;
  const room =
    project.unitBudget === null ? wanted : Math.max(0, project.unitBudget - project.unitsCharged);
  const count = Math.min(wanted, room);
  if (count === 0) return { first: 0, count: 0 };
  const first = Number(project.lastSequence) + 1;
  await m
    .createQueryBuilder()
    .update(ProjectRow)
    .set({
      lastSequence: String(first + count - 1),
      messagesCreated: () => `messages_created + ${count}`,
      unitsCharged: () => `units_charged + ${count}`,
    })
    .where("id = :projectId", { projectId })
    .execute();
  return { first, count };
}

/** An unguessable download reference (256 random bits). */
export const newAttachmentReference = (): string => randomBytes(32).toString("base64url");

/** " a@x b@y " — lower-cased, space-padded, for cheap whole-address matching in SQL. */
export function participantAddresses(
  message: Pick<IncomingMessage, "from" | "sender" | "to" | "cc" | "bcc">,
): string {
  const all = [message.from, message.sender, ...message.to, ...message.cc, ...message.bcc]
    .filter((p): p is StoredParticipant => !!p && !!p.address)
    .map((p) => p.address.toLowerCase());
  return ` ${[...new Set(all)].join(" ")} `;
}
