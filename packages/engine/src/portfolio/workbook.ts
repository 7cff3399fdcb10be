import type { Cell, Column, Sheet, Workbook } from '../workbook/types.ts';
import type { Portfolio } from '../rules/types.ts';
import type { PortfolioComparison } from './compare.ts';
import type { Figure, PeriodFigures, PortfolioResult } from './result.ts';

/** The median of a figure (itself when it has no band), as a number. */
export function mid(f: Figure | undefined): number {
  if (f === undefined) return 0;
  if (typeof f === 'object') return Number(f.p50);
  return Number(f);
}

const banded = (r: PortfolioResult) => r.runs > 1;

/** The books' columns of a period sheet: key, title and figure. */
const BOOK_COLUMNS: [keyof PeriodFigures['books'], string][] = [
  ['billings', 'Billings'],
  ['revenue_usage', 'Revenue, usage'],
  ['revenue_breakage', 'Revenue, breakage'],
  ['revenue', 'Revenue'],
  ['deferred_opening', 'Deferred opening'],
  ['deferred_closing', 'Deferred closing'],
  ['current', 'Deferred current'],
  ['non_current', 'Deferred non-current'],
];

/** Which figures a period sheet shows: customers, money and the ledger, and/or the books. */
export interface SheetParts {
  ledger: boolean;
  books: boolean;
}

export function periodSheet(
  name: string,
  r: PortfolioResult,
  periods: readonly PeriodFigures[],
  pools: readonly string[],
  parts: SheetParts = { ledger: true, books: true },
): Sheet {
  const columns: Column[] = [{ key: 'period', title: 'Period', fmt: 'period' }];
  if (parts.ledger)
    columns.push(
      { key: 'new', title: 'New', fmt: 'integer' },
      { key: 'active', title: 'Active', fmt: 'integer' },
      { key: 'churned', title: 'Churned', fmt: 'integer' },
      { key: 'spend', title: `Spend (${r.currency})`, fmt: 'money' },
      { key: 'expired_value', title: `Expired value (${r.currency})`, fmt: 'money' },
      ...pools.flatMap((p) => [
        { key: `${p}:granted`, title: `${p} granted`, fmt: 'credits' as const },
        { key: `${p}:purchased`, title: `${p} purchased`, fmt: 'credits' as const },
        { key: `${p}:consumed`, title: `${p} consumed`, fmt: 'credits' as const },
        { key: `${p}:expired`, title: `${p} expired`, fmt: 'credits' as const },
        { key: `${p}:closing`, title: `${p} closing`, fmt: 'credits' as const },
      ]),
    );
  if (parts.books) for (const [key, title] of BOOK_COLUMNS) columns.push({ key: `books:${key}`, title: `${title} (${r.currency})`, fmt: 'money' });
  const rows: Cell[][] = [columns.map((c) => ({ v: c.title }))];
  for (const p of periods) {
    const row: Cell[] = [{ v: p.period }];
    if (parts.ledger)
      row.push(
        { v: mid(p.new) },
        { v: mid(p.active) },
        { v: mid(p.churned) },
        { v: mid(p.spend) },
        { v: mid(p.expired_value) },
        ...pools.flatMap((pool) => {
          const x = p.pools[pool];
          return [{ v: mid(x?.granted) }, { v: mid(x?.purchased) }, { v: mid(x?.consumed) }, { v: mid(x?.expired) }, { v: mid(x?.closing) }];
        }),
      );
    if (parts.books) for (const [key] of BOOK_COLUMNS) row.push({ v: mid(p.books[key]) });
    rows.push(row);
  }
  return { name: banded(r) ? `${name} (P50)` : name, columns, rows, frozen: 1 };
}

function bandSheet(r: PortfolioResult, pools: readonly string[]): Sheet {
  const figures: [string, (p: PeriodFigures) => Figure | undefined, 'money' | 'credits'][] = [
    ['Spend', (p) => p.spend, 'money'],
    ['Expired value', (p) => p.expired_value, 'money'],
    ['Revenue', (p) => p.books.revenue, 'money'],
    ['Breakage revenue', (p) => p.books.revenue_breakage, 'money'],
    ['Deferred revenue', (p) => p.books.deferred_closing, 'money'],
    ...pools.map(
      (pool) => [`${pool} closing`, (p: PeriodFigures) => p.pools[pool]?.closing, 'credits'] as [string, (p: PeriodFigures) => Figure | undefined, 'credits'],
    ),
  ];
  const columns: Column[] = [{ key: 'period', title: 'Period', fmt: 'period' }];
  for (const [title, , fmt] of figures)
    for (const q of ['p10', 'p50', 'p90']) columns.push({ key: `${title}:${q}`, title: `${title} ${q.toUpperCase()}`, fmt });
  const rows: Cell[][] = [columns.map((c) => ({ v: c.title }))];
  for (const p of r.periods) {
    const row: Cell[] = [{ v: p.period }];
    for (const [, get] of figures) {
      const f = get(p);
      for (const q of ['p10', 'p50', 'p90'] as const) row.push({ v: typeof f === 'object' ? Number(f[q]) : mid(f) });
    }
    rows.push(row);
  }
  return { name: 'Bands', columns, rows, frozen: 1 };
}

/** The pools a result has figures for. */
export function poolsOf(r: PortfolioResult): string[] {
  return Object.keys(r.periods[0]?.pools ?? {});
}

