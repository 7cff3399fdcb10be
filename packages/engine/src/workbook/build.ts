import type { BOOKS_KEYS, CompareResult } from '../compare/compare.ts';
import type { ForecastResult, Totals } from '../ledger/types.ts';
import type { Quote } from '../quote/quote.ts';
import { f } from './formula.ts';
import type { Cell, CellValue, Column, Format, Sheet, Workbook } from './types.ts';

export const ENGINE_VERSION = '0.1.0';

const v = (value: CellValue, fmt?: Format): Cell => (fmt === undefined ? { v: value } : { v: value, fmt });
const header = (columns: Column[]): Cell[] => columns.map((c) => ({ v: c.title, fmt: 'text' as const }));

function sheet(name: string, columns: Column[], rows: Cell[][]): Sheet {
  return { name, columns, rows: [header(columns), ...rows], frozen: 1 };
}

const TOTAL_ROWS: [keyof Totals, string, Format][] = [
  ['granted', 'Credits granted', 'credits'],
  ['purchased', 'Credits purchased', 'credits'],
  ['consumed', 'Credits consumed', 'credits'],
  ['expired', 'Credits expired', 'credits'],
  ['unmet', 'Demand unmet (credits)', 'credits'],
  ['demand', 'Demand (credits)', 'credits'],
  ['spend', 'Spend', 'money'],
  ['expired_value', 'Breakage value (expired at cost)', 'money'],
  ['cost_per_credit', 'Effective cost per credit consumed', 'ratio'],
  ['cost_per_second', 'Effective cost per output second', 'ratio'],
  ['utilisation', 'Utilisation (consumed / available)', 'percent'],
  ['output_seconds', 'Output seconds', 'integer'],
];

/** The books' figures a comparison sets side by side (docs/books.md). */
const BOOKS_ROWS: [(typeof BOOKS_KEYS)[number], string][] = [
  ['revenue', 'Revenue'],
  ['revenue_breakage', 'Revenue from breakage'],
  ['deferred_peak', 'Peak deferred revenue'],
  ['deferred_closing', 'Closing deferred revenue'],
];

function totalValue(t: Totals, k: keyof Totals): CellValue {
  const x = t[k];
  return typeof x === 'string' ? Number(x) : x;
}

