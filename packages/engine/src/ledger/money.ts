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
  return d.toFixed(2, D.ROUND_HALF_UP);
}

export const ZERO = new D(0);

/** An exact decimal as the fraction num ÷ den, den a power of ten ('0.2' → 2 ÷ 10; a rate b so that 1 − b = (den − num) ÷ den exactly). */
export interface DecimalFraction {
  readonly num: number;
  readonly den: number;
}

const fractions = new Map<string, DecimalFraction>();

/** The fraction of an exact decimal string (num is exact when it is a safe integer). Remembered: the same few rates and factors recur. */
export function decimalFraction(text: string): DecimalFraction {
  let f = fractions.get(text);
  if (!f) {
    const d = new D(text);
    const places = d.decimalPlaces();
    f = { num: d.times(10 ** places).toNumber(), den: 10 ** places };
    // Factors come from requests too: keep the memory bounded.
    if (fractions.size >= 4096) fractions.clear();
    fractions.set(text, f);
  }
  return f;
}

/** a ÷ b rounded half up, for whole numbers a ≥ 0 and b > 0 (exactly, when a is a safe integer). */
export function divHalfUp(a: number, b: number): number {
  let q = Math.floor(a / b);
  let r = a - q * b;
  // The float quotient can be one off for large a: correct it with the exact remainder.
  if (r < 0) {
    q -= 1;
    r += b;
  } else if (r >= b) {
    q += 1;
    r -= b;
  }
  return 2 * r >= b ? q + 1 : q;
}

/** x × num ÷ den, rounded half up to a whole number, for x, num ≥ 0 and den > 0: in integers when exact, in decimals beyond. */
export function roundedShare(x: number, num: number, den: number): number {
  const a = x * num;
  if (Number.isSafeInteger(a) && Number.isSafeInteger(den) && den > 0) return divHalfUp(a, den);
  return new D(x).times(num).div(den).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}
