import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import { D, cents } from '../ledger/money.ts';
import { centsText } from '../books/books.ts';
import { FIELD, FIELDS } from '../ledger/simulate.ts';
import { BOOK, BOOK_FIELDS } from './books.ts';
import type { PortfolioModel } from './model.ts';
import { ACTIVE, CHURNED, COUNTS, NEW, addAggregates, zeroAggregate, type CohortAggregate } from './run.ts';

/** What a result says about the run, beside its figures (also the header of a partial result). */
export interface PortfolioMeta {
  readonly portfolio: string;
  readonly portfolio_version: number;
  readonly variant: string | null;
  readonly currency: string;
  readonly seed: number;
  readonly runs: number;
  readonly periods: readonly string[];
  readonly pools: readonly string[];
  readonly unit: number;
  readonly cohorts: readonly { cohort: string; scenario: string; variant: string | null }[];
}

export function metaOf(model: PortfolioModel, seed: number, runs: number): PortfolioMeta {
  return {
    portfolio: model.id,
    portfolio_version: model.version,
    variant: model.variant,
    currency: model.currency,
    seed,
    runs,
    periods: model.periods,
    pools: model.pools,
    unit: model.unit,
    cohorts: model.cohorts.map((c) => ({ cohort: c.id, scenario: c.scenario, variant: c.variant })),
  };
}

/** A figure: an integer, a money amount (two-place decimal string), or with --runs its P10 / P50 / P90. */
export type Figure = number | string | { p10: number | string; p50: number | string; p90: number | string };

export interface PoolFigures {
  granted: Figure;
  purchased: Figure;
  consumed: Figure;
  expired: Figure;
  closing: Figure;
  unmet: Figure;
  demand: Figure;
  expiring_soon: Figure;
}
/** The books of a period (every pool; one currency): the rollforward of deferred revenue, as `books` gives it per customer. */
export interface PeriodBooks {
  billings: Figure;
  revenue_usage: Figure;
  revenue_breakage: Figure;
  revenue: Figure;
  deferred_opening: Figure;
  deferred_closing: Figure;
  current: Figure;
  non_current: Figure;
}
export interface TotalBooks {
  billings: Figure;
  revenue: Figure;
  revenue_usage: Figure;
  revenue_breakage: Figure;
  /** Deferred revenue at the horizon, and the highest month-end balance. */
  deferred_closing: Figure;
  deferred_peak: Figure;
}
export interface PeriodFigures {
  period: string;
  new: Figure;
  active: Figure;
  churned: Figure;
  /** Money paid (subscriptions and purchases) and the value of expired credits at cost (breakage). */
  spend: Figure;
  expired_value: Figure;
  books: PeriodBooks;
  pools: Record<string, PoolFigures>;
}
export interface TotalFigures {
  customers: Figure;
  churned: Figure;
  spend: Figure;
  expired_value: Figure;
  books: TotalBooks;
  pools: Record<string, Omit<PoolFigures, 'closing' | 'expiring_soon'> & { closing: Figure }>;
}
/** The JSON of `creditbook portfolio --json`. */
export interface PortfolioResult {
  portfolio: string;
  portfolio_version: number;
  variant: string | null;
  currency: string;
  seed: number;
  runs: number;
  periods: PeriodFigures[];
  totals: TotalFigures;
  cohorts: { cohort: string; scenario: string; variant: string | null; periods: PeriodFigures[]; totals: TotalFigures }[];
}

function checkSafe(x: number): number {
  if (!Number.isSafeInteger(x)) throw new CreditbookError([diagnostic({ code: 'C_TOO_LARGE', detail: `an aggregate of ${x} is beyond exact integers` })]);
  return x;
}

