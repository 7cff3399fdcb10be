import { calendar, type Calendar } from '../ledger/calendar.ts';
import { D } from '../ledger/money.ts';
import type { ForecastResult, LotResult } from '../ledger/types.ts';
import type { LotSource } from '../rules/types.ts';
import type { BookLot, BooksCategory } from './types.ts';

const CATEGORIES: Record<LotSource, BooksCategory> = {
  subscription: 'paid_subscription',
  top_up: 'paid_top_up',
  api_package: 'api_package',
  custom_package: 'enterprise',
  daily_free: 'free',
  promotional: 'promotional',
};

/** The books' category of a lot source. Free and promotional credits carry no revenue. */
export function categoryOf(source: LotSource): BooksCategory {
  return CATEGORIES[source];
}

/** Carries revenue: a paid category with a price. */
export function isPaid(lot: Pick<BookLot, 'category' | 'priceCents'>): boolean {
  return lot.category !== 'free' && lot.category !== 'promotional' && lot.priceCents > 0;
}

/** The calendar a forecast ran on (its first period and horizon). */
export function runCalendar(r: ForecastResult): Calendar {
  const labels = [...new Set(r.periods.map((p) => p.period))];
  return calendar(labels[0] ?? '2000-01', labels.length, r.granularity);
}

/**
 * Month k's share (0 … 11) of an annual plan's price, in cents: the difference of cumulative shares
 * round half up(year × k ÷ 12), so the twelve add up to the year exactly.
 */
export function monthShareCents(yearCents: number, k: number): number {
  const share = (n: number) => Math.floor((yearCents * n + 6) / 12);
  return share(k + 1) - share(k);
}

/** An exact decimal amount in whole cents, rounded half up. */
export function centsOf(text: string): number {
  const c = new D(text).times(100).toDecimalPlaces(0, D.ROUND_HALF_UP);
  if (!c.abs().lte(Number.MAX_SAFE_INTEGER)) throw new RangeError(`price out of range: ${text}`);
  return c.toNumber();
}

/** The exact price of a forecast lot: cost basis × credits (its `price` field is rounded to the cent). */
function exactPrice(l: LotResult) {
  return l.amount > 0 ? new D(l.cost_basis).times(l.amount) : new D(l.price);
}

/** Whole cents of lots' exact prices, per cost basis and credits: the same lots recur from run to run (every variant's subscription months). */
const priceCents = new Map<string, number>();

/** A lot's exact price in whole cents, rounded half up. */
function priceCentsOf(l: LotResult): number {
  const key = l.amount > 0 ? `${l.cost_basis}\u0000${l.amount}` : `\u0000${l.price}`;
  let c = priceCents.get(key);
  if (c === undefined) {
    c = centsOf(exactPrice(l).toString());
    if (priceCents.size >= 4096) priceCents.clear();
    priceCents.set(key, c);
  }
  return c;
}

/** The rule version in force in a period, as a trace (`PlanCatalog kling-plans v1`). */
function ruleAt(r: ForecastResult, kind: string, label: string): string {
  const u = r.versions.find((v) => v.kind === kind && v.from <= label && label <= v.to);
  return u ? `${kind} ${u.id} v${u.version}` : kind;
}

/**
 * The lots of a forecast as the books read them. This is the one place that knows the forecast's
 * lot shape. With annual billing, a year's price is paid in its first month for twelve monthly
 * lots: each lot gets its share (cumulative shares rounded to the cent, so the year adds up to what
 * was paid), billed in the year's first month; months of a paid year past the horizon are lots
 * billed and not yet granted.
 */
export function bookLots(r: ForecastResult): BookLot[] {
  const cal = runCalendar(r);
  const index = (label: string) => cal.index(label);
  const lastValid = (l: LotResult) => (l.last_valid_period === 'never' ? null : index(l.last_valid_period));
  const toBook = (l: LotResult, priceCents: number, billed: number): BookLot => ({
    id: l.id,
    pool: l.pool,
    source: l.source,
    category: categoryOf(l.source),
    ref: l.ref,
    priceCents,
    credits: l.amount,
    billed,
    granted: index(l.granted_period),
    lastValid: lastValid(l),
    draws: l.draws.map((d) => ({ i: index(d.period), credits: d.credits })),
    priceRule: ruleAt(r, 'PlanCatalog', cal.label(billed)),
  });
  const out: BookLot[] = [];
  const annual = r.plan.billing === 'annual';
  const yearLots: LotResult[] = [];
  const rolled: LotResult[] = [];
  for (const l of r.lots) {
    if (l.rolled_from !== undefined) rolled.push(l);
    else if (annual && l.source === 'subscription') yearLots.push(l);
    else out.push(toBook(l, priceCentsOf(l), index(l.granted_period)));
  }
  for (let y = 0; y < yearLots.length; y += 12) {
    const year = yearLots.slice(y, y + 12);
    const first = year[0]!;
    const billed = index(first.granted_period);
    // What was paid for the year: the first month's share, twelve times.
    const yearCents = centsOf(exactPrice(first).times(12).toString());
    const shareOf = (k: number) => monthShareCents(yearCents, k);
    year.forEach((l, k) => out.push(toBook(l, shareOf(k), billed)));
    // Months of the year past the horizon: paid for, not yet granted.
    const validFor = first.last_valid_period === 'never' ? null : index(first.last_valid_period) - billed;
    for (let k = year.length; k < 12; k++) {
      const granted = billed + cal.validPeriods({ months: k }, billed);
      out.push({
        id: `${first.id}+${k}`,
        pool: first.pool,
        source: 'subscription',
        category: 'paid_subscription',
        ref: first.ref,
        priceCents: shareOf(k),
        credits: first.amount,
        billed,
        granted,
        lastValid: validFor === null ? null : granted + validFor,
        draws: [],
        priceRule: ruleAt(r, 'PlanCatalog', cal.label(billed)),
      });
    }
  }
  // Credits that rolled over are still the lot they were paid for: its draws go on, and it ends when its last rolled lot does.
  const byId = new Map(out.map((b) => [b.id, b] as const));
  for (const l of rolled) {
    const root = byId.get(l.rolled_from!);
    if (!root) continue;
    root.draws = [...root.draws, ...l.draws.map((d) => ({ i: index(d.period), credits: d.credits }))].sort((a, b) => a.i - b.i);
    root.lastValid = lastValid(l);
    byId.set(l.id, root);
  }
  return out;
}
