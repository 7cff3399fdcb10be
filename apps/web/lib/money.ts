/** Money for credits at a plan's rate, in exact integer arithmetic. Safe to import in the browser. */

/** A rate: what a plan item costs for how many credits (a tier per month, a pack, an API package). */
export interface Rate {
  name: string;
  /** Decimal string, two places at most (the catalog's money). */
  price: string;
  credits: number;
  currency: string;
}

/** `credits × price ÷ rate credits`, rounded half up to the cent, as a two-place string. */
export function moneyAt(credits: number, rate: Rate): string {
  const [whole = '0', frac = ''] = rate.price.split('.');
  const cents = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  const num = BigInt(credits) * cents;
  const den = BigInt(rate.credits);
  let q = num / den;
  if (2n * (num % den) >= den) q += 1n;
  const s = q.toString().padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}
