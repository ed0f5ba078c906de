import { errorFor, type FormErrors } from "../../api/errors";
import { Field, SecretField, TextField } from "../../ui/controls";
import { Icon } from "../../ui/icons";
import type { ConnectionDraft } from "./wizard/connection-draft";

type CredentialKey = "clientSecret" | "privateKey" | "certificateThumbprint";

/**
 * The app registration's credential for the chosen method: a client secret, or a private key and
 * its certificate's thumbprint (nothing for NTLM). One set of fields for the wizard's step 2,
 * "Rotate credentials" and "Migrate to Graph"; `connectionProblems` checks them in all three. The
 * key is taken in a text area (pasted, or loaded from its file) in all three, since a PEM needs its
 * line breaks.
 */
export function CredentialFields({
  draft,
  onChange,
  errors,
  guided = false,
  replacing = false,
}: {
  draft: Pick<ConnectionDraft, "authMethod" | CredentialKey>;
  onChange: (key: CredentialKey, value: string) => void;
  errors: FormErrors;
  /** The wizard: where Azure shows each value. */
  guided?: boolean;
  /** Rotation: the fields ask for the new secret or key, one under another. */
  replacing?: boolean;
}) {
  const fresh = (label: string) =>
    replacing ? `New ${label[0]!.toLowerCase()}${label.slice(1)}` : label;
  if (draft.authMethod === "CLIENT_SECRET") {
    return (
      <SecretField
        label={fresh("Client secret")}
        value={draft.clientSecret}
        onValue={(v) => onChange("clientSecret", v)}
        required
        hint={
          guided
            ? "The secret's Value from Certificates & secrets (Azure shows it once), not its Secret ID."
            : replacing
              ? "The new secret's Value from Certificates & secrets, not its Secret ID."
              : undefined
        }
        error={errorFor(errors, "clientSecret")}
      />
    );
  }
  if (draft.authMethod !== "CERTIFICATE") return null;
  const fields = (
    <>
      <Field
        label={fresh("Private key (PEM)")}
        required
        error={errorFor(errors, "privateKey")}
        hint={`The ${replacing ? "new " : ""}certificate's private key, -----BEGIN PRIVATE KEY----- … Paste it or load the file.`}
      >
        {({ id, describedBy, invalid }) => (
          <>
            {/* A text area: a single-line input would drop the PEM's line breaks. */}
            <textarea
              id={id}
              class="input textarea mono"
              rows={4}
              spellcheck={false}
              value={draft.privateKey}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onInput={(e) => onChange("privateKey", e.currentTarget.value)}
            />
            <label class="btn btn-sm file-button">
              <Icon name="folder" /> Load key file
              <input
                type="file"
                accept=".pem,.key,text/plain"
                class="visually-hidden"
                onChange={async (e) => {
                  const file = e.currentTarget.files?.[0];
                  if (file) onChange("privateKey", await file.text());
                }}
              />
            </label>
          </>
        )}
      </Field>
      <TextField
        label={fresh("Certificate thumbprint")}
        value={draft.certificateThumbprint}
        onValue={(v) => onChange("certificateThumbprint", v)}
        required
        mono
        spellcheck={guided ? false : undefined}
        hint={
          guided
            ? "As Azure shows it for the uploaded certificate: 40 hex digits (SHA-1) or 64 (SHA-256)."
            : undefined
        }
        error={errorFor(errors, "certificateThumbprint")}
      />
    </>
  );
  return replacing ? fields : <div class="form-grid">{fields}</div>;
}
