import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { D } from '../ledger/money.ts';
import { forecast } from '../ledger/forecast.ts';
import { PricingCache } from '../ledger/cache.ts';
import { runNames } from '../ledger/variant.ts';
import type { ForecastResult, Totals } from '../ledger/types.ts';
import { books } from '../books/books.ts';
import type { BooksOptions, BooksResult } from '../books/types.ts';

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

/** Books figures of b minus those of a (same currency: a comparison is of one scenario). */
export function deltaBooks(a: Pick<BooksSummary, (typeof BOOKS_KEYS)[number]>, b: Pick<BooksSummary, (typeof BOOKS_KEYS)[number]>): BooksDelta {
  const out = {} as BooksDelta;
  for (const k of BOOKS_KEYS) out[k] = new D(b[k]).minus(a[k]).toFixed(2);
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
  out.spend = new D(b.spend).minus(a.spend).toFixed(2);
  out.expired_value = new D(b.expired_value).minus(a.expired_value).toFixed(2);
  out.utilisation = new D(b.utilisation).minus(a.utilisation).toFixed(4);
  for (const k of ['cost_per_credit', 'cost_per_second'] as const) {
    const x = a[k];
    const y = b[k];
    out[k] = x === null || y === null ? null : new D(y).minus(x).toFixed(4);
  }
  return out;
}

/** Runs of a forecast, as a comparison shows them. */
export function toRun(result: ForecastResult, description: string, booked: BooksResult): CompareRun {
  const { by_pool: _byPool, ...totals } = result.totals;
  return {
    name: result.variant ?? 'base',
    description,
    totals,
    books: booksSummary(booked),
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
 * Forecasts of a scenario's runs kept for reuse: a run whose inputs (its variant's definition, or
 * the base) are unchanged is not forecast again. One cache belongs to one loaded scenario and
 * rule set; it holds at most `max` runs, the least recently used forgotten first.
 */
export class RunCache {
  private readonly runs = new Map<string, ForecastResult>();
  /** Prices and documents in force, shared by the runs of a rule set (new rules, new pricing). */
  private pricing: PricingCache | undefined;
  /** The books of each run kept (with the run): per method and rate asked. */
  private readonly booked = new WeakMap<ForecastResult, Map<string, BooksResult>>();

  constructor(private readonly max = 256) {}

  /** Runs forecast (for tests and diagnostics). */
  forecasts = 0;

  async run(rules: RuleSet, scenario: Scenario, name: string): Promise<ForecastResult> {
    const v = name === 'base' ? undefined : (scenario.variants ?? []).find((x) => x.name === name);
    // What the run depends on: the variant's definition, whatever it is called.
    const key = v === undefined ? (name === 'base' ? 'base' : `unknown:${name}`) : JSON.stringify({ ...v, name: undefined, description: undefined });
    const hit = this.runs.get(key);
    if (hit) {
      this.runs.delete(key);
      this.runs.set(key, hit);
      return hit.variant === (name === 'base' ? null : name) ? hit : { ...hit, variant: name === 'base' ? null : name };
    }
    if (this.pricing?.rules !== rules) this.pricing = new PricingCache(rules);
    const result = await forecast(rules, scenario, { variant: name, cache: this.pricing });
    this.forecasts++;
    if (this.runs.size >= this.max) this.runs.delete(this.runs.keys().next().value!);
    this.runs.set(key, result);
    return result;
  }

  /** The books of a run this cache returned, computed once per method and expected rate. */
  books(rules: RuleSet, result: ForecastResult, options: BooksOptions = {}): BooksResult {
    let byOptions = this.booked.get(result);
    if (!byOptions) this.booked.set(result, (byOptions = new Map<string, BooksResult>()));
    const key = `${options.method ?? ''}\u0000${options.breakageRate ?? ''}\u0000${options.journal !== false}`;
    let b = byOptions.get(key);
    if (!b) byOptions.set(key, (b = books(rules, result, options)));
    return b;
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
  const results: ForecastResult[] = [];
  for (const name of names) results.push(options.cache ? await options.cache.run(rules, scenario, name) : await forecast(rules, scenario, { variant: name }));
  const describe = (name: string) =>
    name === 'base' ? (scenario.description ?? scenario.title ?? 'as planned') : ((scenario.variants ?? []).find((v) => v.name === name)?.description ?? '');
  const cache = options.cache;
  // A comparison shows the books' figures, not their journal.
  const bookOptions: BooksOptions = { ...options.books, journal: false };
  const booked = (r: ForecastResult) => (cache ? cache.books(rules, r, bookOptions) : books(rules, r, bookOptions));
  const runs = results.map((r) => toRun(r, describe(r.variant ?? 'base'), booked(r)));
  const base = runs[0]!;
  return {
    scenario: scenario.id,
    currency: results[0]?.currency ?? 'USD',
    base: base.name,
    runs,
    deltas: runs.slice(1).map((r) => ({ name: r.name, vs: base.name, totals: deltaTotals(base.totals, r.totals), books: deltaBooks(base.books, r.books) })),
  };
}
