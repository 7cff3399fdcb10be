import type { PeriodTerms } from '../books/types.ts';
import { rateOf } from '../books/terms.ts';
import type { LedgerPlan, PlannedLot } from '../ledger/plan.ts';
import { PAID_SOURCES, type PaidSource } from '../rules/types.ts';
import { f, filledRight } from './formula.ts';
import { lotLabel, type InputRef, type LotsLayout } from './ledger-sheets.ts';
import { timeline } from './timeline.ts';
import type { Cell, Column, Format, Formula, Sheet } from './types.ts';

/** An expected breakage rate the Revenue sheet reads: one paid source over the periods of one set of revenue terms. */
export interface RevenueInput {
  key: string;
  label: string;
  value: number;
  source: PaidSource;
  /** Periods (0-based, inclusive) the terms are in force. */
  from: number;
  to: number;
}

/** The rollforward lines of each pool, top to bottom; the Checks and the tests find them by label. */
export const REVENUE_LINES = [
  { key: 'billings', label: 'Billings', total: 'sum' },
  { key: 'revenue_usage', label: 'Revenue from usage', total: 'sum' },
  { key: 'revenue_breakage', label: 'Revenue from breakage', total: 'sum' },
  { key: 'revenue', label: 'Revenue', total: 'sum' },
  { key: 'deferred_opening', label: 'Deferred revenue, opening', total: 'first' },
  { key: 'deferred_closing', label: 'Deferred revenue, closing', total: 'last' },
] as const;

/** Revenue sheet label columns (0-based); the Total, a gap and the periods follow. */
export const REVENUE = { pool: 0, line: 1, lot: 2, source: 3, price: 4, billed: 5 } as const;

const isPaidSource = (s: string): s is PaidSource => (PAID_SOURCES as readonly string[]).includes(s);

/** A lot the Revenue sheet has a row for: paid (free and promotional credits carry no revenue), and not credits rolled into it (they stay their origin's). */
const hasRevenue = (l: PlannedLot): l is PlannedLot & { source: PaidSource } => l.category !== 'free' && isPaidSource(l.source) && !l.rollover;

/**
 * The expected breakage rates of a run as inputs: per paid source the run has lots of (a rate of a
 * source it has none of would drive nothing), one per stretch of periods with the same revenue terms.
 */
export function revenueInputs(terms: readonly PeriodTerms[], label: (i: number) => string, lots: readonly PlannedLot[]): RevenueInput[] {
  const present = new Set(lots.filter(hasRevenue).map((l) => l.source));
  const stretches: { t: PeriodTerms; from: number; to: number }[] = [];
  terms.forEach((t, i) => {
    const last = stretches[stretches.length - 1];
    if (last && last.t.rule === t.rule && last.t.method === t.method && JSON.stringify(last.t.rates) === JSON.stringify(t.rates)) last.to = i;
    else stretches.push({ t, from: i, to: i });
  });
  return stretches.flatMap((s, k) =>
    PAID_SOURCES.filter((source) => present.has(source)).map((source) => ({
      key: `breakage|${source}|${k}`,
      label:
        stretches.length === 1
          ? `Expected breakage rate: ${source} (${s.t.rule})`
          : `Expected breakage rate: ${source} (${s.t.rule}, ${label(s.from)} to ${label(s.to)})`,
      value: Number(rateOf(s.t, source)),
      source,
      from: s.from,
      to: s.to,
    })),
  );
}

interface RevenueLot {
  lot: PlannedLot | undefined;
  label: string;
  source: PaidSource;
  price: Formula;
  /** Billed period number (1-based). */
  billed: number;
}

/** The Revenue sheet, and where its figures are (for the Checks). */
export interface RevenueSheet {
  sheet: Sheet;
  /** Row of a pool's rollforward line. */
  rollRow(pool: string, key: string): number;
  /** Each pool's recognised-to-date rows (first row, count). */
  recognised: ReadonlyMap<string, { rec: number; n: number }>;
  /** Column of period i. */
  col(i: number): number;
  /** Each paid lot's rows (recognised, usage revenue and used to date). */
  lotRows: ReadonlyMap<PlannedLot, readonly number[]>;
}

