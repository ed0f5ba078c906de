import { badInput } from "./errors.js";

/** How long before a recorded expiry the integration warns (the guide suggests 12-month secrets). */
export const SECRET_EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 3600 * 1000;

export function validateSecretExpiry(
  value: Date | null | undefined,
  field: string,
): Date | null | undefined {
  if (value && Number.isNaN(value.getTime()))
    throw badInput(field, "secretExpiresAt must be a date-time.");
  return value;
}

/**
 * The expiry a connection keeps after an update: the one given (null clears it); else none when a
 * new secret or key replaces the old one (its expiry is unknown); else the stored one.
 */
export function nextSecretExpiry(
  given: Date | null | undefined,
  newSecret: boolean,
  stored: Date | null,
): Date | null {
  if (given !== undefined) return given;
  return newSecret ? null : stored;
}

/** A warning when the recorded expiry is within 30 days (or past), else null. */
export function secretExpiryWarning(expiresAt: Date | null, now: Date): string | null {
  if (!expiresAt) return null;
  const days = Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS);
  const day = expiresAt.toISOString().slice(0, 10);
  const what =
    "create a new client secret (or certificate) in Azure (App registrations → Certificates & secrets) and save it on this integration's connection";
  if (days <= 0) {
    return `The secret expired on ${day}: Microsoft refuses it from then on, so syncing stops. ${what[0]!.toUpperCase()}${what.slice(1)}.`;
  }
  if (days > SECRET_EXPIRY_WARNING_DAYS) return null;
  return `The secret expires on ${day} (in ${days} day${days === 1 ? "" : "s"}): ${what} before then.`;
}
