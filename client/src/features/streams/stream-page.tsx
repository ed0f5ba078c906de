import { useMutation, useQuery, useSubscription } from "@urql/preact";
import { useEffect, useState } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import {
  DeleteStreamDocument,
  ResetStreamDocument,
  StreamsDocument,
  StreamTailDocument,
  type MessageRowFragment,
} from "../../gql/graphql";
import { Link, navigate } from "../../router";
import { Field } from "../../ui/controls";
import { ConfirmDialog, Dialog } from "../../ui/dialog";
import { EmptyState, ErrorState, SkeletonRows, toast } from "../../ui/feedback";
import { formatDateTime, formatNumber, fromDateTimeInput, toDateTimeInput } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { MailText } from "../../ui/mail-text";
import { PageHeader, Section } from "../../ui/page";
import { can, useSession } from "../session/session-context";
import { NextBatch } from "./next-batch";
import { LagValue, useStreamLag } from "./stream-lag";
import { filterSummary } from "./streams-page";
import "./streams.css";

/** How many tail lines are kept on screen. */
const TAIL_LINES = 200;

interface TailLine {
  at: number;
  bucket: string;
  message: MessageRowFragment;
}

export default function StreamPage({ project, name }: { project: string; name: string }) {
  const { viewer } = useSession();
  const [result, refetch] = useQuery({ query: StreamsDocument, variables: { project } });
  const stream = result.data?.project?.streams.find((s) => s.name === name) ?? null;
  const canAdmin = can(viewer, project, "STREAMS_ADMIN");
  const lag = useStreamLag(
    project,
    name,
    can(viewer, project, "STREAMS_CONSUME") && stream !== null,
    3000,
  );
  const [paused, setPaused] = useState(false);
  const [tail, setTail] = useState<TailLine[]>([]);
  const [resetting, setResetting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [resetTo, setResetTo] = useState(
    toDateTimeInput(new Date(Date.now() - 3600_000).toISOString()),
  );
  const [reset, resetStream] = useMutation(ResetStreamDocument);
  const [removal, deleteStream] = useMutation(DeleteStreamDocument);

  const [event] = useSubscription({
    query: StreamTailDocument,
    variables: { project, stream: name },
    pause: !stream || paused || !can(viewer, project, "MESSAGES_READ"),
  });
  useEffect(() => {
    const e = event.data?.messageAdded;
    if (!e) return;
    const bucket = stream?.buckets.find((b) => b.id === e.bucketId)?.name ?? e.bucketId;
    setTail((lines) =>
      [
        { at: Date.now(), bucket, message: e.message },
        ...lines.filter((l) => l.message.id !== e.message.id),
      ].slice(0, TAIL_LINES),
    );
  }, [event.data]);

  if (result.fetching && !result.data) return <SkeletonRows rows={4} height={64} />;
  if (result.error && !result.data)
    return (
      <ErrorState
        message={errorMessage(result.error) ?? ""}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  if (!stream) {
    return (
      <EmptyState icon="stream" title="Stream not found">
        Project <code>{project}</code> has no stream named <code>{name}</code>.
      </EmptyState>
    );
  }

  return (
    <>
      <PageHeader
        title={stream.title || stream.name}
        badges={<code class="api-name">{stream.name}</code>}
        subtitle={`Reads ${stream.buckets.map((b) => b.title || b.name).join(", ") || "no bucket"} · ${filterSummary(stream.filter)}`}
        actions={
          canAdmin && (
            <>
              <button type="button" class="btn" onClick={() => setResetting(true)}>
                <Icon name="refresh" /> Reset position
              </button>
              <button
                type="button"
                class="btn btn-ghost btn-icon btn-danger-ghost"
                aria-label={`Delete stream ${stream.name}`}
                title="Delete stream"
                onClick={() => setDeleting(true)}
              >
                <Icon name="trash" />
              </button>
            </>
          )
        }
      />
      <div class="summary-grid">
        <div class="summary-tile">
          <span class="summary-label">Position</span>
          <span class="summary-value mono">#{stream.position}</span>
          <span class="summary-note">last sequence id the consumer advanced to</span>
        </div>
        <div class="summary-tile">
          <span class="summary-label">Lag</span>
          <span class="summary-value">
            <LagValue pending={lag.pending} more={lag.more} />
          </span>
          <span class="summary-note">
            {lag.filtered > 0
              ? `${formatNumber(lag.filtered)} more filtered out`
              : "messages waiting to be fetched"}
          </span>
        </div>
        <div class="summary-tile">
          <span class="summary-label">Created</span>
          <span class="summary-value summary-value-sm">{formatDateTime(stream.createdAt)}</span>
          <span class="summary-note">{filterSummary(stream.filter)}</span>
        </div>
      </div>

      <Section
        id="next-heading"
        title="Next batch"
        description="What the consumer fetches next; looking does not move the position."
      >
        <NextBatch
          project={project}
          name={stream.name}
          canAdvance={can(viewer, project, "STREAMS_CONSUME")}
        />
      </Section>

      <Section
        id="tail-heading"
        title="Live tail"
        description="Messages entering the stream as they are stored (this view does not move the position)."
        actions={
          <button
            type="button"
            class="btn btn-sm"
            aria-pressed={paused}
            onClick={() => setPaused(!paused)}
          >
            <Icon name={paused ? "play" : "pause"} size={14} /> {paused ? "Resume" : "Pause"}
          </button>
        }
      >
        <div class="tail" role="log" aria-live="polite" aria-label="Live tail">
          {tail.length === 0 ? (
            <p class="tail-empty">{paused ? "Paused." : "Waiting for new messages…"}</p>
          ) : (
            <ol>
              {tail.map((line) => (
                <li key={line.message.id} class="tail-line">
                  <span class="tail-seq">#{line.message.sequenceId}</span>
                  <time class="tail-time" dateTime={line.message.receivedAt}>
                    {new Date(line.at).toLocaleTimeString()}
                  </time>
                  <span class="tail-bucket">{line.bucket}</span>
                  <span class="tail-from">{line.message.from?.address ?? "—"}</span>
                  <Link
                    class="tail-subject"
                    href={`/p/${encodeURIComponent(project)}/buckets/${encodeURIComponent(line.bucket)}/messages/${encodeURIComponent(line.message.id)}`}
                  >
                    {line.message.subject ? (
                      <MailText text={line.message.subject} />
                    ) : (
                      "(no subject)"
                    )}
                  </Link>
                </li>
              ))}
            </ol>
          )}
        </div>
      </Section>

      <Dialog
        open={resetting}
        title="Reset position"
        description="The stream continues from the first message stored at or after this time; earlier positions replay messages."
        onClose={() => setResetting(false)}
        footer={
          <>
            <button type="button" class="btn" onClick={() => setResetting(false)}>
              Cancel
            </button>
            <button
              type="button"
              class="btn btn-primary"
              disabled={reset.fetching || !fromDateTimeInput(resetTo)}
              onClick={async () => {
                const outcome = await resetStream({
                  project,
                  name,
                  to: fromDateTimeInput(resetTo)!,
                });
                if (!outcome.error) {
                  toast(`Stream ${name} reset.`);
                  setResetting(false);
                }
              }}
            >
              {reset.fetching ? "Resetting…" : "Reset"}
            </button>
          </>
        }
      >
        {reset.error && <p class="form-error">{errorMessage(reset.error)}</p>}
        <Field label="Stored at or after">
          {({ id }) => (
            <input
              id={id}
              class="input"
              type="datetime-local"
              value={resetTo}
              onInput={(e) => setResetTo(e.currentTarget.value)}
            />
          )}
        </Field>
      </Dialog>
      <ConfirmDialog
        open={deleting}
        title={`Delete stream ${name}?`}
        confirmLabel="Delete stream"
        danger
        busy={removal.fetching}
        error={errorMessage(removal.error)}
        onCancel={() => setDeleting(false)}
        onConfirm={async () => {
          const outcome = await deleteStream(
            { project, name },
            { additionalTypenames: ["Stream"] },
          );
          if (!outcome.error) {
            toast(`Stream ${name} deleted.`);
            navigate(`/p/${encodeURIComponent(project)}/streams`);
          }
        }}
      >
        <p>
          Consumers of this stream stop receiving messages. The buckets and their messages stay.
        </p>
      </ConfirmDialog>
    </>
  );
}
