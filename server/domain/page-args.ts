import { badInput } from "./errors.js";

/**
 * Rule "a page asks for 1 to `max` items after a cursor the API gave": the page arguments of the
 * paged reads (messages, the audit log, skipped messages) are checked here, BAD_USER_INPUT naming
 * `first` or `after` otherwise; larger pages are refused rather than silently cut.
 */
export function validatePageArgs(
  args: { first: number; after?: string | null },
  rule: { max: number; cursor?: RegExp; cursorHint?: string },
): void {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > rule.max)
    throw badInput("first", `first must be from 1 to ${rule.max}.`);
  if (args.after != null && rule.cursor && !rule.cursor.test(args.after))
    throw badInput(
      "after",
      `after must be ${rule.cursorHint ?? "a cursor returned by a previous page"}.`,
    );
}
