import { D, decimalFraction, roundedShare } from '../ledger/money.ts';
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

/**
 * Recognised to date, in whole cents: min(price, price × used ÷ (credits × (1 − b))), rounded half
 * up; the whole price once the lot has expired. b = rateNum ÷ rateDen; b = 0 is the at-expiry method.
 * Integers only (no decimals) while the products stay exact, which they do for any real price.
 */
export function recognisedCents(priceCents: number, used: number, credits: number, rateNum: number, rateDen: number, expired: boolean): number {
  if (expired || credits === 0) return priceCents;
  if (used === 0) return 0;
  if (rateNum === 0) return Math.min(priceCents, roundedShare(priceCents, used, credits));
  // price × used ÷ (credits × (den − num) ÷ den) = price × used × den ÷ (credits × (den − num)).
  const den = credits * (rateDen - rateNum);
  const a = priceCents * used;
  if (Number.isSafeInteger(a * rateDen)) return Math.min(priceCents, roundedShare(a, rateDen, den));
  return Math.min(priceCents, new D(a).times(rateDen).div(den).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber());
}

/** Recognised to date, in cents, with the rate as an exact decimal string (see `recognisedCents`). */
export function recognisedToDate(priceCents: number, used: number, credits: number, rate: string, expired: boolean): number {
  const b = decimalFraction(rate);
  return recognisedCents(priceCents, used, credits, b.num, b.den, expired);
}

/** The usage part of the revenue to date, in cents: price × used ÷ credits, rounded half up. */
export function usageToDate(priceCents: number, used: number, credits: number): number {
  if (credits === 0 || used === 0) return 0;
  return roundedShare(priceCents, used, credits);
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
