import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { D } from '../ledger/money.ts';
import { forecast } from '../ledger/forecast.ts';
import { PricingCache } from '../ledger/cache.ts';
import { runNames } from '../ledger/variant.ts';
import type { ForecastResult, Totals } from '../ledger/types.ts';
import { centsText, placesText, placesValue } from '../books/books.ts';
import type { BooksOptions, BooksResult } from '../books/types.ts';
import type { LedgerPlan } from '../ledger/plan.ts';
import { BOOK, BOOK_FIELDS, CustomerBooks, booksPlan, type BooksPlan } from '../portfolio/books.ts';

/** Per period, the figures a comparison charts. */
export interface SeriesPoint {
  period: string;
  pool: string;
  closing: number;
  consumed: number;
  expired: number;
  unmet: number;
  purchased: number;
  spend: string;
  expired_value: string;
  expiring_soon: number;
}

/** A run's books in a comparison: its revenue, breakage revenue, and peak and closing deferred revenue. */
export interface BooksSummary {
  currency: string;
  method: BooksResult['method'];
  billings: string;
  revenue: string;
  revenue_usage: string;
  revenue_breakage: string;
  deferred_peak: string;
  deferred_peak_period: string | null;
  deferred_closing: string;
  /** Per period and pool: revenue from usage and breakage, and deferred revenue at the period's end (for charts). */
  series: { period: string; pool: string; revenue_usage: string; revenue_breakage: string; deferred_closing: string }[];
}

export const BOOKS_KEYS = ['billings', 'revenue', 'revenue_usage', 'revenue_breakage', 'deferred_peak', 'deferred_closing'] as const;
export type BooksDelta = Record<(typeof BOOKS_KEYS)[number], string>;

/** The comparison's figures of a run's books. */
export function booksSummary(b: BooksResult): BooksSummary {
  const t = b.totals;
  return {
    currency: t.currency,
    method: b.method,
    billings: t.billings,
    revenue: t.revenue,
    revenue_usage: t.revenue_usage,
    revenue_breakage: t.revenue_breakage,
    deferred_peak: t.deferred_peak,
    deferred_peak_period: t.deferred_peak_period,
    deferred_closing: t.deferred_closing,
    series: b.periods.map((p) => ({
      period: p.period,
      pool: p.pool,
      revenue_usage: p.revenue_usage,
      revenue_breakage: p.revenue_breakage,
      deferred_closing: p.deferred_closing,
    })),
  };
}

/** b − a of two decimal strings, written with `places` places: in whole numbers of 10^-places when exact (figures as reported), in decimals beyond. */
function difference(a: string, b: string, places: number): string {
  const x = placesValue(a, places);
  const y = placesValue(b, places);
  if (x === undefined || y === undefined || !Number.isSafeInteger(y - x)) return new D(b).minus(a).toFixed(places);
  return placesText(y - x, places);
}

/** Books figures of b minus those of a (same currency: a comparison is of one scenario). */
export function deltaBooks(a: Pick<BooksSummary, (typeof BOOKS_KEYS)[number]>, b: Pick<BooksSummary, (typeof BOOKS_KEYS)[number]>): BooksDelta {
  const out = {} as BooksDelta;
  for (const k of BOOKS_KEYS) out[k] = difference(a[k], b[k], 2);
  return out;
}

export interface CompareRun {
  name: string;
  description: string;
  totals: Totals;
  /** The run's books (revenue recognition under its validity policy's revenue terms). */
  books: BooksSummary;
  series: SeriesPoint[];
  versions: ForecastResult['versions'];
  problems: ForecastResult['problems'];
}

/** Differences of a run's totals from the base (numbers for credits, decimal strings for money and ratios). */
export type TotalsDelta = Record<'granted' | 'purchased' | 'consumed' | 'expired' | 'unmet' | 'demand' | 'output_seconds', number> &
  Record<'spend' | 'expired_value' | 'utilisation', string> &
  Record<'cost_per_credit' | 'cost_per_second', string | null>;

/** The JSON shape of `creditbook compare --json`. */
export interface CompareResult {
  scenario: string;
  currency: string;
  base: string;
  runs: CompareRun[];
  deltas: { name: string; vs: string; totals: TotalsDelta; books: BooksDelta }[];
}

const CREDIT_KEYS = ['granted', 'purchased', 'consumed', 'expired', 'unmet', 'demand', 'output_seconds'] as const;

