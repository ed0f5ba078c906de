import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import { DeleteIntegrationDocument } from "../../gql/graphql";
import { ConfirmDialog } from "../../ui/dialog";
import { toast } from "../../ui/feedback";
import { Icon } from "../../ui/icons";

/** The guide's trash icon: deletes an integration after a confirmation that says what stays. */
export function DeleteIntegrationButton({
  integrationId,
  label,
  onDeleted,
}: {
  integrationId: string;
  label: string;
  onDeleted?: () => void;
}) {
  const [removal, remove] = useMutation(DeleteIntegrationDocument);
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button
        type="button"
        class="btn btn-ghost btn-icon btn-danger-ghost"
        aria-label={`Delete ${label}`}
        title="Delete integration"
        onClick={() => setConfirming(true)}
      >
        <Icon name="trash" />
      </button>
      <ConfirmDialog
        open={confirming}
        title={`Delete ${label}?`}
        confirmLabel="Delete integration"
        danger
        busy={removal.fetching}
        error={errorMessage(removal.error)}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          const outcome = await remove(
            { id: integrationId },
            { additionalTypenames: ["Integration"] },
          );
          if (!outcome.error) {
            setConfirming(false);
            toast(`${label} deleted.`);
            onDeleted?.();
          }
        }}
      >
        <p>
          Syncing stops at once and the integration's configuration and stored credentials are
          removed. <strong>Buckets and the messages already synced into them stay.</strong>
        </p>
        <p class="muted">This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
