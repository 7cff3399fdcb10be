'use client';
import { useEffect, useMemo, useState } from 'react';
import type { Figure, PeriodFigures, PortfolioComparison, TotalFigures } from '@creditbook/engine';
import { LineChart, type Series } from '@/components/Charts.tsx';

export interface PortfolioChoice {
  id: string;
  title: string;
  description: string;
  cohorts: { id: string; scenario: string }[];
  variants: { name: string; description: string }[];
}

/** The JSON of GET /api/portfolio (the same as `creditbook compare <portfolio.yaml> --json`). */
type Comparison = PortfolioComparison;
type Totals = TotalFigures;

const q = (f: Figure | undefined, k: 'p10' | 'p50' | 'p90' = 'p50'): number => (f === undefined ? 0 : typeof f === 'object' ? Number(f[k]) : Number(f));
const money = (x: number) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const signed = (x: number, f: (n: number) => string) => `${x > 0 ? '+' : ''}${f(x)}`;

/** Three lines per run: P10, P50 and P90 of one figure over the months. */
function bands(runs: Comparison['runs'], get: (p: PeriodFigures) => Figure | undefined): Series[] {
  return runs.flatMap((r) => [
    { name: `${r.name} P90`, values: r.result.periods.map((p) => q(get(p), 'p90')) },
    { name: `${r.name} P50`, values: r.result.periods.map((p) => q(get(p), 'p50')) },
    { name: `${r.name} P10`, values: r.result.periods.map((p) => q(get(p), 'p10')) },
  ]);
}

