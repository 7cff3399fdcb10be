import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import { burnComparator, type BurnKeys } from './burn-order.ts';
import { D, type Dec } from './money.ts';
import type { LedgerPlan } from './plan.ts';

/** What a lot is when it is created: granted (subscription, free, promotional), bought in a scheduled purchase, or an auto top-up. */
export const GRANTED = 0;
export const PURCHASED = 1;
export const AUTO = 2;
/** A lot that credits left in an ending lot roll into. */
export const ROLLOVER = 3;

/**
 * A ledger plan compiled to flat arrays, once per run: what `simulate` (and the portfolio, once per
 * customer) runs. Plain data only (typed arrays, numbers and strings), so it can be sent to a
 * worker thread. Money paid is in whole `unit`s (cents for two-place prices); lot prices are kept
 * as exact decimal strings for the rare expiry value that floating point cannot round with certainty.
 */
export interface CompiledPlan {
  readonly horizon: number;
  readonly pools: number;
  readonly lots: number;
  /** Per lot (in creation order). */
  readonly pool: Int32Array;
  readonly granted: Int32Array;
  readonly lastValid: Float64Array;
  readonly priority: Float64Array;
  /** GRANTED, PURCHASED or AUTO. */
  readonly kind: Uint8Array;
  /** Credits (an auto top-up: of one pack). */
  readonly amount: Float64Array;
  /** Price in cents, as a float (an auto top-up: of one pack): for the value of what expires. */
  readonly priceCents: Float64Array;
  /** The same price, exact. */
  readonly price: readonly string[];
  /** Money paid when the lot is created, in units (purchases; an auto top-up: per pack). */
  readonly paid: Float64Array;
  /** An auto top-up's tier may buy its pack. */
  readonly eligible: Uint8Array;
  /**
   * The price and credits a lot's credits are valued at (its cost basis is their ratio): its own;
   * an auto top-up's pack's; a rolled lot's, those of the lot its credits first came from.
   */
  readonly basisCents: Float64Array;
  readonly basisCredits: Float64Array;
  readonly basisPrice: readonly string[];
  /** Per lot, the rolled lot its credits left roll into (−1: none), the share that rolls and the cap (Infinity: none). */
  readonly rollTo: Int32Array;
  /** The share as a fraction rollShare / rollShareDen (a power of ten), so floor(left × share) is exact. */
  readonly rollShare: Float64Array;
  readonly rollShareDen: Float64Array;
  readonly rollCap: Float64Array;
  /** Lots granted in period i are firstLot[i] … firstLot[i + 1] − 1. */
  readonly firstLot: Int32Array;
  /** Subscription billings per period and pool (index i × pools + k), in units. */
  readonly pay: Float64Array;
  /** Per period, which burn order (an index into `rank`) is in force. */
  readonly order: Int32Array;
  /** Per burn order, each lot's place in it (lower burns first). */
  readonly rank: readonly Int32Array[];
  /** Per burn order: it starts with the last valid period (expiring lots are a prefix of a pool's list). */
  readonly soonestFirst: Uint8Array;
  /** Demand credits and output seconds per period and pool (index i × pools + k). */
  readonly demand: Float64Array;
  readonly seconds: Float64Array;
  /** Money units per currency unit (100: cents). */
  readonly unit: number;
  readonly autoOn: boolean;
  /** Auto top-ups buy when a pool's balance (net of what it owes, less its shortfall) is below `threshold`, up to `target`. */
  readonly threshold: number;
  readonly target: number;
  /** Also check before the period's draws. */
  readonly checkStart: boolean;
  /** The most auto top-up packs per period and pool (Infinity: no cap). */
  readonly maxPacks: number;
  /** The most auto top-ups spend per calendar month and pool, in units (Infinity: no limit). */
  readonly spendLimit: number;
  /** Per period: its calendar month (a number that changes when the month does). */
  readonly month: Int32Array;
  /** Per period: the credits a pool may owe (0: no overdraft). */
  readonly overdraft: Float64Array;
  /** The priced demand lines (period, pool, count, credits per unit, seconds per unit), for demand scaled per customer. */
  readonly lines: DemandLines;
}

/** The plan's priced demand lines, flat. */
export interface DemandLines {
  readonly n: number;
  readonly index: Int32Array;
  readonly count: Float64Array;
  readonly credits: Float64Array;
  readonly seconds: Float64Array;
}

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

/** The fewest decimal places (at most 6) that write every amount as a whole number of units. */
function unitOf(amounts: readonly Dec[]): number {
  for (let k = 2; k <= 6; k++) {
    const u = 10 ** k;
    if (amounts.every((a) => a.times(u).isInteger())) return u;
  }
  throw misuse('a price with more than 6 decimal places');
}

