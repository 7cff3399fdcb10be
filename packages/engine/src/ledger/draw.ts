import type { CompiledPlan } from './compile.ts';

/**
 * The lots of a run as it goes, for one compiled plan: per lot what it holds, has given and has
 * lost; per pool the lots that can still give, in burn order. Reused from customer to customer.
 */
export class LotTable {
  /** Credits the lot was created with (an auto top-up: packs bought × the pack's credits). */
  readonly amount: Float64Array;
  readonly remaining: Float64Array;
  readonly consumed: Float64Array;
  readonly expired: Float64Array;
  /** Auto top-up packs bought. */
  readonly packs: Float64Array;
  /** The lot came to exist in the run. */
  readonly exists: Uint8Array;
  /** Per pool: its usable lots, in burn order, and how many there are. */
  readonly list: Int32Array[];
  readonly len: Int32Array;
  /** Per pool: the credits its lots hold. */
  readonly balance: Float64Array;
  /** Per pool: credits served on overdraft and not yet repaid. */
  readonly debt: Float64Array;
  /** Per pool: what auto top-ups spent in the current calendar month (money units). */
  readonly monthSpend: Float64Array;
  /** Per lot: credits that rolled out of it into its rolled lot. */
  readonly rolled: Float64Array;
  /** Scratch of closePeriod: the lots that expired, how many, and the credits about to expire. */
  readonly gone: Int32Array;
  goneCount = 0;
  expiringSoon = 0;

  constructor(readonly cp: CompiledPlan) {
    const L = cp.lots;
    this.amount = new Float64Array(L);
    this.remaining = new Float64Array(L);
    this.consumed = new Float64Array(L);
    this.expired = new Float64Array(L);
    this.packs = new Float64Array(L);
    this.exists = new Uint8Array(L);
    this.gone = new Int32Array(L);
    this.list = Array.from({ length: cp.pools }, () => new Int32Array(L));
    this.len = new Int32Array(cp.pools);
    this.balance = new Float64Array(cp.pools);
    this.debt = new Float64Array(cp.pools);
    this.monthSpend = new Float64Array(cp.pools);
    this.rolled = new Float64Array(L);
  }

  reset(): void {
    this.amount.fill(0);
    this.remaining.fill(0);
    this.consumed.fill(0);
    this.expired.fill(0);
    this.packs.fill(0);
    this.exists.fill(0);
    this.len.fill(0);
    this.balance.fill(0);
    this.debt.fill(0);
    this.monthSpend.fill(0);
    this.rolled.fill(0);
  }
}

/** Called with each draw: the lot, the period and the credits taken. */
export type OnDraw = (lot: number, period: number, credits: number) => void;

/** Takes what lot l can give of what is needed in period i; returns the credits taken. */
export function draw(t: LotTable, l: number, need: number, i: number, onDraw?: OnDraw): number {
  const rem = t.remaining[l]!;
  const take = rem < need ? rem : need;
  if (take <= 0) return 0;
  t.remaining[l] = rem - take;
  t.consumed[l]! += take;
  onDraw?.(l, i, take);
  return take;
}

/** Draws a period's demand on pool k's usable lots in burn order; returns what is still needed. */
export function drawInOrder(t: LotTable, k: number, need: number, i: number, onDraw?: OnDraw): number {
  const list = t.list[k]!;
  const n = t.len[k]!;
  for (let j = 0; j < n && need > 0; j++) need -= draw(t, list[j]!, need, i, onDraw);
  return need;
}
