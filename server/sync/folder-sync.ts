import { createHash } from "node:crypto";
import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import type { ParticipantFilter } from "../domain/participant-filter.js";
import { publishMessagesAdded } from "../messages/message-events.js";
import { FolderCheckpointRow, IntegrationRow, MailboxRow } from "../storage/entities/index.js";
import { newId } from "../storage/ids.js";
import { type IncomingMessage, storeMessages } from "../storage/message-store.js";
import type { MailSource, RemoteAttachment, RemoteFolder, RemoteMessage } from "./mail-source.js";
import { participantsOf, toIncoming } from "./message-mapping.js";
import { classified, QuotaReached, RoundStopped } from "./sync-errors.js";
import type { SyncProgress } from "./sync-progress.js";

/** Documented cap of a receivedDateTime-filtered message delta: beyond it, a listing backfills. */
export const FILTERED_DELTA_CAP = 5_000;
/** Messages per Graph page (delta `odata.maxpagesize`, listing `$top`). */
export const PAGE_SIZE = 500;

export interface MailboxContext {
  deps: Deps;
  source: MailSource;
  signal: AbortSignal;
  progress: SyncProgress;
  project: { id: string; name: string };
  mailbox: MailboxRow;
  integrationId: string;
  bucketId: string;
  /** null: all time. */
  syncFrom: Date | null;
  participants: ParticipantFilter;
  filtersHash: string;
  syncAttachments: boolean;
}

/** A listing in progress: received range [from, before), resumed after `after` (keyset). */
interface ListingCursor {
  from: string | null;
  before: string | null;
  after: string | null;
  seenAtAfter: string[];
  /** What the checkpoint covers once this listing completes. */
  completes: { coveredFrom: string | null; filtersHash: string };
}

export function filtersHashOf(filters: MailboxRow["filters"]): string {
  const relevant = [filters.allowedParticipants, filters.deniedParticipants, filters.allowedDomains, filters.deniedDomains];
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex");
}

const earlier = (a: Date | null, b: Date | null): boolean => (a === null ? b !== null : b !== null && a < b);

/**
 * Brings one folder up to date (DOMAIN.md, Sync): a first delta (date-filtered unless all-time),
 * a keyset listing to backfill past the 5,000 cap, a widened time range or widened filters, then
 * incremental delta rounds. Every page is stored in the same transaction as the checkpoint that
 * covers it, so a crash or restart resumes without losing or duplicating a message.
 */
export async function syncFolder(ctx: MailboxContext, folder: RemoteFolder, folderPath: string): Promise<void> {
  let checkpoint = await ctx.deps.db.read((m) =>
    m.findOneBy(FolderCheckpointRow, { mailboxId: ctx.mailbox.id, folderId: folder.id }),
  );
  if (!checkpoint) checkpoint = await createCheckpoint(ctx, folder.id, folderPath);

  for (;;) {
    try {
      if (checkpoint.status === "DELTA") {
        checkpoint = await runDelta(ctx, checkpoint, folderPath);
        continue;
      }
      if (checkpoint.status === "BACKFILL") {
        checkpoint = await runListing(ctx, checkpoint, folderPath);
        continue;
      }
      // IDLE: widen first (older range, then filters), then the incremental delta.
      if (earlier(ctx.syncFrom, checkpoint.coveredFrom)) {
        checkpoint = await startListing(ctx, checkpoint, {
          from: ctx.syncFrom?.toISOString() ?? null,
          before: checkpoint.coveredFrom!.toISOString(),
          completes: { coveredFrom: ctx.syncFrom?.toISOString() ?? null, filtersHash: checkpoint.filtersHash ?? ctx.filtersHash },
        });
        continue;
      }
      if (checkpoint.filtersHash !== ctx.filtersHash) {
        checkpoint = await startListing(ctx, checkpoint, {
          from: checkpoint.coveredFrom?.toISOString() ?? null,
          before: null,
          completes: { coveredFrom: checkpoint.coveredFrom?.toISOString() ?? null, filtersHash: ctx.filtersHash },
        });
        continue;
      }
      await runDelta(ctx, checkpoint, folderPath);
      return;
    } catch (error) {
      if (classified(error)?.kind !== "sync_state_expired") throw error;
      // 410 / SyncStateNotFound: enumerate the folder again; identity by Message-ID prevents duplicates.
      ctx.deps.log.info({ mailboxId: ctx.mailbox.id, folder: folderPath }, "delta token expired, re-enumerating folder");
      checkpoint = await saveCheckpoint(ctx, checkpoint, { status: "DELTA", deltaLink: null, nextLink: null, messagesSeen: 0 });
    }
  }
}

