import type { ClassifiedError, MailSourceErrorKind } from "./mail-source.js";

/** An error the exchange module classified by Graph/AADSTS code. */
export function classified(error: unknown): ClassifiedError | null {
  if (typeof error === "object" && error !== null && "kind" in error && "message" in error) {
    const kind = (error as { kind: unknown }).kind;
    const kinds: MailSourceErrorKind[] = [
      "temporary",
      "credentials",
      "permission",
      "not_found",
      "sync_state_expired",
    ];
    if (typeof kind === "string" && (kinds as string[]).includes(kind)) {
      const code = (error as { code?: unknown }).code;
      return {
        kind: kind as MailSourceErrorKind,
        message: String((error as { message: unknown }).message),
        ...(typeof code === "string" ? { code } : {}),
      };
    }
  }
  return null;
}

/** Thrown at a page boundary when the round must stop (disabled, deleted, shutting down). */
export class RoundStopped extends Error {
  constructor(readonly reason: string) {
    super(`sync round stopped: ${reason}`);
  }
}

/** Thrown when the project's unit budget ran out while storing. */
/** In words a dashboard user acts on (no API field names): where to raise the budget. */
export const QUOTA_MESSAGE =
  "The project's unit budget is used up, so syncing is paused: raise the budget on the Usage page (or remove it), and paused integrations resume by themselves.";

export class QuotaReached extends Error {
  constructor() {
    super(QUOTA_MESSAGE);
  }
}
