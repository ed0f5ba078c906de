import { useClient, useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import {
  errorFor,
  formErrors,
  noErrors,
  unplacedErrors,
  type FormErrors,
} from "../../../api/errors";
import {
  AddMailboxDocument,
  CreateIntegrationDocument,
  DeleteIntegrationDocument,
  IntegrationNameTakenDocument,
  SetIntegrationEnabledDocument,
  UpdateIntegrationConnectionDocument,
  ValidateCredentialsDocument,
  type IntegrationSummaryFragment,
} from "../../../gql/graphql";
import { navigate } from "../../../router";
import { TextField } from "../../../ui/controls";
import { ConfirmDialog } from "../../../ui/dialog";
import { toast } from "../../../ui/feedback";
import { Icon } from "../../../ui/icons";
import { PageHeader } from "../../../ui/page";
import { connectionProblems, refusalsInFormWords } from "../connection-rules";
import { apiNameProblem } from "../filter-rules";
import { emptyConnection, toConnectionInput, type ConnectionDraft } from "./connection-draft";
import { CheckResults, ConnectForm, type CheckState } from "./step-connect";
import { emptyDraft, toMailboxInput } from "../mailbox-draft";
import { MailboxesStep, type MailboxEditor, type WizardMailbox } from "./step-mailboxes";
import "./wizard.css";

/** Connection input paths the connect step shows next to a field ("name" goes back to step 1). */
const CONNECTION_FIELDS = [
  "api",
  "authMethod",
  "access",
  "authorityUrl",
  "clientId",
  "clientSecret",
  "privateKey",
  "certificateThumbprint",
  "serviceUsername",
  "servicePassword",
  "graphEndpoint",
  "ewsUrl",
  "name",
];

const STEPS = [
  "Add basic info",
  "Connect with your application",
  "Select your input data",
] as const;

/**
 * The guide's "Create new integration" flow. Step 2's "Validate & save credentials" validates
 * the connection and, once a token is acquired, saves the integration disabled; step 3 lists
 * mailboxes in the browser; "Create integration" adds them and turns it on. Cancelling after the
 * save deletes the integration; no mailbox or bucket exists before "Create integration".
 */
export default function NewIntegrationWizard({ project }: { project: string }) {
  const client = useClient();
  const [step, setStep] = useState(0);
  const [title, setTitle] = useState("");
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [checkingName, setCheckingName] = useState(false);
  const [connection, setConnection] = useState<ConnectionDraft>(emptyConnection);
  const [connErrors, setConnErrors] = useState<FormErrors>(noErrors);
  const [check, setCheck] = useState<CheckState>({ kind: "idle" });
  const [integration, setIntegration] = useState<IntegrationSummaryFragment | null>(null);
  const [savedConnection, setSavedConnection] = useState<string | null>(null);
  const [mailboxes, setMailboxes] = useState<WizardMailbox[]>([]);
  const [editor, setEditor] = useState<MailboxEditor | null>(null);
  const [adding, setAdding] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [finishError, setFinishError] = useState<string | null>(null);

  const [, validateCredentials] = useMutation(ValidateCredentialsDocument);
  const [, createIntegration] = useMutation(CreateIntegrationDocument);
  const [, updateConnection] = useMutation(UpdateIntegrationConnectionDocument);
  const [enabling, setEnabled] = useMutation(SetIntegrationEnabledDocument);
  const [, addMailbox] = useMutation(AddMailboxDocument);
  const finishing = adding || enabling.fetching;
  const editingMailbox = editor !== null;
  const [discarding, deleteIntegration] = useMutation(DeleteIntegrationDocument);

  const listHref = `/p/${encodeURIComponent(project)}/integrations`;
  const connectionKey = JSON.stringify(connection);
  const savedAndCurrent = integration !== null && savedConnection === connectionKey;

  const continueFromBasics = async (event: Event) => {
    event.preventDefault();
    const problem = apiNameProblem(name);
    if (problem) return setNameError(problem);
    if (!integration) {
      setCheckingName(true);
      const taken = await client
        .query(IntegrationNameTakenDocument, { project, name }, { requestPolicy: "network-only" })
        .toPromise();
      setCheckingName(false);
      if (taken.data?.project?.integration)
        return setNameError(`This project already has an integration named ${name}.`);
    }
    setNameError(null);
    setStep(1);
  };

  const validateAndSave = async () => {
    const problems = connectionProblems(connection);
    const count = Object.keys(problems).length;
    if (count > 0) {
      setConnErrors({ fields: problems, general: [] });
      setCheck({
        kind: "refused",
        message:
          count === 1
            ? "Correct the field marked below."
            : `Correct the ${count} fields marked below.`,
      });
      return;
    }
    setCheck({ kind: "running" });
    setConnErrors(noErrors);
    const input = toConnectionInput(connection);
    const outcome = await validateCredentials({ connection: input, mailboxes: [] });
    if (!outcome.data) {
      const errors = refusalsInFormWords(formErrors(outcome.error));
      setConnErrors(errors);
      const fieldMessages = Object.values(errors.fields);
      setCheck({
        kind: "refused",
        message: [...errors.general, ...fieldMessages].join(" ") || "The settings were refused.",
      });
      return;
    }
    const result = outcome.data.validateCredentials;
    if (result.status !== "VALID") {
      setCheck({ kind: "checked", check: result, saved: "skipped", warnings: [] });
      return;
    }
    const saved = integration
      ? await updateConnection({ id: integration.id, connection: input }).then((r) => ({
          data: r.data?.updateIntegrationConnection,
          error: r.error,
        }))
      : await createIntegration({
          input: { project, name, title: title.trim() || null, connection: input, enabled: false },
        }).then((r) => ({ data: r.data?.createIntegration, error: r.error }));
    if (saved.data) {
      setIntegration(saved.data);
      setSavedConnection(connectionKey);
      setCheck({ kind: "checked", check: result, saved: "saved", warnings: saved.data.warnings });
    } else {
      const errors = refusalsInFormWords(formErrors(saved.error));
      setConnErrors(errors);
      const nameProblem = errorFor(errors, "name");
      if (nameProblem) setNameError(nameProblem);
      setCheck({
        kind: "checked",
        check: result,
        saved: "failed",
        saveError: [...errors.general, ...Object.values(errors.fields)].join(" "),
        warnings: [],
      });
    }
  };

  const finish = async () => {
    if (!integration) return;
    setFinishError(null);
    setAdding(true);
    let list = mailboxes;
    for (const entry of mailboxes) {
      if (entry.saved) continue;
      const added = await addMailbox({
        integrationId: integration.id,
        input: toMailboxInput(entry.draft),
      });
      if (!added.data) {
        setAdding(false);
        setMailboxes(list);
        setEditor({ draft: entry.draft, replaces: entry.key, errors: formErrors(added.error) });
        setFinishError(
          `${entry.draft.email.trim()} was refused: correct it below, then create the integration again.`,
        );
        return;
      }
      const saved = added.data.addMailbox;
      list = list.map((m) => (m.key === entry.key ? { ...m, saved } : m));
    }
    setMailboxes(list);
    setAdding(false);
    const outcome = await setEnabled({ id: integration.id, enabled: true });
    if (outcome.error) {
      setFinishError(
        formErrors(outcome.error).general.join(" ") || "The integration could not be enabled.",
      );
      return;
    }
    toast(`Integration ${integration.title || integration.name} created; syncing starts now.`);
    navigate(`${listHref}/${encodeURIComponent(integration.name)}`);
  };

  const cancel = () => (integration ? setConfirmCancel(true) : navigate(listHref));

  return (
    <div class="wizard">
      <PageHeader
        title="New integration"
        subtitle="Connect an Azure app registration to Exchange and choose the mailboxes to sync."
      />
      <ol class="stepper" aria-label="Steps">
        {STEPS.map((label, i) => (
          <li
            key={label}
            class={i < step ? "is-done" : i === step ? "is-current" : ""}
            aria-current={i === step ? "step" : undefined}
          >
            <span class="stepper-index" aria-hidden="true">
              {i < step ? <Icon name="check" size={14} /> : i + 1}
            </span>
            <span class="stepper-label">{label}</span>
          </li>
        ))}
      </ol>

      {step === 0 && (
        <form class="card wizard-card" onSubmit={continueFromBasics} noValidate>
          <h2 class="card-title">Add basic info</h2>
          <TextField
            label="Project"
            value={project}
            onValue={() => undefined}
            readOnly
            mono
            hint="Integrations belong to the project selected in the sidebar."
          />
          <TextField
            label="Title"
            value={title}
            onValue={setTitle}
            placeholder="Customer service mailboxes"
            hint="Optional; shown in the dashboard."
          />
          <TextField
            label="API name"
            value={name}
            onValue={(v) => {
              setName(v);
              setNameError(v ? apiNameProblem(v) : null);
            }}
            required
            mono
            spellcheck={false}
            readOnly={integration !== null}
            placeholder="customer-service"
            badge={
              <span class="label-note">
                <Icon name="lock" size={12} /> Cannot be changed later
              </span>
            }
            hint="Letters, digits, - and _. Scripts and the API refer to the integration by this name."
            error={nameError}
          />
          <div class="form-actions">
            <button type="button" class="btn" onClick={cancel}>
              Cancel
            </button>
            <button type="submit" class="btn btn-primary" disabled={checkingName}>
              {checkingName ? "Checking…" : "Continue"}
            </button>
          </div>
        </form>
      )}

      {step === 1 && (
        <div class="card wizard-card">
          <h2 class="card-title">Connect with your application</h2>
          {unplacedErrors(connErrors, CONNECTION_FIELDS).length > 0 && (
            <p class="form-error" role="alert">
              {unplacedErrors(connErrors, CONNECTION_FIELDS).join(" ")}
            </p>
          )}
          <ConnectForm
            draft={connection}
            onChange={(next) => {
              // An error goes once its field is edited.
              const fields = Object.fromEntries(
                Object.entries(connErrors.fields).filter(
                  ([key]) =>
                    connection[key as keyof ConnectionDraft] === next[key as keyof ConnectionDraft],
                ),
              );
              setConnErrors({ ...connErrors, fields });
              setConnection(next);
            }}
            errors={connErrors}
          />
          <div class="validate-row">
            <button
              type="button"
              class="btn btn-primary"
              onClick={validateAndSave}
              disabled={check.kind === "running"}
            >
              <Icon name="shield" />{" "}
              {check.kind === "running" ? "Validating…" : "Validate & save credentials"}
            </button>
            {integration && !savedAndCurrent && (
              <span class="muted">Settings changed since they were saved: validate again.</span>
            )}
          </div>
          <div class="check-results" aria-live="polite">
            <CheckResults state={check} authorityUrl={connection.authorityUrl} />
          </div>
          <div class="form-actions">
            <button type="button" class="btn" onClick={cancel}>
              Cancel
            </button>
            <button type="button" class="btn" onClick={() => setStep(0)}>
              Back
            </button>
            <button
              type="button"
              class="btn btn-primary"
              disabled={!savedAndCurrent}
              onClick={() => {
                setStep(2);
                if (mailboxes.length === 0 && !editor)
                  setEditor({ draft: emptyDraft(project), replaces: null, errors: noErrors });
              }}
            >
              Continue
            </button>
          </div>
        </div>
      )}

      {step === 2 && integration && (
        <div class="card wizard-card">
          <h2 class="card-title">Select your input data</h2>
          <MailboxesStep
            integrationId={integration.id}
            project={project}
            connection={toConnectionInput(connection)}
            mailboxes={mailboxes}
            onMailboxes={setMailboxes}
            editor={editor}
            onEditor={setEditor}
          />
          {finishError && (
            <p class="form-error" role="alert">
              {finishError}
            </p>
          )}
          <div class="form-actions">
            <button type="button" class="btn" onClick={cancel}>
              Cancel
            </button>
            <button type="button" class="btn" onClick={() => setStep(1)}>
              Back
            </button>
            {editingMailbox && mailboxes.length > 0 && (
              <span class="muted">Add or discard the open mailbox first.</span>
            )}
            <button
              type="button"
              class="btn btn-primary"
              disabled={mailboxes.length === 0 || editingMailbox || finishing}
              onClick={finish}
            >
              {finishing ? "Creating…" : "Create integration"}
            </button>
          </div>
        </div>
      )}

      <ConfirmDialog
        open={confirmCancel}
        title="Discard this integration?"
        confirmLabel="Discard integration"
        danger
        busy={discarding.fetching}
        error={discarding.error ? formErrors(discarding.error).general.join(" ") : null}
        onCancel={() => setConfirmCancel(false)}
        onConfirm={async () => {
          if (!integration) return;
          const outcome = await deleteIntegration(
            { id: integration.id },
            { additionalTypenames: ["Integration"] },
          );
          if (!outcome.error) {
            toast(`Integration ${integration.name} discarded.`, "info");
            navigate(listHref);
          }
        }}
      >
        <p>
          The credentials were already saved as the disabled integration{" "}
          <code>{integration?.name}</code>. Discarding deletes it.{" "}
          {mailboxes.some((m) => m.saved)
            ? "The mailboxes already added are removed; their buckets and messages stay (delete them on the Buckets page)."
            : "No mailbox or bucket has been created yet."}
        </p>
      </ConfirmDialog>
    </div>
  );
}
