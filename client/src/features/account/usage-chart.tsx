import { formatNumber } from "../../ui/format";
import "./usage-chart.css";

export interface UsagePoint {
  day: string;
  integrationName?: string | null;
  units: number;
}

const DAYS = 30;
const WIDTH = 600;
const HEIGHT = 140;
const PALETTE = ["#2563eb", "#16a34a", "#f59e0b", "#db2777", "#7c3aed", "#0891b2", "#dc2626"];

/** The last `days` UTC days, oldest first, as YYYY-MM-DD. */
export function lastDays(now: Date, days = DAYS): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--)
    out.push(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/**
 * Units charged per day, stacked by integration: plain SVG (no chart library), one bar per UTC
 * day of the last 30, a legend naming the integrations, and each bar's numbers in its tooltip.
 */
export function UsageChart({ project, points }: { project: string; points: UsagePoint[] }) {
  const days = lastDays(new Date());
  const names = [...new Set(points.map((p) => p.integrationName ?? "(deleted integration)"))];
  const byDay = new Map<string, Map<string, number>>();
  for (const p of points) {
    const name = p.integrationName ?? "(deleted integration)";
    const day = byDay.get(p.day) ?? new Map<string, number>();
    day.set(name, (day.get(name) ?? 0) + p.units);
    byDay.set(p.day, day);
  }
  const totals = days.map((d) => [...(byDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const total = totals.reduce((a, b) => a + b, 0);
  const slot = WIDTH / days.length;
  const colour = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length]!;

  return (
    <figure class="usage-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Units per day of ${project}, last ${days.length} days: ${formatNumber(total)} in all, at most ${formatNumber(max)} in a day`}
        preserveAspectRatio="none"
      >
        <line class="usage-axis" x1="0" x2={WIDTH} y1={HEIGHT} y2={HEIGHT} />
        {days.map((day, i) => {
          let y = HEIGHT;
          const parts = [...(byDay.get(day)?.entries() ?? [])];
          return (
            <g key={day}>
              <title>
                {`${day}: ${formatNumber(totals[i]!)} units${parts.length ? ` (${parts.map(([n, u]) => `${n} ${formatNumber(u)}`).join(", ")})` : ""}`}
              </title>
              <rect class="usage-slot" x={i * slot} y={0} width={slot} height={HEIGHT} />
              {parts.map(([name, units]) => {
                const h = (units / max) * (HEIGHT - 4);
                y -= h;
                return (
                  <rect
                    key={name}
                    x={i * slot + slot * 0.15}
                    y={y}
                    width={slot * 0.7}
                    height={h}
                    fill={colour(name)}
                  />
                );
              })}
            </g>
          );
        })}
      </svg>
      <div class="usage-ticks" aria-hidden="true">
        <span>{days[0]}</span>
        <span>{days[days.length - 1]}</span>
      </div>
      <figcaption class="usage-legend">
        {names.length === 0 ? (
          <span class="muted">No units charged in the last {days.length} days.</span>
        ) : (
          names.map((name) => (
            <span key={name} class="usage-key">
              <span class="usage-swatch" style={{ background: colour(name) }} aria-hidden="true" />
              {name}
            </span>
          ))
        )}
      </figcaption>
    </figure>
  );
}
