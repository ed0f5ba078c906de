import type { CombinedError } from "@urql/preact";
import { errorMessage } from "../../api/errors";
import { Link } from "../../router";
import { Icon } from "../../ui/icons";

/** Why turning an integration on (or off) was refused; `quota`: the project's budget is used up. */
export interface Refusal {
  message: string;
  quota: boolean;
}

export function enableRefusal(error: CombinedError): Refusal {
  const quota = error.graphQLErrors.some(
    (e) => e.extensions?.reason === "QUOTA" || /budget/i.test(e.message),
  );
  return {
    quota,
    message: quota
      ? "Not turned on: the project's unit budget is used up, so it would stop again at once."
      : (errorMessage(error) ?? "Could not change the integration."),
  };
}

/** The refusal next to the switch, with the way out (the Usage page) when it is the budget. */
export function EnableRefusal({ refusal, onDismiss }: { refusal: Refusal; onDismiss: () => void }) {
  return (
    <span class="error-line refusal" role="alert">
      <Icon name="alert" size={14} /> {refusal.message}{" "}
      {refusal.quota && <Link href="/usage">Raise the budget on the Usage page</Link>}
      <button type="button" class="btn btn-ghost btn-xs" onClick={onDismiss}>
        Dismiss
      </button>
    </span>
  );
}

/**
 * Why syncing paused over the budget and where to fix it, in the form's words: the integration
 * page's banner and its mailbox cards say the same. Raising (or removing) the budget resumes the
 * integrations it paused (updateProject), so nothing needs turning on again.
 */
export function QuotaExplanation() {
  return (
    <>
      The project's unit budget is used up, so syncing is paused. Raise the budget (or remove it) on
      the <Link href="/usage">Usage page</Link>, and syncing resumes by itself.
    </>
  );
}

/** Microsoft's own words, one click away from the plain summary. */
export function ErrorDetails({ raw, summary }: { raw: string; summary?: string }) {
  return (
    <details class="error-details">
      <summary>{summary ?? "Details"}</summary>
      <code>{raw}</code>
    </details>
  );
}
