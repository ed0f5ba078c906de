import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { formErrors, noErrors, type FormErrors, unplacedErrors } from "../../../api/errors";
import {
  RemoveMailboxDocument,
  ValidateCredentialsDocument,
  type ConnectionInput,
  type CredentialCheckFieldsFragment,
  type MailboxFieldsFragment,
} from "../../../gql/graphql";
import { Callout, toast } from "../../../ui/feedback";
import { formatDate } from "../../../ui/format";
import { Icon } from "../../../ui/icons";
import { emailProblem, folderConflict } from "../filter-rules";
import { MAILBOX_FIELDS, MailboxForm, useStandingErrors } from "../mailbox-form";
import { emptyDraft, type MailboxDraft } from "../mailbox-draft";
import { ErrorDetails } from "../enable-refusal";
import { plainError } from "../plain-error";
import { ACCESS, Badge } from "../status";

/** A mailbox chosen in the wizard: kept in the browser until "Create integration" adds it. */
export interface WizardMailbox {
  key: number;
  draft: MailboxDraft;
  /** Set once "Create integration" added it (a later refusal of another one keeps it). */
  saved: MailboxFieldsFragment | null;
}

/** The mailbox being typed: a new one (`replaces` null) or a listed one reopened. */
export interface MailboxEditor {
  draft: MailboxDraft;
  replaces: number | null;
  errors: FormErrors;
}

type AccessCheck = CredentialCheckFieldsFragment["mailboxes"][number];

let nextKey = 1;
export const wizardMailbox = (draft: MailboxDraft): WizardMailbox => ({
  key: nextKey++,
  draft,
  saved: null,
});

/** The checks the browser can make before anything is sent: every problem at once. */
export function draftProblems(draft: MailboxDraft, others: readonly WizardMailbox[]): FormErrors {
  const fields: Record<string, string> = {};
  const email = emailProblem(draft.email);
  if (email) fields.email = email;
  else if (
    others.some((m) => m.draft.email.trim().toLowerCase() === draft.email.trim().toLowerCase())
  )
    fields.email = `${draft.email.trim()} is already in the list.`;
  if (draft.timeMode === "FROM" && !draft.syncFrom) fields.syncFrom = "Pick the date to sync from.";
  if (draft.bucketMode === "NEW" && !draft.newBucketName.trim())
    fields["bucket.newBucket.name"] = "Enter the new bucket's name.";
  if (draft.bucketMode === "EXISTING" && !draft.existingBucketId)
    fields["bucket.existingBucketId"] = "Choose a bucket.";
  const conflict = folderConflict(draft.allowedFolders, draft.deniedFolders);
  if (conflict) fields["filters.allowedFolders"] = conflict;
  return { fields, general: [] };
}

function bucketText(draft: MailboxDraft, saved: MailboxFieldsFragment | null) {
  if (saved) return <code>{saved.bucket.name}</code>;
  if (draft.bucketMode === "NEW") return <code>{draft.newBucketName.trim()}</code>;
  if (draft.bucketMode === "EXISTING") return "an existing bucket";
  return "a new bucket";
}

/**
 * "Select your input data": mailboxes are listed here and checked for access with the
 * connection being set up; nothing is created on the server until "Create integration" (so
 * removing one or discarding the wizard leaves no bucket behind). The saved, still disabled
 * integration lets the folder picker and the volume estimate ask the live mailbox.
 */
