import { disableForQuota } from "../domain/integration-state.js";
import { createHash } from "node:crypto";
import type { EntityManager } from "typeorm";
import type { Deps } from "../app/deps.js";
import {
  afterListingPage,
  afterTiePage,
  type ListingAdvance,
  type ListingCursor,
  type ListingLimits,
  newListingCursor,
  nextListingStep,
} from "../domain/listing-cursor.js";
import type { ParticipantFilter } from "../domain/participant-filter.js";
import { publishMessagesAdded } from "../messages/message-events.js";
import type { FolderCheckpointRow, MailboxRow } from "../storage/entities/index.js";
import {
  disableIntegration,
  findCheckpoint,
  insertCheckpoint,
  roundState,
  storeCheckpoint,
} from "../storage/sync-store.js";
import { newId } from "../storage/ids.js";
import { rowRefusal } from "../storage/database-errors.js";
import { type IncomingMessage, type StoreResult, storeMessages } from "../storage/message-store.js";
import {
  clearSkipped,
  dueSkipped,
  recordSkipped,
  type SkippedItem,
} from "../storage/skipped-messages.js";
import type { MailSource, RemoteAttachment, RemoteFolder, RemoteMessage } from "./mail-source.js";
import { participantsOf, toIncoming } from "./message-mapping.js";
import { classified, QuotaReached, RoundStopped } from "./sync-errors.js";
import type { SyncProgress } from "./sync-progress.js";

/** Messages per listing page (`$top`). */
export const PAGE_SIZE = 500;
/** Graph's maximum `$top` for messages: a page a tie second widens to. */
const MAX_PAGE_SIZE = 1000;
/** Delta page size (`Prefer: odata.maxpagesize`) while walking to a fresh delta link. */
export const BASELINE_PAGE_SIZE = 1000;
/**
 * Lower bound for an all-time folder's delta. A delta filtered on receivedDateTime returns at most
 * 5,000 messages up front (documented), so reaching its delta link costs a few pages however big
 * the folder is, while the link still tracks every message received since — i.e. all of them.
 */
const ALL_TIME = new Date("1970-01-01T00:00:00Z");

/**
 * Whether this round's process still holds the mailbox's lease at the round's epoch, asked inside
 * each transaction the round commits (leases.ts): false once another process took the mailbox
 * over or the round was revoked (disable, delete, resync).
 */
export type LeaseFence = (m: EntityManager) => Promise<boolean>;

export interface MailboxContext {
  deps: Deps;
  holdsLease: LeaseFence;
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
  /** The mailbox has (or this round made) skipped messages: stored ones are cleared from the list. */
  skippedBefore: boolean;
}

export function filtersHashOf(filters: MailboxRow["filters"]): string {
  const relevant = [
    filters.allowedParticipants,
    filters.deniedParticipants,
    filters.allowedDomains,
    filters.deniedDomains,
  ];
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex");
}

const earlier = (a: Date | null, b: Date | null): boolean =>
  a === null ? b !== null : b !== null && a < b;

/**
 * Brings one folder up to date (DOMAIN.md, Sync). A new folder first walks a date-filtered delta
 * to its delta link, storing nothing — cheap thanks to the 5,000 cap — so that every change from
 * then on is tracked; then a keyset listing by receivedDateTime stores the whole range with the
 * attachment metadata expanded into each page (no cap, one request per page). Widened time ranges
 * and filters are listings too; later rounds follow the delta link. Every page is stored in the
 * same transaction as the checkpoint that covers it, so a crash never loses or duplicates mail.
 */
