import { badInput } from "./errors.js";

/**
 * Rule "inputs have sizes a person would give": every free text, list and list entry the API
 * stores has a ceiling, so one request cannot store megabytes of title or tens of thousands of
 * filters (each of which every synced message is then checked against). Names have their own
 * rules (names.ts: 1–256 characters; addresses: email-address.ts).
 */
export const INPUT_LIMITS = {
  /** Titles and descriptions of projects, buckets, integrations and streams, in characters. */
  maxTextLength: 10_000,
  /** Entries of one filter list (folders, participants, domains) or of a stream's buckets. */
  maxListEntries: 1_000,
  /** Characters of one list entry (a folder path, an address, a domain pattern). */
  maxEntryLength: 1_024,
  /** Mailboxes in one call (createIntegration, validateCredentials). */
  maxMailboxesPerCall: 500,
} as const;

/** `value` when it is at most maxTextLength characters long; BAD_USER_INPUT at `field` otherwise. */
export function limitText<T extends string | null | undefined>(field: string, value: T): T {
  if (typeof value === "string" && value.length > INPUT_LIMITS.maxTextLength) {
    throw badInput(
      field,
      `This text is ${value.length} characters long; at most ${INPUT_LIMITS.maxTextLength} are allowed.`,
    );
  }
  return value;
}

/**
 * `values` when the list has at most `maxEntries` entries, each at most maxEntryLength
 * characters; BAD_USER_INPUT at `field` (or `field.i` for an entry) otherwise.
 */
export function limitList<T extends readonly string[] | null | undefined>(
  field: string,
  values: T,
  maxEntries: number = INPUT_LIMITS.maxListEntries,
): T {
  if (!values) return values;
  limitCount(field, values.length, maxEntries);
  values.forEach((value, i) => {
    if (value.length > INPUT_LIMITS.maxEntryLength) {
      throw badInput(
        `${field}.${i}`,
        `This entry is ${value.length} characters long; at most ${INPUT_LIMITS.maxEntryLength} are allowed.`,
      );
    }
  });
  return values;
}

/** A list of any items (e.g. mailbox inputs) of at most `maxEntries`. */
export function limitCount(field: string, count: number, maxEntries: number): void {
  if (count > maxEntries) {
    throw badInput(
      field,
      `This list has ${count} entries; at most ${maxEntries} are allowed in one call.`,
    );
  }
}
