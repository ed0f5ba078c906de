import { useMutation, useQuery, useSubscription } from "@urql/preact";
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { errorMessage, formErrors, noErrors, type FormErrors } from "../../api/errors";
import {
  AddMailboxDocument,
  IntegrationDetailDocument,
  IntegrationEventsDocument,
  SetIntegrationEnabledDocument,
  SyncProgressDocument,
  ValidateIntegrationCredentialsDocument,
  type DisabledReason,
  type SyncStateFieldsFragment,
} from "../../gql/graphql";
import { navigate } from "../../router";
import { Switch } from "../../ui/controls";
import { Callout, EmptyState, ErrorState, SkeletonRows, toast } from "../../ui/feedback";
import { formatNumber, formatRate, formatRelative } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { PageHeader, Section } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import { DeleteIntegrationButton } from "./delete-integration";
import { MailboxCard, type LiveMailbox } from "./mailbox-card";
import { MailboxDialog } from "./mailbox-form";
import { emptyDraft, toMailboxInput, type MailboxDraft } from "./mailbox-draft";
import {
  EnableRefusal,
  enableRefusal,
  ErrorDetails,
  QuotaExplanation,
  type Refusal,
} from "./enable-refusal";
import { inFormWords } from "./connection-rules";
import { MigrateToGraph } from "./migrate-to-graph";
import { RotateCredentials, type RotatedIntegration } from "./rotate-credentials";
import { plainError } from "./plain-error";
import {
  ACCESS,
  ACCESS_MODE_LABEL,
  API_LABEL,
  AUTH_LABEL,
  Badge,
  CredentialBadge,
  DISABLED_REASON,
} from "./status";

/** How many progress samples the rate sparkline keeps. */
const RATE_SAMPLES = 40;

interface LivePatch {
  sync: SyncStateFieldsFragment;
  enabled: boolean;
  disabledReason: DisabledReason | null | undefined;
  rates: number[];
}

/** While a mailbox syncs, bucket counts are re-read this often (live counters fill the gaps). */
const COUNT_REFRESH_MS = 5_000;
/** How many recent re-reads estimate what a bucket held apart from the running round. */
const BASE_SAMPLES = 3;

