/** Small SVG charts drawn from the engine's series: no chart library, crisp at any width. */

export const PALETTE = ['#1e3a8a', '#0891b2', '#d97706', '#7c3aed', '#059669', '#db2777', '#65a30d', '#475569'];

export interface Series {
  name: string;
  values: number[];
}

const W = 760;
const H = 250;
const PAD = { l: 64, r: 14, t: 12, b: 30 };

function niceTicks(max: number, count = 5): number[] {
  if (max <= 0) return [0];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) ticks.push(v);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

function Frame({ labels, top, children, format }: { labels: string[]; top: number; children: React.ReactNode; format: (n: number) => string }) {
  const ticks = niceTicks(top);
  const yMax = ticks[ticks.length - 1] || 1;
  const y = (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / yMax);
  const every = Math.max(1, Math.ceil(labels.length / 12));
  const x = (i: number) => PAD.l + ((W - PAD.l - PAD.r) * (i + 0.5)) / Math.max(1, labels.length);
  return (
    <>
      {ticks.map((t) => (
        <g key={t}>
          <line className="gridline" x1={PAD.l} x2={W - PAD.r} y1={y(t)} y2={y(t)} />
          <text x={PAD.l - 8} y={y(t) + 4} textAnchor="end">{format(t)}</text>
        </g>
      ))}
      <line className="axis" x1={PAD.l} x2={W - PAD.r} y1={H - PAD.b} y2={H - PAD.b} />
      {labels.map((l, i) => (i % every === 0 ? <text key={l + i} x={x(i)} y={H - PAD.b + 16} textAnchor="middle">{l}</text> : null))}
      {children}
    </>
  );
}

function scale(labels: string[], top: number) {
  const ticks = niceTicks(top);
  const yMax = ticks[ticks.length - 1] || 1;
  return {
    x: (i: number) => PAD.l + ((W - PAD.l - PAD.r) * (i + 0.5)) / Math.max(1, labels.length),
    y: (v: number) => PAD.t + (H - PAD.t - PAD.b) * (1 - v / yMax),
    band: (W - PAD.l - PAD.r) / Math.max(1, labels.length),
  };
}

function Legend({ series }: { series: Series[] }) {
  return (
    <div className="legend">
      {series.map((s, i) => (
        <span key={s.name}><span className="sw" style={{ background: PALETTE[i % PALETTE.length] }} />{s.name}</span>
      ))}
    </div>
  );
}

/** One line per series over the periods. */
export function LineChart({ labels, series, title, format = (n) => compact.format(n), testId }: { labels: string[]; series: Series[]; title: string; format?: (n: number) => string; testId?: string }) {
  const top = Math.max(0, ...series.flatMap((s) => s.values));
  const { x, y } = scale(labels, top);
  return (
    <figure style={{ margin: 0 }} data-testid={testId}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <Frame labels={labels} top={top} format={format}>
          {series.map((s, i) => (
            <polyline
              key={s.name}
              fill="none"
              stroke={PALETTE[i % PALETTE.length]}
              strokeWidth={2}
              strokeLinejoin="round"
              points={s.values.map((v, j) => `${x(j).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
            >
              <title>{s.name}</title>
            </polyline>
          ))}
        </Frame>
      </svg>
      <Legend series={series} />
    </figure>
  );
}

/** Grouped bars: one group per period, one bar per series. */
export function BarChart({ labels, series, title, format = (n) => compact.format(n), testId }: { labels: string[]; series: Series[]; title: string; format?: (n: number) => string; testId?: string }) {
  const top = Math.max(0, ...series.flatMap((s) => s.values));
  const { x, y, band } = scale(labels, top);
  const bw = Math.max(1, (band * 0.8) / Math.max(1, series.length));
  return (
    <figure style={{ margin: 0 }} data-testid={testId}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <Frame labels={labels} top={top} format={format}>
          {series.map((s, i) =>
            s.values.map((v, j) =>
              v > 0 ? (
                <rect key={`${i}-${j}`} x={x(j) - (band * 0.8) / 2 + i * bw} y={y(v)} width={Math.max(1, bw - 1)} height={Math.max(0, y(0) - y(v))} fill={PALETTE[i % PALETTE.length]}>
                  <title>{`${s.name} ${labels[j]}: ${v}`}</title>
                </rect>
              ) : null,
            ),
          )}
        </Frame>
      </svg>
      <Legend series={series} />
    </figure>
  );
}
