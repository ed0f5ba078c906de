import { useMutation, useQuery } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorFor, errorMessage, formErrors, unplacedErrors } from "../../api/errors";
import {
  ApiTokensDocument,
  CreateApiTokenDocument,
  RevokeApiTokenDocument,
  type ApiTokenFieldsFragment,
  type Permission,
} from "../../gql/graphql";
import { TextField } from "../../ui/controls";
import { ConfirmDialog, Dialog } from "../../ui/dialog";
import { Callout, EmptyState, toast } from "../../ui/feedback";
import { formatDateTime, formatRelative } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { byText, useListTools } from "../../ui/list-tools";
import { PageHeader } from "../../ui/page";
import { Badge } from "../integrations/status";
import { useSession } from "../session/session-context";
import { QueryStates } from "../../api/query-states";
import "./tokens-page.css";

const PERMISSIONS: { value: Permission; label: string }[] = [
  { value: "INTEGRATIONS_READ", label: "Integrations: read" },
  { value: "INTEGRATIONS_WRITE", label: "Integrations: write" },
  { value: "BUCKETS_READ", label: "Buckets: read" },
  { value: "BUCKETS_WRITE", label: "Buckets: write" },
  { value: "MESSAGES_READ", label: "Messages & attachments: read" },
  { value: "STREAMS_READ", label: "Streams: read" },
  { value: "STREAMS_CONSUME", label: "Streams: consume" },
  { value: "STREAMS_ADMIN", label: "Streams: admin" },
];

const PRESETS: Record<string, Permission[]> = {
  "Read only": ["INTEGRATIONS_READ", "BUCKETS_READ", "STREAMS_READ"],
  "Stream consumer": ["STREAMS_READ", "STREAMS_CONSUME", "MESSAGES_READ"],
  Everything: PERMISSIONS.map((p) => p.value),
};