export function MailboxesStep({
  integrationId,
  project,
  connection,
  mailboxes,
  onMailboxes,
  editor,
  onEditor,
}: {
  integrationId: string;
  project: string;
  connection: ConnectionInput;
  mailboxes: WizardMailbox[];
  onMailboxes: (mailboxes: WizardMailbox[]) => void;
  editor: MailboxEditor | null;
  onEditor: (editor: MailboxEditor | null) => void;
}) {
  const [checks, setChecks] = useState<AccessCheck[]>([]);
  const [checkError, setCheckError] = useState<string | null>(null);
  const [validation, validate] = useMutation(ValidateCredentialsDocument);
  const [, removeMailbox] = useMutation(RemoveMailboxDocument);
  const errors = useStandingErrors(editor?.errors ?? noErrors, editor?.draft ?? emptyDraft(""));

  const checkAccess = async (list: WizardMailbox[]) => {
    const emails = list.map((m) => m.draft.email.trim());
    if (emails.length === 0) return;
    const outcome = await validate({ connection, mailboxes: emails });
    if (outcome.data) {
      setChecks(outcome.data.validateCredentials.mailboxes);
      setCheckError(null);
    } else {
      setCheckError(formErrors(outcome.error).general.join(" ") || "The mailbox check failed.");
    }
  };

  const add = () => {
    if (!editor) return;
    const others = mailboxes.filter((m) => m.key !== editor.replaces);
    const problems = draftProblems(editor.draft, others);
    if (Object.keys(problems.fields).length > 0) {
      onEditor({ ...editor, errors: problems });
      return;
    }
    const entry =
      editor.replaces === null
        ? wizardMailbox(editor.draft)
        : { ...mailboxes.find((m) => m.key === editor.replaces)!, draft: editor.draft };
    const next =
      editor.replaces === null
        ? [...mailboxes, entry]
        : mailboxes.map((m) => (m.key === editor.replaces ? entry : m));
    onMailboxes(next);
    onEditor(null);
    void checkAccess(next);
  };

  const remove = async (entry: WizardMailbox) => {
    if (entry.saved) {
      const outcome = await removeMailbox({ id: entry.saved.id });
      if (outcome.error) {
        toast(
          formErrors(outcome.error).general.join(" ") || "Could not remove the mailbox.",
          "danger",
        );
        return;
      }
    }
    onMailboxes(mailboxes.filter((m) => m.key !== entry.key));
    if (editor?.replaces === entry.key) onEditor(null);
  };

  return (
    <div class="mailboxes-step">
      {mailboxes.length > 0 && (
        <ul class="added-mailboxes" aria-label="Added mailboxes">
          {mailboxes.map((m) => {
            const email = m.draft.email.trim();
            const check = checks.find((c) => c.email.toLowerCase() === email.toLowerCase());
            const access = check ? ACCESS[check.access] : null;
            return (
              <li key={m.key} class="added-mailbox">
                <Icon name="mail" size={18} />
                <div class="added-mailbox-text">
                  <strong>{email}</strong>
                  <span class="muted">
                    into {bucketText(m.draft, m.saved)} ·{" "}
                    {m.draft.timeMode === "ALL"
                      ? "all time"
                      : `from ${formatDate(m.draft.syncFrom)}`}
                    {m.draft.syncAttachments ? " · with attachments" : ""}
                  </span>
                  {check?.error && (
                    <span class="error-line">
                      <ErrorDetails raw={check.error} summary={plainError(check.error)?.summary} />
                    </span>
                  )}
                </div>
                {access ? (
                  <Badge tone={access.tone} icon={access.icon}>
                    {access.label}
                  </Badge>
                ) : validation.fetching ? (
                  <Badge tone="muted">Checking access…</Badge>
                ) : null}
                {!m.saved && (
                  <button
                    type="button"
                    class="btn btn-ghost btn-icon"
                    aria-label={`Edit ${email}`}
                    disabled={editor !== null}
                    onClick={() => onEditor({ draft: m.draft, replaces: m.key, errors: noErrors })}
                  >
                    <Icon name="edit" />
                  </button>
                )}
                <button
                  type="button"
                  class="btn btn-ghost btn-icon btn-danger-ghost"
                  aria-label={`Remove ${email}`}
                  onClick={() => remove(m)}
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

      {editor ? (
        <div class="card mailbox-editor">
          <h3>{editor.replaces === null ? "New mailbox" : `Edit ${editor.draft.email}`}</h3>
          {unplacedErrors(errors, MAILBOX_FIELDS).map((e) => (
            <p key={e} class="form-error" role="alert">
              {e}
            </p>
          ))}
          <MailboxForm
            mode="add"
            draft={editor.draft}
            onChange={(draft) => onEditor({ ...editor, draft })}
            integrationId={integrationId}
            errors={errors}
          />
          <div class="form-actions">
            <button type="button" class="btn" onClick={() => onEditor(null)}>
              {editor.replaces === null ? "Discard new mailbox" : "Discard changes"}
            </button>
            <button type="button" class="btn btn-primary" onClick={add}>
              {editor.replaces === null ? "Add mailbox" : "Keep changes"}
            </button>
          </div>
        </div>
      ) : (
        <button
          type="button"
          class="btn add-mailbox-button"
          onClick={() => onEditor({ draft: emptyDraft(project), replaces: null, errors: noErrors })}
        >
          <Icon name="plus" /> Add mailbox
        </button>
      )}
    </div>
  );
}