/**
 * A portfolio result as a workbook of values (no formulas: a portfolio is millions of ledgers, so
 * the file carries their figures, not a live model; a note says so): the total per period, each
 * cohort's, the P10 / P50 / P90 bands with several runs, and the portfolio's inputs.
 */
export function portfolioWorkbook(r: PortfolioResult, p?: Portfolio): Workbook {
  const pools = poolsOf(r);
  const sheets: Sheet[] = [periodSheet('Portfolio', r, r.periods, pools)];
  if (banded(r)) sheets.push(bandSheet(r, pools));
  for (const c of r.cohorts) sheets.push(periodSheet(`Cohort ${c.cohort}`.slice(0, 31), r, c.periods, pools));
  const note = `Values, not formulas: each figure adds up the ledgers and the books (revenue recognised per lot, docs/books.md) of every customer${banded(r) ? `; with ${r.runs} runs each is the P50 and the Bands sheet gives P10 / P50 / P90` : ''}. Seed ${r.seed}.`;
  const inputs: Sheet = {
    name: 'Inputs',
    columns: [
      { key: 'cohort', title: 'Cohort' },
      { key: 'scenario', title: 'Scenario' },
      { key: 'variant', title: 'Variant' },
      { key: 'joins', title: 'Joins' },
      { key: 'churn', title: 'Churn / retention' },
      { key: 'spread', title: 'Spread' },
    ],
    rows: [
      [{ v: 'Cohort' }, { v: 'Scenario' }, { v: 'Variant' }, { v: 'Joins' }, { v: 'Churn / retention' }, { v: 'Spread' }],
      ...r.cohorts.map((c) => {
        const def = p?.cohorts.find((x) => x.id === c.cohort);
        return [
          { v: c.cohort },
          { v: c.scenario },
          { v: c.variant ?? 'base' },
          { v: def ? JSON.stringify(def.joins) : '' },
          { v: def ? (def.retention ? JSON.stringify(def.retention) : String(def.churn ?? 0)) : '' },
          { v: def ? JSON.stringify(def.spread ?? 'none') : '' },
        ];
      }),
      [{ v: 'Note', note }, { v: note }],
    ],
    frozen: 1,
  };
  sheets.push(inputs);
  return {
    title: `Portfolio ${r.portfolio}${r.variant ? ` (${r.variant})` : ''}`,
    currency: r.currency,
    properties: {
      portfolio: r.portfolio,
      version: String(r.portfolio_version),
      variant: r.variant ?? 'base',
      seed: String(r.seed),
      runs: String(r.runs),
      note,
    },
    sheets,
  };
}

/** A comparison of portfolio runs as one sheet: each run's totals and its difference from the base. */
export function portfolioCompareWorkbook(c: PortfolioComparison): Workbook {
  const pools = c.runs[0] ? poolsOf(c.runs[0].result) : [];
  const keys: [string, (t: PortfolioResult['totals']) => Figure | undefined, 'money' | 'credits' | 'integer'][] = [
    ['Customers', (t) => t.customers, 'integer'],
    ['Churned', (t) => t.churned, 'integer'],
    [`Spend (${c.currency})`, (t) => t.spend, 'money'],
    [`Expired value (${c.currency})`, (t) => t.expired_value, 'money'],
    [`Billings (${c.currency})`, (t) => t.books.billings, 'money'],
    [`Revenue (${c.currency})`, (t) => t.books.revenue, 'money'],
    [`Revenue, breakage (${c.currency})`, (t) => t.books.revenue_breakage, 'money'],
    [`Deferred revenue at the end (${c.currency})`, (t) => t.books.deferred_closing, 'money'],
    [`Deferred revenue, peak (${c.currency})`, (t) => t.books.deferred_peak, 'money'],
    ...pools.flatMap(
      (p) =>
        [
          [`${p} consumed`, (t: PortfolioResult['totals']) => t.pools[p]?.consumed, 'credits'],
          [`${p} expired`, (t: PortfolioResult['totals']) => t.pools[p]?.expired, 'credits'],
          [`${p} closing`, (t: PortfolioResult['totals']) => t.pools[p]?.closing, 'credits'],
        ] as [string, (t: PortfolioResult['totals']) => Figure | undefined, 'credits'][],
    ),
  ];
  const columns: Column[] = [
    { key: 'figure', title: 'Figure' },
    ...c.runs.flatMap((r, i) => [
      { key: r.name, title: r.name, fmt: 'number' as const },
      ...(i > 0 ? [{ key: `${r.name}:delta`, title: 'Δ', fmt: 'number' as const }] : []),
    ]),
  ];
  const rows: Cell[][] = [columns.map((x) => ({ v: x.title }))];
  const base = c.runs[0]?.result.totals;
  for (const [title, get, fmt] of keys) {
    const row: Cell[] = [{ v: title }];
    c.runs.forEach((r, i) => {
      const v = mid(get(r.result.totals));
      row.push({ v, fmt });
      if (i > 0) row.push({ v: base ? Math.round((v - mid(get(base))) * 100) / 100 : 0, fmt });
    });
    rows.push(row);
  }
  return {
    title: `Portfolio ${c.portfolio}: base and variants`,
    currency: c.currency,
    properties: { portfolio: c.portfolio },
    sheets: [{ name: 'Compare', columns, rows, frozen: 1 }],
  };
}
