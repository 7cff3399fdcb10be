import type { BurnKey } from '../rules/types.ts';

/** Soonest last valid period first, then lowest priority, then oldest grant, then creation order. */
export const DEFAULT_BURN_ORDER: readonly BurnKey[] = ['last_valid_period', 'priority', 'granted_period', 'lot_id'];

/** The four numbers a lot is ordered by. */
export interface BurnKeys {
  readonly lastValid: number;
  readonly priority: number;
  readonly granted: number;
  readonly seq: number;
}

const KEY: Record<BurnKey, (l: BurnKeys) => number> = {
  last_valid_period: (l) => l.lastValid,
  priority: (l) => l.priority,
  granted_period: (l) => l.granted,
  lot_id: (l) => l.seq,
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

/** Inserts a lot into a list kept in burn order (lots arrive mostly in order: the search starts at the end). */
export function insertInOrder<T extends BurnKeys>(list: T[], lot: T, cmp: (a: BurnKeys, b: BurnKeys) => number): void {
  let at = list.length;
  while (at > 0 && cmp(list[at - 1]!, lot) > 0) at--;
  if (at === list.length) list.push(lot);
  else list.splice(at, 0, lot);
}
