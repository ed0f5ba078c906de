import type { Deps } from "../app/deps.js";
import { compileFolderFilters } from "../domain/folder-filter.js";
import { formatFolderPath, parseFolderPath } from "../domain/folder-path.js";
import { type NotifiedScope, scopedFolders } from "../domain/notified-round.js";
import { compileParticipantFilter } from "../domain/participant-filter.js";
import type { MailboxRow } from "../storage/entities/index.js";
import { countSkipped } from "../storage/skipped-messages.js";
import {
  credentialsRefusedBySync,
  disableForMailboxError,
  type IntegrationEventKind,
} from "../domain/integration-state.js";
import {
  checkpointFolders,
  disableIntegration,
  disableMailbox,
  loadRoundTarget,
} from "../storage/sync-store.js";
import {
  filtersHashOf,
  type LeaseFence,
  type MailboxContext,
  retrySkipped,
  syncFolder,
} from "./folder-sync.js";
import type { MailSource, RemoteFolder } from "./mail-source.js";
import { classified, QuotaReached, RoundStopped } from "./sync-errors.js";
import { SyncProgress } from "./sync-progress.js";

/** Folders enumerated at once per mailbox; the request limiter keeps Graph at 4 in flight. */
const FOLDER_WORKERS = 4;

/** What users see of a round that failed for a reason of ours; the log has the details. */
export const INTERNAL_ERROR =
  "The round stopped on an internal error (details are in the server log); it is retried automatically.";

export type RoundOutcome = "up_to_date" | "failed" | "stopped" | "disabled";

/**
 * One sync round of a mailbox: walk the folder tree, select folders by the folder filters, bring
 * each selected folder up to date, and sort failures by their Graph error kind into retry
 * (temporary), disabling the integration (credentials), or disabling the mailbox (permission,
 * not found) — each with the error kept and an event published.
 */
export async function runMailboxRound(
  deps: Deps,
  source: MailSource,
  mailboxId: string,
  signal: AbortSignal,
  holdsLease: LeaseFence,
  scope: NotifiedScope = "full",
): Promise<RoundOutcome> {
  const outcome = await runRound(deps, source, mailboxId, signal, holdsLease, scope);
  deps.metrics.roundFinished(mailboxId, outcome);
  return outcome;
}

async function runRound(
  deps: Deps,
  source: MailSource,
  mailboxId: string,
  signal: AbortSignal,
  holdsLease: LeaseFence,
  scope: NotifiedScope,
): Promise<RoundOutcome> {
  const loaded = await deps.db.read(async (m) => {
    const target = await loadRoundTarget(m, mailboxId);
    return target && { ...target, skipped: await countSkipped(m, mailboxId) };
  });
  if (!loaded) return "stopped";
  const { mailbox, integration, project, previous, skipped } = loaded;
  const progress = new SyncProgress(
    deps,
    { mailboxId, integrationId: integration.id, projectId: project.id, projectName: project.name },
    previous,
    holdsLease,
  );
  await progress.flush();
  const ctx: MailboxContext = {
    deps,
    holdsLease,
    source,
    signal,
    progress,
    project: { id: project.id, name: project.name },
    mailbox,
    integrationId: integration.id,
    bucketId: mailbox.bucketId,
    syncFrom: mailbox.allTime ? null : mailbox.syncFrom,
    participants: compileParticipantFilter(mailbox.filters),
    filtersHash: filtersHashOf(mailbox.filters),
    syncAttachments: mailbox.syncAttachments,
    skippedBefore: skipped > 0,
  };
  try {
    // A round asked for by change notifications only: the notified messages' folders, when each
    // is a synced folder (one GET per message instead of the folder tree and every delta).
    const folders =
      (await notifiedFolders(ctx, scope)) ??
      selectFolders(await source.listFolders(mailbox.email, signal), mailbox.filters);
    // A first sync reads whole folders: their item counts bound its volume (for the ETA).
    const firstSync = previous?.lastSyncedAt == null;
    progress.update({
      phase: "syncing folders",
      foldersTotal: folders.length,
      messagesExpected: firstSync ? folders.reduce((n, f) => n + f.totalItemCount, 0) : 0,
    });
    const queue = [...folders];
    const worker = async () => {
      for (let folder = queue.shift(); folder; folder = queue.shift()) {
        if (signal.aborted) throw new RoundStopped("stopped");
        const path = formatFolderPath(folder.path);
        progress.update({ currentFolder: path });
        await syncFolder(ctx, folder, path);
        progress.update({ foldersDone: progress.state.foldersDone + 1 });
      }
    };
    await Promise.all(Array.from({ length: Math.min(FOLDER_WORKERS, folders.length) }, worker));
    await retrySkipped(ctx);
    progress.update({
      status: "UP_TO_DATE",
      phase: null,
      currentFolder: null,
      lastSyncedAt: deps.now(),
      lastError: null,
    });
    await progress.flush();
    return "up_to_date";
  } catch (error) {
    return handleFailure(deps, ctx, progress, error);
  }
}

