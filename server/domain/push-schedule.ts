import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Pure rules of change-notification subscriptions (docs/push.md): when to renew, when to try
 * again after a failure, and how a notification's clientState is compared.
 */

/** The renewal falls at `renewBefore` ahead of expiry, but never in the first tenth of what is left. */
export function renewalTime(now: Date, expiresAt: Date, renewBeforeSeconds: number): Date {
  const left = expiresAt.getTime() - now.getTime();
  const byLead = expiresAt.getTime() - renewBeforeSeconds * 1000;
  return new Date(Math.max(byLead, now.getTime() + Math.max(0, left) / 10));
}

const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 60 * 60_000;

/** After the n-th failure in a row (n ≥ 1): 1 min, 2, 4 … up to an hour. */
export function retryDelayMs(failures: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1), LONGEST_RETRY_MS);
}

/**
 * A failed renewal is retried sooner than a refused creation (the subscription still works until
 * it expires), but never after the expiry itself.
 */
export function renewalRetryTime(now: Date, expiresAt: Date, failures: number): Date {
  const retry = now.getTime() + Math.min(retryDelayMs(failures) / 4, 15 * 60_000);
  return new Date(Math.min(retry, expiresAt.getTime()));
}

/**
 * Whether a notification's clientState is the one stored, in time independent of where they
 * differ (both are hashed first, so lengths do not leak either). A missing value never matches.
 */
export function clientStateMatches(expected: string, received: unknown): boolean {
  if (typeof received !== "string" || received.length === 0 || expected.length === 0) return false;
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(received, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * The longest lifetime Graph names when it refuses an expiration ("Subscription expiration can
 * only be 4230 minutes in the future."), in minutes, minus one for the time the retry takes; null
 * when the refusal is about something else.
 */
export function lifetimeFromRefusal(status: number | null, message: string): number | null {
  if (status !== 400) return null;
  const match = /expiration[^.]*?\b(\d{2,6}) minutes/i.exec(message);
  if (!match) return null;
  const minutes = Number(match[1]);
  return minutes > 1 ? minutes - 1 : null;
}