/** What a compiled plan holds beside its demand: everything its lots, billings and policies give. */
type CompiledSupply = Omit<CompiledPlan, 'demand' | 'seconds' | 'lines'>;

/**
 * Compiled supplies, per plan lots: plans derived for runs that differ only in demand share their
 * lots, payments, pools and burn orders (see `planOf`), and so their compiled supply.
 */
const supplies = new WeakMap<LedgerPlan['lots'], { plan: LedgerPlan; supply: CompiledSupply }>();

/**
 * Compiles a ledger plan. Its demand lines (for demand scaled per customer, as a portfolio does)
 * need a plan derived with detail, and are left empty with `lines: false` (a run of its own demand).
 */
export function compilePlan(plan: LedgerPlan, options: { lines?: boolean } = {}): CompiledPlan {
  const known = supplies.get(plan.lots);
  const same = known !== undefined && sameSupply(known.plan, plan);
  const supply = same ? known.supply : compileSupply(plan);
  if (!same) supplies.set(plan.lots, { plan, supply });
  const H = plan.cal.horizon;
  const P = plan.pools.length;
  const poolAt = new Map(plan.pools.map((p, k) => [p, k] as const));
  const demand = new Float64Array(H * P);
  const seconds = new Float64Array(H * P);
  demandInto(plan, poolAt, demand, seconds);
  const rows = options.lines === false ? [] : plan.demandRows;
  const lines: DemandLines = {
    n: rows.length,
    index: Int32Array.from(rows.map((r) => plan.cal.index(r.period) * P + poolAt.get(r.pool)!)),
    count: Float64Array.from(rows.map((r) => r.count)),
    credits: Float64Array.from(rows.map((r) => r.credits_per_unit)),
    seconds: Float64Array.from(rows.map((r) => (r.count > 0 ? r.seconds / r.count : 0))),
  };
  return new Compiled(supply, demand, seconds, lines);
}

/**
 * Compiled plans are made by one constructor, every field assigned in one order: they all have one
 * shape (V8 map) whichever code made them, so the ledger's optimized code stays valid from plan to
 * plan (a literal's or a spread's shape changes once the function that makes it is optimized).
 */
class Compiled implements CompiledPlan {
  readonly horizon: CompiledPlan['horizon'];
  readonly pools: CompiledPlan['pools'];
  readonly lots: CompiledPlan['lots'];
  readonly pool: CompiledPlan['pool'];
  readonly granted: CompiledPlan['granted'];
  readonly lastValid: CompiledPlan['lastValid'];
  readonly priority: CompiledPlan['priority'];
  readonly kind: CompiledPlan['kind'];
  readonly amount: CompiledPlan['amount'];
  readonly priceCents: CompiledPlan['priceCents'];
  readonly price: CompiledPlan['price'];
  readonly paid: CompiledPlan['paid'];
  readonly eligible: CompiledPlan['eligible'];
  readonly basisCents: CompiledPlan['basisCents'];
  readonly basisCredits: CompiledPlan['basisCredits'];
  readonly basisPrice: CompiledPlan['basisPrice'];
  readonly rollTo: CompiledPlan['rollTo'];
  readonly rollShare: CompiledPlan['rollShare'];
  readonly rollShareDen: CompiledPlan['rollShareDen'];
  readonly rollCap: CompiledPlan['rollCap'];
  readonly firstLot: CompiledPlan['firstLot'];
  readonly pay: CompiledPlan['pay'];
  readonly order: CompiledPlan['order'];
  readonly rank: CompiledPlan['rank'];
  readonly soonestFirst: CompiledPlan['soonestFirst'];
  readonly demand: CompiledPlan['demand'];
  readonly seconds: CompiledPlan['seconds'];
  readonly unit: CompiledPlan['unit'];
  readonly autoOn: CompiledPlan['autoOn'];
  readonly threshold: CompiledPlan['threshold'];
  readonly target: CompiledPlan['target'];
  readonly checkStart: CompiledPlan['checkStart'];
  readonly maxPacks: CompiledPlan['maxPacks'];
  readonly spendLimit: CompiledPlan['spendLimit'];
  readonly month: CompiledPlan['month'];
  readonly overdraft: CompiledPlan['overdraft'];
  readonly lines: CompiledPlan['lines'];
  constructor(s: CompiledSupply, demand: Float64Array, seconds: Float64Array, lines: DemandLines) {
    this.horizon = s.horizon;
    this.pools = s.pools;
    this.lots = s.lots;
    this.pool = s.pool;
    this.granted = s.granted;
    this.lastValid = s.lastValid;
    this.priority = s.priority;
    this.kind = s.kind;
    this.amount = s.amount;
    this.priceCents = s.priceCents;
    this.price = s.price;
    this.paid = s.paid;
    this.eligible = s.eligible;
    this.basisCents = s.basisCents;
    this.basisCredits = s.basisCredits;
    this.basisPrice = s.basisPrice;
    this.rollTo = s.rollTo;
    this.rollShare = s.rollShare;
    this.rollShareDen = s.rollShareDen;
    this.rollCap = s.rollCap;
    this.firstLot = s.firstLot;
    this.pay = s.pay;
    this.order = s.order;
    this.rank = s.rank;
    this.soonestFirst = s.soonestFirst;
    this.demand = demand;
    this.seconds = seconds;
    this.unit = s.unit;
    this.autoOn = s.autoOn;
    this.threshold = s.threshold;
    this.target = s.target;
    this.checkStart = s.checkStart;
    this.maxPacks = s.maxPacks;
    this.spendLimit = s.spendLimit;
    this.month = s.month;
    this.overdraft = s.overdraft;
    this.lines = lines;
  }
}

