/** A bin of a histogram: [from, to) and how many values fall in it. */
export interface Bin {
  from: number;
  to: number;
  count: number;
}

/** Bins values into `n` equal-width bins over their range (one bin when they are all equal). */
export function bins(values: readonly number[], n = 20): Bin[] {
  if (values.length === 0) return [];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo === hi) return [{ from: lo, to: hi, count: values.length }];
  const width = (hi - lo) / n;
  const out: Bin[] = Array.from({ length: n }, (_, i) => ({ from: lo + i * width, to: lo + (i + 1) * width, count: 0 }));
  for (const v of values) out[Math.min(n - 1, Math.floor((v - lo) / width))]!.count++;
  return out;
}

/** An SVG histogram of per-customer change in percent; bars right of zero are increases. */
export function Histogram({ values, label }: { values: readonly number[]; label: string }) {
  const data = bins(values);
  if (data.length === 0) return <p className="muted small">No customer to show.</p>;
  const W = 720;
  const H = 220;
  const pad = { l: 40, r: 12, t: 10, b: 34 };
  const max = Math.max(...data.map((b) => b.count));
  const bw = (W - pad.l - pad.r) / data.length;
  const y = (c: number) => H - pad.b - ((H - pad.t - pad.b) * c) / max;
  const pct = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}%`;
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="histogram">
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line className="gridline" x1={pad.l} x2={W - pad.r} y1={y(max * f)} y2={y(max * f)} />
          <text x={pad.l - 6} y={y(max * f) + 4} textAnchor="end" fontSize="11">
            {Math.round(max * f)}
          </text>
        </g>
      ))}
      {data.map((b, i) => (
        <rect
          key={i}
          x={pad.l + i * bw + 1}
          y={y(b.count)}
          width={Math.max(1, bw - 2)}
          height={H - pad.b - y(b.count)}
          fill={b.to <= 0 ? '#15803d' : b.from >= 0 ? '#b91c1c' : '#64748b'}
          data-count={b.count}
        >
          <title>{`${pct(b.from)} to ${pct(b.to)}: ${b.count} customers`}</title>
        </rect>
      ))}
      <text x={pad.l} y={H - 12} fontSize="11">
        {pct(data[0]!.from)}
      </text>
      <text x={W - pad.r} y={H - 12} fontSize="11" textAnchor="end">
        {pct(data[data.length - 1]!.to)}
      </text>
      <text x={(W + pad.l) / 2} y={H - 12} fontSize="11" textAnchor="middle">
        change per customer
      </text>
    </svg>
  );
}
