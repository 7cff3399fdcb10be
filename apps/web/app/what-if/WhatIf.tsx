'use client';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { SeriesPoint } from '@creditbook/engine';
import { BarChart, LineChart } from '@/components/Charts.tsx';
import { BooksPanel, type RunBooks } from '@/components/BooksPanel.tsx';
import { ProblemList, type ShownProblem } from '@/components/ProblemList.tsx';
import { RunTable } from '@/components/RunTable.tsx';
import { fmtInt, fmtMoney, fmtPercent, fmtRatio, fmtSigned } from '@/components/format.ts';
import { allowedValues, narrowed, type Chosen, type Combo } from '@/lib/choices.ts';
import { isInvalidRun, unpricedLines } from '@/lib/runs.ts';

export interface ScenarioChoice {
  id: string;
  title: string;
  description: string;
  start: string;
  horizon: number;
  subscription: string | null;
  billing: string;
  validity: string;
  variants: { name: string; description: string; spec: Record<string, unknown> }[];
  subscriptions: { id: string; name: string; price_month: string; credits: number }[];
  cards: {
    pool: string;
    id: string;
    versions: { version: number; status: string; effective_from: string }[];
    models: string[];
    modes: string[];
    combos: Record<string, string | number>[];
  }[];
  demandModels: string[];
}

/** A variant made on this page; turned into the scenario file's variant format for the API. */
interface CustomVariant {
  name: string;
  card: string;
  cardVersion: string;
  subscription: string;
  billing: string;
  validity: string;
  migrateFrom: string;
  migrateTo: string;
  migrateMode: string;
  migrateDuration: string;
  migrateResolution: string;
  share: string;
  fromPeriod: string;
  /** Fields of an adjusted variant the form does not show (purchases, grants, demand scale, further migrations): kept as they were. */
  extra: Record<string, unknown>;
}

type Totals = Record<string, number | string | null>;
interface Run {
  name: string;
  description: string;
  totals: Totals;
  books: RunBooks;
  series: SeriesPoint[];
  problems: { code: string; message: string; period?: string; path?: string }[];
  versions: { kind: string; id: string; version: number; from: string; to: string }[];
}
interface CompareResult {
  scenario: string;
  currency: string;
  base: string;
  runs: Run[];
  deltas: { name: string; vs: string; totals: Totals; books: Parameters<typeof BooksPanel>[0]['deltas'][number]['books'] }[];
}
type Problem = ShownProblem & { path: string };

/** The rows of the comparison, in the order the exported Compare sheet has them. */
const METRICS: { key: string; label: string; kind: 'credits' | 'money' | 'ratio' | 'percent' | 'integer'; moreIsWorse: boolean }[] = [
  { key: 'granted', label: 'Credits granted', kind: 'credits', moreIsWorse: false },
  { key: 'purchased', label: 'Credits purchased', kind: 'credits', moreIsWorse: true },
  { key: 'consumed', label: 'Credits consumed', kind: 'credits', moreIsWorse: true },
  { key: 'expired', label: 'Credits expired', kind: 'credits', moreIsWorse: true },
  { key: 'unmet', label: 'Demand unmet (credits)', kind: 'credits', moreIsWorse: true },
  { key: 'demand', label: 'Demand (credits)', kind: 'credits', moreIsWorse: true },
  { key: 'spend', label: 'Spend', kind: 'money', moreIsWorse: true },
  { key: 'expired_value', label: 'Breakage value (expired at cost)', kind: 'money', moreIsWorse: true },
  { key: 'cost_per_credit', label: 'Effective cost per credit consumed', kind: 'ratio', moreIsWorse: true },
  { key: 'cost_per_second', label: 'Effective cost per output second', kind: 'ratio', moreIsWorse: true },
  { key: 'utilisation', label: 'Utilisation (consumed / available)', kind: 'percent', moreIsWorse: false },
  { key: 'output_seconds', label: 'Output seconds', kind: 'integer', moreIsWorse: false },
  { key: 'demand_seconds', label: 'Output seconds demanded', kind: 'integer', moreIsWorse: false },
];

function show(kind: (typeof METRICS)[number]['kind'], v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (kind === 'money') return fmtMoney(v);
  if (kind === 'ratio') return fmtRatio(v);
  if (kind === 'percent') return fmtPercent(v);
  return fmtInt(Number(v));
}