/** The figures of one run of one set of cohorts (summed). */
function figures(meta: PortfolioMeta, agg: CohortAggregate): { periods: PeriodFigures[]; totals: TotalFigures } {
  const P = meta.pools.length;
  const money = (units: number) => cents(new D(checkSafe(units)).div(meta.unit));
  const centsOf = (c: number) => cents(new D(checkSafe(c)).div(100));
  const periods: PeriodFigures[] = [];
  let spend = 0;
  let value = 0;
  let customers = 0;
  let churned = 0;
  const pools: TotalFigures['pools'] = {};
  const sums = meta.pools.map(() => new Float64Array(FIELDS));
  const money2 = (c: number) => centsText(checkSafe(c));
  const bt = { billings: 0, usage: 0, breakage: 0, current: 0, nonCurrent: 0, peak: 0 };
  meta.periods.forEach((period, t) => {
    const opening = bt.current + bt.nonCurrent;
    const at = (f: number) => {
      let x = 0;
      for (let k = 0; k < P; k++) x += agg.books[(t * P + k) * BOOK_FIELDS + f]!;
      return x;
    };
    const pb = { billings: at(BOOK.billings), usage: at(BOOK.usage), breakage: at(BOOK.breakage) };
    bt.billings += pb.billings;
    bt.usage += pb.usage;
    bt.breakage += pb.breakage;
    bt.current += at(BOOK.current);
    bt.nonCurrent += at(BOOK.nonCurrent);
    const closing = bt.current + bt.nonCurrent;
    if (closing > bt.peak) bt.peak = closing;
    const books: PeriodBooks = {
      billings: money2(pb.billings),
      revenue_usage: money2(pb.usage),
      revenue_breakage: money2(pb.breakage),
      revenue: money2(pb.usage + pb.breakage),
      deferred_opening: money2(opening),
      deferred_closing: money2(closing),
      current: money2(bt.current),
      non_current: money2(bt.nonCurrent),
    };
    const c = agg.customers;
    let s = 0;
    let v = 0;
    const byPool: Record<string, PoolFigures> = {};
    meta.pools.forEach((pool, k) => {
      const r = (t * P + k) * FIELDS;
      const f = (n: number) => checkSafe(agg.ledger[r + n]!);
      s += f(FIELD.spend);
      v += f(FIELD.expiredValue);
      for (let n = 0; n < FIELDS; n++) sums[k]![n]! += f(n);
      byPool[pool] = {
        granted: f(FIELD.granted),
        purchased: f(FIELD.purchased),
        consumed: f(FIELD.consumed),
        expired: f(FIELD.expired),
        closing: f(FIELD.closing),
        unmet: f(FIELD.unmet),
        demand: f(FIELD.demand),
        expiring_soon: f(FIELD.expiringSoon),
      };
    });
    spend += s;
    value += v;
    customers += c[t * COUNTS + NEW]!;
    churned += c[t * COUNTS + CHURNED]!;
    periods.push({
      period,
      new: c[t * COUNTS + NEW]!,
      active: c[t * COUNTS + ACTIVE]!,
      churned: c[t * COUNTS + CHURNED]!,
      spend: money(s),
      expired_value: centsOf(v),
      books,
      pools: byPool,
    });
  });
  const last = meta.periods.length - 1;
  meta.pools.forEach((pool, k) => {
    const f = (n: number) => checkSafe(sums[k]![n]!);
    pools[pool] = {
      granted: f(FIELD.granted),
      purchased: f(FIELD.purchased),
      consumed: f(FIELD.consumed),
      expired: f(FIELD.expired),
      unmet: f(FIELD.unmet),
      demand: f(FIELD.demand),
      closing: agg.ledger[(last * P + k) * FIELDS + FIELD.closing]!,
    };
  });
  const books: TotalBooks = {
    billings: money2(bt.billings),
    revenue: money2(bt.usage + bt.breakage),
    revenue_usage: money2(bt.usage),
    revenue_breakage: money2(bt.breakage),
    deferred_closing: money2(bt.current + bt.nonCurrent),
    deferred_peak: money2(bt.peak),
  };
  return { periods, totals: { customers, churned, spend: money(spend), expired_value: centsOf(value), books, pools } };
}

/** The labels of a result: the same in every run, never banded. */
const LABELS = new Set(['period', 'cohort', 'scenario', 'variant']);

/** P10, P50 and P90 of a figure over the runs: nearest rank (the ⌈q·N⌉-th smallest), so each band is a value some run gave. */
function band(values: readonly (number | string)[]): Figure {
  const money = typeof values[0] === 'string';
  const sorted = [...values].sort((a, b) => (money ? new D(a).cmp(new D(b)) : (a as number) - (b as number)));
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return { p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}

function bands(trees: readonly unknown[]): unknown {
  const first = trees[0];
  if (typeof first === 'number' || typeof first === 'string') return band(trees as (number | string)[]);
  if (Array.isArray(first)) return first.map((_, i) => bands(trees.map((t) => (t as unknown[])[i])));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(first as Record<string, unknown>))
    out[k] = LABELS.has(k) ? v : bands(trees.map((t) => (t as Record<string, unknown>)[k]));
  return out;
}

/** The result of the runs' aggregates (one per run, each per cohort): with one run its figures, with several their bands. */
export function render(meta: PortfolioMeta, runs: readonly (readonly CohortAggregate[])[]): PortfolioResult {
  const one = runs.map((cohorts) => {
    const total = cohorts.map(() => zeroAggregate(meta.periods.length, meta.pools.length));
    const sum = [total[0]!];
    for (const c of cohorts) addAggregates(sum, [c]);
    return {
      ...figures(meta, sum[0]!),
      cohorts: meta.cohorts.map((c, k) => ({ ...c, ...figures(meta, cohorts[k]!) })),
    };
  });
  const body = (one.length === 1 ? one[0]! : bands(one)) as Pick<PortfolioResult, 'periods' | 'totals' | 'cohorts'>;
  return {
    portfolio: meta.portfolio,
    portfolio_version: meta.portfolio_version,
    variant: meta.variant,
    currency: meta.currency,
    seed: meta.seed,
    runs: meta.runs,
    periods: body.periods,
    totals: body.totals,
    cohorts: body.cohorts,
  };
}