/**
 * The folders of a notified round (domain/notified-round.ts), or null for the full round: a
 * message Graph does not find, a folder without a checkpoint or no longer selected, a source
 * without the lookup, or any error of the lookup itself (the full round meets it again if it
 * concerns the mailbox). The lookup only chooses folders; their normal delta brings the data.
 */
async function notifiedFolders(
  ctx: MailboxContext,
  scope: NotifiedScope,
): Promise<RemoteFolder[] | null> {
  const { source, mailbox, signal, deps } = ctx;
  if (scope === "full" || !source.messageFolder) return null;
  try {
    const [parents, known] = await Promise.all([
      Promise.all(scope.messages.map((id) => source.messageFolder!(mailbox.email, id, signal))),
      deps.db.read((m) => checkpointFolders(m, mailbox.id)),
    ]);
    const chosen = scopedFolders(parents, known, {
      allowed: mailbox.filters.allowedFolders,
      denied: mailbox.filters.deniedFolders,
    });
    deps.metrics.notifiedRound(chosen ? "scoped" : "full");
    if (!chosen) return null;
    return chosen.map((f) => ({
      id: f.folderId,
      path: parseFolderPath(f.folderPath),
      totalItemCount: 0,
      isSearchFolder: false,
    }));
  } catch (error) {
    if (signal.aborted) throw new RoundStopped("stopped");
    deps.log.info(
      { mailboxId: mailbox.id, error: error instanceof Error ? error.message : String(error) },
      "notified message lookup failed; running the full round",
    );
    deps.metrics.notifiedRound("full");
    return null;
  }
}

function selectFolders(all: RemoteFolder[], filters: MailboxRow["filters"]): RemoteFolder[] {
  const compiled = compileFolderFilters({
    allowed: filters.allowedFolders,
    denied: filters.deniedFolders,
  });
  return all.filter((f) => !f.isSearchFolder && compiled.selected(f.path));
}

async function handleFailure(
  deps: Deps,
  ctx: MailboxContext,
  progress: SyncProgress,
  error: unknown,
): Promise<RoundOutcome> {
  if (error instanceof RoundStopped || (ctx.signal.aborted && !classified(error))) {
    progress.update({ status: "IDLE", phase: null, currentFolder: null });
    await progress.flush();
    return "stopped";
  }
  if (error instanceof QuotaReached) {
    progress.update({ status: "DISABLED", phase: null, lastError: error.message });
    await progress.flush();
    publishIntegration(deps, ctx, "DISABLED");
    return "disabled";
  }
  const kind = classified(error);
  // An unexpected error's own text (a database's, say) is for the log, not for users.
  const message = kind?.message ?? INTERNAL_ERROR;
  const now = deps.now();
  if (kind?.kind === "credentials") {
    const disabled = await deps.db.transaction(async (m) => {
      if (!(await ctx.holdsLease(m))) return false;
      await disableIntegration(m, ctx.integrationId, {
        ...credentialsRefusedBySync(message),
        updatedAt: now,
      });
      return true;
    });
    if (!disabled) return "stopped";
    progress.update({ status: "DISABLED", phase: null, lastError: message });
    await progress.flush();
    publishIntegration(deps, ctx, "DISABLED");
    return "disabled";
  }
  if (kind?.kind === "permission" || kind?.kind === "not_found") {
    const disabled = await deps.db.transaction(async (m) => {
      if (!(await ctx.holdsLease(m))) return false;
      await disableMailbox(m, ctx.mailbox.id, disableForMailboxError(message), now);
      return true;
    });
    if (!disabled) return "stopped";
    progress.update({ status: "DISABLED", phase: null, lastError: message });
    await progress.flush();
    publishIntegration(deps, ctx, "MAILBOX_DISABLED");
    return "disabled";
  }
  if (!kind)
    deps.log.error({ err: error, mailboxId: ctx.mailbox.id }, "sync round failed unexpectedly");
  else
    deps.log.warn(
      { mailboxId: ctx.mailbox.id, kind: kind.kind, error: message },
      "sync round failed; will retry",
    );
  progress.update({ status: "FAILED", phase: null, lastError: message });
  await progress.flush();
  return "failed";
}

function publishIntegration(deps: Deps, ctx: MailboxContext, kind: IntegrationEventKind): void {
  deps.events.publish("integrationEvents", {
    kind,
    integrationId: ctx.integrationId,
    projectId: ctx.project.id,
    projectName: ctx.project.name,
    at: deps.now(),
  });
}
