'use client';
import { useEffect, useMemo, useState } from 'react';
import type { PlatformComparison, PlatformRun } from '@creditbook/engine';
import { BarChart, LineChart, PALETTE } from '@/components/Charts.tsx';
import { fmtInt, fmtMoney, fmtPercent, fmtRatio } from '@/components/format.ts';

/** A run's label in the table and the charts: the platform, marked when it is the scenario's own plan. */
function label(r: PlatformRun): string {
  return r.basis === 'scenario' ? `${r.name} (scenario plan)` : r.name;
}

type Column = { key: keyof PlatformRun; title: string; show: (r: PlatformRun) => string };

const COLUMNS: Column[] = [
  { key: 'spend', title: 'Spend', show: (r) => fmtMoney(r.spend) },
  { key: 'expired', title: 'Credits expired', show: (r) => `${fmtInt(r.expired)} ${r.unit}s` },
  { key: 'expired_value', title: 'Expired value', show: (r) => fmtMoney(r.expired_value) },
  { key: 'unmet', title: 'Unmet credits', show: (r) => fmtInt(r.unmet) },
  { key: 'served_seconds', title: 'Served s', show: (r) => fmtMoney(r.served_seconds) },
  { key: 'unservable_seconds', title: 'Unservable s', show: (r) => fmtInt(r.unservable_seconds) },
  { key: 'cost_per_second', title: 'Cost per served s', show: (r) => fmtRatio(r.cost_per_second) },
  { key: 'utilisation', title: 'Utilisation', show: (r) => fmtPercent(r.utilisation, 1) },
];

/**
 * The buyer's view on the what-if page: the scenario's demand priced on every platform of the
 * platform map (GET /api/platforms, the JSON of `creditbook platforms --json`), with spend and
 * expiry side by side, deltas against Kling's cheapest plan, charts, and the workbook download.
 */
export function PlatformsView({ scenarios, initial }: { scenarios: { id: string; title: string }[]; initial: string }) {
  const [scenario, setScenario] = useState(initial);
  const [result, setResult] = useState<PlatformComparison | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setResult(null);
    setError(null);
    fetch(`/api/platforms?scenario=${encodeURIComponent(scenario)}`)
      .then(async (res) => {
        const body = (await res.json()) as PlatformComparison | { errors: { message: string }[] };
        if (!live) return;
        if ('errors' in body) setError(body.errors.map((e) => e.message).join('; '));
        else setResult(body);
      })
      .catch((e: unknown) => live && setError(String(e)));
    return () => {
      live = false;
    };
  }, [scenario]);

  const runs = useMemo(() => result?.platforms ?? [], [result]);
  const periods = runs[0]?.series.map((p) => p.period) ?? [];
  const cumulative = useMemo(
    () =>
      runs.map((r) => {
        let sum = 0;
        return { name: label(r), values: r.series.map((p) => (sum += Number(p.spend))) };
      }),
    [runs],
  );
  const money = (n: number) => fmtMoney(n).replace(/\.00$/, '');

  return (
    <section className="panel flush" data-testid="platforms" style={{ marginTop: 24 }}>
      <div className="panel-head">
        <h2>Platforms</h2>
        <span className="small muted">the same demand on each platform&apos;s cheapest plan that covers it, with its own expiry rules and top-ups</span>
      </div>
      <div className="panel-body" style={{ display: 'flex', gap: 12, alignItems: 'center' }}>
        <label>
          Scenario{' '}
          <select data-testid="platforms-scenario" value={scenario} onChange={(e) => setScenario(e.target.value)}>
            {scenarios.map((s) => (
              <option key={s.id} value={s.id}>
                {s.title}
              </option>
            ))}
          </select>
        </label>
        <a
          className="button"
          data-testid="platforms-export"
          href={`/api/platforms/export?scenario=${encodeURIComponent(scenario)}`}
          download={`${scenario}-platforms.xlsx`}
        >
          Export to Excel
        </a>
      </div>
      {error ? (
        <p className="panel-body pos" data-testid="platforms-error">
          {error}
        </p>
      ) : null}
      {result ? (
        <>
          <div className="scroll-x">
            <table className="data" data-testid="platforms-table">
              <thead>
                <tr>
                  <th>Platform</th>
                  <th>Plan</th>
                  <th>Top-up</th>
                  {COLUMNS.map((c) => (
                    <th key={c.key} className="num">
                      {c.title}
                    </th>
                  ))}
                  <th className="num">Δ spend vs {result.reference}</th>
                  <th className="num">Δ cost per s</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r, i) => (
                  <tr key={`${r.platform}-${r.basis}`} data-platform={r.platform} data-basis={r.basis}>
                    <td>
                      <span
                        className="sw"
                        style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 2, marginRight: 6, background: PALETTE[i % PALETTE.length] }}
                      />
                      {label(r)}
                    </td>
                    <td>
                      {r.plan_name} ({r.billing})
                    </td>
                    <td>{r.top_up ?? '—'}</td>
                    {COLUMNS.map((c) => (
                      <td key={c.key} className="num" data-key={c.key} data-value={String(r[c.key] ?? '')}>
                        {c.show(r)}
                      </td>
                    ))}
                    <td className="num" data-key="delta_spend" data-value={r.deltas?.spend ?? ''}>
                      {r.deltas ? fmtMoney(r.deltas.spend) : '—'}
                    </td>
                    <td className="num" data-key="delta_cost_per_second" data-value={r.deltas?.cost_per_second ?? ''}>
                      {fmtRatio(r.deltas?.cost_per_second)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {runs.some((r) => r.unservable.length > 0) ? (
            <div className="small muted" style={{ padding: '8px 16px', borderTop: '1px solid var(--line)' }} data-testid="platforms-unservable">
              {runs
                .filter((r) => r.basis === 'cheapest' && r.unservable.length > 0)
                .map((r) => (
                  <div key={r.platform}>
                    <strong>{r.name}</strong> cannot serve: {r.unservable.map((u) => `${u.line} (${fmtInt(u.seconds)} s: ${u.reason})`).join('; ')}
                  </div>
                ))}
            </div>
          ) : null}
          <div className="grid-2" style={{ padding: 16 }}>
            <div className="panel">
              <h2>Spend and expired value ({result.currency})</h2>
              <BarChart
                labels={runs.map(label)}
                series={[
                  { name: 'Spend', values: runs.map((r) => Number(r.spend)) },
                  { name: 'Expired value', values: runs.map((r) => Number(r.expired_value)) },
                ]}
                title="Spend and expired value by platform"
                format={money}
                testId="chart-platforms-spend"
              />
            </div>
            <div className="panel">
              <h2>Spend, cumulative ({result.currency})</h2>
              <LineChart labels={periods} series={cumulative} title="Cumulative spend by platform" format={money} testId="chart-platforms-cumulative" />
            </div>
          </div>
        </>
      ) : error ? null : (
        <div className="panel-body muted">Calculating…</div>
      )}
    </section>
  );
}
