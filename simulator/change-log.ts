import { ChangeKind, type ChangeLog } from "./mailbox.js";

/**
 * Reading a folder's change log (mailbox.ts appends to it) the way both sync protocols do: Graph's
 * message delta (delta.ts) and EWS SyncFolderItems (ews/ews-sync-items.ts) hand out, per window
 * (since, until] of change sequences, each message's net change over the window.
 */

/** One message's changes in a window, folded into one. */
export interface NetChange {
  key: number;
  /** Created (delivered or moved in) at some point in the window. */
  created: boolean;
  lastKind: ChangeKind;
  lastSeq: number;
  /**
   * The message's move generation at its last change: for a Delete (a move out) the id the
   * client knew, from before the move.
   */
  gen: number;
}

/** Index of the first log entry with a sequence after `seq` (the log's length when none is). */
export function firstEntryAfter(log: ChangeLog, seq: number): number {
  const values = log.seq;
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((values[mid] ?? 0) <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The net change of every message changed in (since, until], in the order of their last change. */
export function netChanges(log: ChangeLog, since: number, until: number): NetChange[] {
  const start = firstEntryAfter(log, since);
  const end = firstEntryAfter(log, until);
  const net = new Map<number, NetChange>();
  for (let i = start; i < end; i++) {
    const key = log.key[i] ?? 0;
    const kind = log.kind[i] ?? ChangeKind.Updated;
    const prev = net.get(key);
    net.set(key, {
      key,
      created: (prev?.created ?? false) || kind === ChangeKind.Created,
      lastKind: kind,
      lastSeq: log.seq[i] ?? 0,
      gen: log.gen[i] ?? 0,
    });
  }
  return [...net.values()].sort((a, b) => a.lastSeq - b.lastSeq);
}
