/** A bar of value/max, or a moving stripe while the total is not known yet (listing folders, queued). */
export function ProgressBar({
  value,
  max,
  tone = "accent",
  label,
  indeterminate,
  working,
}: {
  value: number;
  max: number;
  tone?: "accent" | "ok" | "warn" | "danger" | "muted";
  label: string;
  indeterminate?: boolean;
  /** Marks the next step (e.g. the folder being synced) as in progress with a moving stripe. */
  working?: boolean;
}) {
  const known = !indeterminate;
  const percent = known && max > 0 ? Math.max(0, Math.min(100, (value / max) * 100)) : 0;
  return (
    <div
      class={`progress progress-${tone}${known ? "" : " is-indeterminate"}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? Math.max(max, 1) : undefined}
      aria-valuenow={known ? Math.min(value, Math.max(max, 1)) : undefined}
    >
      <div class="progress-fill" style={{ width: known ? `${percent}%` : undefined }} />
      {known && working && max > 0 && value < max && (
        <div class="progress-working" style={{ left: `${percent}%`, width: `${100 / max}%` }} />
      )}
    </div>
  );
}

/** A small line of the recent rate; decorative (the number beside it carries the meaning). */
export function Sparkline({
  values,
  width = 96,
  height = 24,
}: {
  values: number[];
  width?: number;
  height?: number;
}) {
  // Headroom above the peak, so a steady rate reads as a line, not a full box.
  const max = Math.max(1, ...values) * 1.25;
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map(
    (v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`,
  );
  const line = points.join(" ");
  return (
    <svg
      class="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      aria-hidden="true"
    >
      <line x1="0" y1={height - 1} x2={width} y2={height - 1} class="sparkline-base" />
      {values.length > 1 && (
        <>
          <polygon points={`0,${height} ${line} ${width},${height}`} class="sparkline-area" />
          <polyline points={line} class="sparkline-line" />
        </>
      )}
    </svg>
  );
}

/** Units used against a budget. */
export function Meter({
  used,
  budget,
  label,
}: {
  used: number;
  budget: number | null;
  label: string;
}) {
  if (budget === null) return null;
  const ratio = budget === 0 ? 1 : used / budget;
  const tone = ratio >= 1 ? "danger" : ratio >= 0.8 ? "warn" : "accent";
  return (
    <ProgressBar
      value={Math.min(used, budget)}
      max={Math.max(budget, 1)}
      tone={tone}
      label={label}
    />
  );
}
