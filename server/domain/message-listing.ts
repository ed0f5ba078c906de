import { validateDomainName } from "./domain-name.js";
import { validateEmailAddress } from "./email-address.js";
import { badInput } from "./errors.js";
import { formatFolderPath, parseFolderPath } from "./folder-path.js";
import { parseSearch, type SearchQuery } from "./search-terms.js";

/**
 * Rules of a bucket's message list (DOMAIN.md, Buckets): newest received first by default, oldest
 * first on request, keyset cursors on (received time, id) — a total order, so a cursor stays valid
 * while mail arrives (a message received later than the page start never shifts the pages after
 * it) — and a filter whose folder, participant and domain are validated rather than matching
 * nothing silently. Pure: server/storage/message-queries.ts runs the SQL.
 */
export type MessageOrder = "NEWEST_FIRST" | "OLDEST_FIRST" | "RELEVANCE";

/** Where a page ends: the last message's received time and id. */
export interface MessageKey {
  receivedAt: Date;
  id: string;
}

const CURSOR = /^(\d{1,15}):([A-Za-z0-9-]{1,36})$/;
const OFFSET_CURSOR = /^o:(\d{1,9})$/;

/** An opaque cursor (base64url of `<received ms>:<id>`). */
export function encodeMessageCursor(key: MessageKey): string {
  return Buffer.from(`${key.receivedAt.getTime()}:${key.id}`, "utf8").toString("base64url");
}

/**
 * Relevance order has no key that stays put as mail arrives (ranks depend on the other messages),
 * so its cursors are positions: `o:<messages before the next page>`.
 */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, "utf8").toString("base64url");
}

export type DecodedCursor = { key: MessageKey } | { offset: number };

export function decodeMessageCursor(
  cursor: string,
  order: MessageOrder,
  field = "after",
): DecodedCursor {
  const text = /^[A-Za-z0-9_-]{1,80}$/.test(cursor)
    ? Buffer.from(cursor, "base64url").toString("utf8")
    : "";
  const keyed = order === "RELEVANCE" ? null : CURSOR.exec(text);
  if (keyed) return { key: { receivedAt: new Date(Number(keyed[1])), id: keyed[2]! } };
  const offset = order === "RELEVANCE" ? OFFSET_CURSOR.exec(text) : null;
  if (offset) return { offset: Number(offset[1]) };
  throw badInput(
    field,
    `${field} must be a cursor returned by a previous page of this list in the same order (pageInfo.endCursor or an edge's cursor).`,
  );
}

/** The first folder names every Exchange folder path of a message starts with. */
export const MESSAGE_ROOT = ["Root", "Top of Information Store"] as const;

/** A validated message filter, in the forms the stored columns are compared in. */
export interface MessageFilterKeys {
  receivedFrom: Date | null;
  receivedTo: Date | null;
  /**
   * Lower-cased escaped folder paths, any of which selects a folder and the folders below it: the
   * path as written, and the same path below `Root/Top of Information Store` when it does not
   * start at the root (`Inbox/Orders` is what users see).
   */
  folders: string[] | null;
  /** A lower-cased address. */
  participant: string | null;
  /** A lower-cased domain. */
  domain: string | null;
  search: SearchQuery | null;
}

export interface MessageFilterInput {
  receivedFrom?: Date | null;
  receivedTo?: Date | null;
  folder?: string | null;
  participant?: string | null;
  domain?: string | null;
  search?: string | null;
}

const lower = (segments: readonly string[]) => formatFolderPath(segments).toLowerCase();

/** The folder paths a folder filter entry stands for (see {@link MessageFilterKeys.folders}). */
export function folderFilterPaths(text: string, field = "filter.folder"): string[] {
  const segments = parseFolderPath(text, field);
  const first = segments[0]!.toLowerCase();
  if (first === MESSAGE_ROOT[0].toLowerCase()) return [lower(segments)];
  if (first === MESSAGE_ROOT[1].toLowerCase()) return [lower([MESSAGE_ROOT[0], ...segments])];
  return [lower(segments), lower([...MESSAGE_ROOT, ...segments])];
}

const blank = (value: string | null | undefined): value is null | undefined | "" =>
  value === null || value === undefined || value.trim() === "";

export function messageFilterKeys(
  filter: MessageFilterInput | null,
  field = "filter",
): MessageFilterKeys {
  const f = filter ?? {};
  for (const key of ["receivedFrom", "receivedTo"] as const) {
    const date = f[key];
    if (date && Number.isNaN(date.getTime()))
      throw badInput(`${field}.${key}`, `${key} must be a date-time.`);
  }
  let domain: string | null = null;
  if (!blank(f.domain)) {
    const text = f.domain.trim().replace(/^@/, "");
    validateDomainName(`${field}.domain`, text);
    domain = text.replace(/\.$/, "").toLowerCase();
  }
  return {
    receivedFrom: f.receivedFrom ?? null,
    receivedTo: f.receivedTo ?? null,
    folders: blank(f.folder) ? null : folderFilterPaths(f.folder, `${field}.folder`),
    participant: blank(f.participant)
      ? null
      : validateEmailAddress(`${field}.participant`, f.participant),
    domain,
    search: blank(f.search) ? null : parseSearch(f.search, `${field}.search`),
  };
}