async function createCheckpoint(ctx: MailboxContext, folderId: string, folderPath: string): Promise<FolderCheckpointRow> {
  return ctx.deps.db.transaction((m) =>
    m.save(
      m.create(FolderCheckpointRow, {
        id: newId(),
        mailboxId: ctx.mailbox.id,
        folderId,
        folderPath,
        deltaLink: null,
        nextLink: null,
        coveredFrom: ctx.syncFrom,
        listingCursor: null,
        status: "DELTA",
        messagesSeen: 0,
        filtersHash: ctx.filtersHash,
        updatedAt: ctx.deps.now(),
      }),
    ),
  );
}

async function saveCheckpoint(
  ctx: MailboxContext,
  checkpoint: FolderCheckpointRow,
  change: Partial<FolderCheckpointRow>,
): Promise<FolderCheckpointRow> {
  return ctx.deps.db.transaction(async (m) => {
    Object.assign(checkpoint, change, { updatedAt: ctx.deps.now() });
    return m.save(checkpoint);
  });
}

/** Follows a delta (first page, next links) until it hands out a delta link. */
async function runDelta(ctx: MailboxContext, start: FolderCheckpointRow, folderPath: string): Promise<FolderCheckpointRow> {
  let checkpoint = start;
  const initial = checkpoint.status === "DELTA";
  let link = checkpoint.nextLink ?? (initial ? null : checkpoint.deltaLink);
  let next = fetchDelta(ctx, checkpoint, link);
  for (;;) {
    const page = await next;
    const more = page.nextLink !== null;
    // Prefetch the next page while this one is stored.
    if (more) next = fetchDelta(ctx, checkpoint, page.nextLink);
    const seen = checkpoint.messagesSeen + page.messages.length;
    let change: Partial<FolderCheckpointRow>;
    if (more) {
      change = { nextLink: page.nextLink, messagesSeen: seen };
    } else if (initial && checkpoint.coveredFrom !== null && seen >= FILTERED_DELTA_CAP) {
      // The capped delta may have left older messages out: list the whole range once.
      const cursor: ListingCursor = {
        from: checkpoint.coveredFrom.toISOString(),
        before: null,
        after: null,
        seenAtAfter: [],
        completes: { coveredFrom: checkpoint.coveredFrom.toISOString(), filtersHash: ctx.filtersHash },
      };
      change = { status: "BACKFILL", nextLink: null, deltaLink: page.deltaLink, messagesSeen: seen, listingCursor: JSON.stringify(cursor) };
    } else {
      change = { status: "IDLE", nextLink: null, deltaLink: page.deltaLink, messagesSeen: seen };
    }
    checkpoint = await storePage(ctx, checkpoint, folderPath, page.messages, change);
    if (!more) return checkpoint;
  }
}

function fetchDelta(ctx: MailboxContext, checkpoint: FolderCheckpointRow, link: string | null) {
  const promise = ctx.source.deltaPage(
    ctx.mailbox.email,
    checkpoint.folderId,
    { link, receivedFrom: checkpoint.coveredFrom, pageSize: PAGE_SIZE },
    ctx.signal,
  );
  promise.catch(() => undefined); // observed by the awaiting loop; avoid an unhandled rejection meanwhile
  return promise;
}

async function startListing(
  ctx: MailboxContext,
  checkpoint: FolderCheckpointRow,
  range: Pick<ListingCursor, "from" | "before" | "completes">,
): Promise<FolderCheckpointRow> {
  const cursor: ListingCursor = { ...range, after: null, seenAtAfter: [] };
  return saveCheckpoint(ctx, checkpoint, { status: "BACKFILL", listingCursor: JSON.stringify(cursor) });
}

/** Lists [from, before) oldest first by keyset on receivedDateTime (no 5,000 cap, no $skip drift). */
async function runListing(ctx: MailboxContext, start: FolderCheckpointRow, folderPath: string): Promise<FolderCheckpointRow> {
  let checkpoint = start;
  let cursor = JSON.parse(checkpoint.listingCursor!) as ListingCursor;
  let top = PAGE_SIZE;
  for (;;) {
    const lowerBound = cursor.after ?? cursor.from;
    const page = await ctx.source.listPage(
      ctx.mailbox.email,
      checkpoint.folderId,
      { receivedFrom: lowerBound ? new Date(lowerBound) : null, receivedBefore: cursor.before ? new Date(cursor.before) : null, top },
      ctx.signal,
    );
    const seenAtBoundary = new Set(cursor.seenAtAfter);
    const fresh = page.messages.filter(
      (msg) => !(cursor.after !== null && msg.receivedAt.toISOString() === cursor.after && seenAtBoundary.has(msg.id)),
    );
    const full = page.messages.length === top;
    if (fresh.length === 0 && full) {
      // A full page of one instant already seen: widen the page to get past it.
      top = Math.min(top * 2, 1000);
      if (top === 1000 && page.messages.length === 1000) {
        cursor = { ...cursor, after: new Date(new Date(cursor.after!).getTime() + 1000).toISOString(), seenAtAfter: [] };
      }
      continue;
    }
    const last = page.messages.at(-1);
    let change: Partial<FolderCheckpointRow>;
    if (full && last) {
      const after = last.receivedAt.toISOString();
      const atAfter = page.messages.filter((msg) => msg.receivedAt.toISOString() === after).map((msg) => msg.id);
      cursor = { ...cursor, after, seenAtAfter: after === cursor.after ? [...cursor.seenAtAfter, ...atAfter] : atAfter };
      change = { listingCursor: JSON.stringify(cursor) };
    } else {
      change = {
        status: "IDLE",
        listingCursor: null,
        coveredFrom: cursor.completes.coveredFrom ? new Date(cursor.completes.coveredFrom) : null,
        filtersHash: cursor.completes.filtersHash,
      };
    }
    checkpoint = await storePage(ctx, checkpoint, folderPath, fresh, change);
    if (!full) return checkpoint;
  }
}

