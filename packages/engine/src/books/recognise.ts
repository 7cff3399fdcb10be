import { D } from '../ledger/money.ts';
import { isPaid } from './lots.ts';
import { rateOf } from './terms.ts';
import type { BookLot, PeriodTerms } from './types.ts';

/** A lot's cumulative figures at the end of a period where one of them may change. */
export interface Step {
  i: number;
  /** Credits used to date. */
  used: number;
  /** Expected breakage rate in force for the lot (exact decimal string). */
  rate: string;
  /** Price recognised to date, whole cents: usage plus breakage. */
  recognised: number;
  /** Price of the credits used to date (price × used ÷ credits), whole cents. */
  usage: number;
  /** The lot expired at the end of this period. */
  expired: boolean;
}

/** n ÷ d rounded half up, for n ≥ 0 and d > 0 (whole numbers): exact, in doubles while they are exact. */
function divHalfUp(n: number, d: number): number {
  if (Number.isSafeInteger(2 * n + d)) return Math.floor((2 * n + d) / (2 * d));
  return Number((2n * BigInt(n) + BigInt(d)) / (2n * BigInt(d)));
}

/** n × m ÷ d rounded half up, exactly (BigInt once the product is past what a double holds exactly). */
function mulDivHalfUp(n: number, m: number, d: number): number {
  const p = n * m;
  if (Number.isSafeInteger(2 * p + d)) return divHalfUp(p, d);
  return Number((2n * BigInt(n) * BigInt(m) + BigInt(d)) / (2n * BigInt(d)));
}

/** An expected breakage rate as the fraction 1 − b = keep ÷ scale (whole numbers), per rate text. */
const kept = new Map<string, { keep: number; scale: number }>();
function keptShare(rate: string): { keep: number; scale: number } {
  let k = kept.get(rate);
  if (!k) {
    const [n, d] = new D(1).minus(rate).toFraction();
    k = { keep: n!.toNumber(), scale: d!.toNumber() };
    if (kept.size < 1024) kept.set(rate, k);
  }
  return k;
}

/**
 * Recognised to date, in cents: min(price, price × used ÷ (credits × (1 − b))), rounded half up to
 * the cent; the whole price once the lot has expired. b = 0 is the at-expiry method. With
 * 1 − b = keep ÷ scale this is price × used × scale ÷ (credits × keep), in whole numbers.
 */
export function recognisedToDate(priceCents: number, used: number, credits: number, rate: string, expired: boolean): number {
  if (expired || credits === 0) return priceCents;
  if (used === 0) return 0;
  const { keep, scale } = keptShare(rate);
  const num = used * scale;
  const den = credits * keep;
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) {
    const n = 2n * BigInt(priceCents) * BigInt(used) * BigInt(scale);
    const dd = BigInt(credits) * BigInt(keep);
    return Math.min(priceCents, Number((n + dd) / (2n * dd)));
  }
  return Math.min(priceCents, mulDivHalfUp(priceCents, num, den));
}

/** The usage part of the revenue to date, in cents: price × used ÷ credits, rounded half up. */
export function usageToDate(priceCents: number, used: number, credits: number): number {
  if (credits === 0 || used === 0) return 0;
  return mulDivHalfUp(priceCents, used, credits);
}

/**
 * The periods in which a paid lot's recognised amount may change — its draws, a change of its
 * source's expected rate (a re-estimate: the cumulative catch-up), its expiry — with the cumulative
 * figures at each. Periods are those of the horizon (0..horizon-1).
 */
export function schedule(lot: BookLot, terms: readonly PeriodTerms[]): Step[] {
  const H = terms.length;
  if (!isPaid(lot) || lot.granted >= H) return [];
  const end = lot.lastValid === null ? H - 1 : Math.min(lot.lastValid, H - 1);
  const at = new Set<number>();
  const from = Math.max(lot.granted, 0);
  if (lot.credits === 0) at.add(from);
  for (const d of lot.draws) if (d.i >= from && d.i <= end) at.add(d.i);
  for (let i = from + 1; i <= end; i++) if (rateOf(terms[i]!, lot.source) !== rateOf(terms[i - 1]!, lot.source)) at.add(i);
  if (lot.lastValid !== null && lot.lastValid < H) at.add(Math.max(lot.lastValid, from));
  const periods = [...at].sort((a, b) => a - b);
  const steps: Step[] = [];
  let used = 0;
  let d = 0;
  for (const i of periods) {
    while (d < lot.draws.length && lot.draws[d]!.i <= i) used += lot.draws[d++]!.credits;
    const rate = rateOf(terms[i]!, lot.source);
    const expired = lot.lastValid !== null && i >= lot.lastValid;
    steps.push({
      i,
      used,
      rate,
      recognised: recognisedToDate(lot.priceCents, used, lot.credits, rate, expired),
      usage: usageToDate(lot.priceCents, used, lot.credits),
      expired,
    });
  }
  return steps;
}
