import { useClient, useMutation } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import { AdvanceStreamDocument, StreamPeekDocument, type StreamPeekQuery } from "../../gql/graphql";
import { ConfirmDialog } from "../../ui/dialog";
import { toast } from "../../ui/feedback";
import { formatDateTime, formatNumber, plural } from "../../ui/format";
import { Icon } from "../../ui/icons";
import { MailText } from "../../ui/mail-text";
import "./streams.css";

type Batch = NonNullable<NonNullable<StreamPeekQuery["project"]>["stream"]>["fetch"];

/**
 * The consumer's next batch, looked at without moving the position (`fetch` is a peek), and
 * "Advance past it" for an operator who has to skip a batch a consumer cannot get past.
 */
export function NextBatch({
  project,
  name,
  canAdvance,
}: {
  project: string;
  name: string;
  canAdvance: boolean;
}) {
  const client = useClient();
  const [batch, setBatch] = useState<Batch | null>(null);
  const [lag, setLag] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [advancing, advance] = useMutation(AdvanceStreamDocument);

  const peek = async () => {
    const result = await client
      .query(StreamPeekDocument, { project, name, size: 10 }, { requestPolicy: "network-only" })
      .toPromise();
    const stream = result.data?.project?.stream;
    setError(stream ? null : (errorMessage(result.error) ?? "The stream could not be read."));
    setBatch(stream?.fetch ?? null);
    setLag(stream?.lag ?? null);
  };

  return (
    <div class="card next-batch">
      <div class="next-batch-head">
        <button type="button" class="btn" onClick={peek}>
          <Icon name="eye" /> {batch ? "Peek again" : "Peek at the next batch"}
        </button>
        {lag !== null && (
          <span class="muted" role="status">
            {plural(lag, "message")} behind
          </span>
        )}
        {batch && canAdvance && batch.results.length > 0 && (
          <button type="button" class="btn" onClick={() => setConfirming(true)}>
            Advance past this batch
          </button>
        )}
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {batch &&
        (batch.results.length === 0 ? (
          <p class="muted">Nothing waiting: the consumer is up to date.</p>
        ) : (
          <ol class="tail" aria-label="Next batch">
            {batch.results.map((r) => (
              <li key={r.sequenceId} class="tail-line">
                <span class="tail-seq mono">#{r.sequenceId}</span>
                <span class="tail-time">{formatDateTime(r.message.receivedAt)}</span>
                <span class="tail-from">
                  <MailText text={r.message.from?.name || r.message.from?.address || ""} />
                </span>
                <span class="tail-subject">
                  <MailText text={r.message.subject || "(no subject)"} />
                </span>
              </li>
            ))}
          </ol>
        ))}
      <ConfirmDialog
        open={confirming}
        title="Advance past this batch?"
        confirmLabel="Advance"
        busy={advancing.fetching}
        error={advancing.error ? errorMessage(advancing.error) : null}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          if (!batch) return;
          const outcome = await advance({ project, name, sequenceId: batch.sequenceId });
          if (!outcome.error) {
            toast(`Advanced to #${batch.sequenceId}.`);
            setConfirming(false);
            void peek();
          }
        }}
      >
        <p>
          The consumer will not receive these {formatNumber(batch?.results.length ?? 0)} messages
          (position #{batch?.sequenceId}). To read them again later, reset the position to a time
          before them.
        </p>
      </ConfirmDialog>
    </div>
  );
}
