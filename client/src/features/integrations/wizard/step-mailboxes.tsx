import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { formErrors, noErrors, type FormErrors, unplacedErrors } from "../../../api/errors";
import {
  AddMailboxDocument,
  RemoveMailboxDocument,
  ValidateIntegrationCredentialsDocument,
  type CredentialCheckFieldsFragment,
  type MailboxFieldsFragment,
} from "../../../gql/graphql";
import { Callout, toast } from "../../../ui/feedback";
import { formatDate } from "../../../ui/format";
import { Icon } from "../../../ui/icons";
import { MAILBOX_FIELDS, MailboxForm } from "../mailbox-form";
import { emptyDraft, toMailboxInput, type MailboxDraft } from "../mailbox-draft";
import { plainError } from "../plain-error";
import { ACCESS, Badge } from "../status";

/**
 * "Select your input data": each mailbox is added to the saved (still disabled) integration as
 * soon as the user confirms it, so the server checks its filters and the folder picker and the
 * volume estimate can ask the live mailbox.
 */
export function MailboxesStep({
  integrationId,
  project,
  mailboxes,
  onMailboxes,
  onEditingChange,
}: {
  integrationId: string;
  project: string;
  mailboxes: MailboxFieldsFragment[];
  onMailboxes: (mailboxes: MailboxFieldsFragment[]) => void;
  onEditingChange: (editing: boolean) => void;
}) {
  const [draft, setDraft] = useState<MailboxDraft | null>(
    mailboxes.length === 0 ? emptyDraft(project) : null,
  );
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [checks, setChecks] = useState<CredentialCheckFieldsFragment["mailboxes"]>([]);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [adding, add] = useMutation(AddMailboxDocument);
  const [, removeMailbox] = useMutation(RemoveMailboxDocument);
  const [validation, validate] = useMutation(ValidateIntegrationCredentialsDocument);

  const open = (next: MailboxDraft | null) => {
    setDraft(next);
    setErrors(noErrors);
    onEditingChange(next !== null);
  };

  const checkAccess = async () => {
    const outcome = await validate({ id: integrationId });
    if (outcome.data) {
      setChecks(outcome.data.validateIntegrationCredentials.mailboxes);
      setCheckError(null);
    } else {
      setCheckError(formErrors(outcome.error).general.join(" ") || "The mailbox check failed.");
    }
  };

  const submit = async () => {
    if (!draft) return;
    const outcome = await add({ integrationId, input: toMailboxInput(draft) });
    if (outcome.data) {
      const mailbox = outcome.data.addMailbox;
      onMailboxes([...mailboxes, mailbox]);
      toast(`${mailbox.email} added.`);
      open(null);
      void checkAccess();
    } else {
      setErrors(formErrors(outcome.error));
    }
  };

  return (
    <div class="mailboxes-step">
      {mailboxes.length > 0 && (
        <ul class="added-mailboxes" aria-label="Added mailboxes">
          {mailboxes.map((m) => {
            const check = checks.find((c) => c.email.toLowerCase() === m.email.toLowerCase());
            const access = check ? ACCESS[check.access] : null;
            return (
              <li key={m.id} class="added-mailbox">
                <Icon name="mail" size={18} />
                <div class="added-mailbox-text">
                  <strong>{m.email}</strong>
                  <span class="muted">
                    into <code>{m.bucket.name}</code> ·{" "}
                    {m.allTime ? "all time" : `from ${formatDate(m.syncFrom)}`}
                    {m.syncAttachments ? " · with attachments" : ""}
                  </span>
                  {check?.error && (
                    <span class="error-line">{plainError(check.error)?.summary}</span>
                  )}
                </div>
                {access ? (
                  <Badge tone={access.tone} icon={access.icon}>
                    {access.label}
                  </Badge>
                ) : validation.fetching ? (
                  <Badge tone="muted">Checking access…</Badge>
                ) : null}
                <button
                  type="button"
                  class="btn btn-ghost btn-icon btn-danger-ghost"
                  aria-label={`Remove ${m.email}`}
                  onClick={async () => {
                    const outcome = await removeMailbox({ id: m.id });
                    if (!outcome.error) onMailboxes(mailboxes.filter((x) => x.id !== m.id));
                    else
                      toast(
                        formErrors(outcome.error).general.join(" ") ||
                          "Could not remove the mailbox.",
                        "danger",
                      );
                  }}
                >
                  <Icon name="trash" />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {checkError && (
        <Callout tone="warn" title="Mailbox access was not checked.">
          {checkError}
        </Callout>
      )}

      {draft ? (
        <div class="card mailbox-editor">
          <h3>New mailbox</h3>
          {unplacedErrors(errors, MAILBOX_FIELDS).map((e) => (
            <p key={e} class="form-error" role="alert">
              {e}
            </p>
          ))}
          <MailboxForm
            mode="add"
            draft={draft}
            onChange={setDraft}
            integrationId={integrationId}
            errors={errors}
          />
          <div class="form-actions">
            <button type="button" class="btn" onClick={() => open(null)}>
              Discard new mailbox
            </button>
            <button
              type="button"
              class="btn btn-primary"
              onClick={submit}
              disabled={adding.fetching}
            >
              {adding.fetching ? "Adding…" : "Add mailbox"}
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          class="btn add-mailbox-button"
          onClick={() => open(emptyDraft(project))}
        >
          <Icon name="plus" /> Add mailbox
        </button>
      )}
    </div>
  );
}
