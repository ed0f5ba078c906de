import { useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorMessage, formErrors, noErrors, type FormErrors } from "../../api/errors";
import {
  RemoveMailboxDocument,
  ResyncMailboxDocument,
  SyncMailboxDocument,
  UpdateMailboxDocument,
  type DisabledReason,
  type MailboxFieldsFragment,
  type SyncStateFieldsFragment,
} from "../../gql/graphql";
import { Link } from "../../router";
import { Switch } from "../../ui/controls";
import { ConfirmDialog } from "../../ui/dialog";
import { toast } from "../../ui/feedback";
import {
  formatDate,
  formatNumber,
  formatRate,
  formatRelative,
  formatTimeLeft,
} from "../../ui/format";
import { displayFolder } from "../../ui/folder-path";
import { Icon } from "../../ui/icons";
import { ProgressBar, Sparkline } from "../../ui/meters";
import { MailboxDialog } from "./mailbox-form";
import { draftFromMailbox, toUpdateInput, type MailboxDraft } from "./mailbox-draft";
import { plainError } from "./plain-error";
import { QuotaExplanation } from "./enable-refusal";
import { DISABLED_REASON, StatusPill, SyncStatusPill } from "./status";
import { mailboxStanding, roundScope, type Standing } from "./sync-standing";
import "./mailbox-card.css";

/** How new mail is noticed (`SyncState.push`); the reason is the tooltip. */
const PUSH_LABEL: Record<SyncStateFieldsFragment["push"], string> = {
  ACTIVE: "by push (change notifications)",
  POLLING: "by polling",
  PENDING: "by polling until subscribed",
};

export interface LiveMailbox {
  integrationId: string;
  mailbox: MailboxFieldsFragment;
  sync: SyncStateFieldsFragment;
  /** Messages in the mailbox's bucket, kept current between queries from the round's counters. */
  inBucket: number;
  enabled: boolean;
  disabledReason: DisabledReason | null | undefined;
  /** The integration's switch: while it is off (a used-up budget, say) the mailbox is paused. */
  integration: { enabled: boolean; disabledReason: DisabledReason | null | undefined };
  /** messagesPerSecond of the recent progress events, oldest first. */
  rates: number[];
}

