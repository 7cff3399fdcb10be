import { D, ZERO, cents, type Dec } from './money.ts';
import type { Totals } from './types.ts';

/** Running sums of one pool (or of every pool): credits as integers, money exact. */
export class Tally {
  granted = 0;
  purchased = 0;
  consumed = 0;
  expired = 0;
  unmet = 0;
  demand = 0;
  servedSeconds = 0;
  demandSeconds = 0;
  spend: Dec = ZERO;
  /** Breakage: the sum of each period's expired value, each rounded to the cent. */
  expiredValue: Dec = ZERO;

  add(o: Tally): void {
    this.granted += o.granted;
    this.purchased += o.purchased;
    this.consumed += o.consumed;
    this.expired += o.expired;
    this.unmet += o.unmet;
    this.demand += o.demand;
    this.servedSeconds += o.servedSeconds;
    this.demandSeconds += o.demandSeconds;
    this.spend = this.spend.plus(o.spend);
    this.expiredValue = this.expiredValue.plus(o.expiredValue);
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
      spend: cents(this.spend),
      expired_value: cents(this.expiredValue),
      output_seconds: this.servedSeconds,
      demand_seconds: this.demandSeconds,
      utilisation: ratio(new D(this.consumed), new D(available)) ?? '0.0000',
      cost_per_credit: ratio(this.spend, new D(this.consumed)),
      cost_per_second: ratio(this.spend, new D(this.servedSeconds)),
    };
  }
}

/** num ÷ den to four places, half up; null when den is 0. */
export function ratio(num: Dec, den: Dec): string | null {
  return den.isZero() ? null : num.div(den).toDecimalPlaces(4, D.ROUND_HALF_UP).toFixed(4);
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