export default function TokensPage() {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({ query: ApiTokensDocument });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenFieldsFragment | null>(null);
  const [revocation, revoke] = useMutation(RevokeApiTokenDocument);
  const tokens = result.data?.apiTokens ?? [];
  const list = useListTools(tokens, {
    noun: "tokens",
    textOf: (t) => [t.name, ...t.grants.map((g) => g.project)],
    sorts: {
      name: { label: "Name", compare: byText((t) => t.name.toLowerCase()) },
      created: { label: "Newest", compare: (a, b) => b.createdAt.localeCompare(a.createdAt) },
      used: {
        label: "Recently used",
        compare: (a, b) => (b.lastUsedAt ?? "").localeCompare(a.lastUsedAt ?? ""),
      },
    },
  });
  const projects = result.data?.projects ?? [];
  const currentId = result.data?.viewer.id;

  return (
    <>
      <PageHeader
        title="API tokens"
        subtitle="Tokens sign in to the dashboard and authenticate scripts. A token is shown once, when it is created."
        actions={
          <button
            type="button"
            class="btn btn-primary"
            onClick={() => setCreating(true)}
            disabled={!result.data}
          >
            <Icon name="plus" /> New token
          </button>
        }
      />
      <QueryStates
        result={result}
        refetch={refetch}
        skeleton={{ rows: 3, height: 52 }}
        isEmpty={tokens.length === 0}
        empty={<EmptyState icon="key" title="No tokens" />}
      >
        {list.controls}
        <div class="card card-flush">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.visible.map((t) => (
                <tr key={t.id}>
                  <td>
                    <strong>{t.name}</strong>{" "}
                    {t.id === currentId && <Badge tone="info">This session</Badge>}
                  </td>
                  <td>
                    {t.admin ? (
                      <Badge tone="warn" icon="shield">
                        Admin
                      </Badge>
                    ) : (
                      <ul class="grant-list">
                        {t.grants.map((g) => (
                          <li key={g.project}>
                            <code>{g.project}</code>:{" "}
                            <span class="muted">
                              {g.permissions
                                .map((p) => p.toLowerCase().replace("_", "-"))
                                .join(", ")}
                            </span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>{formatDateTime(t.createdAt)}</td>
                  <td>{formatRelative(t.lastUsedAt)}</td>
                  <td class="actions-cell">
                    <button
                      type="button"
                      class="btn btn-sm btn-danger-ghost"
                      onClick={() => setRevoking(t)}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.pager}
      </QueryStates>
      {creating && (
        <NewTokenDialog
          projects={projects.map((p) => p.name)}
          canAdmin={viewer.admin}
          onClose={() => setCreating(false)}
        />
      )}
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke token"
        danger
        busy={revocation.fetching}
        error={errorMessage(revocation.error)}
        onCancel={() => setRevoking(null)}
        onConfirm={async () => {
          if (!revoking) return;
          const outcome = await revoke({ id: revoking.id }, { additionalTypenames: ["ApiToken"] });
          if (!outcome.error) {
            toast(`Token ${revoking.name} revoked.`);
            setRevoking(null);
          }
        }}
      >
        <p>Requests and live connections using this token stop working at once.</p>
        {revoking?.id === currentId && (
          <Callout tone="warn">
            This is the token this dashboard session uses: you will be signed out.
          </Callout>
        )}
      </ConfirmDialog>
    </>
  );
}

interface GrantDraft {
  project: string;
  permissions: Permission[];
}

function NewTokenDialog({
  projects,
  canAdmin,
  onClose,
}: {
  projects: string[];
  canAdmin: boolean;
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [admin, setAdmin] = useState(false);
  const [grants, setGrants] = useState<GrantDraft[]>(
    projects[0] ? [{ project: projects[0], permissions: PRESETS["Read only"]! }] : [],
  );
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [result, create] = useMutation(CreateApiTokenDocument);
  const errors = formErrors(result.error);

  if (created) {
    return (
      <Dialog
        open
        title="Token created"
        onClose={onClose}
        footer={
          <button type="button" class="btn btn-primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <Callout tone="warn" title="Copy it now: it is shown only once.">
          Mailstream keeps only a hash of the token; if it is lost, revoke it and create another.
        </Callout>
        <div class="field">
          <label class="field-label" for="new-token-value">
            Token
          </label>
          <div class="input-group">
            <input
              id="new-token-value"
              class="input mono token-value"
              readOnly
              value={created}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button
              type="button"
              class="btn"
              onClick={async () => {
                await navigator.clipboard?.writeText(created).catch(() => undefined);
                setCopied(true);
              }}
            >
              <Icon name={copied ? "check" : "copy"} /> {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </div>
      </Dialog>
    );
  }

  const setGrant = (index: number, grant: GrantDraft) =>
    setGrants(grants.map((g, i) => (i === index ? grant : g)));
  const submit = async (event: Event) => {
    event.preventDefault();
    const outcome = await create(
      {
        input: {
          name: name.trim(),
          admin,
          grants: admin ? [] : grants.filter((g) => g.permissions.length > 0),
        },
      },
      { additionalTypenames: ["ApiToken"] },
    );
    if (outcome.data) setCreated(outcome.data.createApiToken.token);
  };

  return (
    <Dialog open wide title="New API token" onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {unplacedErrors(errors, ["name", ...grants.map((_, i) => `grants.${i}`)]).map((e) => (
          <p key={e} class="form-error" role="alert">
            {e}
          </p>
        ))}
        <TextField
          label="Name"
          value={name}
          onValue={setName}
          required
          placeholder="nightly-export"
          error={errorFor(errors, "name")}
          hint="Says who or what uses the token."
        />
        {canAdmin && (
          <label class="checkbox">
            <input
              type="checkbox"
              checked={admin}
              onChange={(e) => setAdmin(e.currentTarget.checked)}
            />
            <span>
              Admin token
              <span class="checkbox-hint">
                Every permission on every project, including creating projects and tokens.
              </span>
            </span>
          </label>
        )}
        {!admin && (
          <fieldset class="form-section">
            <legend>Project permissions</legend>
            {grants.map((grant, index) => (
              <div class="grant-editor" key={index}>
                <div class="grant-head">
                  <select
                    class="select"
                    aria-label="Project"
                    value={grant.project}
                    onChange={(e) => setGrant(index, { ...grant, project: e.currentTarget.value })}
                  >
                    {projects.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                  <span class="grant-presets">
                    {Object.entries(PRESETS).map(([label, permissions]) => (
                      <button
                        key={label}
                        type="button"
                        class="btn btn-xs"
                        onClick={() => setGrant(index, { ...grant, permissions })}
                      >
                        {label}
                      </button>
                    ))}
                  </span>
                  <button
                    type="button"
                    class="btn btn-ghost btn-icon"
                    aria-label={`Remove the grant on ${grant.project}`}
                    onClick={() => setGrants(grants.filter((_, i) => i !== index))}
                  >
                    <Icon name="x" />
                  </button>
                </div>
                <div class="checkbox-grid">
                  {PERMISSIONS.map((p) => (
                    <label key={p.value} class="checkbox">
                      <input
                        type="checkbox"
                        checked={grant.permissions.includes(p.value)}
                        onChange={(e) =>
                          setGrant(index, {
                            ...grant,
                            permissions: e.currentTarget.checked
                              ? [...grant.permissions, p.value]
                              : grant.permissions.filter((x) => x !== p.value),
                          })
                        }
                      />
                      <span>{p.label}</span>
                    </label>
                  ))}
                </div>
                {errorFor(errors, `grants.${index}`) && (
                  <p class="field-error">{errorFor(errors, `grants.${index}`)}</p>
                )}
              </div>
            ))}
            {projects.length > 0 && (
              <button
                type="button"
                class="btn btn-sm"
                onClick={() => setGrants([...grants, { project: projects[0]!, permissions: [] }])}
              >
                <Icon name="plus" size={14} /> Add a project
              </button>
            )}
          </fieldset>
        )}
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={result.fetching || !name.trim()}>
            {result.fetching ? "Creating…" : "Create token"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