/** The workbook of one forecast: Summary, Ledger, Demand and Lots, with formulas where a cell derives from others. */
export function forecastWorkbook(r: ForecastResult): Workbook {
  const name = r.variant ?? 'base';
  const summaryCols: Column[] = [
    { key: 'metric', title: 'Metric', width: 38 },
    { key: name, title: name, width: 16 },
  ];
  const summary = sheet(
    'Summary',
    summaryCols,
    TOTAL_ROWS.map(([k, label, fmt]) => [v(label, 'text'), v(totalValue(r.totals, k), fmt)]),
  );
  summary.rows.push([v('Rule versions', 'text'), v(r.versions.map((x) => `${x.id} v${x.version}`).join(', '), 'text')]);

  const ledgerCols: Column[] = [
    { key: 'period', title: 'Period', fmt: 'period' },
    { key: 'pool', title: 'Pool', fmt: 'text' },
    { key: 'opening', title: 'Opening', fmt: 'credits' },
    { key: 'granted', title: 'Granted', fmt: 'credits' },
    { key: 'purchased', title: 'Purchased', fmt: 'credits' },
    { key: 'demand', title: 'Demand', fmt: 'credits' },
    { key: 'consumed', title: 'Consumed', fmt: 'credits' },
    { key: 'expired', title: 'Expired', fmt: 'credits' },
    { key: 'closing', title: 'Closing', fmt: 'credits' },
    { key: 'unmet', title: 'Unmet', fmt: 'credits' },
    { key: 'spend', title: 'Spend', fmt: 'money' },
    { key: 'expired_value', title: 'Expired value', fmt: 'money' },
    { key: 'expiring_soon', title: 'Expiring soon', fmt: 'credits' },
  ];
  const col = Object.fromEntries(ledgerCols.map((c, i) => [c.key, i])) as Record<string, number>;
  const lastRowOfPool = new Map<string, number>();
  const ledgerRows: Cell[][] = r.periods.map((p, i) => {
    const row = i + 1;
    const prev = lastRowOfPool.get(p.pool);
    lastRowOfPool.set(p.pool, row);
    const c = (k: string) => f.ref(row, col[k]!);
    return [
      v(p.period, 'period'),
      v(p.pool, 'text'),
      prev === undefined ? v(p.opening, 'credits') : { v: p.opening, f: f.ref(prev, col['closing']!), fmt: 'credits' },
      v(p.granted, 'credits'),
      v(p.purchased, 'credits'),
      v(p.demand, 'credits'),
      v(p.consumed, 'credits'),
      v(p.expired, 'credits'),
      { v: p.closing, f: f.sub(f.sub(f.add(c('opening'), c('granted'), c('purchased')), c('consumed')), c('expired')), fmt: 'credits' },
      { v: p.unmet, f: f.sub(c('demand'), c('consumed')), fmt: 'credits' },
      v(Number(p.spend), 'money'),
      v(Number(p.expired_value), 'money'),
      v(p.expiring_soon, 'credits'),
    ];
  });

  const demandCols: Column[] = [
    { key: 'period', title: 'Period', fmt: 'period' },
    { key: 'line', title: 'Demand line', fmt: 'text' },
    { key: 'pool', title: 'Pool', fmt: 'text' },
    { key: 'request', title: 'Request', fmt: 'text', width: 40 },
    { key: 'card', title: 'Card', fmt: 'text' },
    { key: 'count', title: 'Count', fmt: 'integer' },
    { key: 'credits_per_unit', title: 'Credits per unit', fmt: 'credits' },
    { key: 'credits', title: 'Credits', fmt: 'credits' },
  ];
  const demandRows: Cell[][] = r.demand.map((d, i) => [
    v(d.period, 'period'),
    v(d.line, 'text'),
    v(d.pool, 'text'),
    v(Object.entries(d.request).map(([k, x]) => `${k}=${String(x)}`).join(' '), 'text'),
    v(`${d.card.id} v${d.card.version}`, 'text'),
    { v: d.count, fmt: 'integer', input: true },
    v(d.credits_per_unit, 'credits'),
    { v: d.credits, f: f.mul(f.ref(i + 1, 5), f.ref(i + 1, 6)), fmt: 'credits' },
  ]);

  const lotCols: Column[] = [
    { key: 'id', title: 'Lot', fmt: 'text' },
    { key: 'pool', title: 'Pool', fmt: 'text' },
    { key: 'source', title: 'Source', fmt: 'text' },
    { key: 'ref', title: 'From', fmt: 'text' },
    { key: 'amount', title: 'Amount', fmt: 'credits' },
    { key: 'granted_period', title: 'Granted', fmt: 'period' },
    { key: 'last_valid_period', title: 'Last valid', fmt: 'period' },
    { key: 'price', title: 'Price', fmt: 'money' },
    { key: 'consumed', title: 'Consumed', fmt: 'credits' },
    { key: 'expired', title: 'Expired', fmt: 'credits' },
    { key: 'remaining', title: 'Remaining', fmt: 'credits' },
  ];
  const lotRows: Cell[][] = r.lots.map((l, i) => [
    v(l.id, 'text'), v(l.pool, 'text'), v(l.source, 'text'), v(l.ref, 'text'), v(l.amount, 'credits'),
    v(l.granted_period, 'period'), v(l.last_valid_period, 'period'), v(Number(l.price), 'money'),
    v(l.consumed, 'credits'), v(l.expired, 'credits'),
    { v: l.remaining, f: f.sub(f.sub(f.ref(i + 1, 4), f.ref(i + 1, 8)), f.ref(i + 1, 9)), fmt: 'credits' },
  ]);

  return {
    title: `${r.scenario} — ${name}`,
    currency: r.currency,
    properties: properties(r.scenario, r.versions),
    sheets: [summary, sheet('Ledger', ledgerCols, ledgerRows), sheet('Demand', demandCols, demandRows), sheet('Lots', lotCols, lotRows)],
  };
}

