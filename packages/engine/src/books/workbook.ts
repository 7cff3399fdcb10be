import type { Cell, Column, Sheet, Workbook } from '../workbook/types.ts';
import type { BooksResult, BooksTotals } from './types.ts';

const TOTALS: [keyof BooksTotals, string][] = [
  ['billings', 'Billings'],
  ['revenue', 'Revenue'],
  ['revenue_usage', 'Revenue from usage'],
  ['revenue_breakage', 'Revenue from breakage'],
  ['deferred_peak', 'Peak deferred revenue'],
  ['deferred_closing', 'Closing deferred revenue'],
  ['credits_outstanding', 'Credits outstanding (closing)'],
];

const PERIOD_COLUMNS: Column[] = [
  { key: 'period', title: 'Period', fmt: 'period' },
  { key: 'pool', title: 'Pool', fmt: 'text' },
  { key: 'billings', title: 'Billings', fmt: 'money' },
  { key: 'revenue_usage', title: 'Usage revenue', fmt: 'money' },
  { key: 'revenue_breakage', title: 'Breakage revenue', fmt: 'money' },
  { key: 'deferred_opening', title: 'Deferred opening', fmt: 'money' },
  { key: 'deferred_closing', title: 'Deferred closing', fmt: 'money' },
  { key: 'current', title: 'Current', fmt: 'money' },
  { key: 'non_current', title: 'Non-current', fmt: 'money' },
  { key: 'credits_outstanding', title: 'Credits outstanding', fmt: 'credits' },
];

function table(name: string, columns: Column[], rows: Cell[][]): Sheet {
  return { name, columns, rows: [columns.map((c) => ({ v: c.title, fmt: 'text' as const })), ...rows], frozen: 1 };
}

const num = (s: string | number): Cell => ({ v: Number(s), fmt: typeof s === 'number' ? 'credits' : 'money' });

/** The books as tables (values): totals per pool, the rollforward per pool and period, the journal. */
export function booksWorkbook(b: BooksResult): Workbook {
  const pools = Object.keys(b.totals.by_pool);
  const totalCols: Column[] = [
    { key: 'metric', title: 'Metric', fmt: 'text' },
    ...pools.map((p) => ({ key: p, title: p })),
    { key: 'all', title: 'All pools' },
  ];
  const totals = table(
    'Books',
    totalCols,
    TOTALS.map(([k, label]) => [
      { v: label, fmt: 'text' },
      ...pools.map((p) => num(b.totals.by_pool[p]![k] as string | number)),
      num(b.totals[k] as string | number),
    ]),
  );
  const periods = table(
    'Deferred revenue',
    PERIOD_COLUMNS,
    b.periods.map((r) =>
      PERIOD_COLUMNS.map((c) =>
        c.fmt === 'money' || c.fmt === 'credits' ? num(r[c.key as keyof typeof r]) : { v: r[c.key as 'period' | 'pool'], fmt: c.fmt! },
      ),
    ),
  );
  const journalCols: Column[] = [
    { key: 'entry', title: 'Entry', fmt: 'text' },
    { key: 'date', title: 'Date', fmt: 'date' },
    { key: 'account', title: 'Account', fmt: 'text' },
    { key: 'debit', title: 'Debit', fmt: 'money' },
    { key: 'credit', title: 'Credit', fmt: 'money' },
    { key: 'lot', title: 'Lot', fmt: 'text' },
    { key: 'memo', title: 'Memo', fmt: 'text' },
  ];
  const journal = table(
    'Journal',
    journalCols,
    b.journal.map((j) => [
      { v: j.entry, fmt: 'text' },
      { v: j.date, fmt: 'date' },
      { v: j.account, fmt: 'text' },
      { v: j.debit === '0.00' ? null : Number(j.debit), fmt: 'money' },
      { v: j.credit === '0.00' ? null : Number(j.credit), fmt: 'money' },
      { v: j.lot, fmt: 'text' },
      { v: j.memo, fmt: 'text' },
    ]),
  );
  return {
    title: `${b.scenario} — books${b.variant ? ` (${b.variant})` : ''}`,
    currency: b.currency,
    properties: { scenario: b.scenario, method: b.method, terms: b.terms.map((t) => `${t.from}..${t.to} ${t.rule}`).join('; ') },
    sheets: [totals, periods, journal],
  };
}
