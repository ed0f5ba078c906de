/**
 * Rule "a listing never skips a message" (DOMAIN.md, Sync): the cursor of a folder listing over
 * a received-time range [from, before), oldest first.
 *
 * Graph orders and filters messages by `receivedDateTime` (whole seconds) but offers no second
 * key to break ties with, so a keyset on received time alone is not total: a bulk import can
 * give thousands of messages one received second. The cursor therefore keeps the ids already
 * handed out at its boundary second, widens the page while a tie fills it, and when a tie fills
 * even the widest page it walks that second with an enumeration that cannot skip — the folder's
 * unfiltered delta, which pages through a snapshot — keeping only the messages of that second.
 * Then the keyset resumes at the next second. Pure: the sync engine runs the requests.
 */

/** What the listing needs of a message. */
export interface ListedMessage {
  id: string;
  receivedAt: Date;
  /**
   * The API's received time could not be read (`receivedAt` is a stand-in): the message is
   * handed out, but its place in the order is unknown, so the keyset does not move by it.
   */
  undated?: boolean;
}

export interface ListingCursor {
  /** Range bounds as ISO strings; null: open. */
  from: string | null;
  before: string | null;
  /** Keyset position: the next page starts at this received time (inclusive). */
  after: string | null;
  /** Ids already handed out whose received second is `after`'s. */
  seenAtAfter: string[];
  /** Page size in use (a tie widens it); absent: the default. */
  top?: number;
  /** A tie second too large for any page, being walked through the folder's delta. */
  tie?: { at: string; link: string | null };
  /** What the checkpoint covers once this listing completes. */
  completes: { coveredFrom: string | null; filtersHash: string };
}

export interface ListingLimits {
  /** First page size. */
  pageSize: number;
  /** Widest page the API serves (Graph: 1,000 messages). */
  maxPageSize: number;
}

export type ListingStep =
  | { kind: "list"; receivedFrom: Date | null; receivedBefore: Date | null; top: number }
  | { kind: "tie"; link: string | null };

export function newListingCursor(
  range: Pick<ListingCursor, "from" | "before" | "completes">,
): ListingCursor {
  return { ...range, after: null, seenAtAfter: [] };
}

/** The request that continues the listing. */
export function nextListingStep(cursor: ListingCursor, limits: ListingLimits): ListingStep {
  if (cursor.tie) return { kind: "tie", link: cursor.tie.link };
  const lower = cursor.after ?? cursor.from;
  return {
    kind: "list",
    receivedFrom: lower === null ? null : new Date(lower),
    receivedBefore: cursor.before === null ? null : new Date(cursor.before),
    top: cursor.top ?? limits.pageSize,
  };
}

export interface ListingAdvance<T> {
  /** Messages of the page not handed out before, in page order. */
  fresh: T[];
  cursor: ListingCursor;
  /** The range is fully listed. */
  done: boolean;
}

const second = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Folds in the answer to a `list` step (received time ascending, at most `top` messages). */
export function afterListingPage<T extends ListedMessage>(
  cursor: ListingCursor,
  page: readonly T[],
  limits: ListingLimits,
): ListingAdvance<T> {
  const top = cursor.top ?? limits.pageSize;
  const boundary = cursor.after === null ? null : second(new Date(cursor.after));
  const seen = new Set(cursor.seenAtAfter);
  const fresh = page.filter((m) => !(second(m.receivedAt) === boundary && seen.has(m.id)));
  if (page.length < top) return { fresh, cursor, done: true };

  const dated = page.filter((m) => !m.undated);
  const lower = cursor.after ?? cursor.from;
  // Ascending order puts the greatest second last; never move below where this page started.
  const last = Math.max(
    lower === null ? -Infinity : second(new Date(lower)),
    ...dated.map((m) => second(m.receivedAt)),
  );
  const atLast = dated.filter((m) => second(m.receivedAt) === last).map((m) => m.id);
  if (last !== boundary && Number.isFinite(last)) {
    // The usual step: resume at the last second, skipping the ids of it handed out here.
    const after = new Date(last * 1000).toISOString();
    return { fresh, cursor: { ...cursor, after, seenAtAfter: atLast }, done: false };
  }
  // The whole page lies in the boundary second: that tie has at least `top` messages.
  for (const id of atLast) seen.add(id);
  const seenAtAfter = [...seen];
  if (top < limits.maxPageSize) {
    const wider = Math.min(top * 2, limits.maxPageSize);
    return { fresh, cursor: { ...cursor, seenAtAfter, top: wider }, done: false };
  }
  return {
    fresh,
    cursor: { ...cursor, seenAtAfter, tie: { at: cursor.after!, link: null } },
    done: false,
  };
}

/** Folds in a page of the folder's unfiltered delta while walking a tie second. */
export function afterTiePage<T extends ListedMessage>(
  cursor: ListingCursor,
  page: { messages: readonly T[]; nextLink: string | null },
): ListingAdvance<T> {
  const tie = cursor.tie!;
  const at = second(new Date(tie.at));
  const seen = new Set(cursor.seenAtAfter);
  const fresh = page.messages.filter((m) => second(m.receivedAt) === at && !seen.has(m.id));
  if (page.nextLink !== null) {
    return { fresh, cursor: { ...cursor, tie: { at: tie.at, link: page.nextLink } }, done: false };
  }
  // Every message of that second is handed out: the keyset resumes at the next second.
  const { tie: _done, ...rest } = cursor;
  const after = new Date((at + 1) * 1000).toISOString();
  return { fresh, cursor: { ...rest, after, seenAtAfter: [] }, done: false };
}
