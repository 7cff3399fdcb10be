/**
 * When a scheduled purchase buys: in its first period and every `every` periods after it (every 0:
 * once). The engine's plan reads it; the workbook writes the same rule as a formula of the purchase's
 * inputs (`scheduledPacksFormula` in workbook/ledger-sheets.ts), one purchase lot per period.
 */
export function isDue(i: number, first: number, every: number): boolean {
  return i >= first && (every === 0 ? i === first : (i - first) % every === 0);
}

/**
 * The first period (an index of the horizon) a scheduled purchase is bought in from the start on:
 * one scheduled before the start that repeats comes into the horizon in step; undefined for a single
 * purchase before the start (it is not part of the run).
 */
export function firstInHorizon(first: number, every: number): number | undefined {
  if (first >= 0) return first;
  if (every === 0) return undefined;
  return first + Math.ceil(-first / every) * every;
}
