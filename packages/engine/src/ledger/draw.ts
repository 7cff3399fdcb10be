/** A lot as the ledger runs: what it holds, has given and has lost. */
export interface LotState {
  readonly seq: number;
  readonly lastValid: number;
  readonly priority: number;
  readonly granted: number;
  amount: number;
  remaining: number;
  consumed: number;
  expired: number;
  /** Credits drawn per period (only kept when the run reports lots). */
  readonly draws: { period: number; credits: number }[] | undefined;
}

/** Takes what a lot can give of what is needed in period i; returns the credits taken. */
export function draw(l: LotState, need: number, i: number): number {
  const take = l.remaining < need ? l.remaining : need;
  if (take <= 0) return 0;
  l.remaining -= take;
  l.consumed += take;
  l.draws?.push({ period: i, credits: take });
  return take;
}

/** Draws a period's demand on usable lots in burn order; returns what is still needed. */
export function drawInOrder(lots: readonly LotState[], need: number, i: number): number {
  for (let j = 0; j < lots.length && need > 0; j++) need -= draw(lots[j]!, need, i);
  return need;
}
