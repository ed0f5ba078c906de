import { badInput } from "./errors.js";
import { quoted } from "./message-text.js";

/** Projects, integrations and buckets share one API name pattern (DOMAIN.md "Projects"). */
export const API_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
export const API_NAME_MAX_LENGTH = 256;

const ALLOWED = 'letters A-Z and a-z, digits 0-9, "_" and "-"';

/**
 * Rule "API name": 1–256 characters from A-Z, a-z, 0-9, `_` and `-`. Nothing is trimmed or
 * rewritten, because names are immutable identifiers used in URLs and scripts: a name that silently
 * differed from what the caller typed would be worse than a refusal.
 */
export function validateApiName(field: string, value: string): string {
  if (API_NAME_PATTERN.test(value)) return value;
  if (value.length === 0) {
    throw badInput(field, `API name is empty; use 1 to ${API_NAME_MAX_LENGTH} ${ALLOWED}.`);
  }
  if (value.length > API_NAME_MAX_LENGTH) {
    throw badInput(
      field,
      `API name is ${value.length} characters long; at most ${API_NAME_MAX_LENGTH} are allowed (${ALLOWED}).`,
    );
  }
  const bad = [...value].find((ch) => !/^[A-Za-z0-9_-]$/.test(ch)) ?? "";
  throw badInput(
    field,
    `API name ${quoted(value)} contains ${describeChar(bad)}; only ${ALLOWED} are allowed (at most ${API_NAME_MAX_LENGTH} characters).`,
  );
}

function describeChar(ch: string): string {
  if (ch === " ") return "a space";
  if (/\s/.test(ch)) return "whitespace";
  return `"${ch}"`;
}
