/** The fewest packs of `credits` each that cover a shortfall. */
export function packsFor(shortfall: number, credits: number): number {
  return shortfall <= 0 || credits <= 0 ? 0 : Math.ceil(shortfall / credits);
}