function showDelta(kind: (typeof METRICS)[number]['kind'], v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '—';
  const n = Number(v);
  if (kind === 'money') return fmtSigned(n, fmtMoney);
  if (kind === 'ratio') return fmtSigned(n, (x) => x.toFixed(4));
  if (kind === 'percent') return fmtSigned(n * 100, (x) => `${x.toFixed(2)} pts`);
  return fmtSigned(n);
}

function toVariant(c: CustomVariant, s: ScenarioChoice): Record<string, unknown> {
  const v: Record<string, unknown> = { ...c.extra, name: c.name, description: describeCustom(c, s) };
  const plan: Record<string, unknown> = { ...((c.extra['plan'] as Record<string, unknown> | undefined) ?? {}) };
  if (c.subscription) plan['subscription'] = c.subscription;
  if (c.billing) plan['billing'] = c.billing;
  if (Object.keys(plan).length > 0) v['plan'] = plan;
  const rules: Record<string, unknown> = { ...((c.extra['rules'] as Record<string, unknown> | undefined) ?? {}) };
  if (c.validity) rules['validity'] = c.validity;
  if (c.card && c.cardVersion) rules['pins'] = { [c.card]: Number(c.cardVersion) };
  if (Object.keys(rules).length > 0) v['rules'] = rules;
  const more = (c.extra['migrate'] as unknown[] | undefined) ?? [];
  if (c.migrateFrom && c.migrateTo && Number(c.share) > 0) {
    const to: Record<string, string | number> = { model: c.migrateTo };
    if (c.migrateMode) to['mode'] = c.migrateMode;
    if (c.migrateDuration) to['duration_s'] = Number(c.migrateDuration);
    if (c.migrateResolution) to['resolution'] = c.migrateResolution;
    v['migrate'] = [{ from: { model: c.migrateFrom }, to, share: Number(c.share) / 100, ...(c.fromPeriod ? { from_period: c.fromPeriod } : {}) }, ...more];
  } else if (more.length > 0) v['migrate'] = more;
  return v;
}

function describeCustom(c: CustomVariant, s: ScenarioChoice): string {
  const parts: string[] = [];
  if (c.card && c.cardVersion) parts.push(`${c.card} pinned to v${c.cardVersion}`);
  if (c.subscription) parts.push(`${s.subscriptions.find((t) => t.id === c.subscription)?.name ?? c.subscription} tier`);
  if (c.billing) parts.push(`${c.billing} billing`);
  if (c.validity) parts.push(`validity ${c.validity}`);
  if (c.migrateFrom && c.migrateTo && Number(c.share) > 0)
    parts.push(
      `${c.share}% of ${c.migrateFrom} moved to ${[c.migrateTo, c.migrateMode, c.migrateDuration ? `${c.migrateDuration} s` : '', c.migrateResolution].filter(Boolean).join(' ')}${c.fromPeriod ? ` from ${c.fromPeriod}` : ''}`,
    );
  return parts.length > 0 ? parts.join('; ') : 'as the base';
}

function blank(s: ScenarioChoice, n: number): CustomVariant {
  return {
    name: `custom-${n}`,
    card: s.cards[0]?.id ?? '',
    cardVersion: '',
    subscription: '',
    billing: '',
    validity: '',
    migrateFrom: '',
    migrateTo: '',
    migrateMode: '',
    migrateDuration: '',
    migrateResolution: '',
    share: '50',
    fromPeriod: '',
    extra: {},
  };
}

