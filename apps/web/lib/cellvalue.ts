/** Reading what a person types or pastes into a price cell. Safe to import in the browser. */

export type CellRead = { ok: true; value: number; text: string } | { ok: false; message: string };

/** More digits than a double holds exactly: such a value would not be stored as typed. */
const MAX_DIGITS = 15;

/**
 * Reads a cell as typed or pasted from a spreadsheet: `1,000` and `1 000` are 1000, a trailing `%`
 * or currency sign is refused, and a value with more precision than a price can hold (more than
 * 15 significant digits, or beyond 1e15) is refused with a message rather than stored as 1e+23.
 */
export function readCell(input: string): CellRead {
  const raw = input.trim().replace(/[\u00a0\u202f ]/g, '');
  if (raw === '') return { ok: false, message: 'empty: a number is required' };
  const grouped = /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(raw);
  const plain = grouped ? raw.replace(/,/g, '') : raw;
  if (!/^-?\d+(\.\d+)?$/.test(plain)) return { ok: false, message: `'${input.trim()}' is not a number (e.g. 105, 2.5 or 1,000)` };
  const digits = plain.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  const [whole = ''] = plain.replace(/^-/, '').split('.');
  if (digits.length > MAX_DIGITS || whole.replace(/^0+/, '').length > MAX_DIGITS) {
    return { ok: false, message: `'${input.trim()}' has more precision than a price can hold (at most ${MAX_DIGITS} significant digits)` };
  }
  const value = Number(plain);
  return { ok: true, value, text: String(value) };
}

/** A block of cells pasted from Excel or Google Sheets: rows by line, columns by tab. */
export function pastedBlock(text: string): string[][] {
  const rows = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return rows.map((r) => r.split('\t'));
}

export type Rounding = 'ceil' | 'floor' | 'round' | 'exact';

/**
 * A cell changed by a percentage, in exact integer arithmetic, to the card's precision (1/scale of
 * a unit) and rounded as the card rounds (exact: to the nearest, half away from zero).
 */
export function changedBy(value: number, percent: string, scale: number, rounding: Rounding): CellRead {
  const p = readCell(percent);
  if (!p.ok) return p;
  const places = (s: string) => (s.split('.')[1] ?? '').length;
  const vp = places(String(value));
  const pp = places(p.text);
  // value × (100 + p) / 100, with both as integers: v/10^vp × (100·10^pp + p·10^pp) / (100·10^pp).
  const v = BigInt(String(value).replace('.', ''));
  const pn = BigInt(p.text.replace('.', ''));
  const tenPp = 10n ** BigInt(pp);
  const num = v * (100n * tenPp + pn) * BigInt(scale);
  const den = 10n ** BigInt(vp) * 100n * tenPp;
  let q = num / den;
  const rem = num % den;
  if (rem !== 0n) {
    const positive = num > 0n;
    if (rounding === 'ceil' && positive) q += 1n;
    else if (rounding === 'floor' && !positive) q -= 1n;
    else if (rounding === 'round' || rounding === 'exact') {
      if (2n * (rem < 0n ? -rem : rem) >= den) q += positive ? 1n : -1n;
    }
  }
  const out = Number(q) / scale;
  return { ok: true, value: out, text: String(out) };
}
