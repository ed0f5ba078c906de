import type { CombinedError } from "@urql/preact";

/**
 * Server refusals carry `extensions.code` and, for BAD_USER_INPUT, `extensions.field`: the dotted
 * input path (`input.connection.clientId`, `input.mailboxes.0.filters.allowedFolders.2`). Forms
 * show each message next to the field it names; the rest is shown above the form.
 */
export interface FormErrors {
  /** Field path without the leading `input.` → message. */
  fields: Record<string, string>;
  general: string[];
}

export const noErrors: FormErrors = { fields: {}, general: [] };

const STRIP_PREFIXES = ["input.", "connection.", "mailbox."];

export function normalizeFieldPath(path: string): string {
  let result = path;
  for (const prefix of STRIP_PREFIXES)
    if (result.startsWith(prefix)) result = result.slice(prefix.length);
  return result;
}

export function formErrors(error: CombinedError | undefined | null): FormErrors {
  if (!error) return noErrors;
  const fields: Record<string, string> = {};
  const general: string[] = [];
  if (error.networkError && error.graphQLErrors.length === 0) {
    general.push("The server could not be reached. Check your connection and try again.");
  }
  for (const e of error.graphQLErrors) {
    const field = e.extensions?.field;
    if (typeof field === "string" && field !== "") {
      const key = normalizeFieldPath(field);
      fields[key] ??= e.message;
    } else {
      general.push(describeError(e.message, e.extensions?.code));
    }
  }
  return { fields, general };
}

/** The message for a field, or for anything below it (`filters.allowedFolders` ← `filters.allowedFolders.1`). */
export function errorFor(errors: FormErrors, ...keys: string[]): string | undefined {
  for (const key of keys) {
    if (errors.fields[key]) return errors.fields[key];
    const below = Object.keys(errors.fields).find((k) => k.startsWith(`${key}.`));
    if (below) return errors.fields[below];
  }
  return undefined;
}

function describeError(message: string, code: unknown): string {
  switch (code) {
    case "FORBIDDEN":
      return `Your token may not do this: ${message}`;
    case "INTERNAL_SERVER_ERROR":
      return `The server failed unexpectedly: ${message}`;
    default:
      return message;
  }
}

export function errorMessage(error: CombinedError | undefined | null): string | null {
  if (!error) return null;
  const errors = formErrors(error);
  return [...errors.general, ...Object.values(errors.fields)].join(" ") || error.message;
}

/**
 * Messages a form has no field for (e.g. a rule about the whole input), so none is lost: the
 * general errors plus field errors whose path starts with none of `shown`.
 */
export function unplacedErrors(errors: FormErrors, shown: readonly string[]): string[] {
  const placed = (key: string) => shown.some((s) => key === s || key.startsWith(`${s}.`));
  return [
    ...errors.general,
    ...Object.entries(errors.fields)
      .filter(([key]) => !placed(key))
      .map(([, message]) => message),
  ];
}
