import { useQuery } from "@urql/preact";
import { useId, useRef, useState } from "preact/hooks";
import { errorFor, noErrors, unplacedErrors, type FormErrors } from "../../api/errors";
import { WritableBucketsDocument } from "../../gql/graphql";
import { ChoiceGroup, Field, TextField } from "../../ui/controls";
import { Dialog } from "../../ui/dialog";
import { Callout } from "../../ui/feedback";
import { Icon } from "../../ui/icons";
import { ListEditor } from "../../ui/list-editor";
import { standingErrors } from "./draft-errors";
import { domainProblem, emailProblem, folderConflict, folderProblem } from "./filter-rules";
import { FolderPicker } from "./folder-picker";
import { toMailboxInput, type MailboxDraft } from "./mailbox-draft";
import { VolumeEstimate } from "./volume-estimate";
import "./mailbox-form.css";

/** The server's refusals that still apply to the draft as it is now (draft-errors.ts). */
export function useStandingErrors(errors: FormErrors, draft: MailboxDraft): FormErrors {
  const at = useRef({ errors, draft });
  if (at.current.errors !== errors) at.current = { errors, draft };
  return standingErrors(errors, at.current.draft, draft);
}

/** The input paths the mailbox form shows next to a field; anything else goes above the form. */
export const MAILBOX_FIELDS = ["email", "bucket", "syncFrom", "allTime", "filters"] as const;

interface MailboxFormProps {
  mode: "add" | "edit";
  draft: MailboxDraft;
  onChange: (draft: MailboxDraft) => void;
  /** Needed for the folder picker and the volume estimate (both ask the live mailbox). */
  integrationId: string | null;
  /** Server refusals, keyed by path relative to the mailbox input (`filters.allowedDomains.0`). */
  errors?: FormErrors;
}

/**
 * The mailbox form in a dialog, for adding a mailbox and for editing one's filters: refusals the
 * form cannot place next to a field are listed above it.
 */
export function MailboxDialog({
  title,
  description,
  cancelLabel,
  submitLabel,
  busyLabel,
  busy,
  onClose,
  onSubmit,
  errors: returned,
  ...form
}: Required<MailboxFormProps> & {
  title: string;
  description?: string;
  cancelLabel: string;
  submitLabel: string;
  busyLabel: string;
  busy: boolean;
  onClose: () => void;
  onSubmit: () => void;
}) {
  const errors = useStandingErrors(returned, form.draft);
  return (
    <Dialog
      open
      wide
      title={title}
      description={description}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="btn" onClick={onClose}>
            {cancelLabel}
          </button>
          <button type="button" class="btn btn-primary" disabled={busy} onClick={onSubmit}>
            {busy ? busyLabel : submitLabel}
          </button>
        </>
      }
    >
      {unplacedErrors(errors, MAILBOX_FIELDS).map((e) => (
        <p key={e} class="form-error" role="alert">
          {e}
        </p>
      ))}
      <MailboxForm {...form} errors={errors} />
    </Dialog>
  );
}

/**
 * The "Add Mailbox" form of the guide's "Select your input data" step, also used to edit a
 * mailbox's time and folder, participant and domain filters later (email and bucket are fixed
 * once the mailbox exists).
 */