export default function IntegrationPage({ project, name }: { project: string; name: string }) {
  const { viewer } = useSession();
  const writable = can(viewer, project, "INTEGRATIONS_WRITE");
  const [result, refetch] = useQuery({
    query: IntegrationDetailDocument,
    variables: { project, name },
    // Counters moved on while the page was not shown; live events only patch what is loaded.
    requestPolicy: "cache-and-network",
  });
  const integration = result.data?.project?.integration ?? null;
  const [patches, setPatches] = useState<Map<string, LivePatch>>(new Map());
  const now = useNow(15_000);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** Reloads the page data shortly after a change the events only hint at (debounced). */
  const scheduleRefetch = () => {
    if (refetchTimer.current) clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => refetch({ requestPolicy: "network-only" }), 400);
  };
  const countTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      if (countTimer.current) clearTimeout(countTimer.current);
    },
    [],
  );

  // Progress events replace a mailbox's sync state as they arrive; the query result is the base.
  const [progress] = useSubscription({
    query: SyncProgressDocument,
    variables: { project, integrationId: integration?.id ?? null },
    pause: !integration,
  });
  useEffect(() => {
    const event = progress.data?.syncProgress;
    if (!event) return;
    const known =
      patches.get(event.mailboxId)?.sync.status ??
      integration?.mailboxes.find((m) => m.id === event.mailboxId)?.sync.status;
    if (known !== event.sync.status) scheduleRefetch();
    if (event.sync.status === "SYNCING" && !countTimer.current) {
      countTimer.current = setTimeout(() => {
        countTimer.current = null;
        refetch({ requestPolicy: "network-only" });
      }, COUNT_REFRESH_MS);
    }
    setPatches((previous) => {
      const next = new Map(previous);
      const before = next.get(event.mailboxId);
      next.set(event.mailboxId, {
        sync: event.sync,
        enabled: event.mailbox.enabled,
        disabledReason: event.mailbox.disabledReason,
        rates: [...(before?.rates ?? []), event.sync.messagesPerSecond].slice(-RATE_SAMPLES),
      });
      return next;
    });
  }, [progress.data]);

  // Integration-level changes (disabled by an error, credentials re-checked): reload the page data.
  const [event] = useSubscription({ query: IntegrationEventsDocument, variables: { project } });
  useEffect(() => {
    if (
      !event.data ||
      (integration && event.data.integrationEvents.integrationId !== integration.id)
    )
      return;
    scheduleRefetch();
  }, [event.data]);

  // What each bucket holds apart from its mailbox's running round: a query's bucket count minus
  // the round's stored counter. The counter is written a moment after each page commits, so one
  // re-read can be a page high; the lowest of the last few (per round) is exact once any of them
  // was taken between two pages. The live counter is added to it.
  const bases = useRef(new Map<string, { of: object; base: number }[]>());
  const mailboxes: LiveMailbox[] = useMemo(() => {
    const current = new Set<string>();
    const list = (integration?.mailboxes ?? []).map((mailbox) => {
      const patch = patches.get(mailbox.id);
      const sync = patch?.sync ?? mailbox.sync;
      const key = `${mailbox.id}/${mailbox.bucket.id}/${mailbox.sync.startedAt ?? ""}`;
      current.add(key);
      const samples = bases.current.get(key) ?? [];
      if (!samples.some((sample) => sample.of === mailbox)) {
        samples.push({
          of: mailbox,
          base: mailbox.bucket.messageCount - mailbox.sync.messagesStored,
        });
        bases.current.set(key, samples.slice(-BASE_SAMPLES));
      }
      const base = Math.min(...(bases.current.get(key) ?? []).map((sample) => sample.base));
      // A round that started after the query: the count read then holds the earlier rounds.
      // (An event older than the query result may still be the latest patch.)
      const inBucket =
        sync.startedAt === mailbox.sync.startedAt
          ? base + Math.max(sync.messagesStored, mailbox.sync.messagesStored)
          : mailbox.bucket.messageCount + sync.messagesStored;
      return {
        integrationId: integration!.id,
        mailbox,
        sync,
        inBucket,
        enabled: patch?.enabled ?? mailbox.enabled,
        disabledReason: patch ? patch.disabledReason : mailbox.disabledReason,
        integration: {
          enabled: integration!.enabled,
          disabledReason: integration!.disabledReason,
        },
        rates: patch?.rates ?? [mailbox.sync.messagesPerSecond],
      };
    });
    for (const key of bases.current.keys()) if (!current.has(key)) bases.current.delete(key);
    return list;
  }, [integration, patches]);

  if (result.fetching && !result.data) return <SkeletonRows rows={4} height={120} />;
  if (result.error && !result.data) {
    return (
      <ErrorState
        message={errorMessage(result.error) ?? ""}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!integration) {
    return (
      <EmptyState icon="plug" title="Integration not found">
        Project <code>{project}</code> has no integration named <code>{name}</code>. It may have
        been deleted.
      </EmptyState>
    );
  }

  const inBuckets = [
    ...new Map(mailboxes.map((m) => [m.mailbox.bucket.id, m.inBucket])).values(),
  ].reduce((a, b) => a + b, 0);
  const count = (status: string) =>
    mailboxes.filter((m) => m.enabled && m.sync.status === status).length;
  const rate = mailboxes.reduce(
    (sum, m) => sum + (m.sync.status === "SYNCING" ? m.sync.messagesPerSecond : 0),
    0,
  );
  const failing = mailboxes.filter(
    (m) =>
      m.sync.status === "FAILED" || (!m.enabled && m.disabledReason && m.disabledReason !== "USER"),
  ).length;
  // The last check may name mailboxes removed since: list only those still in the integration.
  const checked = integration.credentials.mailboxes.filter((c) =>
    mailboxes.some((m) => m.mailbox.email.toLowerCase() === c.email.toLowerCase()),
  );

  return (
    <>
      <PageHeader
        title={integration.title || integration.name}
        badges={
          <>
            <code class="api-name">{integration.name}</code>
            <Badge tone="muted">{API_LABEL[integration.api]}</Badge>
            <Badge tone="muted">{AUTH_LABEL[integration.authMethod]}</Badge>
            <Badge tone="muted">{ACCESS_MODE_LABEL[integration.access]}</Badge>
          </>
        }
        actions={
          <IntegrationActions integration={integration} writable={writable} project={project} />
        }
      />
      {!integration.enabled && (
        <Callout
          tone={integration.disabledReason === "USER" ? "info" : "warn"}
          title={
            integration.disabledReason ? DISABLED_REASON[integration.disabledReason] : "Disabled"
          }
        >
          {integration.disabledReason === "USER" ? (
            "Nothing syncs until the integration is turned on again; it resumes from its last checkpoint."
          ) : integration.disabledReason === "QUOTA" ? (
            <QuotaExplanation />
          ) : (
            (plainError(integration.lastError)?.summary ??
            "Fix the cause, then turn the integration on again.")
          )}
        </Callout>
      )}
      {integration.secretExpiryWarning && (
        <Callout tone="warn" title="Credentials expire soon">
          {inFormWords(integration.secretExpiryWarning)} Use Rotate credentials above.
        </Callout>
      )}
      {integration.warnings.map((w) => (
        <Callout key={w} tone="warn">
          {w}
        </Callout>
      ))}

      <div class="summary-grid">
        <SummaryTile
          label="Mailboxes"
          value={formatNumber(mailboxes.length)}
          note={
            [
              count("SYNCING") && `${count("SYNCING")} syncing`,
              count("UP_TO_DATE") && `${count("UP_TO_DATE")} up to date`,
              failing && `${failing} failing`,
            ]
              .filter(Boolean)
              .join(" · ") || "none syncing"
          }
        />
        <SummaryTile
          label="Messages in buckets"
          value={formatNumber(inBuckets)}
          note="in these mailboxes' buckets"
        />
        <SummaryTile
          label="Sync rate"
          value={`${formatRate(rate)}/s`}
          note="messages per second, now"
        />
        <SummaryTile
          label="Credentials"
          value={<CredentialBadge status={integration.credentials.status} />}
          note={
            integration.credentials.checkedAt
              ? `checked ${formatRelative(integration.credentials.checkedAt, now)}`
              : "never checked"
          }
        />
      </div>

      <Section
        id="mailboxes-heading"
        title="Mailboxes"
        description="Live progress of each mailbox's current sync round."
        actions={
          writable && (
            <AddMailbox
              integrationId={integration.id}
              project={project}
              onAdded={() => refetch({ requestPolicy: "network-only" })}
            />
          )
        }
      >
        {mailboxes.length === 0 ? (
          <EmptyState icon="mail" title="No mailboxes">
            Add a mailbox to start syncing its mail into a bucket.
          </EmptyState>
        ) : (
          <div class="mailbox-list">
            {mailboxes.map((m) => (
              <MailboxCard
                key={m.mailbox.id}
                live={m}
                project={project}
                writable={writable}
                now={now}
              />
            ))}
          </div>
        )}
      </Section>

      <Section id="connection-heading" title="Connection">
        <div class="card">
          <dl class="details-grid">
            <dt>API</dt>
            <dd>{API_LABEL[integration.api]}</dd>
            <dt>Authentication</dt>
            <dd>{AUTH_LABEL[integration.authMethod]}</dd>
            <dt>Access</dt>
            <dd>
              {ACCESS_MODE_LABEL[integration.access]}
              {integration.serviceUsername && (
                <>
                  {" "}
                  as <code>{integration.serviceUsername}</code>
                </>
              )}
            </dd>
            {integration.authorityUrl && (
              <>
                <dt>Authority URL</dt>
                <dd class="mono">{integration.authorityUrl}</dd>
              </>
            )}
            {integration.clientId && (
              <>
                <dt>Client ID</dt>
                <dd class="mono">{integration.clientId}</dd>
              </>
            )}
            {integration.certificateThumbprint && (
              <>
                <dt>Certificate thumbprint</dt>
                <dd class="mono">{integration.certificateThumbprint}</dd>
              </>
            )}
            <dt>{integration.api === "EWS" ? "EWS URL" : "Graph endpoint"}</dt>
            <dd class="mono">
              {integration.api === "EWS" ? integration.ewsUrl : integration.graphEndpoint}
            </dd>
            <dt>Secret</dt>
            <dd>{integration.hasSecret ? "Stored encrypted (write-only)" : "None"}</dd>
          </dl>
          {integration.credentials.error && (
            <p class="error-line">
              <Icon name="alert" size={14} /> {plainError(integration.credentials.error)?.summary}
            </p>
          )}
          {checked.length > 0 && (
            <ul class="access-list" aria-label="Mailbox access at the last check">
              {checked.map((m) => {
                const access = ACCESS[m.access];
                return (
                  <li key={m.email}>
                    <span>{m.email}</span>
                    <Badge tone={access.tone} icon={access.icon}>
                      {access.label}
                    </Badge>
                    {m.error && (
                      <ErrorDetails raw={m.error} summary={plainError(m.error)?.summary} />
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </Section>
    </>
  );
}

function SummaryTile({
  label,
  value,
  note,
}: {
  label: string;
  value: ComponentChildren;
  note: string;
}) {
  return (
    <div class="summary-tile">
      <span class="summary-label">{label}</span>
      <span class="summary-value">{value}</span>
      <span class="summary-note">{note}</span>
    </div>
  );
}

function IntegrationActions({
  integration,
  writable,
  project,
}: {
  integration: RotatedIntegration & { enabled: boolean };
  writable: boolean;
  project: string;
}) {
  const [toggle, setEnabled] = useMutation(SetIntegrationEnabledDocument);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [validation, validate] = useMutation(ValidateIntegrationCredentialsDocument);
  const label = integration.title || integration.name;
  if (!writable) return null;
  return (
    <>
      <RotateCredentials integration={integration} />
      {integration.api === "EWS" && <MigrateToGraph integration={integration} />}
      <button
        type="button"
        class="btn"
        disabled={validation.fetching}
        onClick={async () => {
          const outcome = await validate(
            { id: integration.id },
            { additionalTypenames: ["Integration"] },
          );
          if (outcome.data) {
            const check = outcome.data.validateIntegrationCredentials;
            toast(
              check.status === "VALID"
                ? "Credentials are valid."
                : `Credentials rejected: ${plainError(check.error)?.summary ?? ""}`,
              check.status === "VALID" ? "ok" : "danger",
            );
          } else toast(errorMessage(outcome.error) ?? "Validation failed.", "danger");
        }}
      >
        <Icon name="shield" /> {validation.fetching ? "Validating…" : "Validate credentials"}
      </button>
      <Switch
        checked={integration.enabled}
        showLabel
        label={integration.enabled ? "Enabled" : "Disabled"}
        busy={toggle.fetching}
        onChange={async (enabled) => {
          const outcome = await setEnabled({ id: integration.id, enabled });
          setRefusal(outcome.error ? enableRefusal(outcome.error) : null);
        }}
      />
      {refusal && <EnableRefusal refusal={refusal} onDismiss={() => setRefusal(null)} />}
      <DeleteIntegrationButton
        integrationId={integration.id}
        label={label}
        onDeleted={() => navigate(`/p/${encodeURIComponent(project)}/integrations`)}
      />
    </>
  );
}

function AddMailbox({
  integrationId,
  project,
  onAdded,
}: {
  integrationId: string;
  project: string;
  onAdded: () => void;
}) {
  const [, validate] = useMutation(ValidateIntegrationCredentialsDocument);
  const [draft, setDraft] = useState<MailboxDraft | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [adding, add] = useMutation(AddMailboxDocument);
  return (
    <>
      <button
        type="button"
        class="btn btn-primary"
        onClick={() => {
          setErrors(noErrors);
          setDraft(emptyDraft(project));
        }}
      >
        <Icon name="plus" /> Add mailbox
      </button>
      {draft && (
        <MailboxDialog
          title="Add mailbox"
          cancelLabel="Discard new mailbox"
          submitLabel="Add mailbox"
          busyLabel="Adding…"
          busy={adding.fetching}
          onClose={() => setDraft(null)}
          onSubmit={async () => {
            const outcome = await add({ integrationId, input: toMailboxInput(draft) });
            if (outcome.data) {
              const email = outcome.data.addMailbox.email;
              setDraft(null);
              onAdded();
              // Say "added" only for a mailbox that can be read; otherwise what is wrong.
              const checked = await validate(
                { id: integrationId },
                { additionalTypenames: ["Integration"] },
              );
              const access = checked.data?.validateIntegrationCredentials.mailboxes.find(
                (m) => m.email.toLowerCase() === email.toLowerCase(),
              );
              if (!access || access.access === "ACCESSIBLE") toast(`${email} added.`);
              else
                toast(
                  `${email} was added but cannot be read: ${plainError(access.error)?.summary ?? ACCESS[access.access].label}`,
                  "danger",
                );
            } else setErrors(formErrors(outcome.error));
          }}
          mode="add"
          draft={draft}
          onChange={setDraft}
          integrationId={integrationId}
          errors={errors}
        />
      )}
    </>
  );
}

/** A clock for relative times ("2 minutes ago") that ticks slowly and never moves layout. */
function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