/**
 * Filters a page, fetches its attachments, and stores messages plus the checkpoint change in one
 * transaction. A page left over the project's budget keeps the old checkpoint, so it is fetched
 * again (stored messages dedupe, uncharged) once the budget is raised.
 */
async function storePage(
  ctx: MailboxContext,
  checkpoint: FolderCheckpointRow,
  folderPath: string,
  messages: RemoteMessage[],
  change: Partial<FolderCheckpointRow>,
): Promise<FolderCheckpointRow> {
  const passing = messages.filter((msg) => ctx.participants.passes(ctx.mailbox.email, participantsOf(msg)));
  // Concurrently: the exchange client's limiter keeps the mailbox at 4 requests in flight.
  const withAttachments = await Promise.all(
    passing.map(async (message) => ({
      message,
      attachments: mayHaveAttachments(message) ? await fetchAttachments(ctx, message) : [],
    })),
  );
  let attachmentsStored = 0;
  const incoming: IncomingMessage[] = withAttachments.map(({ message, attachments }) => {
    attachmentsStored += attachments.filter((a) => a.contentSha256).length;
    return toIncoming(message, ctx.mailbox.email, folderPath, attachments);
  });
  if (ctx.signal.aborted) throw new RoundStopped("stopped");
  const now = ctx.deps.now();
  const result = await ctx.deps.db.transaction(async (m) => {
    await requireStillEnabled(m, ctx);
    const stored = await storeMessages(m, ctx.project.id, ctx.bucketId, incoming, now);
    if (stored.overBudget > 0) {
      await m.update(
        IntegrationRow,
        { id: ctx.integrationId },
        { enabled: false, disabledReason: "QUOTA", lastError: new QuotaReached().message, updatedAt: now },
      );
      return { stored, checkpoint };
    }
    Object.assign(checkpoint, change, { updatedAt: now });
    return { stored, checkpoint: await m.save(checkpoint) };
  });
  publishMessagesAdded(ctx.deps.events, ctx.project, result.stored.created);
  const state = ctx.progress.state;
  ctx.progress.update({
    currentFolder: folderPath,
    messagesSeen: state.messagesSeen + messages.length,
    messagesFiltered: state.messagesFiltered + (messages.length - passing.length),
    messagesStored: state.messagesStored + result.stored.created.length,
    attachmentsStored: state.attachmentsStored + attachmentsStored,
  });
  if (result.stored.overBudget > 0) throw new QuotaReached();
  return result.checkpoint;
}

/**
 * Graph sets hasAttachments only for non-inline attachments; inline images show as `cid:`
 * references in an HTML body, so those messages are asked for their attachments too.
 */
function mayHaveAttachments(message: RemoteMessage): boolean {
  return message.hasAttachments || (message.bodyType === "html" && /\bcid:/i.test(message.body));
}

/** Disabling stops in-flight work at the next page boundary; what was committed stays. */
async function requireStillEnabled(m: EntityManager, ctx: MailboxContext): Promise<void> {
  const mailbox = await m.findOneBy(MailboxRow, { id: ctx.mailbox.id });
  const integration = await m.findOneBy(IntegrationRow, { id: ctx.integrationId });
  if (!mailbox || !integration) throw new RoundStopped("deleted");
  if (!mailbox.enabled || !integration.enabled) throw new RoundStopped("disabled");
}

async function fetchAttachments(
  ctx: MailboxContext,
  message: RemoteMessage,
): Promise<{ attachment: RemoteAttachment; contentSha256: string | null }[]> {
  const attachments = await ctx.source.listAttachments(ctx.mailbox.email, message.id, ctx.syncAttachments, ctx.signal);
  const result: { attachment: RemoteAttachment; contentSha256: string | null }[] = [];
  for (const attachment of attachments) {
    let contentSha256: string | null = null;
    // Reference attachments are links to files elsewhere: metadata only.
    if (ctx.syncAttachments && attachment.kind !== "reference") {
      const bytes =
        attachment.contentBytes ??
        (await ctx.source.attachmentContent(ctx.mailbox.email, message.id, attachment.id, ctx.signal));
      contentSha256 = (await ctx.deps.blobs.put(bytes)).sha256;
    }
    result.push({ attachment, contentSha256 });
  }
  return result;
}
