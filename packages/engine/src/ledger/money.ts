import Decimal from 'decimal.js';
import type { Money } from '../rules/types.ts';

/** Exact decimals for money; 40 significant digits keeps cost bases like 10/660 exact enough to round once. */
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;

/** A money amount from a rule document (a decimal string, or a number written as one). */
export function money(m: Money): Dec {
  return new D(typeof m === 'number' ? String(m) : m);
}

/** Two places, half up: how money is reported. */
export function cents(d: Dec): string {
  return d.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2);
}

export const ZERO = new D(0);