export function MailboxCard({
  live,
  project,
  writable,
  now,
}: {
  live: LiveMailbox;
  project: string;
  writable: boolean;
  now: number;
}) {
  const { mailbox, sync, rates } = live;
  const [toggle, update] = useMutation(UpdateMailboxDocument);
  const [syncing, syncNow] = useMutation(SyncMailboxDocument);
  const [resyncing, resync] = useMutation(ResyncMailboxDocument);
  const [removing, remove] = useMutation(RemoveMailboxDocument);
  const [confirm, setConfirm] = useState<"resync" | "remove" | null>(null);
  const [editing, setEditing] = useState<MailboxDraft | null>(null);
  const [editErrors, setEditErrors] = useState<FormErrors>(noErrors);

  const standing = mailboxStanding(live, live.integration, sync.status);
  const on = standing.kind === "on";
  const upToDate = sync.status === "UP_TO_DATE";
  // A later round of a mailbox that was up to date (the regular check for new mail, a resync): the
  // bucket is complete as of lastSyncedAt, so the bar stays full instead of dropping to zero at
  // every sync interval; the caption counts the folders checked.
  const rechecking =
    on && sync.lastSyncedAt !== null && (sync.status === "SYNCING" || sync.status === "QUEUED");
  const full = upToDate || rechecking;
  const listing = sync.status === "SYNCING" && sync.foldersTotal === 0;
  const tone =
    sync.status === "FAILED"
      ? "danger"
      : full
        ? "ok"
        : sync.status === "DISABLED" || !on
          ? "muted"
          : "accent";
  const percent =
    sync.foldersTotal > 0 ? Math.round((sync.foldersDone / sync.foldersTotal) * 100) : 0;
  const problem = plainError(sync.lastError);
  const timeLeft = on && sync.status === "SYNCING" ? formatTimeLeft(sync.etaSeconds) : null;
  const scope = roundScope(sync.status);
  const filterCount = Object.values(mailbox.filters).filter(
    (v) => Array.isArray(v) && v.length > 0,
  ).length;
  const bucketHref = `/p/${encodeURIComponent(project)}/buckets/${encodeURIComponent(mailbox.bucket.name)}`;

  const run = async (action: "sync" | "resync") => {
    const outcome =
      action === "sync" ? await syncNow({ id: mailbox.id }) : await resync({ id: mailbox.id });
    setConfirm(null);
    if (outcome.error) toast(errorMessage(outcome.error) ?? "The request failed.", "danger");
    else
      toast(
        action === "sync"
          ? `Sync of ${mailbox.email} queued.`
          : `Full resync of ${mailbox.email} queued.`,
      );
  };

  return (
    <article class={`mailbox-card tone-${tone}`} aria-label={`Mailbox ${mailbox.email}`}>
      <header class="mailbox-header">
        <div class="mailbox-identity">
          <Icon name="mail" size={18} />
          <div>
            <h3 class="mailbox-email">{mailbox.email}</h3>
            <p
              class="mailbox-config"
              title={`${mailbox.bucket.name} · ${mailbox.allTime ? "all time" : `since ${formatDate(mailbox.syncFrom)}`}`}
            >
              into <Link href={bucketHref}>{mailbox.bucket.title || mailbox.bucket.name}</Link> ·{" "}
              {mailbox.allTime ? "all time" : `since ${formatDate(mailbox.syncFrom)}`}
              {filterCount > 0 &&
                ` · ${filterCount} filter ${filterCount === 1 ? "list" : "lists"}`}
              {mailbox.syncAttachments && " · attachments"}
            </p>
          </div>
        </div>
        <div class="mailbox-status">
          {standing.kind === "on" ? (
            <SyncStatusPill status={sync.status} />
          ) : standing.kind === "paused" ? (
            <StatusPill label="Paused" tone={standing.reason === "USER" ? "muted" : "warn"} />
          ) : (
            <SyncStatusPill status="DISABLED" />
          )}
        </div>
        <div class="mailbox-actions">
          {writable && (
            <>
              <button
                type="button"
                class="btn btn-sm"
                onClick={() => run("sync")}
                disabled={syncing.fetching || !on}
                title={standing.kind === "paused" ? "Paused with the integration" : undefined}
              >
                <Icon name="play" size={14} /> Sync now
              </button>
              <button
                type="button"
                class="btn btn-sm"
                onClick={() => setConfirm("resync")}
                disabled={!on}
                title={standing.kind === "paused" ? "Paused with the integration" : undefined}
              >
                <Icon name="refresh" size={14} /> Resync
              </button>
              <button
                type="button"
                class="btn btn-sm"
                onClick={() => {
                  setEditErrors(noErrors);
                  setEditing(draftFromMailbox(mailbox, project));
                }}
              >
                <Icon name="edit" size={14} /> Edit filters
              </button>
              <button
                type="button"
                class="btn btn-ghost btn-icon btn-danger-ghost"
                aria-label={`Remove ${mailbox.email}`}
                title="Remove mailbox"
                onClick={() => setConfirm("remove")}
              >
                <Icon name="trash" />
              </button>
            </>
          )}
          <Switch
            checked={live.enabled}
            label={`${live.enabled ? "Disable" : "Enable"} syncing of ${mailbox.email}`}
            disabled={!writable}
            busy={toggle.fetching}
            onChange={async (enabled) => {
              const outcome = await update({ id: mailbox.id, input: { enabled } });
              if (outcome.error)
                toast(errorMessage(outcome.error) ?? "Could not change the mailbox.", "danger");
            }}
          />
        </div>
      </header>

      <div class="mailbox-progress">
        <ProgressBar
          value={full ? 1 : sync.foldersDone}
          max={full ? 1 : sync.foldersTotal}
          indeterminate={!full && on && (listing || sync.status === "QUEUED")}
          working={!full && on && sync.status === "SYNCING"}
          tone={tone}
          label={`Folders synced for ${mailbox.email}`}
        />
        <span class="progress-caption">
          {upToDate
            ? "Up to date"
            : rechecking
              ? sync.foldersTotal > 0
                ? `Checking · ${formatNumber(sync.foldersDone)} / ${formatNumber(sync.foldersTotal)} folders`
                : "Checking for new mail…"
              : sync.foldersTotal > 0
                ? `${formatNumber(sync.foldersDone)} / ${formatNumber(sync.foldersTotal)} folders · ${percent}%`
                : listing
                  ? "Listing folders…"
                  : "—"}
        </span>
        {timeLeft && (
          <span
            class="progress-eta"
            title={
              sync.messagesExpected
                ? `From the ${formatNumber(sync.messagesExpected)} messages in the folders being synced (filters not counted) at the current rate`
                : undefined
            }
          >
            {timeLeft}
          </span>
        )}
      </div>

      <dl class="mailbox-stats">
        <div>
          <dt>
            In bucket <Scope>total</Scope>
          </dt>
          <dd>{formatNumber(live.inBucket)}</dd>
        </div>
        <div>
          <dt title={`Messages read from Microsoft in the ${scope}`}>
            Seen <Scope>{scope}</Scope>
          </dt>
          <dd>{formatNumber(sync.messagesSeen)}</dd>
        </div>
        <div>
          <dt title={`New messages stored in the ${scope}`}>
            Stored <Scope>{scope}</Scope>
          </dt>
          <dd>{formatNumber(sync.messagesStored)}</dd>
        </div>
        <div>
          <dt title={`Messages left out by the participant or domain filters in the ${scope}`}>
            Filtered out <Scope>{scope}</Scope>
          </dt>
          <dd>{formatNumber(sync.messagesFiltered)}</dd>
        </div>
        <div>
          <dt title={`Attachment contents stored in the ${scope}`}>
            Attachments <Scope>{scope}</Scope>
          </dt>
          <dd>{formatNumber(sync.attachmentsStored)}</dd>
        </div>
        <div class="stat-rate">
          <dt>
            Rate <Scope>{sync.status === "SYNCING" ? "now" : scope}</Scope>
          </dt>
          <dd>
            <span class="rate-number">{formatRate(sync.messagesPerSecond)}/s</span>
            <Sparkline values={rates} />
          </dd>
        </div>
      </dl>

      <div class="mailbox-activity">
        <span class="activity-item" title={sync.pushReason ?? undefined} data-push={sync.push}>
          <span class="activity-label">New mail</span> {PUSH_LABEL[sync.push]}
        </span>
        <span class="activity-item">
          <span class="activity-label">Phase</span>{" "}
          {sync.phase ?? (upToDate ? "waiting for new mail" : "—")}
        </span>
        <span class="activity-item activity-folder" title={sync.currentFolder ?? undefined}>
          <span class="activity-label">Folder</span>{" "}
          <span class="mono">{sync.currentFolder ? displayFolder(sync.currentFolder) : "—"}</span>
        </span>
      </div>

      <footer class="mailbox-footer">
        {standing.kind === "paused" ? (
          <PausedLine standing={standing} />
        ) : !live.enabled && live.disabledReason ? (
          <span class={live.disabledReason === "USER" ? "muted" : "warn-line"}>
            <Icon name="info" size={14} /> {DISABLED_REASON[live.disabledReason]}
            {problem && `: ${problem.summary}`}
          </span>
        ) : problem ? (
          <span class="error-line" title={problem.detail}>
            <Icon name="alert" size={14} /> {problem.summary}
          </span>
        ) : (
          <span class="muted">
            {sync.lastSyncedAt
              ? `Last synced ${formatRelative(sync.lastSyncedAt, now)}`
              : "Not synced yet"}
            {sync.startedAt &&
              sync.status === "SYNCING" &&
              ` · round started ${formatRelative(sync.startedAt, now)}`}
            {sync.heldBy && ` · synced by ${sync.heldBy.name}`}
          </span>
        )}
      </footer>

      <ConfirmDialog
        open={confirm === "resync"}
        title={`Resync ${mailbox.email}?`}
        confirmLabel="Resync mailbox"
        busy={resyncing.fetching}
        onCancel={() => setConfirm(null)}
        onConfirm={() => run("resync")}
      >
        <p>
          Every folder is walked again from the start. Messages already in the bucket are recognised
          and neither duplicated nor charged again.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "remove"}
        title={`Remove ${mailbox.email}?`}
        confirmLabel="Remove mailbox"
        danger
        busy={removing.fetching}
        error={errorMessage(removing.error)}
        onCancel={() => setConfirm(null)}
        onConfirm={async () => {
          const outcome = await remove(
            { id: mailbox.id },
            { additionalTypenames: ["Mailbox", "Integration"] },
          );
          if (!outcome.error) {
            setConfirm(null);
            toast(`${mailbox.email} removed.`);
          }
        }}
      >
        <p>
          Syncing of this mailbox stops.{" "}
          <strong>Its bucket and the messages already synced stay.</strong>
        </p>
      </ConfirmDialog>
      {editing && (
        <MailboxDialog
          title={`Filters of ${mailbox.email}`}
          description="Changes apply from the next round. Widening a filter backfills what it left out; narrowing never deletes synced messages."
          cancelLabel="Cancel"
          submitLabel="Save filters"
          busyLabel="Saving…"
          busy={toggle.fetching}
          onClose={() => setEditing(null)}
          onSubmit={async () => {
            const outcome = await update({ id: mailbox.id, input: toUpdateInput(editing) });
            if (outcome.data) {
              setEditing(null);
              toast(`Filters of ${mailbox.email} saved.`);
            } else setEditErrors(formErrors(outcome.error));
          }}
          mode="edit"
          draft={editing}
          onChange={setEditing}
          integrationId={live.integrationId}
          errors={editErrors}
        />
      )}
    </article>
  );
}

/** Which round a counter counts ("this round", "last round"), under its name. */
function Scope({ children }: { children: string }) {
  return <span class="stat-scope"> {children}</span>;
}

/** Why a mailbox whose own switch is on does not sync: its integration is off. */
function PausedLine({ standing }: { standing: Standing & { kind: "paused" } }) {
  return (
    <span class={`standing ${standing.reason === "USER" ? "muted" : "warn-line"}`}>
      <Icon name="info" size={14} />{" "}
      <span>
        {standing.reason === "QUOTA" ? (
          <QuotaExplanation />
        ) : standing.reason === "USER" ? (
          "Paused with the integration, which is turned off; its switch is at the top of the page."
        ) : standing.reason === "SYNC_ERROR" ? (
          "Paused with the integration, which a sync error stopped (see above)."
        ) : (
          "Paused with the integration."
        )}
      </span>
    </span>
  );
}
