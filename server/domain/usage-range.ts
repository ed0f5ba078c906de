import { badInput } from "./errors.js";

/** Days the usage history answers when no range is given (today included). */
export const DEFAULT_USAGE_DAYS = 30;
/** Longest range one query may ask for. */
export const MAX_USAGE_DAYS = 366;

const DAY_MS = 24 * 3600 * 1000;
const dayOf = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The UTC days [fromDay, toDay] of a usage history query: `to` defaults to today, `from` to
 * 29 days before `to`; both are taken by their UTC day, and the range is at most a year.
 */
export function usageRange(
  from: Date | null | undefined,
  to: Date | null | undefined,
  now: Date,
): { fromDay: string; toDay: string } {
  for (const [field, date] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (date && Number.isNaN(date.getTime()))
      throw badInput(field, `${field} must be a date-time.`);
  }
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - (DEFAULT_USAGE_DAYS - 1) * DAY_MS);
  const fromDay = dayOf(start);
  const toDay = dayOf(end);
  if (fromDay > toDay) throw badInput("from", "from must not be after to.");
  const days = (Date.parse(toDay) - Date.parse(fromDay)) / DAY_MS + 1;
  if (days > MAX_USAGE_DAYS) {
    throw badInput(
      "from",
      `A usage history covers at most ${MAX_USAGE_DAYS} days; ask for a shorter range.`,
    );
  }
  return { fromDay, toDay };
}