export function MailboxForm({
  mode,
  draft,
  onChange,
  integrationId,
  errors = noErrors,
}: MailboxFormProps) {
  const set = <K extends keyof MailboxDraft>(key: K, value: MailboxDraft[K]) =>
    onChange({ ...draft, [key]: value });
  const [picking, setPicking] = useState(false);
  const [emailTouched, setEmailTouched] = useState(false);
  const ids = useId();
  const conflict = folderConflict(draft.allowedFolders, draft.deniedFolders);
  const emailIssue = mode === "add" && emailTouched ? emailProblem(draft.email) : null;
  const pickerBlocked = !integrationId || emailProblem(draft.email) !== null;

  return (
    <div class="mailbox-form">
      {mode === "add" && (
        <div class="form-section">
          <TextField
            label="Email"
            type="email"
            value={draft.email}
            onValue={(v) => set("email", v)}
            onBlur={() => setEmailTouched(true)}
            required
            autoComplete="off"
            spellcheck={false}
            placeholder="orders@contoso.com"
            error={emailIssue ?? errorFor(errors, "email")}
          />
        </div>
      )}

      {mode === "add" && <BucketChoice draft={draft} set={set} errors={errors} />}

      <fieldset class="form-section">
        <legend>Time filter</legend>
        <p class="section-note">
          Choose a date to sync from; you can move it further back later and already synced data is
          not affected. If volumes are unknown, sync a shorter period first. Units are charged on
          upload.
        </p>
        <ChoiceGroup
          legend="Sync"
          name={`${ids}-time`}
          compact
          value={draft.timeMode}
          onChange={(v) => set("timeMode", v)}
          error={errorFor(errors, "allTime")}
          choices={[
            {
              value: "FROM",
              label: "From timestamp",
              description: "Usually 6 to 12 months of mail.",
            },
            { value: "ALL", label: "All time", description: "Every message in the mailbox." },
          ]}
        />
        {draft.timeMode === "FROM" ? (
          <TextField
            label="Sync from"
            type="date"
            value={draft.syncFrom}
            onValue={(v) => set("syncFrom", v)}
            max={new Date().toISOString().slice(0, 10)}
            required
            error={
              errorFor(errors, "syncFrom") ??
              (draft.syncFrom ? null : "Pick the date to sync from.")
            }
          />
        ) : (
          <Callout tone="warn" title="All time may consume more units than expected.">
            Every message in the mailbox is synced and each costs a unit. Estimate the volume first.
          </Callout>
        )}
        <VolumeEstimate
          integrationId={integrationId}
          input={() => toMailboxInput(draft)}
          disabled={pickerBlocked}
        />
      </fieldset>

      <fieldset class="form-section">
        <legend>Folder filters</legend>
        <p class="section-note">
          Paths start at the mailbox root, usually <code>Root/Top of Information Store/</code>, with{" "}
          <code>/</code> between nested folders. Allowing folders denies the rest; you can deny a
          folder inside an allowed one but not allow one inside a denied folder.
        </p>
        <div class="form-grid">
          <ListEditor
            label="Allowed folders"
            values={draft.allowedFolders}
            onChange={(v) => set("allowedFolders", v)}
            validate={folderProblem}
            mono
            placeholder="Root/Top of Information Store/Inbox"
            error={conflict ?? errorFor(errors, "filters.allowedFolders")}
          />
          <ListEditor
            label="Denied folders"
            values={draft.deniedFolders}
            onChange={(v) => set("deniedFolders", v)}
            validate={folderProblem}
            mono
            placeholder="Root/Top of Information Store/Inbox/Spam"
            error={errorFor(errors, "filters.deniedFolders")}
          />
        </div>
        <div>
          <button
            type="button"
            class="btn btn-sm"
            disabled={pickerBlocked}
            onClick={() => setPicking(true)}
          >
            <Icon name="folder" /> Browse the mailbox's folders
          </button>
          {pickerBlocked && <span class="muted inline-note">Enter the email address first.</span>}
        </div>
        {integrationId && (
          <FolderPicker
            open={picking}
            onClose={() => setPicking(false)}
            integrationId={integrationId}
            email={draft.email.trim()}
            allowed={draft.allowedFolders}
            denied={draft.deniedFolders}
            onApply={(allowed, denied) =>
              onChange({ ...draft, allowedFolders: allowed, deniedFolders: denied })
            }
          />
        )}
      </fieldset>

      <fieldset class="form-section">
        <legend>Participant filters</legend>
        <p class="section-note">
          Allowing participants denies everyone else; a denied participant is denied even when also
          allowed. Case does not matter.
        </p>
        <div class="form-grid">
          <ListEditor
            label="Allowed participants"
            values={draft.allowedParticipants}
            onChange={(v) => set("allowedParticipants", v)}
            validate={emailProblem}
            placeholder="customer@example.com"
            error={errorFor(errors, "filters.allowedParticipants")}
          />
          <ListEditor
            label="Denied participants"
            values={draft.deniedParticipants}
            onChange={(v) => set("deniedParticipants", v)}
            validate={emailProblem}
            placeholder="noreply@example.com"
            error={errorFor(errors, "filters.deniedParticipants")}
          />
        </div>
      </fieldset>

      <fieldset class="form-section">
        <legend>Participant domain filters</legend>
        <p class="section-note">
          Same rules, by domain. The top-level domain can be a wildcard: <code>reinfer.*</code>{" "}
          matches reinfer.dev and reinfer.com.
        </p>
        <div class="form-grid">
          <ListEditor
            label="Allowed participant domains"
            values={draft.allowedDomains}
            onChange={(v) => set("allowedDomains", v)}
            validate={domainProblem}
            placeholder="gmail.com"
            error={errorFor(errors, "filters.allowedDomains")}
          />
          <ListEditor
            label="Denied participant domains"
            values={draft.deniedDomains}
            onChange={(v) => set("deniedDomains", v)}
            validate={domainProblem}
            placeholder="newsletter.example.com"
            error={errorFor(errors, "filters.deniedDomains")}
          />
        </div>
      </fieldset>

      <fieldset class="form-section">
        <legend>Attachments</legend>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={draft.syncAttachments}
            onChange={(e) => set("syncAttachments", e.currentTarget.checked)}
          />
          <span>
            Sync attachment contents
            <span class="checkbox-hint">
              Names, types and sizes are always kept; with this on, contents are stored and can be
              downloaded from the bucket.
              {mode === "edit" &&
                " Turned on later, it applies to new mail; Resync fetches them for mail already synced."}
            </span>
          </span>
        </label>
      </fieldset>
    </div>
  );
}

