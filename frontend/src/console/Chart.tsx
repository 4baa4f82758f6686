import { useId } from "react";

export interface ChartSeries {
  /** Plain text: a line's, channel's or operator's name. */
  label: string;
  values: (number | null)[];
}

const palette = ["#2f6fde", "#e0822b", "#2a9d5b", "#c0392b", "#8e44ad", "#16a085", "#7f8c8d", "#d4ac0d"];

// The drawing's own units; the SVG scales to its box.
const W = 640;
const pad = { left: 64, right: 12, top: 10, bottom: 24 };

/** About n round steps from 0 to at least max. */
function ticks(max: number, n = 4): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v < max + step; v += step) out.push(v);
  return out;
}

/**
 * A line chart over the report's days, drawn as SVG by React: every label
 * and name is a text node (names come from users and never become
 * markup), and nothing but React runs — a charting library that hung the
 * desktop's WebKit at load was dropped for this. Gaps (null) break a line.
 */
export function Chart({
  days,
  series,
  format,
  testId,
  height = 220,
}: {
  days: string[];
  series: ChartSeries[];
  format?: (v: number) => string;
  testId: string;
  height?: number;
}) {
  const id = useId();
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const ys = ticks(max);
  const top = ys[ys.length - 1] || 1;
  const plotW = W - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (i: number) => pad.left + (days.length <= 1 ? plotW / 2 : (i * plotW) / (days.length - 1));
  const y = (v: number) => pad.top + plotH - (v / top) * plotH;
  const label = (v: number) => (format ? format(v) : String(Math.round(v * 100) / 100));
  const every = Math.max(1, Math.ceil(days.length / 8));
  const segments = (values: (number | null)[]) => {
    const out: string[][] = [[]];
    values.forEach((v, i) => {
      if (v === null) out.push([]);
      else out[out.length - 1].push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    return out.filter((s) => s.length > 0);
  };
  return (
    <figure className="chart" data-testid={testId}>
      <svg className="chart-canvas" viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-labelledby={`${id}-keys`}>
        {ys.map((v) => (
          <g key={v} className="chart-grid">
            <line x1={pad.left} x2={W - pad.right} y1={y(v)} y2={y(v)} />
            <text x={pad.left - 6} y={y(v) + 4} textAnchor="end">
              {label(v)}
            </text>
          </g>
        ))}
        {days.map((d, i) =>
          i % every === 0 ? (
            <text key={d} className="chart-day" x={x(i)} y={height - 6} textAnchor="middle">
              {d.slice(5)}
            </text>
          ) : null,
        )}
        {series.map((s, si) => (
          <g key={si} stroke={palette[si % palette.length]} fill={palette[si % palette.length]}>
            {segments(s.values).map((pts, k) =>
              pts.length === 1 ? null : <polyline key={k} points={pts.join(" ")} fill="none" strokeWidth={2} />,
            )}
            {days.length <= 45 &&
              s.values.map((v, i) =>
                v === null ? null : (
                  <circle key={i} cx={x(i)} cy={y(v)} r={3}>
                    <title>{`${s.label} · ${days[i]}: ${label(v)}`}</title>
                  </circle>
                ),
              )}
          </g>
        ))}
      </svg>
      <figcaption className="chart-legend" id={`${id}-keys`}>
        {series.map((s, i) => (
          <span key={i} className="chart-key">
            <i style={{ background: palette[i % palette.length] }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