/** Totals of b minus totals of a. */
export function deltaTotals(a: Totals, b: Totals): TotalsDelta {
  const out = {} as TotalsDelta;
  for (const k of CREDIT_KEYS) out[k] = b[k] - a[k];
  out.spend = difference(a.spend, b.spend, 2);
  out.expired_value = difference(a.expired_value, b.expired_value, 2);
  out.utilisation = difference(a.utilisation, b.utilisation, 4);
  for (const k of ['cost_per_credit', 'cost_per_second'] as const) {
    const x = a[k];
    const y = b[k];
    out[k] = x === null || y === null ? null : difference(x, y, 4);
  }
  return out;
}

/** Runs of a forecast, as a comparison shows them, with the books' figures of the run. */
export function toRun(result: ForecastResult, description: string, books: BooksSummary): CompareRun {
  const { by_pool: _byPool, ...totals } = result.totals;
  return {
    name: result.variant ?? 'base',
    description,
    totals,
    books,
    series: result.periods.map((p) => ({
      period: p.period,
      pool: p.pool,
      closing: p.closing,
      consumed: p.consumed,
      expired: p.expired,
      unmet: p.unmet,
      purchased: p.purchased,
      spend: p.spend,
      expired_value: p.expired_value,
      expiring_soon: p.expiring_soon,
    })),
    versions: result.versions,
    problems: result.problems,
  };
}

/**
 * The comparison's figures of a run's books from the books' per-lot figures in whole cents, per
 * period and pool (`BOOK`, as `CustomerBooks` adds them up while the run's ledger runs): the same
 * figures `booksSummary` takes from the full books of the run, without building them.
 */
function ledgerBooksSummary(result: ForecastResult, method: BooksSummary['method'], cents: Float64Array | undefined): BooksSummary {
  const rows = result.periods;
  const pools = new Set(rows.map((r) => r.pool)).size;
  const deferred = new Float64Array(pools);
  const t = { billings: 0, usage: 0, breakage: 0 };
  let peak = 0;
  let peakAt: string | null = null;
  const series: BooksSummary['series'] = [];
  for (let j = 0; j < rows.length; j += pools) {
    let all = 0;
    for (let k = 0; k < pools; k++) {
      const r = (j + k) * BOOK_FIELDS;
      const at = (f: number) => cents?.[r + f] ?? 0;
      t.billings += at(BOOK.billings);
      t.usage += at(BOOK.usage);
      t.breakage += at(BOOK.breakage);
      all += deferred[k]! += at(BOOK.current) + at(BOOK.nonCurrent);
      series.push({
        period: rows[j + k]!.period,
        pool: rows[j + k]!.pool,
        revenue_usage: centsText(at(BOOK.usage)),
        revenue_breakage: centsText(at(BOOK.breakage)),
        deferred_closing: centsText(deferred[k]!),
      });
    }
    if (all > peak) [peak, peakAt] = [all, rows[j]!.period];
  }
  return {
    currency: result.currency,
    method,
    billings: centsText(t.billings),
    revenue: centsText(t.usage + t.breakage),
    revenue_usage: centsText(t.usage),
    revenue_breakage: centsText(t.breakage),
    deferred_peak: centsText(peak),
    deferred_peak_period: peakAt,
    deferred_closing: centsText(deferred.reduce((a, x) => a + x, 0)),
    series,
  };
}

/** A run of a comparison as it shows it (named as first forecast), and its currency: all a cache keeps of its forecast. */
export interface BookedRun {
  readonly run: CompareRun;
  readonly currency: string;
}

/** The books plans of a rule set's ledger plans: per plan lots (shared by runs that differ only in demand) and books options. */
type BooksPlans = WeakMap<LedgerPlan['lots'], Map<string, BooksPlan>>;

const booksKey = (o: BooksOptions) => `${o.method ?? ''}\u0000${o.breakageRate ?? ''}`;

/**
 * Forecasts one run of a comparison without its lots; its books follow its draws in whole cents
 * (the portfolio's `CustomerBooks`, one customer of weight 1) instead of being built from the lots.
 */
