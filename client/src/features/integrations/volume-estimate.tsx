import { useClient } from "@urql/preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../../api/errors";
import {
  EstimateVolumeDocument,
  type EstimateVolumeQuery,
  type MailboxInput,
} from "../../gql/graphql";
import { Callout } from "../../ui/feedback";
import { formatNumber } from "../../ui/format";
import { Icon } from "../../ui/icons";
import "./mailbox-form.css";

type Estimate = EstimateVolumeQuery["estimateVolume"];

/** "Gauge volumes before syncing": messages and units the mailbox would take with these filters. */
export function VolumeEstimate({
  integrationId,
  input,
  disabled,
}: {
  integrationId: string | null;
  input: () => MailboxInput;
  disabled?: boolean;
}) {
  const client = useClient();
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    if (!integrationId) return;
    setBusy(true);
    setError(null);
    const result = await client
      .query(
        EstimateVolumeDocument,
        { integrationId, mailbox: input() },
        { requestPolicy: "network-only" },
      )
      .toPromise();
    setBusy(false);
    if (result.data) setEstimate(result.data.estimateVolume);
    else setError(errorMessage(result.error) ?? "The estimate failed.");
  };

  return (
    <div class="estimate" aria-live="polite">
      <div class="estimate-row">
        <button
          type="button"
          class="btn btn-sm"
          onClick={run}
          disabled={disabled || busy || !integrationId}
        >
          <Icon name="gauge" />{" "}
          {busy ? "Estimating…" : estimate ? "Estimate again" : "Estimate volume"}
        </button>
        {estimate && !error && (
          <span class="estimate-result">
            About <strong>{formatNumber(estimate.messages)}</strong> messages ·{" "}
            <strong>{formatNumber(estimate.units)}</strong> units
          </span>
        )}
      </div>
      {estimate && !error && <p class="estimate-note">{estimate.note}</p>}
      {error && (
        <Callout tone="warn" title="No estimate.">
          {error}
        </Callout>
      )}
      {estimate && !error && estimate.folders.length > 0 && (
        <details class="estimate-folders">
          <summary>
            Per folder ({estimate.folders.filter((f) => f.included).length} included)
          </summary>
          <table class="table table-compact">
            <thead>
              <tr>
                <th scope="col">Folder</th>
                <th scope="col" class="num">
                  Messages
                </th>
                <th scope="col">Synced</th>
              </tr>
            </thead>
            <tbody>
              {estimate.folders.map((f) => (
                <tr key={f.folder} class={f.included ? "" : "muted"}>
                  <td class="mono truncate" title={f.folder}>
                    {f.folder}
                  </td>
                  <td class="num">{formatNumber(f.messages)}</td>
                  <td>{f.included ? "Yes" : "Filtered out"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </div>
  );
}
