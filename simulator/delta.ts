import { netChanges } from "./change-log.js";
import { ChangeKind, type Folder, type Mailbox } from "./mailbox.js";
import { GraphHttpError, matchesFilter, type ReceivedFilter } from "./odata-query.js";

/**
 * Message delta for one folder, as Graph documents it:
 * - The first round enumerates the folder (newest first) page by page through `@odata.nextLink`
 *   ($skiptoken) and ends with an `@odata.deltaLink` ($deltatoken).
 * - A later round, started from the deltaLink, returns what changed since: created and updated
 *   messages in full, deleted or moved-out ones as `@removed` entries.
 * - Query options given on the first request ($select, $filter, changeType) live in the tokens.
 * - "Applying $filter in a delta query returns only up to 5,000 messages": a date-filtered first
 *   round stops after 5,000 messages and hands out a deltaLink.
 * - Tokens are state, not cursors into server memory: replaying a link answers the same page.
 * Tokens carry the folder's delta generation; bumping it makes every older token answer 410.
 */
export const DATE_FILTERED_DELTA_CAP = 5000;

export interface DeltaQuery {
  select?: string[];
  /** Lower bound of receivedDateTime (delta accepts only `ge` and `gt`). */
  lower?: { ms: number; inclusive: boolean };
  changeType?: "created" | "updated" | "deleted";
}

export interface DeltaState {
  v: 1;
  /** Mailbox number, folder number, folder delta generation. */
  m: number;
  f: number;
  g: number;
  q: DeltaQuery;
  /** i: first round, c: a change round in progress, d: start of the next change round. */
  p: "i" | "c" | "d";
  /** Change sequence: i = snapshot taken at the start; c = window (since, until]; d = since. */
  since: number;
  until: number;
  /** i: the last message handed out, as [receivedAt, key]. */
  a?: [number, number];
  /** c: position in the round's change list. */
  o?: number;
  /** i: messages handed out so far this round. */
  n?: number;
}

export type DeltaItem =
  | { type: "message"; key: number; folder: Folder; gen: number }
  | { type: "removed"; key: number; gen: number };

export interface DeltaPage {
  items: DeltaItem[];
  nextLink?: DeltaState;
  deltaLink?: DeltaState;
}

export function encodeDeltaState(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString("base64url");
}

export function decodeDeltaState(token: string): DeltaState {
  try {
    const state = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as DeltaState;
    if (state.v === 1 && typeof state.m === "number" && typeof state.f === "number") return state;
  } catch {
    // fall through
  }
  throw new GraphHttpError(
    400,
    "ErrorInvalidSyncStateData",
    "The sync state data is corrupt or otherwise invalid.",
  );
}

export function deltaQueryFromFilter(filter: ReceivedFilter | undefined): DeltaQuery["lower"] {
  if (!filter) return undefined;
  if (filter.upper || !filter.lower) {
    throw new GraphHttpError(
      400,
      "ErrorInvalidUrlQueryFilter",
      "The query filter contains one or more invalid nodes.",
    );
  }
  return filter.lower;
}

export function initialState(mailbox: Mailbox, folder: Folder, q: DeltaQuery): DeltaState {
  return {
    v: 1,
    m: mailbox.number,
    f: folder.number,
    g: folder.deltaGeneration,
    q,
    p: "i",
    since: 0,
    until: mailbox.seq,
    n: 0,
  };
}

export function runDelta(
  mailbox: Mailbox,
  folder: Folder,
  state: DeltaState,
  pageSize: number,
  replayOverlap: number,
): DeltaPage {
  if (state.m !== mailbox.number || state.f !== folder.number) {
    throw new GraphHttpError(
      400,
      "ErrorInvalidSyncStateData",
      "The sync state data is corrupt or otherwise invalid.",
    );
  }
  if (state.g !== folder.deltaGeneration) {
    throw new GraphHttpError(
      410,
      "SyncStateNotFound",
      "The sync state generation for this folder is not found. Please start a new synchronization.",
    );
  }
  // Repeating items from the previous page must never stall a round.
  const overlap = Math.max(0, Math.min(replayOverlap, pageSize - 1));
  if (state.p === "i") return initialPage(mailbox, folder, state, pageSize, overlap);
  const windowed: DeltaState =
    state.p === "d" ? { ...state, p: "c", until: mailbox.seq, o: 0 } : state;
  return changePage(mailbox, folder, windowed, pageSize, overlap);
}

function initialPage(
  mailbox: Mailbox,
  folder: Folder,
  state: DeltaState,
  pageSize: number,
  overlap: number,
): DeltaPage {
  const lower = state.q.lower;
  const cap = lower ? DATE_FILTERED_DELTA_CAP : Number.POSITIVE_INFINITY;
  const already = state.n ?? 0;
  const lowIndex = lower
    ? mailbox.lowerBound(folder, lower.ms, lower.inclusive ? -1 : Number.MAX_SAFE_INTEGER)
    : 0;
  const highIndex = state.a
    ? mailbox.lowerBound(folder, state.a[0], state.a[1])
    : folder.keys.length;
  const room = Math.min(pageSize, cap - already);
  const taken: number[] = [];
  let i = highIndex - 1;
  for (; i >= lowIndex && taken.length < room; i--) {
    const key = folder.keys[i];
    if (key !== undefined) taken.push(key);
  }
  const items: DeltaItem[] = taken.map((key) => ({
    type: "message",
    key,
    folder,
    gen: mailbox.moveGeneration(key),
  }));
  const fresh = taken.length - (state.a ? Math.min(overlap, taken.length) : 0);
  const handedOut = already + Math.max(fresh, 0);
  const moreLeft = i >= lowIndex && handedOut < cap;
  if (moreLeft && taken.length > 0) {
    const anchorKey = taken[Math.max(0, taken.length - 1 - overlap)] ?? 0;
    return {
      items,
      nextLink: { ...state, a: [mailbox.receivedAt(anchorKey), anchorKey], n: handedOut },
    };
  }
  return { items, deltaLink: { ...state, p: "d", since: state.until, a: undefined, n: undefined } };
}

function changePage(
  mailbox: Mailbox,
  folder: Folder,
  state: DeltaState,
  pageSize: number,
  overlap: number,
): DeltaPage {
  const lower = state.q.lower;
  const wanted = state.q.changeType;
  const changes = netChanges(folder.log, state.since, state.until)
    .filter(
      (c) =>
        !lower || matchesFilter({ lower, properties: [], text: "" }, mailbox.receivedAt(c.key)),
    )
    .filter((c) => {
      if (!wanted) return true;
      const kind =
        c.lastKind === ChangeKind.Deleted ? "deleted" : c.created ? "created" : "updated";
      return kind === wanted;
    });
  const offset = state.o ?? 0;
  const slice = changes.slice(offset, offset + pageSize);
  const items: DeltaItem[] = slice.map((c) =>
    c.lastKind === ChangeKind.Deleted
      ? { type: "removed", key: c.key, gen: c.gen }
      : { type: "message", key: c.key, folder, gen: c.gen },
  );
  const consumed = offset + slice.length;
  if (consumed < changes.length && slice.length > 0) {
    return { items, nextLink: { ...state, o: Math.max(offset + 1, consumed - overlap) } };
  }
  return { items, deltaLink: { ...state, p: "d", since: state.until, o: undefined } };
}
