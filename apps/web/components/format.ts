/** Number formatting shared by tables and charts (en-US grouping, fixed places). */
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : int.format(n);
}

/** A decimal string or number as money with two places. */
export function fmtMoney(x: string | number | null | undefined): string {
  if (x === null || x === undefined || x === '') return '—';
  return money2.format(Number(x));
}

/** A ratio string (4 places) as given; null as a dash. */
export function fmtRatio(x: string | number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  return Number(x).toFixed(4);
}

export function fmtPercent(x: string | number | null | undefined, places = 2): string {
  if (x === null || x === undefined) return '—';
  return `${(Number(x) * 100).toFixed(places)}%`;
}

/** A signed difference: +1,234 / −1,234 / 0. */
export function fmtSigned(n: number, format: (x: number) => string = fmtInt): string {
  if (n === 0) return format(0);
  return `${n > 0 ? '+' : '−'}${format(Math.abs(n))}`;
}

/** The CSS class for a difference where more is worse (spend, expiry) or better. */
export function deltaClass(n: number, moreIsWorse = true): string {
  if (n === 0) return 'zero';
  return n > 0 === moreIsWorse ? 'pos' : 'neg';
}
