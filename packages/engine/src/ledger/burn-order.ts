import type { BurnKey } from '../rules/types.ts';

/** Soonest last valid period first, then lowest priority, then oldest grant, then creation order. */
export const DEFAULT_BURN_ORDER: readonly BurnKey[] = ['last_valid_period', 'priority', 'granted_period', 'lot_id'];

/** A policy's burn order in full: its keys, then the default keys it does not name, in the default order (lot ids break every tie). */
export function completeBurnOrder(keys: readonly BurnKey[] | undefined): readonly BurnKey[] {
  if (!keys) return DEFAULT_BURN_ORDER;
  const rest = DEFAULT_BURN_ORDER.filter((k) => !keys.includes(k));
  return rest.length === 0 ? keys : [...keys, ...rest];
}

/** The numbers a lot is ordered by. */
export interface BurnKeys {
  readonly lastValid: number;
  readonly priority: number;
  readonly granted: number;
  readonly seq: number;
  /** 0 for free credits (daily free, promotional), 1 for paid ones (subscription, purchases): promotional before paid. */
  readonly category: number;
  /** Price per credit (lower burns first). */
  readonly costBasis: number;
}

const KEY: Record<BurnKey, (l: BurnKeys) => number> = {
  last_valid_period: (l) => l.lastValid,
  priority: (l) => l.priority,
  granted_period: (l) => l.granted,
  lot_id: (l) => l.seq,
  category: (l) => l.category,
  cost_basis: (l) => l.costBasis,
};

/** The burn order as one comparison (negative: a burns before b). Lot ids are unique, so no two lots tie. */
export function burnComparator(order: readonly BurnKey[]): (a: BurnKeys, b: BurnKeys) => number {
  const keys = order.map((k) => KEY[k]);
  return (a, b) => {
    for (const k of keys) {
      const d = k(a) - k(b);
      if (d !== 0) return d;
    }
    return 0;
  };
}

/** Inserts lot l into a list of `len` lots kept in order of `rank` (lots arrive mostly in order: the search starts at the end). */
export function insertByRank(list: Int32Array, len: number, l: number, rank: Int32Array): void {
  const r = rank[l]!;
  let at = len;
  while (at > 0 && rank[list[at - 1]!]! > r) {
    list[at] = list[at - 1]!;
    at--;
  }
  list[at] = l;
}

/** Puts a list of `len` lots in order of `rank` (when the burn order changes). */
export function sortByRank(list: Int32Array, len: number, rank: Int32Array): void {
  const sorted = Array.from(list.subarray(0, len)).sort((a, b) => rank[a]! - rank[b]!);
  list.set(sorted);
}