/** A made-up variant that starts as a copy of one of the scenario's own, for adjusting. */
function adjust(s: ScenarioChoice, name: string, taken: string[]): CustomVariant {
  const v = s.variants.find((x) => x.name === name)!.spec;
  const {
    name: _n,
    description: _d,
    plan,
    rules,
    migrate,
    ...rest
  } = v as { name: string; description?: string; plan?: Record<string, unknown>; rules?: Record<string, unknown>; migrate?: Record<string, unknown>[] };
  const { subscription, billing, ...planRest } = plan ?? {};
  const { validity, pins, ...rulesRest } = rules ?? {};
  const card = s.cards[0]?.id ?? '';
  const pin = (pins as Record<string, number> | undefined)?.[card];
  const [first, ...others] = migrate ?? [];
  const from = first?.['from'] as Record<string, unknown> | undefined;
  const to = first?.['to'] as Record<string, unknown> | undefined;
  const otherPins = Object.fromEntries(Object.entries((pins as Record<string, number> | undefined) ?? {}).filter(([k]) => k !== card));
  let copy = `${name}-adjusted`;
  for (let i = 2; taken.includes(copy) || s.variants.some((x) => x.name === copy); i++) copy = `${name}-adjusted-${i}`;
  const extra: Record<string, unknown> = { ...rest };
  if (Object.keys(planRest).length > 0) extra['plan'] = planRest;
  const keptRules = { ...rulesRest, ...(Object.keys(otherPins).length > 0 ? { pins: otherPins } : {}) };
  if (Object.keys(keptRules).length > 0) extra['rules'] = keptRules;
  // The form shows one migration by model; any other stays as written.
  const simple =
    first !== undefined &&
    Object.keys(from ?? {}).every((k) => k === 'model') &&
    Object.keys(to ?? {}).every((k) => ['model', 'mode', 'duration_s', 'resolution'].includes(k));
  const kept = simple ? others : (migrate ?? []);
  if (kept.length > 0) extra['migrate'] = kept;
  return {
    name: copy,
    card,
    cardVersion: pin === undefined ? '' : String(pin),
    subscription: typeof subscription === 'string' ? subscription : '',
    billing: typeof billing === 'string' ? billing : '',
    validity: typeof validity === 'string' ? validity : '',
    migrateFrom: simple ? String(from?.['model'] ?? '') : '',
    migrateTo: simple ? String(to?.['model'] ?? '') : '',
    migrateMode: simple ? String(to?.['mode'] ?? '') : '',
    migrateDuration: simple && to?.['duration_s'] !== undefined ? String(to['duration_s']) : '',
    migrateResolution: simple ? String(to?.['resolution'] ?? '') : '',
    share: simple ? String(Math.round(Number(first?.['share'] ?? 0) * 100)) : '50',
    fromPeriod: simple ? String(first?.['from_period'] ?? '') : '',
    extra,
  };
}

/** The page's state as the URL carries it (shareable; survives a reload). */
export interface WhatIfState {
  scenario: string;
  /** Named variants chosen; undefined: the scenario's first two. */
  variants?: string[];
  /** Variants made on the page, as their form holds them. */
  custom?: unknown;
}

/** Reads made-up variants from the URL, keeping only well-formed ones (fields missing take their blank value). */
function customFrom(x: unknown, s: ScenarioChoice | undefined): CustomVariant[] {
  if (!Array.isArray(x) || !s) return [];
  return x
    .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string')
    .map((c, i) => {
      const out = blank(s, i + 1) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(c)) if (k in out && (typeof v === 'string' || (k === 'extra' && typeof v === 'object' && v !== null))) out[k] = v;
      return out as unknown as CustomVariant;
    });
}

/** Writes the state into the address bar without a navigation. */
function toUrl(scenario: string, chosen: string[], custom: CustomVariant[]): string {
  const q = new URLSearchParams({ scenario });
  for (const v of chosen) q.append('variant', v);
  if (chosen.length === 0) q.set('variants', 'none');
  if (custom.length > 0) q.set('custom', JSON.stringify(custom));
  return `${window.location.pathname}?${q.toString()}`;
}

