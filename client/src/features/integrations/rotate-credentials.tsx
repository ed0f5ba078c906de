import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorFor, formErrors, noErrors, unplacedErrors, type FormErrors } from "../../api/errors";
import {
  UpdateIntegrationConnectionDocument,
  type AccessMode,
  type AuthMethod,
  type ExchangeApi,
} from "../../gql/graphql";
import { SecretField, TextField } from "../../ui/controls";
import { Dialog } from "../../ui/dialog";
import { toast } from "../../ui/feedback";
import { formatDate, fromDateInput } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { connectionProblems, refusalsInFormWords } from "./connection-rules";
import { CredentialFields } from "./credential-fields";
import {
  emptyConnection,
  toConnectionInput,
  type ConnectionDraft,
} from "./wizard/connection-draft";

export interface RotatedIntegration {
  id: string;
  name: string;
  title: string;
  api: ExchangeApi;
  authMethod: AuthMethod;
  access: AccessMode;
  authorityUrl?: string | null;
  clientId?: string | null;
  graphEndpoint?: string | null;
  ewsUrl?: string | null;
  serviceUsername?: string | null;
  secretExpiresAt?: string | null;
}

/**
 * "Rotate credentials": a new client secret (or certificate), validated against Microsoft by
 * updateIntegrationConnection before it replaces the old one, with the date it expires (Azure
 * offers 12 months) so the page can warn 30 days before.
 */
export function RotateCredentials({ integration }: { integration: RotatedIntegration }) {
  const [open, setOpen] = useState(false);
  const start = (): ConnectionDraft => ({
    ...emptyConnection,
    api: integration.api,
    authMethod: integration.authMethod,
    access: integration.access,
    authorityUrl: integration.authorityUrl ?? "",
    clientId: integration.clientId ?? "",
    graphEndpoint: integration.api === "GRAPH" ? (integration.graphEndpoint ?? "") : "",
    ewsUrl: integration.ewsUrl ?? "",
    serviceUsername: integration.serviceUsername ?? "",
  });
  const [draft, setDraft] = useState<ConnectionDraft>(start);
  const [expires, setExpires] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saving, update] = useMutation(UpdateIntegrationConnectionDocument);
  const set = <K extends keyof ConnectionDraft>(key: K, value: ConnectionDraft[K]) =>
    setDraft({ ...draft, [key]: value });
  const label = integration.title || integration.name;

  const submit = async () => {
    const problems = connectionProblems(draft);
    if (Object.keys(problems).length > 0) return setErrors({ fields: problems, general: [] });
    setErrors(noErrors);
    const outcome = await update(
      {
        id: integration.id,
        connection: { ...toConnectionInput(draft), secretExpiresAt: fromDateInput(expires) },
      },
      { additionalTypenames: ["Integration"] },
    );
    if (outcome.data) {
      toast(`New credentials of ${label} validated and saved.`);
      setOpen(false);
    } else {
      setErrors(refusalsInFormWords(formErrors(outcome.error)));
    }
  };

  const secretLabel = integration.authMethod === "CERTIFICATE" ? "certificate" : "secret";
  return (
    <>
      <button
        type="button"
        class="btn"
        onClick={() => {
          setDraft(start());
          setExpires("");
          setErrors(noErrors);
          setOpen(true);
        }}
      >
        <Icon name="key" /> Rotate credentials
      </button>
      {open && (
        <Dialog
          open
          title={`Rotate credentials of ${label}`}
          description={`The new ${secretLabel} is checked against Microsoft first; the old one stays in use until it works.`}
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
                {saving.fetching ? "Validating…" : "Validate & replace"}
              </button>
            </>
          }
        >
          {unplacedErrors(errors, [...Object.keys(draft), "secretExpiresAt"]).map((e) => (
            <p key={e} class="form-error" role="alert">
              {e}
            </p>
          ))}
          <div class="form">
            <CredentialFields draft={draft} onChange={set} errors={errors} replacing />
            {draft.access === "SERVICE_USER" && (
              <SecretField
                label="Service user password"
                value={draft.servicePassword}
                onValue={(v) => set("servicePassword", v)}
                required
                error={errorFor(errors, "servicePassword")}
              />
            )}
            {draft.authMethod !== "NTLM" && (
              <TextField
                label="Expires on"
                type="date"
                value={expires}
                onValue={setExpires}
                hint={`Optional: the date Azure shows for the new ${secretLabel}; the page warns 30 days before.${integration.secretExpiresAt ? ` The current one expires ${formatDate(integration.secretExpiresAt)}.` : ""}`}
                error={errorFor(errors, "secretExpiresAt")}
              />
            )}
          </div>
        </Dialog>
      )}
    </>
  );
}
