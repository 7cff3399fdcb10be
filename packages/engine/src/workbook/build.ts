import type { BOOKS_KEYS, CompareResult } from '../compare/compare.ts';
import type { ForecastResult, Totals } from '../ledger/types.ts';
import type { Quote } from '../quote/quote.ts';
import { f } from './formula.ts';
import { LEDGER, LEDGER_LINES } from './ledger-sheets.ts';
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
      const formula = f.fn(
        'IF',
        f.fn('OR', f.cmp('=', f.ref(row, 1), f.str('')), f.cmp('=', f.ref(row, j + 2), f.str(''))),
        f.str(''),
        f.sub(f.ref(row, j + 2), f.ref(row, 1)),
      );
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
    properties: properties(
      c.scenario,
      runs.flatMap((r) => r.versions),
    ),
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
    sheets: [
      sheet(
        'Quote',
        cols,
        q.trace.map((t) => [v(t.step, 'text'), v(t.detail, 'text')]),
      ),
    ],
  };
}

/** Reads a sheet as plain records keyed by column (what tables and charts consume). */
export function sheetRecords(s: Sheet): Record<string, CellValue>[] {
  return s.rows.slice(1).map((row) => Object.fromEntries(s.columns.map((c, i) => [c.key, row[i]?.v ?? null])));
}

/** A view of a sheet: only the columns with these keys, in this order (values as computed; formulas dropped). */
export function sheetView(s: Sheet, keys: readonly string[]): Sheet {
  const at = keys.map((k) => s.columns.findIndex((c) => c.key === k)).filter((i) => i >= 0);
  return {
    name: s.name,
    columns: at.map((i) => s.columns[i]!),
    rows: s.rows.map((row) => at.map((i) => ({ v: row[i]?.v ?? null, ...(row[i]?.fmt ? { fmt: row[i].fmt } : {}) }))),
    frozen: s.frozen ?? 1,
  };
}

/**
 * The Ledger of the model (time across the columns) as a table with one row per pool and period and
 * the columns of `keys` (LEDGER_VIEW: the lines a reader of a forecast table wants), values as computed.
 */
export function ledgerTable(s: Sheet, keys: readonly string[] = LEDGER_VIEW): Sheet {
  const keyOf = new Map(LEDGER_LINES.map((l) => [l.label, l] as const));
  const periods = s.columns.map((c, k) => ({ c, k })).filter(({ k }) => k >= LEDGER.first);
  const byPool = new Map<string, Map<string, Cell>[]>();
  for (const row of s.rows.slice(2)) {
    const pool = String(row[LEDGER.pool]?.v ?? '');
    const line = keyOf.get(String(row[LEDGER.line]?.v ?? ''));
    if (!line) continue;
    let cells = byPool.get(pool);
    if (!cells) byPool.set(pool, (cells = periods.map(() => new Map<string, Cell>())));
    periods.forEach(({ k }, i) => cells[i]!.set(line.key, { v: row[k]?.v ?? null, fmt: line.fmt }));
  }
  const title = (key: string) => (key === 'period' ? 'Period' : key === 'pool' ? 'Pool' : (LEDGER_LINES.find((l) => l.key === key)?.label ?? key));
  const columns: Column[] = keys.map((key) => ({ key, title: title(key), fmt: LEDGER_LINES.find((l) => l.key === key)?.fmt ?? 'text' }));
  const rows: Cell[][] = [];
  for (const [pool, cells] of byPool)
    periods.forEach(({ c }, i) =>
      rows.push(keys.map((key) => (key === 'period' ? v(c.title, 'period') : key === 'pool' ? v(pool, 'text') : (cells[i]!.get(key) ?? v(null))))),
    );
  return sheet(s.name, columns, rows);
}

/** The Ledger lines a reader of a forecast table wants (the model's working lines left out). */
export const LEDGER_VIEW = [
  'period',
  'pool',
  'opening',
  'granted',
  'purchased',
  'demand',
  'consumed',
  'expired',
  'closing',
  'unmet',
  'spend',
  'expired_value',
  'expiring_soon',
] as const;
