import { compileFolderFilters, type FolderFilters } from "./folder-filter.js";
import { parseFolderPath } from "./folder-path.js";

/**
 * Rules of a notified round (docs/push.md, "What a notification costs"). A `created` or `updated`
 * change notification names one message (`Users/{id}/Messages/{id}`); the round it asks for may
 * then run the delta of that message's folder only, instead of every synced folder. Whatever is
 * uncertain asks for the full round: a `deleted` notification (the message is gone, its folder
 * unknown), a lifecycle event, a resource that names no message, more messages pending than
 * MAX_NOTIFIED_MESSAGES, a message Graph no longer finds, a folder without a checkpoint (new, or
 * never synced) or one the folder filters no longer select. The notification itself never carries
 * data: it only chooses which folders' normal delta runs.
 */

/** Messages a scoped round looks up (one GET each); more pending than this: the full round. */
export const MAX_NOTIFIED_MESSAGES = 8;

/** What a pending round must cover: `full`, or the folders of these notified message ids. */
export type NotifiedScope = "full" | { messages: string[] };

/**
 * The message id a change notification names, when it is one a scoped round can use: a `created`
 * or `updated` notification whose resource is `Users/{user}/Messages/{message}` (Graph's form;
 * `users('…')/messages('…')` too). Null for anything else (the full round).
 */
export function notifiedMessageId(changeType: unknown, resource: unknown): string | null {
  if (changeType !== "created" && changeType !== "updated") return null;
  if (typeof resource !== "string" || resource.length > 2048) return null;
  const segments = resource
    .replace(/^\/+/, "")
    .split("/")
    .flatMap((segment) => {
      const call = /^([^()]+)\('([^']*)'\)$/.exec(segment);
      return call ? [call[1]!, call[2]!] : [segment];
    });
  if (segments.length !== 4) return null;
  const [users, user, messages, id] = segments as [string, string, string, string];
  if (users.toLowerCase() !== "users" || messages.toLowerCase() !== "messages") return null;
  if (user === "" || id === "" || /[\s?#]/.test(id)) return null;
  return id;
}

/**
 * A new request merged into the one pending (the mailbox's `requested` flag and its scope): a full
 * request, or one pending, stays full; message ids add up, beyond MAX_NOTIFIED_MESSAGES full.
 */
export function mergeScope(pending: NotifiedScope | null, incoming: NotifiedScope): NotifiedScope {
  if (pending === "full" || incoming === "full") return "full";
  const messages = [...new Set([...(pending?.messages ?? []), ...incoming.messages])];
  return messages.length > MAX_NOTIFIED_MESSAGES ? "full" : { messages };
}

/** The scope stored with a request: null means full (what every other request writes). */
export const scopeToColumn = (scope: NotifiedScope): string | null =>
  scope === "full" ? null : JSON.stringify(scope.messages);

/**
 * The scope a round that starts now takes: full when the round is due by time (a poll, the safety
 * net, a user's syncMailbox) or was not requested by a notification with message ids.
 */
export function scopeOfStartingRound(row: {
  requested: boolean;
  dueNow: boolean;
  notified: string | null;
}): NotifiedScope {
  if (row.dueNow || !row.requested || row.notified === null) return "full";
  try {
    const messages = JSON.parse(row.notified) as unknown;
    if (
      !Array.isArray(messages) ||
      messages.length === 0 ||
      messages.length > MAX_NOTIFIED_MESSAGES ||
      !messages.every((m) => typeof m === "string" && m !== "")
    )
      return "full";
    return { messages: messages as string[] };
  } catch {
    return "full";
  }
}

/** A folder the mailbox has synced before: its checkpoint's folder id and stored path. */
export interface KnownFolder {
  folderId: string;
  folderPath: string;
}

/**
 * The folders a scoped round runs the delta of, or null for the full round: every notified
 * message must have been found (`parents`: its parentFolderId, null when Graph no longer has it)
 * in a folder with a checkpoint whose path the folder filters still select.
 */
export function scopedFolders(
  parents: (string | null)[],
  known: KnownFolder[],
  filters: FolderFilters,
): KnownFolder[] | null {
  if (parents.length === 0) return null;
  const byId = new Map(known.map((f) => [f.folderId, f]));
  const compiled = compileFolderFilters(filters);
  const chosen = new Map<string, KnownFolder>();
  for (const parent of parents) {
    const folder = parent === null ? undefined : byId.get(parent);
    if (!folder) return null;
    let segments: string[];
    try {
      segments = parseFolderPath(folder.folderPath);
    } catch {
      return null;
    }
    if (!compiled.selected(segments)) return null;
    chosen.set(folder.folderId, folder);
  }
  return [...chosen.values()];
}
