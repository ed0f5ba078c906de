import { badInput } from "./errors.js";

/**
 * Search, sort and paging of the short lists (integrations, buckets, streams, tokens): a
 * case-insensitive substring of the name or title, an order, and an optional window. Pure: the
 * lists are read whole (a project has hundreds of them, not millions) and narrowed here.
 */
export type ListOrder = "NAME_ASC" | "NAME_DESC" | "NEWEST_FIRST" | "OLDEST_FIRST";

export interface ListQuery {
  search?: string | null;
  orderBy?: ListOrder | null;
  first?: number | null;
  offset?: number | null;
}

export interface Listed {
  name: string;
  title?: string | null;
  createdAt: Date;
}

const MAX_SEARCH = 256;
export const MAX_LIST_PAGE = 1_000;

export function applyListQuery<T extends Listed>(rows: readonly T[], query: ListQuery): T[] {
  const search = query.search?.trim().toLowerCase() ?? "";
  if (search.length > MAX_SEARCH) {
    throw badInput("search", `search has at most ${MAX_SEARCH} characters.`);
  }
  const { first, offset } = query;
  if (
    first !== null &&
    first !== undefined &&
    (!Number.isInteger(first) || first < 1 || first > MAX_LIST_PAGE)
  ) {
    throw badInput("first", `first must be from 1 to ${MAX_LIST_PAGE}.`);
  }
  if (offset !== null && offset !== undefined && (!Number.isInteger(offset) || offset < 0)) {
    throw badInput("offset", "offset must be a whole number, 0 or more.");
  }
  const matching = search
    ? rows.filter(
        (r) =>
          r.name.toLowerCase().includes(search) || (r.title ?? "").toLowerCase().includes(search),
      )
    : [...rows];
  const byName = (a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const byCreated = (a: T, b: T) => a.createdAt.getTime() - b.createdAt.getTime() || byName(a, b);
  // No order asked for: the list's own (by name; tokens oldest first), as read.
  const order = query.orderBy;
  if (order)
    matching.sort(
      order === "NAME_ASC"
        ? byName
        : order === "NAME_DESC"
          ? (a, b) => byName(b, a)
          : order === "OLDEST_FIRST"
            ? byCreated
            : (a, b) => byCreated(b, a),
    );
  const start = offset ?? 0;
  return matching.slice(start, first ? start + first : undefined);
}
