import { D, divHalfUp } from './money.ts';
import type { Totals } from './types.ts';

/**
 * Running sums of one pool (or of every pool): credits as integers, money as whole numbers of
 * money units (`unit` per currency unit: 100 for cents) and expired value in cents, so sums are
 * exact and the reported money and ratios are computed once, exactly.
 */
export class Tally {
  granted = 0;
  purchased = 0;
  consumed = 0;
  expired = 0;
  unmet = 0;
  demand = 0;
  servedSeconds = 0;
  demandSeconds = 0;
  /** Money paid, in units. */
  spendUnits = 0;
  /** Breakage: the sum of each period's expired value, each rounded to the cent, in cents. */
  expiredCents = 0;

  constructor(readonly unit = 100) {}

  /** Back to no sums. */
  reset(): void {
    this.granted = this.purchased = this.consumed = this.expired = this.unmet = this.demand = 0;
    this.servedSeconds = this.demandSeconds = this.spendUnits = this.expiredCents = 0;
  }

  add(o: Tally): void {
    this.granted += o.granted;
    this.purchased += o.purchased;
    this.consumed += o.consumed;
    this.expired += o.expired;
    this.unmet += o.unmet;
    this.demand += o.demand;
    this.servedSeconds += o.servedSeconds;
    this.demandSeconds += o.demandSeconds;
    this.spendUnits += o.spendUnits;
    this.expiredCents += o.expiredCents;
  }

  /** The reported totals: money to the cent, ratios to four places, half up. */
  totals(): Totals {
    const available = this.granted + this.purchased;
    return {
      granted: this.granted,
      purchased: this.purchased,
      consumed: this.consumed,
      expired: this.expired,
      unmet: this.unmet,
      demand: this.demand,
      spend: places(this.spendUnits, this.unit, 2),
      expired_value: places(this.expiredCents, 100, 2),
      output_seconds: this.servedSeconds,
      demand_seconds: this.demandSeconds,
      utilisation: available === 0 ? '0.0000' : places(this.consumed, available, 4),
      cost_per_credit: this.consumed === 0 ? null : places(this.spendUnits, this.consumed, 4, this.unit),
      cost_per_second: this.servedSeconds === 0 ? null : places(this.spendUnits, this.servedSeconds, 4, this.unit),
    };
  }
}

/**
 * num ÷ unit ÷ den written to `digits` places, half up, for whole numbers num, unit > 0 and den ≠ 0:
 * in integers when exact (num ≥ 0, den > 0, num × 10^digits and unit × den safe), in decimals beyond.
 */
export function places(num: number, den: number, digits: number, unit = 1): string {
  const scaled = num * 10 ** digits;
  const by = unit * den;
  if (num >= 0 && den > 0 && Number.isSafeInteger(scaled) && Number.isSafeInteger(by)) {
    const q = String(divHalfUp(scaled, by)).padStart(digits + 1, '0');
    return `${q.slice(0, -digits)}.${q.slice(-digits)}`;
  }
  return new D(num).div(unit).div(den).toFixed(digits, D.ROUND_HALF_UP);
}

/**
 * Output seconds served in a period: the seconds demanded in the share of demand credits that was
 * consumed, rounded half up to a whole second (all of them when nothing was unmet).
 */
export function servedSeconds(seconds: number, consumed: number, demand: number): number {
  if (consumed >= demand) return seconds;
  if (consumed === 0 || seconds === 0) return 0;
  // round half up (seconds × consumed ÷ demand), in integers (exact below 2^52).
  return Math.floor((2 * seconds * consumed + demand) / (2 * demand));
}
