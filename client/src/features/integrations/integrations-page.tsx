import { useMutation, useQuery, useSubscription } from "@urql/preact";
import { useEffect, useRef, useState } from "preact/hooks";
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
import { byText, useListTools } from "../../ui/list-tools";
import { PageHeader } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import { DeleteIntegrationButton } from "./delete-integration";
import { EnableRefusal, enableRefusal, type Refusal } from "./enable-refusal";
import { plainError } from "./plain-error";
import { ACCESS, API_LABEL, AUTH_LABEL, Badge, CredentialBadge, DISABLED_REASON } from "./status";
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
  const list = useListTools(integrations, {
    noun: "integrations",
    textOf: (i) => [i.name, i.title, ...i.mailboxes.map((m) => m.email)],
    sorts: {
      name: { label: "Name", compare: byText((i) => (i.title || i.name).toLowerCase()) },
      failing: {
        label: "Failing first",
        compare: (a, b) => failingMailboxes(b).length - failingMailboxes(a).length,
      },
      updated: {
        label: "Recently changed",
        compare: (a, b) => b.updatedAt.localeCompare(a.updatedAt),
      },
    },
  });

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
        {list.controls}
        <ul class="integration-list" aria-label="Integrations">
          {list.visible.map((integration) => (
            <IntegrationRow
              key={integration.id}
              integration={integration}
              project={project}
              writable={writable}
            />
          ))}
        </ul>
        {list.pager}
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
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const href = `/p/${encodeURIComponent(project)}/integrations/${encodeURIComponent(integration.name)}`;
  const failing = failingMailboxes(integration);
  // Integration-wide problems first, then the first failing mailbox (named), then the last error.
  const failure = failing[0] ? plainError(failing[0].reason) : null;
  const error = integration.credentials.error
    ? plainError(integration.credentials.error)
    : failure && failing[0]
      ? { ...failure, summary: `${failing[0].email}: ${failure.summary}` }
      : plainError(integration.lastError);
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
        {integration.enabled && failing.length > 0 ? (
          <Badge tone="danger" icon="alert">
            {failing.length === integration.mailboxes.length && failing.length === 1
              ? "Mailbox failing"
              : `${failing.length} of ${plural(integration.mailboxes.length, "mailbox", "mailboxes")} failing`}
          </Badge>
        ) : integration.enabled ? (
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
            setRefusal(outcome.error ? enableRefusal(outcome.error) : null);
            if (!outcome.error) toast(`${label} ${enabled ? "enabled" : "disabled"}.`);
          }}
        />
        {writable && <DeleteIntegrationButton integrationId={integration.id} label={label} />}
      </div>
      <div class="integration-error" aria-live="polite">
        {refusal ? (
          <EnableRefusal refusal={refusal} onDismiss={() => setRefusal(null)} />
        ) : error ? (
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

/**
 * Mailboxes stopped by an error or that the last credential check could not open: the list
 * shows them instead of "Enabled", so a broken mailbox is seen without opening the integration.
 */
export function failingMailboxes(
  integration: IntegrationSummaryFragment,
): { email: string; reason: string }[] {
  const failing: { email: string; reason: string }[] = [];
  for (const m of integration.mailboxes) {
    const check = integration.credentials.mailboxes.find(
      (c) => c.email.toLowerCase() === m.email.toLowerCase(),
    );
    if (m.disabledReason === "SYNC_ERROR" || m.sync.status === "FAILED")
      failing.push({ email: m.email, reason: m.sync.lastError ?? "its sync failed." });
    else if (check && check.access !== "ACCESSIBLE")
      failing.push({ email: m.email, reason: check.error ?? ACCESS[check.access].label });
  }
  return failing;
}