function properties(scenario: string, versions: ForecastResult['versions']): Record<string, string> {
  return {
    scenario,
    rules: versions.map((x) => `${x.kind}:${x.id}@${x.version}`).join(' '),
    engine: `@creditbook/engine ${ENGINE_VERSION}`,
  };
}

/** The workbook of a comparison: totals side by side with deltas, and the balance series of every run. */
export function compareWorkbook(c: CompareResult): Workbook {
  const runs = c.runs;
  const cols: Column[] = [{ key: 'metric', title: 'Metric', width: 38 }, ...runs.map((r) => ({ key: r.name, title: r.name, width: 16 }))];
  for (const r of runs.slice(1)) cols.push({ key: `delta:${r.name}`, title: `Δ ${r.name}`, width: 16 });
  const metrics: [string, Format, (r: CompareResult['runs'][number]) => CellValue][] = [
    ...TOTAL_ROWS.map(([k, label, fmt]): [string, Format, (r: CompareResult['runs'][number]) => CellValue] => [label, fmt, (r) => totalValue(r.totals, k)]),
    ...BOOKS_ROWS.map(([k, label]): [string, Format, (r: CompareResult['runs'][number]) => CellValue] => [label, 'money', (r) => Number(r.books[k])]),
  ];
  const rows: Cell[][] = metrics.map(([label, fmt, value_], i) => {
    const row = i + 1;
    const cells: Cell[] = [v(label, 'text'), ...runs.map((r) => v(value_(r), fmt))];
    runs.slice(1).forEach((_, j) => {
      const a = value_(runs[0]!);
      const b = value_(runs[j + 1]!);
      const value = a === null || b === null ? null : Number(b) - Number(a);
      const formula = f.fn('IF', f.fn('OR', f.cmp('=', f.ref(row, 1), f.str('')), f.cmp('=', f.ref(row, j + 2), f.str(''))), f.str(''), f.sub(f.ref(row, j + 2), f.ref(row, 1)));
      cells.push(value === null ? v(null, fmt) : { v: fmt === 'money' ? round2(value) : round6(value), f: formula, fmt });
    });
    return cells;
  });
  const seriesCols: Column[] = [
    { key: 'period', title: 'Period', fmt: 'period' },
    { key: 'pool', title: 'Pool', fmt: 'text' },
    ...runs.flatMap((r) => [
      { key: `closing:${r.name}`, title: `Balance ${r.name}`, fmt: 'credits' as const },
      { key: `expired:${r.name}`, title: `Expired ${r.name}`, fmt: 'credits' as const },
      { key: `spend:${r.name}`, title: `Spend ${r.name}`, fmt: 'money' as const },
    ]),
  ];
  const base = runs[0]!;
  const seriesRows: Cell[][] = base.series.map((p, i) => [
    v(p.period, 'period'),
    v(p.pool, 'text'),
    ...runs.flatMap((r) => {
      const q = r.series[i];
      return [v(q?.closing ?? null, 'credits'), v(q?.expired ?? null, 'credits'), v(q ? Number(q.spend) : null, 'money')];
    }),
  ]);
  return {
    title: `${c.scenario} — compare`,
    currency: c.currency,
    properties: properties(c.scenario, runs.flatMap((r) => r.versions)),
    sheets: [sheet('Compare', cols, rows), sheet('Series', seriesCols, seriesRows)],
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The workbook of a quote: the result and its trace. */
export function quoteWorkbook(q: Quote): Workbook {
  const cols: Column[] = [
    { key: 'step', title: 'Step', fmt: 'text' },
    { key: 'detail', title: 'Detail', fmt: 'text', width: 60 },
  ];
  return {
    title: `quote ${q.card.id} v${q.card.version}`,
    properties: { card: `${q.card.id}@${q.card.version}`, engine: `@creditbook/engine ${ENGINE_VERSION}` },
    sheets: [sheet('Quote', cols, q.trace.map((t) => [v(t.step, 'text'), v(t.detail, 'text')]))],
  };
}

/** Reads a sheet as plain records keyed by column (what tables and charts consume). */
export function sheetRecords(s: Sheet): Record<string, CellValue>[] {
  return s.rows.slice(1).map((row) => Object.fromEntries(s.columns.map((c, i) => [c.key, row[i]?.v ?? null])));
}