export function PortfolioView({ portfolios }: { portfolios: PortfolioChoice[] }) {
  const [id, setId] = useState(portfolios[0]?.id ?? '');
  const [chosen, setChosen] = useState<string[]>([]);
  const [data, setData] = useState<Comparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const p = portfolios.find((x) => x.id === id);

  useEffect(() => {
    if (!id) return;
    let live = true;
    setBusy(true);
    setError(null);
    const qs = new URLSearchParams({ portfolio: id });
    for (const v of chosen) qs.append('variant', v);
    fetch(`/api/portfolio?${qs.toString()}`)
      .then(async (r) => {
        const body = (await r.json()) as Comparison & { errors?: { formatted?: string; message: string }[] };
        if (!live) return;
        if (!r.ok) setError((body.errors ?? []).map((e) => e.formatted ?? e.message).join('\n') || `HTTP ${r.status}`);
        else setData(body);
      })
      .catch((e: Error) => live && setError(e.message))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [id, chosen]);

  const pools = useMemo(() => Object.keys(data?.runs[0]?.result.periods[0]?.pools ?? {}), [data]);
  if (!p) return <p className="muted">No portfolios in the store.</p>;
  const labels = data?.runs[0]?.result.periods.map((x) => x.period) ?? [];
  const base = data?.runs[0]?.result;
  const rows: [string, (t: Totals) => Figure | undefined, (n: number) => string][] = [
    ['Customers', (t) => t.customers, int],
    ['Churned', (t) => t.churned, int],
    [`Spend (${data?.currency ?? ''})`, (t) => t.spend, money],
    [`Expired value, breakage at cost (${data?.currency ?? ''})`, (t) => t.expired_value, money],
    [`Billings (${data?.currency ?? ''})`, (t) => t.books['billings'], money],
    [`Revenue (${data?.currency ?? ''})`, (t) => t.books['revenue'], money],
    [`Revenue from usage (${data?.currency ?? ''})`, (t) => t.books['revenue_usage'], money],
    [`Revenue from breakage (${data?.currency ?? ''})`, (t) => t.books['revenue_breakage'], money],
    [`Deferred revenue at the end (${data?.currency ?? ''})`, (t) => t.books['deferred_closing'], money],
    [`Deferred revenue, peak month end (${data?.currency ?? ''})`, (t) => t.books['deferred_peak'], money],
    ...pools.flatMap(
      (pool) =>
        [
          [`${pool}: consumed`, (t: Totals) => t.pools[pool]?.['consumed'], int],
          [`${pool}: expired`, (t: Totals) => t.pools[pool]?.['expired'], int],
          [`${pool}: outstanding at the end`, (t: Totals) => t.pools[pool]?.['closing'], int],
        ] as [string, (t: Totals) => Figure | undefined, (n: number) => string][],
    ),
  ];

  return (
    <>
      <div className="panel">
        <div className="form-row" style={{ alignItems: 'flex-start', gap: 24 }}>
          <label className="field" style={{ minWidth: 280 }}>
            Portfolio
            <select value={id} onChange={(e) => (setId(e.target.value), setChosen([]))} data-testid="portfolio-select">
              {portfolios.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.title}
                </option>
              ))}
            </select>
            <span className="small muted" style={{ fontWeight: 400, maxWidth: 360 }}>
              {p.description}
            </span>
          </label>
          <div>
            <div className="field" style={{ marginBottom: 6 }}>
              Variants (across every cohort)
            </div>
            <div className="chips" data-testid="portfolio-variants">
              {p.variants.map((v) => (
                <label key={v.name} className="chip" title={v.description}>
                  <input
                    type="checkbox"
                    checked={chosen.includes(v.name)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, v.name] : chosen.filter((x) => x !== v.name))}
                    data-testid={`variant-${v.name}`}
                  />{' '}
                  {v.name}
                </label>
              ))}
            </div>
          </div>
          <span className="status-line" data-testid="portfolio-status">
            <span className={`dot ${busy ? 'busy' : error ? 'bad' : ''}`} />
            {busy
              ? 'Running the customers…'
              : error
                ? 'Problems'
                : data
                  ? `${data.runs[0]?.result.runs ?? 0} seeded runs, seed ${data.runs[0]?.result.seed ?? 0}`
                  : ''}
          </span>
        </div>
      </div>
      {error ? (
        <div className="notice error" role="alert" data-testid="portfolio-errors" style={{ whiteSpace: 'pre-wrap' }}>
          {error}
        </div>
      ) : null}
      {data && base ? (
        <>
          <div className="panel flush">
            <div className="panel-head">
              <h2>
                Totals <span className="muted">({data.currency}, P50 over the runs)</span>
              </h2>
              <span className="small muted">Δ is the variant minus the base.</span>
            </div>
            <table className="grid" data-testid="portfolio-totals">
              <thead>
                <tr>
                  <th>Figure</th>
                  {data.runs.map((r, i) => [
                    <th key={r.name} className="num">
                      {r.name}
                    </th>,
                    i > 0 ? (
                      <th key={`${r.name}-d`} className="num">
                        Δ
                      </th>
                    ) : null,
                  ])}
                </tr>
              </thead>
              <tbody>
                {rows.map(([title, get, f]) => (
                  <tr key={title}>
                    <td>{title}</td>
                    {data.runs.map((r, i) => {
                      const v = q(get(r.result.totals));
                      const d = v - q(get(base.totals));
                      return [
                        <td key={r.name} className="num">
                          {f(v)}
                        </td>,
                        i > 0 ? (
                          <td key={`${r.name}-d`} className={`num ${d === 0 ? 'zero' : d > 0 ? 'pos' : 'neg'}`} data-testid={`delta-${r.name}`}>
                            {signed(d, f)}
                          </td>
                        ) : null,
                      ];
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="panel" data-testid="portfolio-charts">
            <h2>Deferred revenue at month end (P10–P90)</h2>
            <LineChart
              labels={labels}
              series={bands(data.runs, (x) => x.books['deferred_closing'])}
              title="Deferred revenue at month end, P10, P50 and P90"
              format={money}
              testId="chart-deferred"
            />
            <h2>Revenue per month (P10–P90)</h2>
            <LineChart
              labels={labels}
              series={bands(data.runs, (x) => x.books['revenue'])}
              title="Revenue per month, P10, P50 and P90"
              format={money}
              testId="chart-revenue"
            />
            <h2>Breakage revenue per month (P10–P90)</h2>
            <LineChart
              labels={labels}
              series={bands(data.runs, (x) => x.books['revenue_breakage'])}
              title="Breakage revenue per month, P10, P50 and P90"
              format={money}
              testId="chart-breakage-revenue"
            />
            <h2>Spend per month (P10–P90)</h2>
            <LineChart
              labels={labels}
              series={bands(data.runs, (x) => x.spend)}
              title="Spend per month, P10, P50 and P90"
              format={money}
              testId="chart-spend"
            />
            <h2>Expired value at cost per month (P10–P90)</h2>
            <LineChart
              labels={labels}
              series={bands(data.runs, (x) => x.expired_value)}
              title="Expired value per month, P10, P50 and P90"
              format={money}
              testId="chart-breakage"
            />
            {pools.map((pool) => (
              <div key={pool}>
                <h2>{pool}: credits outstanding at month end (P10–P90)</h2>
                <LineChart
                  labels={labels}
                  series={bands(data.runs, (x) => x.pools[pool]?.['closing'])}
                  title={`${pool} credits outstanding, P10, P50 and P90`}
                  testId={`chart-outstanding-${pool}`}
                />
              </div>
            ))}
            <p className="small muted">
              Revenue is recognised per lot as each customer uses credits, under the validity policy&apos;s revenue terms (docs/books.md); breakage revenue
              includes expected breakage booked ahead of expiry. Spend is cash taken; expired value is what expired, at the price paid.
            </p>
          </div>
          <div className="panel flush">
            <div className="panel-head">
              <h2>
                Per cohort <span className="muted">({base.portfolio}, base, P50)</span>
              </h2>
            </div>
            <table className="grid" data-testid="portfolio-cohorts">
              <thead>
                <tr>
                  <th>Cohort</th>
                  <th>Scenario</th>
                  <th className="num">Customers</th>
                  <th className="num">Churned</th>
                  <th className="num">Spend</th>
                  <th className="num">Expired value</th>
                  <th className="num">Revenue</th>
                  <th className="num">Breakage revenue</th>
                  <th className="num">Deferred at the end</th>
                  {pools.map((pool) => (
                    <th key={pool} className="num">
                      {pool} outstanding
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {base.cohorts.map((c) => (
                  <tr key={c.cohort}>
                    <td>{c.cohort}</td>
                    <td className="mono small">{c.scenario}</td>
                    <td className="num">{int(q(c.totals.customers))}</td>
                    <td className="num">{int(q(c.totals.churned))}</td>
                    <td className="num">{money(q(c.totals.spend))}</td>
                    <td className="num">{money(q(c.totals.expired_value))}</td>
                    <td className="num">{money(q(c.totals.books['revenue']))}</td>
                    <td className="num">{money(q(c.totals.books['revenue_breakage']))}</td>
                    <td className="num">{money(q(c.totals.books['deferred_closing']))}</td>
                    {pools.map((pool) => (
                      <td key={pool} className="num">
                        {int(q(c.totals.pools[pool]?.['closing']))}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </>
  );
}