/** Two plans have the same supply (lots, billings, pools, burn orders, policies and calendar), as `planOf` shares them: the same compiled supply. */
export function sameSupply(a: LedgerPlan, b: LedgerPlan): boolean {
  return (
    a.lots === b.lots &&
    a.pools === b.pools &&
    a.payments === b.payments &&
    a.burnOrder === b.burnOrder &&
    a.topUp === b.topUp &&
    a.autoTopUp === b.autoTopUp &&
    a.overdraft === b.overdraft &&
    a.cal === b.cal
  );
}

/** Writes a plan's demand credits and output seconds per period and pool (i × pools + k, pools as in `poolAt`) into `demand` and `seconds`. */
export function demandInto(plan: LedgerPlan, poolAt: ReadonlyMap<string, number>, demand: Float64Array, seconds: Float64Array): void {
  const H = plan.cal.horizon;
  const P = plan.pools.length;
  const into = (byPool: LedgerPlan['demand'], out: Float64Array) => {
    out.fill(0);
    for (const [p, row] of byPool) {
      const k = poolAt.get(p);
      if (k !== undefined) for (let i = 0; i < H; i++) out[i * P + k] = row[i] ?? 0;
    }
  };
  into(plan.demand, demand);
  into(plan.seconds, seconds);
}

