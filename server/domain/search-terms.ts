import { badInput } from "./errors.js";
import { INPUT_LIMITS } from "./input-limits.js";

/**
 * Rule "search matches words of the subject, the body and the participants' names and addresses"
 * (DOMAIN.md, Buckets). Both databases index the same words, cut here rather than by their own
 * parsers (which disagree: PostgreSQL keeps `alice@fabrikam.com` whole, SQLite splits it):
 * a word is a run of letters and digits, lower-cased, without accents, so `Rénové` is `renove`
 * and `alice@fabrikam.com` is `alice`, `fabrikam` and `com`. A search is the words of its text,
 * all of which must occur; the last one, from two characters, may be the start of a word (search
 * as you type). Since
 * only letters and digits reach the databases' query syntax, quotes, `*`, `NEAR`, `OR`, `-` and
 * the like in a search are just separators (no query-syntax injection).
 */

/** Longest text indexed per message part (PostgreSQL's tsvector holds at most 1 MB). */
export const MAX_INDEXED_CHARS = 100_000;

/** Most words one search may combine. */
export const MAX_SEARCH_WORDS = 16;

/** Longest word kept (longer runs are not words people search for: hashes, base64). */
const MAX_WORD_CHARS = 100;

export function searchWords(text: string): string[] {
  const folded = text
    .slice(0, MAX_INDEXED_CHARS)
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  return (folded.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length <= MAX_WORD_CHARS);
}

/** The text a database indexes for a part of a message: its words, space-separated. */
export const indexedText = (text: string): string => searchWords(text).join(" ");

export interface SearchQuery {
  /** Whole words that must all occur. */
  words: string[];
  /**
   * The last word of the search, matched as the start of a word; null when it is one character
   * (then a whole word among `words`): a single letter starts too many words to mean anything.
   */
  prefix: string | null;
}

/** Shortest last word matched as the start of a word. */
export const MIN_PREFIX_CHARS = 2;

/** The words of a search, or a refusal naming `field` when it has none. */
export function parseSearch(text: string, field = "filter.search"): SearchQuery {
  if (text.length > INPUT_LIMITS.maxTextLength) {
    throw badInput(field, `A search has at most ${INPUT_LIMITS.maxTextLength} characters.`);
  }
  const words = [...new Set(searchWords(text))];
  if (words.length === 0) {
    throw badInput(
      field,
      "A search needs at least one word (letters or digits); punctuation alone matches nothing.",
    );
  }
  if (words.length > MAX_SEARCH_WORDS) {
    throw badInput(field, `A search combines at most ${MAX_SEARCH_WORDS} words.`);
  }
  const last = words.at(-1)!;
  return [...last].length < MIN_PREFIX_CHARS
    ? { words, prefix: null }
    : { words: words.slice(0, -1), prefix: last };
}

/** SQLite FTS5 MATCH text: quoted strings only (every term is letters and digits). */
export function fts5Query(query: SearchQuery): string {
  const words = query.words.map((w) => `"${w}"`);
  return (query.prefix === null ? words : [...words, `"${query.prefix}"*`]).join(" ");
}

/** PostgreSQL to_tsquery('simple', …) text: `&` of words, the last as a prefix. */
export function tsQuery(query: SearchQuery): string {
  return (query.prefix === null ? query.words : [...query.words, `${query.prefix}:*`]).join(" & ");
}