async function bookedRun(
  rules: RuleSet,
  scenario: Scenario,
  name: string,
  pricing: PricingCache,
  options: BooksOptions,
  plans: BooksPlans,
): Promise<BookedRun> {
  let follow: { books: CustomerBooks; cents: Float64Array; method: BooksSummary['method']; horizon: number } | undefined;
  const result = await forecast(rules, scenario, {
    variant: name,
    cache: pricing,
    lots: false,
    watch: (plan, cp, t) => {
      let byOptions = plans.get(plan.lots);
      if (!byOptions) plans.set(plan.lots, (byOptions = new Map<string, BooksPlan>()));
      const key = booksKey(options);
      let bp = byOptions.get(key);
      if (!bp) byOptions.set(key, (bp = booksPlan(rules, plan, cp, options)));
      const cents = new Float64Array(cp.horizon * cp.pools * BOOK_FIELDS);
      const books = new CustomerBooks(bp, cp, t, cents);
      books.start(1, 0);
      follow = { books, cents, method: bp.method, horizon: cp.horizon };
      return books.onDraw;
    },
  });
  // A run refused as too large never ran: its books are empty, as those of its empty forecast.
  let books: BooksSummary;
  if (follow) {
    follow.books.finish(follow.horizon);
    books = ledgerBooksSummary(result, follow.method, follow.cents);
  } else books = ledgerBooksSummary(result, 'at-expiry', undefined);
  return { run: toRun(result, '', books), currency: result.currency };
}

/**
 * Runs of a scenario kept for reuse: a run whose inputs (its variant's definition, or the base)
 * and books options are unchanged is not forecast again. One cache belongs to one loaded scenario
 * and rule set; it holds at most `max` runs, the least recently used forgotten first.
 */
export class RunCache {
  private readonly runs = new Map<string, BookedRun>();
  /** Prices, documents in force and plans, shared by the runs of a rule set (new rules, new pricing). */
  private pricing: PricingCache | undefined;
  private plans: BooksPlans = new WeakMap();

  constructor(private readonly max = 256) {}

  /** Runs forecast (for tests and diagnostics). */
  forecasts = 0;

  async run(rules: RuleSet, scenario: Scenario, name: string, books: BooksOptions = {}): Promise<BookedRun> {
    const v = name === 'base' ? undefined : (scenario.variants ?? []).find((x) => x.name === name);
    // What the run depends on: the variant's definition, whatever it is called, and the books' options.
    const def = v === undefined ? (name === 'base' ? 'base' : `unknown:${name}`) : JSON.stringify({ ...v, name: undefined, description: undefined });
    const key = `${def}\u0001${booksKey(books)}`;
    const hit = this.runs.get(key);
    if (hit) {
      this.runs.delete(key);
      this.runs.set(key, hit);
      return hit;
    }
    if (this.pricing?.rules !== rules) {
      this.pricing = new PricingCache(rules);
      this.plans = new WeakMap();
    }
    const run = await bookedRun(rules, scenario, name, this.pricing, books, this.plans);
    this.forecasts++;
    if (this.runs.size >= this.max) this.runs.delete(this.runs.keys().next().value!);
    this.runs.set(key, run);
    return run;
  }
}

/**
 * Forecasts the base and every named variant (or the ones given) and sets them side by side with
 * deltas. With a cache, runs whose inputs did not change since it last saw them are reused: an
 * edit to one variant recomputes that variant only.
 */
export async function compare(
  rules: RuleSet,
  scenario: Scenario,
  options: { variants?: readonly string[]; cache?: RunCache; books?: BooksOptions } = {},
): Promise<CompareResult> {
  const names = options.variants ? ['base', ...options.variants.filter((n) => n !== 'base')] : runNames(scenario);
  // Without a cache, one for this comparison: its runs share pricing and plans.
  const cache = options.cache ?? new RunCache(names.length);
  const booked: BookedRun[] = [];
  for (const name of names) booked.push(await cache.run(rules, scenario, name, options.books));
  const describe = (name: string) =>
    name === 'base' ? (scenario.description ?? scenario.title ?? 'as planned') : ((scenario.variants ?? []).find((v) => v.name === name)?.description ?? '');
  // A run reused from the cache may have been forecast under another name: it is shown under this one.
  const runs = booked.map((b, k) => ({ ...b.run, name: names[k]!, description: describe(names[k]!) }));
  const base = runs[0]!;
  return {
    scenario: scenario.id,
    currency: booked[0]?.currency ?? 'USD',
    base: base.name,
    runs,
    deltas: runs.slice(1).map((r) => ({ name: r.name, vs: base.name, totals: deltaTotals(base.totals, r.totals), books: deltaBooks(base.books, r.books) })),
  };
}