/** The compiled lots, billings, burn orders and policies of a plan. */
function compileSupply(plan: LedgerPlan): CompiledSupply {
  const H = plan.cal.horizon;
  const P = plan.pools.length;
  const L = plan.lots.length;
  const poolAt = new Map(plan.pools.map((p, k) => [p, k] as const));
  const pool = new Int32Array(L);
  const granted = new Int32Array(L);
  const lastValid = new Float64Array(L);
  const priority = new Float64Array(L);
  const kind = new Uint8Array(L);
  const amount = new Float64Array(L);
  const priceCents = new Float64Array(L);
  const paid = new Float64Array(L);
  const eligible = new Uint8Array(L);
  const price: string[] = [];
  const firstLot = new Int32Array(H + 1);
  const basisCents = new Float64Array(L);
  const basisCredits = new Float64Array(L);
  const basisPrice: string[] = [];
  const rollTo = new Int32Array(L).fill(-1);
  const rollShare = new Float64Array(L);
  const rollShareDen = new Float64Array(L);
  const rollCap = new Float64Array(L);
  const money: Dec[] = plan.payments.map((p) => p.amount.value);
  for (const l of plan.lots) {
    if (l.category === 'purchase') money.push(l.auto ? l.auto.price.value : l.price.value);
  }
  const spendLimit = plan.topUp?.spendLimit;
  if (spendLimit) money.push(spendLimit);
  const unit = unitOf(money);
  let n = 0;
  for (let i = 0; i <= H; i++) {
    while (n < L && plan.lots[n]!.granted < i) n++;
    firstLot[i] = n;
  }
  plan.lots.forEach((l, j) => {
    pool[j] = poolAt.get(l.pool)!;
    granted[j] = l.granted;
    lastValid[j] = l.lastValid;
    priority[j] = l.priority.value;
    const p = l.auto ? l.auto.price.value : l.price.value;
    kind[j] = l.rollover ? ROLLOVER : l.auto ? AUTO : l.category === 'purchase' ? PURCHASED : GRANTED;
    amount[j] = l.rollover ? 0 : l.auto ? l.auto.credits.value : l.amount.value;
    priceCents[j] = l.rollover ? 0 : p.times(100).toNumber();
    price.push(l.rollover ? '0' : p.toString());
    paid[j] = kind[j] === GRANTED || kind[j] === ROLLOVER ? 0 : p.times(unit).toNumber();
    eligible[j] = l.auto?.eligible ? 1 : 0;
    if (l.rollover) {
      const from = l.rollover.from;
      basisCents[j] = basisCents[from]!;
      basisCredits[j] = basisCredits[from]!;
      basisPrice.push(basisPrice[from]!);
      rollTo[from] = j;
      const share = new D(l.rollover.share);
      const den = 10 ** share.decimalPlaces();
      rollShare[from] = share.times(den).toNumber();
      rollShareDen[from] = den;
      rollCap[from] = l.rollover.cap ?? Infinity;
    } else {
      basisCents[j] = priceCents[j]!;
      basisCredits[j] = amount[j]!;
      basisPrice.push(price[j]!);
    }
  });
  const pay = new Float64Array(H * P);
  for (const p of plan.payments) pay[p.period * P + poolAt.get(p.pool)!]! += p.amount.value.times(unit).toNumber();

  const orders: string[] = [];
  const rank: Int32Array[] = [];
  const soonest: number[] = [];
  const order = new Int32Array(H);
  const byCost = plan.burnOrder.some((o) => o.includes('cost_basis'));
  const keys: BurnKeys[] = plan.lots.map((l, j) => ({
    lastValid: l.lastValid,
    priority: l.priority.value,
    granted: l.granted,
    seq: l.seq,
    category: l.category === 'free' ? 0 : 1,
    // Only a burn order by cost basis needs it (a decimal division per lot).
    costBasis: byCost && basisCredits[j]! > 0 ? new D(basisPrice[j]!).div(basisCredits[j]!).toNumber() : 0,
  }));
  for (let i = 0; i < H; i++) {
    const o = plan.burnOrder[i] ?? [];
    const key = o.join();
    let at = orders.indexOf(key);
    if (at < 0) {
      at = orders.length;
      orders.push(key);
      const cmp = burnComparator(o);
      const sorted = keys.map((_, j) => j).sort((a, b) => cmp(keys[a]!, keys[b]!) || a - b);
      const r = new Int32Array(L);
      sorted.forEach((j, place) => (r[j] = place));
      rank.push(r);
      soonest.push(o[0] === 'last_valid_period' ? 1 : 0);
    }
    order[i] = at;
  }

  const month = new Int32Array(H);
  for (let i = 0; i < H; i++)
    month[i] = plan.cal.granularity === 'month' ? i : Number(plan.cal.label(i).slice(0, 4)) * 12 + Number(plan.cal.label(i).slice(5, 7));
  const top = plan.topUp;
  return {
    horizon: H,
    pools: P,
    lots: L,
    pool,
    granted,
    lastValid,
    priority,
    kind,
    amount,
    priceCents,
    price,
    paid,
    eligible,
    firstLot,
    pay,
    order,
    rank,
    soonestFirst: Uint8Array.from(soonest),
    unit,
    autoOn: (plan.autoTopUp?.value ?? 0) === 1,
    threshold: top?.threshold ?? 0,
    target: top?.target ?? 0,
    checkStart: top?.checkStart ?? false,
    maxPacks: top?.maxPacks ?? Infinity,
    spendLimit: spendLimit ? spendLimit.times(unit).toNumber() : Infinity,
    month,
    overdraft: Float64Array.from(plan.overdraft, (q) => q.value),
    basisCents,
    basisCredits,
    basisPrice,
    rollTo,
    rollShare,
    rollShareDen,
    rollCap,
  };
}

/** Multipliers are applied in steps of 1/MULTIPLIER_SCALE (a multiplier of 1.23456 counts as 12,346/10,000). */
export const MULTIPLIER_SCALE = 10_000;

/**
 * Demand of one customer whose generations are the template's times k / MULTIPLIER_SCALE: each
 * priced line's count in each period is round half up(count × k / MULTIPLIER_SCALE), exactly (in
 * integers), then priced at the line's credits per generation. Writes credits and seconds per
 * period and pool into `demand` and `seconds`.
 */
export function scaledDemand(lines: DemandLines, k: number, demand: Float64Array, seconds: Float64Array): void {
  demand.fill(0);
  seconds.fill(0);
  const S = MULTIPLIER_SCALE;
  for (let r = 0; r < lines.n; r++) {
    const c = lines.count[r]!;
    const n = k === S ? c : Math.floor((c * k + S / 2) / S);
    if (n === 0) continue;
    const at = lines.index[r]!;
    demand[at]! += n * lines.credits[r]!;
    seconds[at]! += n * lines.seconds[r]!;
  }
}

/** The exact price a lot's credits are valued at, for its basis credits (for the value of expired credits that floating point cannot round with certainty). */
export function exactPrice(cp: CompiledPlan, lot: number): Dec {
  return new D(cp.basisPrice[lot]!);
}
