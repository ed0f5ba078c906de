import {
  validateBucketChoice,
  type BucketChoice,
  type BucketChoiceInput,
} from "./bucket-choice.js";
import { validateDomainPatterns } from "./domain-pattern.js";
import { emailKey, validateEmailAddress } from "./email-address.js";
import { badInput } from "./errors.js";
import { fieldPath } from "./field-path.js";
import { limitList } from "./input-limits.js";
import { validateFolderFilters } from "./folder-filter.js";
import { validateParticipantList } from "./participant-filter.js";

export {
  autoBucketName,
  validateBucketChoice,
  type BucketChoice,
  type BucketChoiceInput,
  type NewBucketInput,
} from "./bucket-choice.js";

/** A mailbox's filters in stored form (the mailbox row's `filters`). */
export interface MailboxFilters {
  allowedFolders: string[];
  deniedFolders: string[];
  allowedParticipants: string[];
  deniedParticipants: string[];
  allowedDomains: string[];
  deniedDomains: string[];
}

/** Filters as given: every list optional; null and absent mean the same. */
export type MailboxFiltersInput = { [K in keyof MailboxFilters]?: readonly string[] | null };

/** What a mailbox syncs, validated and normalized. */
export interface MailboxSyncSettings {
  /** Null exactly when `allTime` is true. */
  syncFrom: Date | null;
  allTime: boolean;
  filters: MailboxFilters;
  syncAttachments: boolean;
}

/** A validated new mailbox: normalized (lower-cased) address, settings and bucket choice. */
export interface ValidMailbox extends MailboxSyncSettings {
  email: string;
  bucket: BucketChoice;
}

/** A mailbox as given to createIntegration/addMailbox; null and absent mean the same. */
export interface MailboxInputValues {
  email: string;
  bucket?: BucketChoiceInput | null;
  syncFrom?: Date | null;
  allTime?: boolean | null;
  filters?: MailboxFiltersInput | null;
  syncAttachments?: boolean | null;
}

/**
 * A change to a mailbox: absent/null fields keep their value; a filter list given replaces the
 * stored one (an empty list clears it). The address is not part of it: checkpoints and synced
 * messages belong to the mailbox, so another address is another mailbox.
 */
export interface MailboxUpdateValues {
  syncFrom?: Date | null;
  allTime?: boolean | null;
  filters?: MailboxFiltersInput | null;
  syncAttachments?: boolean | null;
  /** The mailbox's own toggle; not a sync setting, so the service applies it, not these rules. */
  enabled?: boolean | null;
}

const TIME_RULE =
  "Time filter: give exactly one of syncFrom (sync messages received at or after that time) or allTime: true";

/**
 * Rule "time filter" (DOMAIN.md Mailboxes): exactly one of `syncFrom` or `allTime: true`.
 * `allTime: false` beside a `syncFrom` is not "both"; it restates the choice.
 */
export function validateTimeFilter(
  input: { syncFrom?: Date | null; allTime?: boolean | null },
  fieldPrefix: string,
): { syncFrom: Date | null; allTime: boolean } {
  const syncFrom = input.syncFrom ?? null;
  const allTime = input.allTime === true;
  if (syncFrom !== null && allTime) {
    throw badInput(fieldPath(fieldPrefix, "allTime"), `${TIME_RULE}, not both.`);
  }
  if (syncFrom === null && !allTime) {
    throw badInput(fieldPath(fieldPrefix, "syncFrom"), `${TIME_RULE}; neither was given.`);
  }
  if (syncFrom !== null) checkDate(fieldPath(fieldPrefix, "syncFrom"), syncFrom);
  return { syncFrom, allTime };
}

/**
 * Rules for a new mailbox (DOMAIN.md Mailboxes): validated address, time filter, folder filters,
 * participant and domain filters, bucket choice — checked in that order, the first broken rule
 * reported at its input path under `fieldPrefix`, e.g. `input.mailboxes.0.filters.deniedFolders.1`.
 */
export function validateMailboxInput(input: MailboxInputValues, fieldPrefix: string): ValidMailbox {
  const email = validateEmailAddress(fieldPath(fieldPrefix, "email"), input.email);
  const time = validateTimeFilter(input, fieldPrefix);
  const filters = validateFilters(input.filters ?? {}, fieldPath(fieldPrefix, "filters"));
  const bucket = validateBucketChoice(input.bucket, fieldPath(fieldPrefix, "bucket"));
  return { email, ...time, filters, syncAttachments: input.syncAttachments ?? false, bucket };
}