/**
 * The books of a run as live formulas (docs/books.md): per paid lot and period its credits used to
 * date (a running sum of its draws in the Lots sheet), recognised to date = min(price, price × used ÷
 * (credits × (1 − b))) rounded to the cent, the whole price once it has expired, and its usage part
 * price × used ÷ credits; per pool the monthly rollforward, each period's revenue the difference of
 * cumulative amounts. `b` reads the expected breakage rate inputs, so editing a rate (or a validity,
 * which moves a lot's expiry) recomputes the books.
 */
export function revenueSheet(
  plan: LedgerPlan,
  name: string,
  lotsName: string,
  layout: LotsLayout,
  rates: readonly RevenueInput[],
  input: InputRef,
): RevenueSheet {
  const { cal } = plan;
  const H = cal.horizon;
  const t = timeline(
    cal,
    [
      { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
      { key: 'line', title: 'Line item', fmt: 'text', width: 24 },
      { key: 'lot', title: 'Lot', fmt: 'text', width: 24 },
      { key: 'source', title: 'Source', fmt: 'text', width: 13 },
      { key: 'price', title: 'Price', fmt: 'money', width: 11 },
      { key: 'billed', title: 'Billed #', fmt: 'integer', width: 8 },
    ],
    REVENUE.line,
  );
  const cols: Column[] = t.columns.map((c, k) => (k >= t.first || k === t.total ? { ...c, fmt: 'money' } : c));
  const lotsCell = (l: PlannedLot, col: number, keepCol = true) => f.fixed(layout.row.get(l)!, col, { row: true, col: keepCol }, lotsName);
  // Paid lots per pool (free and promotional credits carry no revenue), and the months of an annual
  // plan's last year that fall past the horizon (billed with the year, never granted in it).
  const annual = plan.plan.billing === 'annual';
  const years: PlannedLot[][] = [];
  if (annual) {
    const subs = plan.lots.filter((l) => l.source === 'subscription');
    for (let y = 0; y < subs.length; y += 12) years.push(subs.slice(y, y + 12));
  }
  // An annual plan's month k of a year: its share of the year's price, cumulative shares rounded to the cent.
  const share = (year: PlannedLot[], k: number): Formula => {
    const Y = f.fn('ROUND', f.mul(lotsCell(year[0]!, layout.cols.price), f.num(12)), f.num(2));
    const upTo = (n: number) => (n === 0 ? f.num(0) : f.fn('ROUND', f.div(f.mul(Y, f.num(n)), f.num(12)), f.num(2)));
    return f.sub(upTo(k + 1), upTo(k));
  };
  // Credits that roll over stay the lot they were paid for (as the engine's books keep them): a rolled
  // lot has no row of its own; its draws count as its origin's, which ends when its last rolled lot does.
  const rolledInto = new Map<PlannedLot, PlannedLot>();
  for (const l of plan.lots) if (l.rollover) rolledInto.set(plan.lots[l.rollover.from]!, l);
  const chainOf = (l: PlannedLot): PlannedLot[] => {
    const out = [l];
    for (let n = rolledInto.get(l); n; n = rolledInto.get(n)) out.push(n);
    return out;
  };
  const byPool = new Map<string, RevenueLot[]>(plan.pools.map((p) => [p, []]));
  for (const l of plan.lots) {
    if (!hasRevenue(l)) continue;
    const year = annual && l.source === 'subscription' ? years.find((y) => y.includes(l)) : undefined;
    byPool.get(l.pool)?.push({
      lot: l,
      label: lotLabel(l, cal),
      source: l.source,
      price: year ? share(year, year.indexOf(l)) : lotsCell(l, layout.cols.price),
      billed: (year ? year[0]!.granted : l.granted) + 1,
    });
  }
  const lastYear = years[years.length - 1];
  if (lastYear && lastYear.length < 12) {
    const first = lastYear[0]!;
    for (let k = lastYear.length; k < 12; k++)
      byPool.get(first.pool)?.push({
        lot: undefined,
        label: `${first.ref} month ${k + 1} of the year billed ${cal.label(first.granted)} (past the horizon)`,
        source: 'subscription',
        price: share(lastYear, k),
        billed: first.granted + 1,
      });
  }

  const rows: Cell[][] = [t.header, t.numbers];
  const blank = (): Cell => ({ v: null });
  const text = (v: string): Cell => ({ v, fmt: 'text' });
  // A line is its first period's formula filled right, as Excel fills it: `make` is asked for period 0
  // only (every line's formula moves with its period's column alone), and the row holds that one tree.
  const across = (make: (i: number) => Formula, fmt: Format): Cell[] => filledRight(make(0), H).map((x): Cell => ({ v: null, f: x, fmt }));
  const totalOf = (r: number, kind: 'sum' | 'first' | 'last' | 'none', fmt: Format): Cell =>
    kind === 'sum'
      ? { v: null, f: f.fn('SUM', f.range(r, t.col(0), r, t.col(H - 1))), fmt }
      : kind === 'first'
        ? { v: null, f: f.ref(r, t.col(0)), fmt }
        : kind === 'last'
          ? { v: null, f: f.ref(r, t.col(H - 1)), fmt }
          : blank();

  // Row layout first: the rollforward of each pool, the rates, then per pool the lots' blocks.
  const pools = plan.pools;
  let next = rows.length;
  const rollRow = new Map<string, number>();
  for (const pool of pools) for (const line of REVENUE_LINES) rollRow.set(`${pool}|${line.key}`, next++);
  // A rate row for each source the rates name (those the run has lots of).
  const sources = PAID_SOURCES.filter((s) => rates.some((x) => x.source === s));
  const rateRow = new Map<PaidSource, number>();
  for (const s of sources) rateRow.set(s, next++);
  const blocks = new Map<string, { rec: number; usage: number; used: number; n: number }>();
  for (const pool of pools) {
    const n = byPool.get(pool)!.length;
    blocks.set(pool, { rec: next, usage: next + n, used: next + 2 * n, n });
    next += 3 * n;
  }

  for (const pool of pools) {
    const b = blocks.get(pool)!;
    const at = (key: string, i: number) => f.ref(rollRow.get(`${pool}|${key}`)!, t.col(i));
    const sumCol = (first: number, c: number) => (b.n === 0 ? f.num(0) : f.fn('SUM', f.range(first, c, first + b.n - 1, c)));
    const formulas: Record<(typeof REVENUE_LINES)[number]['key'], (i: number) => Formula> = {
      billings: (i) =>
        b.n === 0
          ? f.num(0)
          : f.fn(
              'SUMIFS',
              f.fixedRange(b.rec, REVENUE.price, b.rec + b.n - 1, REVENUE.price, { row: true, col: true }),
              f.fixedRange(b.rec, REVENUE.billed, b.rec + b.n - 1, REVENUE.billed, { row: true, col: true }),
              t.period(i),
            ),
      // A period's revenue is the difference of cumulative amounts (the first period's previous column is the empty gap).
      revenue_usage: (i) => f.sub(sumCol(b.usage, t.col(i)), sumCol(b.usage, t.col(i) - 1)),
      revenue_breakage: (i) => f.sub(at('revenue', i), at('revenue_usage', i)),
      revenue: (i) => f.sub(sumCol(b.rec, t.col(i)), sumCol(b.rec, t.col(i) - 1)),
      deferred_opening: (i) => f.ref(rollRow.get(`${pool}|deferred_closing`)!, t.col(i) - 1),
      deferred_closing: (i) => f.sub(f.add(at('deferred_opening', i), at('billings', i)), at('revenue', i)),
    };
    for (const line of REVENUE_LINES) {
      const r = rollRow.get(`${pool}|${line.key}`)!;
      rows[r] = [
        text(pool),
        text(line.label),
        blank(),
        blank(),
        blank(),
        blank(),
        totalOf(r, line.total, 'money'),
        blank(),
        ...across(formulas[line.key], 'money'),
      ];
    }
  }

  const rateInput = (s: PaidSource, i: number) => rates.find((x) => x.source === s && x.from <= i && i <= x.to);
  for (const s of sources) {
    const r = rateRow.get(s)!;
    rows[r] = [
      blank(),
      text('Expected breakage rate'),
      blank(),
      text(s),
      blank(),
      blank(),
      blank(),
      blank(),
      ...Array.from({ length: H }, (_, i): Cell => {
        const x = rateInput(s, i);
        return x ? { v: null, f: input(x.key), fmt: 'percent' } : { v: 0, fmt: 'percent' };
      }),
    ];
  }

  const lotRows = new Map<PlannedLot, number[]>();
  for (const pool of pools) {
    const b = blocks.get(pool)!;
    byPool.get(pool)!.forEach((x, k) => {
      const rec = b.rec + k;
      const usage = b.usage + k;
      const used = b.used + k;
      const l = x.lot;
      if (l) lotRows.set(l, [rec, usage, used]);
      const price = f.fixed(rec, REVENUE.price, { col: true });
      const usedAt = (i: number) => f.ref(used, t.col(i));
      const labels = (line: string, withPrice: boolean): Cell[] => [
        text(pool),
        text(line),
        text(x.label),
        text(x.source),
        withPrice ? { v: null, f: x.price, fmt: 'money' } : blank(),
        withPrice ? { v: x.billed, fmt: 'integer' } : blank(),
        blank(),
        blank(),
      ];
      if (!l) {
        // Billed with its year, granted past the horizon: nothing used or recognised within it.
        rows[rec] = [...labels('Recognised to date', true), ...Array.from({ length: H }, (): Cell => ({ v: 0, fmt: 'money' }))];
        rows[usage] = [...labels('Usage revenue to date', false), ...Array.from({ length: H }, (): Cell => ({ v: 0, fmt: 'money' }))];
        rows[used] = [...labels('Used to date', false), ...Array.from({ length: H }, (): Cell => ({ v: 0, fmt: 'credits' }))];
        return;
      }
      const amount = lotsCell(l, layout.cols.amount);
      const chain = chainOf(l);
      // Its last valid period: that of the last lot of its chain that holds credits.
      const endOf = (k: number): Formula =>
        k + 1 < chain.length
          ? f.fn('IF', f.cmp('>', lotsCell(chain[k + 1]!, layout.cols.amount), f.num(0)), endOf(k + 1), lotsCell(chain[k]!, layout.cols.lv))
          : lotsCell(chain[k]!, layout.cols.lv);
      const lv = endOf(0);
      const g = lotsCell(l, layout.cols.g);
      const rate = (i: number) => f.fixed(rateRow.get(x.source)!, t.col(i), { row: true });
      rows[rec] = [
        ...labels('Recognised to date', true),
        ...across(
          (i) =>
            f.fn(
              'IF',
              f.cmp('=', price, f.num(0)),
              f.num(0),
              f.fn(
                'IF',
                f.cmp('>=', t.period(i), lv),
                price,
                f.fn(
                  'IF',
                  f.cmp('=', amount, f.num(0)),
                  f.fn('IF', f.cmp('>=', t.period(i), g), price, f.num(0)),
                  f.fn('MIN', price, f.fn('ROUND', f.div(f.mul(price, usedAt(i)), f.mul(amount, f.sub(f.num(1), rate(i)))), f.num(2))),
                ),
              ),
            ),
          'money',
        ),
      ];
      rows[usage] = [
        ...labels('Usage revenue to date', false),
        ...across(
          (i) =>
            f.fn(
              'IF',
              f.fn('OR', f.cmp('=', price, f.num(0)), f.cmp('=', amount, f.num(0))),
              f.num(0),
              f.fn('ROUND', f.div(f.mul(price, usedAt(i)), amount), f.num(2)),
            ),
          'money',
        ),
      ];
      // Used to date: the previous column's, plus what the lot gives in the period (and, in the period it
      // was created, what an auto top-up gave when bought and what repaid an overdraft).
      const atGrant = [...(l.auto ? [lotsCell(l, layout.cols.own)] : []), ...(layout.overdraft ? [lotsCell(l, layout.cols.settle)] : [])];
      rows[used] = [
        ...labels('Used to date', false),
        ...across((i) => {
          const draws = f.add(f.ref(used, t.col(i) - 1), ...chain.map((m) => f.ref(layout.row.get(m)!, layout.draw + i, lotsName)));
          return atGrant.length > 0 ? f.add(draws, f.fn('IF', f.cmp('=', t.period(i), g), f.add(...atGrant), f.num(0))) : draws;
        }, 'credits'),
      ];
    });
  }
  return {
    // About a year of periods to a printed page (one page wide at 24 months or more prints too small to read).
    sheet: { name, columns: cols, rows, frozen: 2, frozenColumns: REVENUE.lot + 1, pagesWide: Math.max(1, Math.ceil(H / 12)) },
    rollRow: (pool, key) => rollRow.get(`${pool}|${key}`)!,
    recognised: blocks,
    col: (i: number) => t.col(i),
    lotRows,
  };
}