export function WhatIf({ scenarios, policies, initial }: { scenarios: ScenarioChoice[]; policies: { id: string; title: string }[]; initial: WhatIfState }) {
  const [scenarioId, setScenarioId] = useState(initial.scenario);
  const s = scenarios.find((x) => x.id === scenarioId) ?? scenarios[0];
  const [chosen, setChosen] = useState<string[]>(
    () => initial.variants?.filter((n) => s?.variants.some((v) => v.name === n)) ?? (s?.variants ?? []).slice(0, 2).map((v) => v.name),
  );
  const [custom, setCustom] = useState<CustomVariant[]>(() => customFrom(initial.custom, s));
  useEffect(() => {
    if (s) window.history.replaceState(window.history.state, '', toUrl(s.id, chosen, custom));
  }, [s, chosen, custom]);
  const [result, setResult] = useState<CompareResult | null>(null);
  const [errors, setErrors] = useState<Problem[]>([]);
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [pool, setPool] = useState<string | null>(null);
  const seq = useRef(0);

  const body = useMemo(() => (s ? { scenario: s.id, variants: chosen, custom: custom.map((c) => toVariant(c, s)) } : null), [s, chosen, custom]);

  useEffect(() => {
    if (!body) return;
    const mine = ++seq.current;
    setBusy(true);
    const t = setTimeout(() => void run(), 200);
    const run = async () => {
      const res = await fetch('/api/compare', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json: unknown = await res.json();
      if (mine !== seq.current) return;
      setBusy(false);
      if (res.ok) {
        setResult(json as CompareResult);
        setErrors([]);
      } else setErrors((json as { errors: Problem[] }).errors);
    };
    return () => clearTimeout(t);
  }, [body]);

  const download = useCallback(async () => {
    if (!body) return;
    setExporting(true);
    const res = await fetch('/api/export', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ view: 'compare', ...body }),
    });
    setExporting(false);
    if (!res.ok) {
      setErrors(((await res.json()) as { errors: Problem[] }).errors);
      return;
    }
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'creditbook.xlsx';
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }, [body]);

  if (!s) return <p className="muted">No scenarios in the store.</p>;
  const runs = result && result.scenario === s.id ? result.runs : [];
  const pools = [...new Set(runs[0]?.series.map((p) => p.pool) ?? [])];
  const shownPool = pool && pools.includes(pool) ? pool : (pools[0] ?? null);
  const periods = [...new Set(runs[0]?.series.filter((p) => p.pool === shownPool).map((p) => p.period) ?? [])];
  const seriesOf = (f: (p: SeriesPoint) => number) => runs.map((r) => ({ name: r.name, values: r.series.filter((p) => p.pool === shownPool).map(f) }));
  const cumulative = (values: number[]) => values.reduce<number[]>((acc, v) => [...acc, (acc[acc.length - 1] ?? 0) + v], []);
  const spend = runs.map((r) => ({ name: r.name, values: cumulative(r.series.filter((p) => p.pool === shownPool).map((p) => Number(p.spend))) }));
  const invalid = new Set(runs.filter(isInvalidRun).map((r) => r.name));
  const baseInvalid = runs[0] !== undefined && invalid.has(runs[0].name);
  const expiringRows = periods
    .map((period, i) => ({ period, values: runs.map((r) => r.series.filter((p) => p.pool === shownPool)[i]?.expiring_soon ?? 0) }))
    .filter((row) => row.values.some((v) => v > 0));

  return (
    <>
      <div className="panel">
        <div className="form-row" style={{ alignItems: 'flex-start', gap: 24 }}>
          <label className="field" style={{ minWidth: 280 }}>
            Scenario
            <select
              value={s.id}
              data-testid="scenario"
              onChange={(e) => {
                const next = scenarios.find((x) => x.id === e.target.value);
                setScenarioId(e.target.value);
                setChosen((next?.variants ?? []).slice(0, 2).map((v) => v.name));
                setCustom([]);
                setResult(null);
              }}
            >
              {scenarios.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.title}
                </option>
              ))}
            </select>
            <span className="small muted" style={{ fontWeight: 400, maxWidth: 360 }}>
              {s.start}, {s.horizon} months ·{' '}
              {s.subscription ? `${s.subscriptions.find((t) => t.id === s.subscription)?.name ?? s.subscription} (${s.billing})` : 'no subscription'} · validity{' '}
              {s.validity}
            </span>
          </label>
          <div style={{ flex: 1 }}>
            <div className="field" style={{ marginBottom: 6 }}>
              Variants in the scenario
            </div>
            <div className="chips" data-testid="variants">
              {s.variants.map((v) => {
                const on = chosen.includes(v.name);
                return (
                  <label key={v.name} className={`chip${on ? ' on' : ''}`} title={v.description}>
                    <input
                      type="checkbox"
                      checked={on}
                      data-testid={`variant-${v.name}`}
                      onChange={() =>
                        setChosen(on ? chosen.filter((n) => n !== v.name) : s.variants.map((x) => x.name).filter((n) => n === v.name || chosen.includes(n)))
                      }
                    />
                    {v.name}
                  </label>
                );
              })}
              <button className="btn small" type="button" data-testid="add-variant" onClick={() => setCustom([...custom, blank(s, custom.length + 1)])}>
                + Make a variant
              </button>
              {s.variants.length > 0 ? (
                <select
                  className="small"
                  value=""
                  aria-label="Adjust a variant"
                  data-testid="adjust-variant"
                  style={{ minHeight: 26, padding: '2px 8px' }}
                  onChange={(e) =>
                    e.target.value &&
                    setCustom([
                      ...custom,
                      adjust(
                        s,
                        e.target.value,
                        custom.map((c) => c.name),
                      ),
                    ])
                  }
                >
                  <option value="">Adjust a copy of…</option>
                  {s.variants.map((v) => (
                    <option key={v.name} value={v.name}>
                      {v.name}
                    </option>
                  ))}
                </select>
              ) : null}
            </div>
          </div>
          <div className="actions" style={{ alignSelf: 'center' }}>
            <span className="status-line" data-testid="whatif-status">
              <span className={`dot ${busy ? 'busy' : errors.length || invalid.size ? 'bad' : ''}`} />
              {busy
                ? 'Calculating…'
                : errors.length
                  ? 'Problems'
                  : invalid.size
                    ? `${invalid.size} run${invalid.size === 1 ? '' : 's'} invalid: demand not priced`
                    : 'Up to date'}
            </span>
            <button className="btn primary" type="button" onClick={download} disabled={exporting || !result || busy} data-testid="export">
              {exporting ? 'Preparing…' : 'Export to Excel'}
            </button>
          </div>
        </div>
        {custom.map((c, i) => (
          <CustomEditor
            key={i}
            value={c}
            scenario={s}
            policies={policies}
            onChange={(next) => setCustom(custom.map((x, j) => (j === i ? next : x)))}
            onRemove={() => setCustom(custom.filter((_, j) => j !== i))}
          />
        ))}
      </div>

      <ProblemList list={errors} testId="whatif-errors" />

      {runs.length > 0 && invalid.size > 0 && !busy ? (
        <div className="notice error" role="alert" data-testid="invalid-runs">
          {runs
            .filter((r) => invalid.has(r.name))
            .map((r) => (
              <div key={r.name} data-testid={`invalid-${r.name}`} style={{ marginBottom: 6 }}>
                <strong>{r.name} is not a valid run:</strong> {unpricedLines(r.problems)} demand line{unpricedLines(r.problems) === 1 ? '' : 's'} cannot be
                priced, so its demand, consumption and spend leave them out. Its figures are shown greyed, without deltas.
                <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                  {[...new Set(r.problems.map((p) => p.message))].slice(0, 5).map((m) => (
                    <li key={m} className="small">
                      {m}
                    </li>
                  ))}
                </ul>
              </div>
            ))}
        </div>
      ) : null}

      {runs.length > 0 ? (
        <>
          <div className="panel flush">
            <div className="panel-head">
              <h2>
                Totals <span className="muted">({result!.currency})</span>
              </h2>
              <span className="small muted">Δ is the variant minus the base. Credits add the scenario&apos;s pools together.</span>
            </div>
            <div className="scroll-x">
              <RunTable
                testId="totals"
                corner="Metric"
                runs={runs}
                deltas={result!.deltas}
                invalid={invalid}
                rows={METRICS.map((m) => ({
                  key: m.key,
                  label: m.label,
                  moreIsWorse: m.moreIsWorse,
                  run: (name) => {
                    const v = runs.find((r) => r.name === name)!.totals[m.key];
                    return { value: String(v ?? ''), text: show(m.kind, v) };
                  },
                  delta: (name) => {
                    // A delta against or of an invalid run compares figures that leave demand out: none is shown.
                    const v = baseInvalid || invalid.has(name) ? null : result!.deltas.find((d) => d.name === name)!.totals[m.key];
                    return {
                      value: v === null || v === undefined ? null : String(v),
                      text: showDelta(m.kind, v),
                      title: v === null ? 'not comparable: a run cannot price some demand' : undefined,
                    };
                  },
                }))}
              />
            </div>
            <div className="small muted" style={{ padding: '8px 16px', borderTop: '1px solid var(--line)' }}>
              {runs.map((r) => (
                <div key={r.name}>
                  <strong>{r.name}</strong>: {r.description}{' '}
                  <span className="mono">({r.versions.map((v) => `${v.id} v${v.version}${v.from !== v.to ? ` ${v.from}–${v.to}` : ''}`).join(', ')})</span>
                  {r.problems.length > 0 && !invalid.has(r.name) ? (
                    <span className="pos">
                      {' '}
                      · {r.problems.length} note{r.problems.length === 1 ? '' : 's'}: {r.problems[0]!.message}
                    </span>
                  ) : null}
                </div>
              ))}
            </div>
          </div>

          {pools.length > 1 ? (
            <div className="chips" style={{ marginBottom: 12 }}>
              {pools.map((p) => (
                <button key={p} type="button" className={`chip${p === shownPool ? ' on' : ''}`} onClick={() => setPool(p)}>
                  {p} pool
                </button>
              ))}
            </div>
          ) : null}
          <div className="grid-2">
            <div className="panel">
              <h2>Balance at the end of each month</h2>
              <LineChart labels={periods} series={seriesOf((p) => p.closing)} title="Balance over time" testId="chart-balance" />
            </div>
            <div className="panel">
              <h2>Credits expired</h2>
              <BarChart labels={periods} series={seriesOf((p) => p.expired)} title="Expired credits" testId="chart-expired" />
            </div>
            <div className="panel">
              <h2>Spend, cumulative ({result!.currency})</h2>
              <LineChart labels={periods} series={spend} title="Cumulative spend" format={(n) => fmtMoney(n).replace(/\.00$/, '')} testId="chart-spend" />
            </div>
            <div className="panel flush">
              <div className="panel-head">
                <h2>Credits about to expire</h2>
                <span className="small muted">expiring this month or next, as each month closes</span>
              </div>
              {expiringRows.length === 0 ? (
                <p className="panel-body muted" data-testid="no-expiring">
                  No credits are about to expire in any run.
                </p>
              ) : (
                <div style={{ maxHeight: 300, overflowY: 'auto' }}>
                  <table className="data" data-testid="expiring">
                    <thead>
                      <tr>
                        <th>Month</th>
                        {runs.map((r) => (
                          <th key={r.name} className="num">
                            {r.name}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {expiringRows.map((row) => (
                        <tr key={row.period}>
                          <td>{row.period}</td>
                          {row.values.map((v, i) => (
                            <td key={i} className={`num${v === 0 ? ' zero' : ''}`}>
                              {fmtInt(v)}
                            </td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </div>
          <BooksPanel runs={runs} deltas={result!.deltas} pool={shownPool} invalid={invalid} />
        </>
      ) : errors.length === 0 ? (
        <div className="panel muted">Calculating…</div>
      ) : null}
    </>
  );
}

const DIM_FIELD = { mode: 'migrateMode', duration_s: 'migrateDuration', resolution: 'migrateResolution' } as const;

/** The target of a migration as form choices, by dimension. */
const targetOf = (c: CustomVariant): Chosen => ({ model: c.migrateTo, mode: c.migrateMode, duration_s: c.migrateDuration, resolution: c.migrateResolution });
const TARGET_DIMS = ['model', 'mode', 'duration_s', 'resolution'];

/** The values of a dimension the card allows for the chosen target model and the other choices made. */
function allowedFor(combos: Combo[], c: CustomVariant, dim: keyof typeof DIM_FIELD): string[] {
  return c.migrateTo === '' ? [] : allowedValues(combos, targetOf(c), dim);
}

/**
 * Clears choices the target model does not allow (a mode that model lacks, a duration it cannot
 * render), and sets a dimension the model allows one value of (Master's single mode): the moved
 * demand keeps its own values otherwise, and those would not be priced.
 */
function narrowedTarget(c: CustomVariant, combos: Combo[]): CustomVariant {
  if (c.migrateTo === '') return c;
  const t = narrowed(targetOf(c), combos, TARGET_DIMS, ['mode', 'duration_s', 'resolution']);
  return { ...c, migrateMode: t['mode'] ?? '', migrateDuration: t['duration_s'] ?? '', migrateResolution: t['resolution'] ?? '' };
}

function CustomEditor({
  value: c,
  scenario: s,
  policies,
  onChange,
  onRemove,
}: {
  value: CustomVariant;
  scenario: ScenarioChoice;
  policies: { id: string; title: string }[];
  onChange: (c: CustomVariant) => void;
  onRemove: () => void;
}) {
  const card = s.cards.find((x) => x.id === c.card) ?? s.cards[0];
  const set = (k: keyof CustomVariant) => (e: { target: { value: string } }) => onChange({ ...c, [k]: e.target.value });
  return (
    <div className="panel" style={{ background: '#fbfcfe', marginTop: 14, marginBottom: 0 }} data-testid="custom-variant">
      <div className="form-row">
        <label className="field">
          Name
          <input value={c.name} onChange={set('name')} style={{ width: 220 }} data-testid="custom-name" />
        </label>
        {card ? (
          <label className="field">
            Card version ({card.id})
            <select value={c.cardVersion} onChange={(e) => onChange({ ...c, card: card.id, cardVersion: e.target.value })} data-testid="custom-card-version">
              <option value="">by date, as the base</option>
              {card.versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} ({v.status})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="field">
          Plan tier
          <select value={c.subscription} onChange={set('subscription')} data-testid="custom-tier">
            <option value="">as the base</option>
            {s.subscriptions.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name} — ${t.price_month}/mo, {fmtInt(t.credits)} credits
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Billing
          <select value={c.billing} onChange={set('billing')}>
            <option value="">as the base</option>
            <option value="monthly">monthly</option>
            <option value="annual">annual</option>
          </select>
        </label>
        <label className="field">
          Validity policy
          <select value={c.validity} onChange={set('validity')} data-testid="custom-validity">
            <option value="">as the base</option>
            {policies.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </label>
        <button className="btn small danger" type="button" onClick={onRemove} style={{ marginLeft: 'auto' }}>
          Remove
        </button>
      </div>
      <div className="form-row" style={{ marginTop: 10 }}>
        <label className="field">
          Move volume from
          <select value={c.migrateFrom} onChange={set('migrateFrom')} data-testid="custom-from">
            <option value="">no migration</option>
            {s.demandModels.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          to model
          <select
            value={c.migrateTo}
            onChange={(e) => onChange(narrowedTarget({ ...c, migrateTo: e.target.value }, card?.combos ?? []))}
            data-testid="custom-to"
          >
            <option value="">—</option>
            {(card?.models ?? []).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        {(['mode', 'duration_s', 'resolution'] as const).map((dim) => {
          const key = DIM_FIELD[dim];
          const options = allowedFor(card?.combos ?? [], c, dim);
          if (!card?.combos.some((x) => x[dim] !== undefined)) return null;
          return (
            <label className="field" key={dim}>
              {dim === 'duration_s' ? 'duration' : dim}
              <select
                value={c[key]}
                onChange={(e) => onChange(narrowedTarget({ ...c, [key]: e.target.value }, card?.combos ?? []))}
                disabled={!c.migrateTo}
                data-testid={`custom-${dim === 'duration_s' ? 'duration' : dim}`}
              >
                <option value="">as the moved demand</option>
                {options.map((m) => (
                  <option key={m} value={m}>
                    {m}
                    {dim === 'duration_s' ? ' s' : ''}
                  </option>
                ))}
                {c[key] !== '' && !options.includes(c[key]) ? <option value={c[key]}>{c[key]} (not allowed)</option> : null}
              </select>
              {c[key] !== '' && !options.includes(c[key]) ? (
                <span className="small pos" style={{ fontWeight: 400 }} data-testid="custom-not-allowed">
                  {dim === 'duration_s' ? 'duration' : dim} {c[key]}
                  {dim === 'duration_s' ? ' s' : ''} is not allowed for {c.migrateTo}
                </span>
              ) : null}
            </label>
          );
        })}
        <label className="field">
          Share of volume: {c.share}%
          <input type="range" min={0} max={100} step={5} value={c.share} onChange={set('share')} style={{ width: 180 }} data-testid="custom-share" />
        </label>
        <label className="field">
          From month
          <input type="month" value={c.fromPeriod} onChange={set('fromPeriod')} />
        </label>
      </div>
    </div>
  );
}