function BucketChoice({
  draft,
  set,
  errors,
}: {
  draft: MailboxDraft;
  set: <K extends keyof MailboxDraft>(key: K, value: MailboxDraft[K]) => void;
  errors: FormErrors;
}) {
  const ids = useId();
  const [buckets] = useQuery({ query: WritableBucketsDocument });
  const projects = buckets.data?.projects ?? [];
  return (
    <fieldset class="form-section">
      <legend>Bucket</legend>
      <ChoiceGroup
        legend="Store messages in"
        name={`${ids}-bucket`}
        compact
        value={draft.bucketMode}
        onChange={(v) => set("bucketMode", v)}
        error={
          errorFor(errors, "bucket") &&
          !errorFor(errors, "bucket.newBucket", "bucket.existingBucketId")
            ? errorFor(errors, "bucket")
            : null
        }
        choices={[
          {
            value: "AUTO",
            label: "Create new bucket",
            description: "Named after the integration and mailbox.",
          },
          {
            value: "NEW",
            label: "User defined new bucket",
            description: "Choose its project, name and title.",
          },
          {
            value: "EXISTING",
            label: "Existing bucket",
            description: "Several mailboxes may share one.",
          },
        ]}
      />
      {draft.bucketMode === "NEW" && (
        <div class="form-grid form-grid-3">
          <Field label="Project" required error={errorFor(errors, "bucket.newBucket.project")}>
            {({ id, describedBy, invalid }) => (
              <select
                id={id}
                class="select"
                value={draft.newBucketProject}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => set("newBucketProject", e.currentTarget.value)}
              >
                {projects.map((p) => (
                  <option key={p.id} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <TextField
            label="Name"
            required
            mono
            value={draft.newBucketName}
            onValue={(v) => set("newBucketName", v)}
            spellcheck={false}
            error={errorFor(errors, "bucket.newBucket.name", "bucket.newBucket")}
          />
          <TextField
            label="Title"
            value={draft.newBucketTitle}
            onValue={(v) => set("newBucketTitle", v)}
            error={errorFor(errors, "bucket.newBucket.title")}
          />
        </div>
      )}
      {draft.bucketMode === "EXISTING" && (
        <Field label="Bucket" required error={errorFor(errors, "bucket.existingBucketId")}>
          {({ id, describedBy, invalid }) => (
            <select
              id={id}
              class="select"
              value={draft.existingBucketId}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(e) => set("existingBucketId", e.currentTarget.value)}
            >
              <option value="">Choose a bucket…</option>
              {projects.map((p) => (
                <optgroup key={p.id} label={p.title || p.name}>
                  {p.buckets.map((b) => (
                    <option key={b.id} value={b.id}>
                      {b.title && b.title !== b.name ? `${b.title} (${b.name})` : b.name}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
      )}
    </fieldset>
  );
}