export async function syncFolder(
  ctx: MailboxContext,
  folder: RemoteFolder,
  folderPath: string,
): Promise<void> {
  let checkpoint = await ctx.deps.db.read((m) => findCheckpoint(m, ctx.mailbox.id, folder.id));
  if (!checkpoint) checkpoint = await createCheckpoint(ctx, folder.id, folderPath);

  for (;;) {
    try {
      if (checkpoint.status === "BASELINE") {
        checkpoint = await runBaseline(ctx, checkpoint);
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
          completes: {
            coveredFrom: ctx.syncFrom?.toISOString() ?? null,
            filtersHash: checkpoint.filtersHash ?? ctx.filtersHash,
          },
        });
        continue;
      }
      if (checkpoint.filtersHash !== ctx.filtersHash) {
        checkpoint = await startListing(ctx, checkpoint, {
          from: checkpoint.coveredFrom?.toISOString() ?? null,
          before: null,
          completes: {
            coveredFrom: checkpoint.coveredFrom?.toISOString() ?? null,
            filtersHash: ctx.filtersHash,
          },
        });
        continue;
      }
      await runIncremental(ctx, checkpoint, folderPath);
      return;
    } catch (error) {
      if (classified(error)?.kind !== "sync_state_expired") throw error;
      // 410 / SyncStateNotFound: start over; identity by Message-ID prevents duplicates.
      ctx.deps.log.info(
        { mailboxId: ctx.mailbox.id, folder: folderPath },
        "delta token expired, re-enumerating folder",
      );
      checkpoint = await saveCheckpoint(ctx, checkpoint, {
        status: "BASELINE",
        deltaLink: null,
        nextLink: null,
        listingCursor: null,
      });
    }
  }
}

async function createCheckpoint(
  ctx: MailboxContext,
  folderId: string,
  folderPath: string,
): Promise<FolderCheckpointRow> {
  return ctx.deps.db.transaction(async (m) => {
    await requireLease(m, ctx);
    return insertCheckpoint(m, {
      id: newId(),
      mailboxId: ctx.mailbox.id,
      folderId,
      folderPath,
      deltaLink: null,
      nextLink: null,
      coveredFrom: ctx.syncFrom,
      listingCursor: null,
      status: "BASELINE",
      messagesSeen: 0,
      filtersHash: ctx.filtersHash,
      updatedAt: ctx.deps.now(),
    });
  });
}

async function saveCheckpoint(
  ctx: MailboxContext,
  checkpoint: FolderCheckpointRow,
  change: Partial<FolderCheckpointRow>,
): Promise<FolderCheckpointRow> {
  return ctx.deps.db.transaction(async (m) => {
    await requireLease(m, ctx);
    Object.assign(checkpoint, change, { updatedAt: ctx.deps.now() });
    return storeCheckpoint(m, checkpoint);
  });
}

/** Walks a fresh delta to its delta link, then lists the covered range. */
async function runBaseline(
  ctx: MailboxContext,
  start: FolderCheckpointRow,
): Promise<FolderCheckpointRow> {
  let checkpoint = start;
  for (;;) {
    if (ctx.signal.aborted) throw new RoundStopped("stopped");
    const page = await ctx.source.deltaPage(
      ctx.mailbox.email,
      checkpoint.folderId,
      {
        link: checkpoint.nextLink,
        receivedFrom: checkpoint.coveredFrom ?? ALL_TIME,
        pageSize: BASELINE_PAGE_SIZE,
        idsOnly: true,
      },
      ctx.signal,
    );
    if (page.nextLink) {
      checkpoint = await saveCheckpoint(ctx, checkpoint, { nextLink: page.nextLink });
      continue;
    }
    const cursor = newListingCursor({
      from: checkpoint.coveredFrom?.toISOString() ?? null,
      before: null,
      completes: {
        coveredFrom: checkpoint.coveredFrom?.toISOString() ?? null,
        filtersHash: ctx.filtersHash,
      },
    });
    return saveCheckpoint(ctx, checkpoint, {
      status: "BACKFILL",
      nextLink: null,
      deltaLink: page.deltaLink,
      listingCursor: JSON.stringify(cursor),
    });
  }
}

/** Follows the delta link: new and moved-in messages are stored, `@removed` ones stay archived. */
async function runIncremental(
  ctx: MailboxContext,
  start: FolderCheckpointRow,
  folderPath: string,
): Promise<FolderCheckpointRow> {
  let checkpoint = start;
  let link = checkpoint.nextLink ?? checkpoint.deltaLink;
  for (;;) {
    const page = await ctx.source.deltaPage(
      ctx.mailbox.email,
      checkpoint.folderId,
      { link, receivedFrom: checkpoint.coveredFrom ?? ALL_TIME, pageSize: PAGE_SIZE },
      ctx.signal,
    );
    const change: Partial<FolderCheckpointRow> = page.nextLink
      ? { nextLink: page.nextLink }
      : { nextLink: null, deltaLink: page.deltaLink };
    checkpoint = await storePage(ctx, checkpoint, folderPath, page.messages, change);
    if (!page.nextLink) return checkpoint;
    link = page.nextLink;
  }
}

