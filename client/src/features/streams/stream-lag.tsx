import { useQuery } from "@urql/preact";
import { useEffect } from "preact/hooks";
import { StreamLagDocument } from "../../gql/graphql";
import { formatNumber } from "../../ui/format";
import "./streams.css";

/** The largest batch `fetch` returns; a lag beyond it is shown as "1,024+". */
export const LAG_WINDOW = 1024;

/**
 * Lag = messages waiting after the stream's position, read with a non-moving `fetch` (it never
 * advances the position, so looking does not disturb the consumer). Refreshed every few seconds.
 */
export function useStreamLag(project: string, name: string, enabled: boolean, refreshMs = 5000) {
  const [result, refetch] = useQuery({
    query: StreamLagDocument,
    variables: { project, name, size: LAG_WINDOW },
    pause: !enabled,
    requestPolicy: "network-only",
  });
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => refetch({ requestPolicy: "network-only" }), refreshMs);
    return () => clearInterval(timer);
  }, [enabled, refreshMs]);
  const batch = result.data?.project?.stream?.fetch;
  return {
    loading: result.fetching && !result.data,
    error: result.error,
    pending: batch ? batch.results.length : null,
    filtered: batch?.filtered ?? 0,
    more: batch ? !batch.isEndSequence : false,
  };
}

export function LagValue({ pending, more }: { pending: number | null; more: boolean }) {
  if (pending === null) return <span class="muted">—</span>;
  return (
    <span class={pending === 0 ? "lag lag-zero" : pending > 100 || more ? "lag lag-high" : "lag"}>
      {formatNumber(pending)}
      {more ? "+" : ""}
    </span>
  );
}
