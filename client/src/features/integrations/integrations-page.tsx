import { useMutation, useQuery, useSubscription } from "@urql/preact";
import { useEffect, useRef } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import {
  IntegrationEventsDocument,
  ProjectIntegrationsDocument,
  SetIntegrationEnabledDocument,
  SyncProgressDocument,
  type IntegrationSummaryFragment,
} from "../../gql/graphql";
import { Link } from "../../router";
import { Switch } from "../../ui/controls";
import { EmptyState, toast } from "../../ui/feedback";
import { formatRelative, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { PageHeader } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import { DeleteIntegrationButton } from "./delete-integration";
import { plainError } from "./plain-error";
import { API_LABEL, AUTH_LABEL, Badge, CredentialBadge, DISABLED_REASON } from "./status";
import { QueryStates } from "../../api/query-states";
import "./integrations-page.css";

export function IntegrationsPage({ project }: { project: string }) {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({
    query: ProjectIntegrationsDocument,
    variables: { project },
    // Sync keeps changing these rows while the page is not shown, and an empty list carries no
    // Integration typename for a mutation to invalidate: show the cached list, then refresh it.
    requestPolicy: "cache-and-network",
  });
  useLiveRefetch(project, () => refetch({ requestPolicy: "network-only" }));
  const writable = can(viewer, project, "INTEGRATIONS_WRITE");
  const integrations = result.data?.project?.integrations ?? [];
  const newHref = `/p/${encodeURIComponent(project)}/integrations/new`;

  return (
    <>
      <PageHeader
        title="Integrations"
        subtitle="Exchange connections that sync mailboxes into this project's buckets."
        actions={
          writable && (
            <Link class="btn btn-primary" href={newHref}>
              <Icon name="plus" /> New integration
            </Link>
          )
        }
      />
      <QueryStates
        result={result}
        refetch={refetch}
        skeleton={{ rows: 3, height: 88 }}
        isEmpty={integrations.length === 0}
        empty={
          <EmptyState
            icon="plug"
            title="No integrations yet"
            action={
              writable && (
                <Link class="btn btn-primary" href={newHref}>
                  <Icon name="plus" /> New integration
                </Link>
              )
            }
          >
            An integration connects an Azure app registration to Exchange and syncs the mailboxes
            you choose into buckets. The wizard walks you through the three steps.
          </EmptyState>
        }
      >
        <ul class="integration-list" aria-label="Integrations">
          {integrations.map((integration) => (
            <IntegrationRow
              key={integration.id}
              integration={integration}
              project={project}
              writable={writable}
            />
          ))}
        </ul>
      </QueryStates>
    </>
  );
}

/** While mailboxes sync, the rows' counts and states refresh at most this often. */
const PROGRESS_REFRESH_MS = 2_000;

/**
 * Refetches when the server announces a change to an integration of the project (debounced), and
 * now and then while its mailboxes sync, so the counts and states in the rows stay current.
 */
function useLiveRefetch(project: string, refetch: () => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const progressTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(refetch);
  latest.current = refetch;
  const [event] = useSubscription({ query: IntegrationEventsDocument, variables: { project } });
  useEffect(() => {
    if (!event.data) return;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => latest.current(), 300);
  }, [event.data]);
  const [progress] = useSubscription({
    query: SyncProgressDocument,
    variables: { project, integrationId: null },
  });
  useEffect(() => {
    if (!progress.data || progressTimer.current) return;
    progressTimer.current = setTimeout(() => {
      progressTimer.current = null;
      latest.current();
    }, PROGRESS_REFRESH_MS);
  }, [progress.data]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      if (progressTimer.current) clearTimeout(progressTimer.current);
    },
    [],
  );
}

function IntegrationRow({
  integration,
  project,
  writable,
}: {
  integration: IntegrationSummaryFragment;
  project: string;
  writable: boolean;
}) {
  const [toggle, setEnabled] = useMutation(SetIntegrationEnabledDocument);
  const href = `/p/${encodeURIComponent(project)}/integrations/${encodeURIComponent(integration.name)}`;
  const error = plainError(integration.lastError ?? integration.credentials.error);
  // Messages in the mailboxes' buckets (a bucket shared by several mailboxes counts once).
  const messages = [
    ...new Map(integration.mailboxes.map((m) => [m.bucket.id, m.bucket.messageCount])).values(),
  ].reduce((sum, count) => sum + count, 0);
  const syncing = integration.mailboxes.filter((m) => m.sync.status === "SYNCING").length;
  const label = integration.title || integration.name;

  return (
    <li class={`integration-row${integration.enabled ? "" : " is-disabled"}`}>
      <div class="integration-main">
        <span class="integration-icon" aria-hidden="true">
          <Icon name="plug" size={18} />
        </span>
        <div class="integration-text">
          <Link class="integration-title" href={href}>
            {label}
          </Link>
          <div class="integration-meta">
            <code class="api-name">{integration.name}</code>
            <span aria-hidden="true">·</span>
            <span>{API_LABEL[integration.api]}</span>
            <span aria-hidden="true">·</span>
            <span>{AUTH_LABEL[integration.authMethod]}</span>
          </div>
        </div>
      </div>
      <div class="integration-stats">
        <span class="stat-inline">
          <strong>{integration.mailboxes.length}</strong>{" "}
          {integration.mailboxes.length === 1 ? "mailbox" : "mailboxes"}
        </span>
        <span class="stat-inline muted">
          {plural(messages, "message")}
          {syncing > 0 ? ` · ${plural(syncing, "syncing", "syncing")}` : ""}
        </span>
      </div>
      <div class="integration-state">
        <CredentialBadge status={integration.credentials.status} />
        {integration.enabled ? (
          <Badge tone="ok">Enabled</Badge>
        ) : (
          <Badge
            tone={
              integration.disabledReason === "USER" || !integration.disabledReason
                ? "muted"
                : "warn"
            }
          >
            {integration.disabledReason ? DISABLED_REASON[integration.disabledReason] : "Disabled"}
          </Badge>
        )}
      </div>
      <div class="integration-actions">
        <Switch
          checked={integration.enabled}
          label={`${integration.enabled ? "Disable" : "Enable"} ${label}`}
          disabled={!writable}
          busy={toggle.fetching}
          onChange={async (enabled) => {
            const outcome = await setEnabled({ id: integration.id, enabled });
            if (outcome.error)
              toast(errorMessage(outcome.error) ?? "Could not change the integration.", "danger");
            else toast(`${label} ${enabled ? "enabled" : "disabled"}.`);
          }}
        />
        {writable && <DeleteIntegrationButton integrationId={integration.id} label={label} />}
      </div>
      <div class="integration-error" aria-live="polite">
        {error ? (
          <span class="error-line" title={error.detail}>
            <Icon name="alert" size={14} /> {error.summary}
          </span>
        ) : (
          <span class="muted">Updated {formatRelative(integration.updatedAt)}</span>
        )}
      </div>
    </li>
  );
}