async function startListing(
  ctx: MailboxContext,
  checkpoint: FolderCheckpointRow,
  range: Pick<ListingCursor, "from" | "before" | "completes">,
): Promise<FolderCheckpointRow> {
  return saveCheckpoint(ctx, checkpoint, {
    status: "BACKFILL",
    listingCursor: JSON.stringify(newListingCursor(range)),
  });
}

const LISTING_LIMITS: ListingLimits = { pageSize: PAGE_SIZE, maxPageSize: MAX_PAGE_SIZE };

/**
 * Lists [from, before) oldest first by keyset on receivedDateTime (no 5,000 cap, and unlike
 * `$skip` paging no message is skipped when others are deleted meanwhile), with the tie handling
 * of domain/listing-cursor.ts so that no number of equal received times loses a message. The
 * next page is requested as soon as this one arrives, while this one is being stored.
 */
async function runListing(
  ctx: MailboxContext,
  start: FolderCheckpointRow,
  folderPath: string,
): Promise<FolderCheckpointRow> {
  let checkpoint = start;
  let cursor = JSON.parse(checkpoint.listingCursor!) as ListingCursor;
  const fetchStep = (at: ListingCursor): Promise<ListingAdvance<RemoteMessage>> => {
    const step = nextListingStep(at, LISTING_LIMITS);
    const promise =
      step.kind === "list"
        ? ctx.source
            .listPage(
              ctx.mailbox.email,
              checkpoint.folderId,
              {
                receivedFrom: step.receivedFrom,
                receivedBefore: step.receivedBefore,
                top: step.top,
                expandAttachments: true,
              },
              ctx.signal,
            )
            .then((page) => afterListingPage(at, page.messages, LISTING_LIMITS))
        : ctx.source
            .deltaPage(
              ctx.mailbox.email,
              checkpoint.folderId,
              { link: step.link, receivedFrom: null, pageSize: BASELINE_PAGE_SIZE },
              ctx.signal,
            )
            .then((page) => afterTiePage(at, page));
    promise.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile
    return promise;
  };
  let next = fetchStep(cursor);
  for (;;) {
    const advance = await next;
    cursor = advance.cursor;
    let change: Partial<FolderCheckpointRow>;
    if (advance.done) {
      change = {
        status: "IDLE",
        listingCursor: null,
        coveredFrom: cursor.completes.coveredFrom ? new Date(cursor.completes.coveredFrom) : null,
        filtersHash: cursor.completes.filtersHash,
      };
    } else {
      next = fetchStep(cursor);
      change = { listingCursor: JSON.stringify(cursor) };
    }
    checkpoint = await storePage(ctx, checkpoint, folderPath, advance.fresh, change);
    if (advance.done) return checkpoint;
  }
}

/** A message ready to store, or the reason it cannot be. */
type Prepared =
  | { message: RemoteMessage; incoming: IncomingMessage; attachmentsStored: number }
  | { message: RemoteMessage; skipped: string };

/**
 * Filters a page, fetches its attachments, and stores messages plus the checkpoint change in one
 * transaction. A page left over the project's budget keeps the old checkpoint, so it is fetched
 * again (stored messages dedupe, uncharged) once the budget is raised.
 *
 * A poison message costs that message, never the mailbox (DOMAIN.md, Sync): one whose
 * attachments will not download after retries, that cannot be converted, or whose row the
 * database refuses is recorded as skipped (with the reason) in the same transaction, and tried
 * again at the end of later rounds; the checkpoint moves on. `checkpoint` null: no checkpoint
 * change (a skipped message tried again).
 */