/**
 * Rule "email unique within an integration" for the mailboxes of one request (those already
 * stored are the service's to check, as CONFLICT). Each is validated by
 * {@link validateMailboxInput} at `fieldPrefix.i`.
 */
export function validateMailboxInputs(
  inputs: readonly MailboxInputValues[],
  fieldPrefix: string,
): ValidMailbox[] {
  const seen = new Map<string, number>();
  return inputs.map((input, i) => {
    const mailbox = validateMailboxInput(input, fieldPath(fieldPrefix, i));
    const key = emailKey(mailbox.email);
    const first = seen.get(key);
    if (first !== undefined) {
      throw badInput(
        fieldPath(fieldPrefix, i, "email"),
        `Mailbox ${mailbox.email} is listed twice (also at position ${first}); an integration holds each mailbox once.`,
      );
    }
    seen.set(key, i);
    return mailbox;
  });
}

/**
 * Rule "time filter" on update: giving `syncFrom` switches to it (allTime off), `allTime: true`
 * clears `syncFrom`, both at once are refused, and `allTime: false` alone is refused while the
 * mailbox syncs all time (that would leave neither). Filter lists given are validated together
 * with the kept ones, so a new denied folder cannot swallow a kept allowed one.
 */
export function validateMailboxUpdate(
  existing: MailboxSyncSettings,
  patch: MailboxUpdateValues,
  fieldPrefix: string,
): MailboxSyncSettings {
  const givenFrom = patch.syncFrom ?? null;
  let syncFrom = existing.syncFrom;
  let allTime = existing.allTime;
  if (givenFrom !== null && patch.allTime === true) {
    throw badInput(fieldPath(fieldPrefix, "allTime"), `${TIME_RULE}, not both.`);
  }
  if (givenFrom !== null) {
    checkDate(fieldPath(fieldPrefix, "syncFrom"), givenFrom);
    syncFrom = givenFrom;
    allTime = false;
  } else if (patch.allTime === true) {
    syncFrom = null;
    allTime = true;
  } else if (patch.allTime === false && existing.allTime) {
    throw badInput(
      fieldPath(fieldPrefix, "syncFrom"),
      `${TIME_RULE}; to turn allTime off, give the syncFrom to use instead.`,
    );
  }
  const merged: MailboxFiltersInput = { ...existing.filters };
  for (const key of FILTER_KEYS) {
    const value = patch.filters?.[key];
    if (value !== undefined && value !== null) merged[key] = value;
  }
  return {
    syncFrom,
    allTime,
    filters: validateFilters(merged, fieldPath(fieldPrefix, "filters")),
    syncAttachments: patch.syncAttachments ?? existing.syncAttachments,
  };
}

const FILTER_KEYS = [
  "allowedFolders",
  "deniedFolders",
  "allowedParticipants",
  "deniedParticipants",
  "allowedDomains",
  "deniedDomains",
] as const satisfies readonly (keyof MailboxFilters)[];

/** Folder, participant and domain filter rules for one mailbox; fields under `field.<list>.i`. */
export function validateFilters(lists: MailboxFiltersInput, field: string): MailboxFilters {
  for (const key of FILTER_KEYS) limitList(fieldPath(field, key), lists[key]);
  const folders = validateFolderFilters(
    lists.allowedFolders ?? [],
    lists.deniedFolders ?? [],
    field,
  );
  const participants = (key: "allowedParticipants" | "deniedParticipants"): string[] =>
    validateParticipantList(fieldPath(field, key), lists[key] ?? []);
  const domains = (key: "allowedDomains" | "deniedDomains"): string[] =>
    validateDomainPatterns(fieldPath(field, key), lists[key] ?? []);
  return {
    allowedFolders: folders.allowed,
    deniedFolders: folders.denied,
    allowedParticipants: participants("allowedParticipants"),
    deniedParticipants: participants("deniedParticipants"),
    allowedDomains: domains("allowedDomains"),
    deniedDomains: domains("deniedDomains"),
  };
}

function checkDate(field: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw badInput(field, "syncFrom is not a valid timestamp; give an ISO 8601 date-time.");
  }
}
