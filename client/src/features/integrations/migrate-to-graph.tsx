import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorFor, formErrors, noErrors, unplacedErrors, type FormErrors } from "../../api/errors";
import { UpdateIntegrationConnectionDocument } from "../../gql/graphql";
import { ChoiceGroup, TextField } from "../../ui/controls";
import { Dialog } from "../../ui/dialog";
import { toast } from "../../ui/feedback";
import { Icon } from "../../ui/icons";
import { connectionProblems, refusalsInFormWords } from "./connection-rules";
import { CredentialFields } from "./credential-fields";
import {
  emptyConnection,
  toConnectionInput,
  type ConnectionDraft,
} from "./wizard/connection-draft";

/**
 * "Migrate to Graph" on an EWS integration (Exchange Online retires EWS): the same integration
 * gets a Graph connection through updateIntegrationConnection. Its mailboxes, filters, buckets,
 * messages and usage stay; the mailboxes are enumerated again through Graph, and a message
 * already stored is recognised (by its Internet message id) and neither duplicated nor charged.
 */
export function MigrateToGraph({
  integration,
}: {
  integration: {
    id: string;
    title: string;
    name: string;
    authorityUrl?: string | null;
    clientId?: string | null;
  };
}) {
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState<ConnectionDraft>({
    ...emptyConnection,
    authorityUrl: integration.authorityUrl ?? "",
    clientId: integration.clientId ?? "",
  });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saving, update] = useMutation(UpdateIntegrationConnectionDocument);
  const set = <K extends keyof ConnectionDraft>(key: K, value: ConnectionDraft[K]) =>
    setDraft({ ...draft, [key]: value });

  const submit = async () => {
    const problems = connectionProblems(draft);
    if (Object.keys(problems).length > 0) return setErrors({ fields: problems, general: [] });
    setErrors(noErrors);
    const outcome = await update(
      { id: integration.id, connection: toConnectionInput(draft) },
      { additionalTypenames: ["Integration"] },
    );
    if (outcome.data) {
      toast(`${integration.title || integration.name} now reads its mailboxes through Graph.`);
      setOpen(false);
    } else {
      setErrors(refusalsInFormWords(formErrors(outcome.error)));
    }
  };

  return (
    <>
      <button type="button" class="btn" onClick={() => setOpen(true)}>
        <Icon name="refresh" /> Migrate to Graph
      </button>
      {open && (
        <Dialog
          open
          wide
          title="Migrate to Graph"
          onClose={() => setOpen(false)}
          footer={
            <>
              <button type="button" class="btn" onClick={() => setOpen(false)}>
                Cancel
              </button>
              <button
                type="button"
                class="btn btn-primary"
                disabled={saving.fetching}
                onClick={submit}
              >
                {saving.fetching ? "Validating…" : "Validate & migrate"}
              </button>
            </>
          }
        >
          <div class="callout callout-info migrate-explanation">
            <div class="callout-body">
              <strong>What happens</strong>
              <ul>
                <li>
                  The mailboxes, their filters, the buckets, the messages already synced and the
                  usage stay as they are.
                </li>
                <li>
                  Each mailbox is enumerated again through Microsoft Graph; a message already in its
                  bucket is recognised and neither stored twice nor charged again.
                </li>
                <li>
                  The EWS settings (URL, service user) are replaced by the app registration below;
                  it needs the Mail.Read application permission with admin consent.
                </li>
              </ul>
            </div>
          </div>
          {unplacedErrors(errors, Object.keys(draft)).map((e) => (
            <p key={e} class="form-error" role="alert">
              {e}
            </p>
          ))}
          <div class="form">
            <div class="form-grid">
              <TextField
                label="OAuth authority URL"
                value={draft.authorityUrl}
                onValue={(v) => set("authorityUrl", v)}
                required
                mono
                spellcheck={false}
                placeholder="https://login.microsoftonline.com/{tenant_id}"
                error={errorFor(errors, "authorityUrl")}
              />
              <TextField
                label="OAuth client ID"
                value={draft.clientId}
                onValue={(v) => set("clientId", v)}
                required
                mono
                spellcheck={false}
                error={errorFor(errors, "clientId")}
              />
            </div>
            <ChoiceGroup
              legend="Authentication method"
              name={`migrate-${integration.id}-auth`}
              compact
              value={draft.authMethod}
              onChange={(v) => set("authMethod", v)}
              choices={[
                { value: "CLIENT_SECRET", label: "With client secret" },
                { value: "CERTIFICATE", label: "With private key & thumbprint" },
              ]}
            />
            <CredentialFields draft={draft} onChange={set} errors={errors} />
            <TextField
              label="Graph endpoint"
              value={draft.graphEndpoint}
              onValue={(v) => set("graphEndpoint", v)}
              mono
              spellcheck={false}
              placeholder="https://graph.microsoft.com"
              hint="Leave empty for the global cloud."
              error={errorFor(errors, "graphEndpoint")}
            />
          </div>
        </Dialog>
      )}
    </>
  );
}
