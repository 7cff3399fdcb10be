import { insertByRank } from './burn-order.ts';
import type { LotTable } from './draw.ts';

/**
 * Closes period i for pool k's lots: lots whose last valid period is i expire (their remainder is
 * lost) and leave the list, with empty ones. Returns the credits lost; `t.gone` holds the lots that
 * expired (`t.goneCount` of them) and `t.expiringSoon` what is about to go: what is left, after the
 * period's draws, in lots whose last valid period is i or i + 1 (this period's expiry included).
 * With `soonestFirst` (the burn order starts with the last valid period) those lots are a prefix
 * of the list, so the rest is not looked at.
 */
export function closePeriod(t: LotTable, k: number, i: number, soonestFirst: boolean): number {
  const list = t.list[k]!;
  const len = t.len[k]!;
  const { remaining, expired: lost } = t;
  const lastValid = t.cp.lastValid;
  let expired = 0;
  let soon = 0;
  let gone = 0;
  let keep = 0;
  let end = len;
  if (soonestFirst) {
    end = 0;
    while (end < len && (remaining[list[end]!] === 0 || lastValid[list[end]!]! <= i + 1)) end++;
  }
  for (let j = 0; j < end; j++) {
    const l = list[j]!;
    const rem = remaining[l]!;
    if (rem === 0) continue;
    const lv = lastValid[l]!;
    if (lv <= i + 1) soon += rem;
    if (lv === i) {
      expired += rem;
      lost[l] = rem;
      remaining[l] = 0;
      t.gone[gone++] = l;
      continue;
    }
    list[keep++] = l;
  }
  if (keep < end) {
    list.copyWithin(keep, end, len);
    t.len[k] = len - (end - keep);
  }
  t.goneCount = gone;
  t.expiringSoon = soon;
  return expired;
}

/**
 * After closePeriod: the lots that ended in period i and have a rolled lot pass part of what they
 * lost to it — floor(left × share), at most the cap — which then exists, usable from period i + 1,
 * in pool k's list. What rolls is taken back from `t.expired`; returns the credits rolled.
 */
export function rollOver(t: LotTable, k: number, rank: Int32Array): number {
  const cp = t.cp;
  let rolled = 0;
  for (let g = 0; g < t.goneCount; g++) {
    const l = t.gone[g]!;
    const r = cp.rollTo[l]!;
    if (r < 0) continue;
    const left = t.expired[l]!;
    const n = Math.min(Math.floor((left * cp.rollShare[l]!) / cp.rollShareDen[l]!), cp.rollCap[l]!);
    if (n <= 0) continue;
    t.expired[l] = left - n;
    t.rolled[l] = n;
    t.exists[r] = 1;
    t.amount[r] = n;
    t.remaining[r] = n;
    insertByRank(t.list[k]!, t.len[k]!++, r, rank);
    rolled += n;
  }
  return rolled;
}
