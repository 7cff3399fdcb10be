import type { LotState } from './draw.ts';

/** What a pool's lots lose at the close of period i, and what is about to go. */
export interface Closing<T extends LotState = LotState> {
  /** Credits of lots whose last valid period is i, lost now. */
  expired: number;
  /** The lots that expired (with what they lost in `expired`). */
  gone: T[];
  /**
   * Credits about to expire: what is left, after the period's draws, in lots whose last valid
   * period is i or i + 1 (this period's expiry included).
   */
  expiringSoon: number;
}

/**
 * Closes period i for one pool's lots (kept in a list): lots whose last valid period is i expire
 * and leave the list with empty ones. With `soonestFirst` (the burn order starts with the last
 * valid period) those lots are a prefix of the list, so the rest is not looked at.
 */
export function closePeriod<T extends LotState>(list: T[], i: number, soonestFirst: boolean): Closing<T> {
  let expired = 0;
  let expiringSoon = 0;
  const gone: T[] = [];
  let keep = 0;
  let end = list.length;
  if (soonestFirst) {
    end = 0;
    while (end < list.length && (list[end]!.remaining === 0 || list[end]!.lastValid <= i + 1)) end++;
  }
  for (let j = 0; j < end; j++) {
    const l = list[j]!;
    if (l.remaining === 0) continue;
    if (l.lastValid <= i + 1) expiringSoon += l.remaining;
    if (l.lastValid === i) {
      expired += l.remaining;
      l.expired = l.remaining;
      l.remaining = 0;
      gone.push(l);
      continue;
    }
    list[keep++] = l;
  }
  if (keep < end) list.splice(keep, end - keep);
  return { expired, gone, expiringSoon };
}