async function storePage<C extends FolderCheckpointRow | null>(
  ctx: MailboxContext,
  checkpoint: C,
  folderPath: string,
  messages: RemoteMessage[],
  change: Partial<FolderCheckpointRow>,
): Promise<C> {
  const passing = messages.filter((msg) =>
    ctx.participants.passes(ctx.mailbox.email, participantsOf(msg)),
  );
  // Concurrently: the exchange client's limiter keeps the mailbox at 4 requests in flight.
  const prepared = await Promise.all(
    passing.map((message) => prepareMessage(ctx, message, folderPath)),
  );
  const ready = prepared.filter((p) => "incoming" in p);
  const skipped = prepared
    .filter((p) => "skipped" in p)
    .map((p) => ({ remoteId: p.message.id, folderPath, reason: p.skipped }));
  if (ctx.signal.aborted) throw new RoundStopped("stopped");
  const now = ctx.deps.now();
  const write = (perMessage: boolean) =>
    ctx.deps.db.transaction(async (m) => {
      await requireStillEnabled(m, ctx);
      const stored = perMessage
        ? await storeEachOnItsOwn(m, ctx, ready, skipped, folderPath, now)
        : await storeMessages(
            m,
            ctx.project.id,
            ctx.bucketId,
            ready.map((p) => p.incoming),
            now,
            usageSource(ctx),
          );
      await recordSkipped(m, ctx.mailbox.id, skipped, now);
      if (ctx.skippedBefore) {
        // Stored now, or filtered out by now: either way nothing is left to try again.
        const refused = new Set(skipped.map((s) => s.remoteId));
        const done = messages.map((msg) => msg.id).filter((id) => !refused.has(id));
        await clearSkipped(m, ctx.mailbox.id, done);
      }
      if (skipped.length > 0) ctx.skippedBefore = true;
      if (stored.overBudget > 0) {
        await disableIntegration(m, ctx.integrationId, {
          ...disableForQuota(new QuotaReached().message),
          updatedAt: now,
        });
        return { stored, checkpoint };
      }
      if (checkpoint === null) return { stored, checkpoint };
      Object.assign(checkpoint, change, {
        updatedAt: now,
        messagesSeen: checkpoint.messagesSeen + messages.length,
      });
      return { stored, checkpoint: (await storeCheckpoint(m, checkpoint)) as C };
    });
  let result;
  try {
    result = await write(false);
  } catch (error) {
    // One row the database refuses fails the whole page: store it again message by message.
    if (rowRefusal(error) === null) throw error;
    ctx.deps.log.warn(
      { mailboxId: ctx.mailbox.id, folder: folderPath, code: (error as { code?: unknown }).code },
      "the database refused a row of this page; storing its messages one by one",
    );
    result = await write(true);
  }
  if (skipped.length > 0)
    ctx.deps.log.warn(
      { mailboxId: ctx.mailbox.id, folder: folderPath, skipped },
      "messages skipped; they are tried again at the end of later rounds",
    );
  publishMessagesAdded(ctx.deps.events, ctx.project, result.stored.created);
  ctx.deps.metrics.messagesStored(ctx.mailbox.id, result.stored.created.length);
  const state = ctx.progress.state;
  const attachmentsStored = ready.reduce((sum, p) => sum + p.attachmentsStored, 0);
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

/** Each message in a savepoint of its own: the ones the database refuses join `skipped`. */
async function storeEachOnItsOwn(
  m: EntityManager,
  ctx: MailboxContext,
  ready: { message: RemoteMessage; incoming: IncomingMessage }[],
  skipped: SkippedItem[],
  folderPath: string,
  now: Date,
): Promise<StoreResult> {
  const total: StoreResult = { created: [], updated: 0, overBudget: 0 };
  for (const { message, incoming } of ready) {
    try {
      const one = await m.transaction((sp) =>
        storeMessages(sp, ctx.project.id, ctx.bucketId, [incoming], now, usageSource(ctx)),
      );
      total.created.push(...one.created);
      total.updated += one.updated;
      total.overBudget += one.overBudget;
    } catch (error) {
      const refusal = rowRefusal(error);
      if (refusal === null) throw error;
      skipped.push({
        remoteId: message.id,
        folderPath,
        reason: `Not stored: ${refusal}.`,
      });
    }
  }
  return total;
}

/**
 * Attachments and the stored shape of one message. Failures of the whole mailbox (credentials,
 * permissions, the mailbox gone, shutting down) still end the round; anything that concerns only
 * this message makes it a skipped one.
 */
async function prepareMessage(
  ctx: MailboxContext,
  message: RemoteMessage,
  folderPath: string,
): Promise<Prepared> {
  let attachments: { attachment: RemoteAttachment; contentSha256: string | null }[] = [];
  try {
    if (message.attachments || mayHaveAttachments(message))
      attachments = await fetchAttachments(ctx, message);
  } catch (error) {
    const failure = classified(error);
    const messageLevel =
      failure?.kind === "temporary" ||
      (failure?.kind === "not_found" && failure.code === "ErrorItemNotFound");
    if (!messageLevel || ctx.signal.aborted) throw error;
    return {
      message,
      skipped: `Its attachments could not be fetched: ${failure.message}`,
    };
  }
  try {
    return {
      message,
      incoming: toIncoming(message, ctx.mailbox.email, folderPath, attachments),
      attachmentsStored: attachments.filter((a) => a.contentSha256).length,
    };
  } catch (error) {
    ctx.deps.log.error(
      { err: error, mailboxId: ctx.mailbox.id, messageId: message.id },
      "message conversion failed",
    );
    return {
      message,
      skipped: "It could not be converted for storage (an internal error, logged on the server).",
    };
  }
}

/**
 * Tries the mailbox's skipped messages again (those due, see retryDueAt): each is fetched anew and
 * stored, or skipped once more with the new reason; one the mailbox no longer has is forgotten.
 */
export async function retrySkipped(ctx: MailboxContext): Promise<void> {
  if (!ctx.skippedBefore) return;
  const due = await ctx.deps.db.read((m) => dueSkipped(m, ctx.mailbox.id, ctx.deps.now()));
  for (const item of due) {
    if (ctx.signal.aborted) throw new RoundStopped("stopped");
    const message = await ctx.source.getMessage(ctx.mailbox.email, item.remoteId, ctx.signal);
    if (message === null) {
      await ctx.deps.db.transaction(async (m) => {
        await requireLease(m, ctx);
        await clearSkipped(m, ctx.mailbox.id, [item.remoteId]);
      });
      continue;
    }
    await storePage(ctx, null, item.folderPath, [message], {});
  }
}

/**
 * Graph sets hasAttachments only for non-inline attachments; inline images show as `cid:`
 * references in an HTML body, so those messages are asked for their attachments too.
 */
function mayHaveAttachments(message: RemoteMessage): boolean {
  return message.hasAttachments || (message.bodyType === "html" && /\bcid:/i.test(message.body));
}

/** Disabling stops in-flight work at the next page boundary; what was committed stays. */
/** A page commits only while the mailbox may sync and this round still holds its lease. */
async function requireStillEnabled(m: EntityManager, ctx: MailboxContext): Promise<void> {
  await requireLease(m, ctx);
  const state = await roundState(m, ctx.mailbox.id, ctx.integrationId);
  if (state !== "enabled") throw new RoundStopped(state);
}

/** Fencing: a round whose lease was taken over or revoked rolls back instead of committing. */
export async function requireLease(m: EntityManager, ctx: Pick<MailboxContext, "holdsLease">) {
  if (!(await ctx.holdsLease(m))) throw new RoundStopped("lease lost");
}

/**
 * Attachment metadata (from the listing's `$expand`, or listed), and with `syncAttachments` each
 * one's raw contents from `$value` — one way for every path (listing, delta, retry), so a message
 * is stored the same however it was found, and contents arrive as bytes rather than base64.
 */
async function fetchAttachments(
  ctx: MailboxContext,
  message: RemoteMessage,
): Promise<{ attachment: RemoteAttachment; contentSha256: string | null }[]> {
  const attachments =
    message.attachments ??
    (await ctx.source.listAttachments(ctx.mailbox.email, message.id, false, ctx.signal));
  const result: { attachment: RemoteAttachment; contentSha256: string | null }[] = [];
  for (const attachment of attachments) {
    let contentSha256: string | null = null;
    // Reference attachments are links to files elsewhere: metadata only.
    if (ctx.syncAttachments && attachment.kind !== "reference") {
      const bytes =
        attachment.contentBytes ??
        (await ctx.source.attachmentContent(
          ctx.mailbox.email,
          message.id,
          attachment.id,
          ctx.signal,
        ));
      contentSha256 = (await ctx.deps.blobs.put(bytes)).sha256;
    }
    result.push({ attachment, contentSha256 });
  }
  return result;
}

/** Whom the usage ledger charges for this mailbox's messages. */
const usageSource = (ctx: { integrationId: string; mailbox: { email: string } }) => ({
  integrationId: ctx.integrationId,
  mailbox: ctx.mailbox.email,
});
