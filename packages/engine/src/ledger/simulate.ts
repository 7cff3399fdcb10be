import type { Diagnostic } from '../diagnostics/index.ts';
import { PackSolver, packsOfOne } from './auto-topup.ts';
import { insertByRank, sortByRank } from './burn-order.ts';
import { AUTO, PURCHASED, ROLLOVER, compilePlan, demandInto, exactPrice, sameSupply, type CompiledPlan } from './compile.ts';
import { LotTable, draw, drawInOrder, type OnDraw } from './draw.ts';
import { closePeriod, rollOver } from './expiry.ts';
import { D, ZERO, type Dec } from './money.ts';
import type { LedgerPlan, PlannedLot } from './plan.ts';
import { fieldPath, runProblem } from './problems.ts';
import { Tally, servedSeconds } from './totals.ts';
import type { Totals } from './types.ts';

/** A lot that came to exist in a run, with what happened to it. */
export interface SimulatedLot {
  readonly planned: PlannedLot;
  readonly seq: number;
  readonly lastValid: number;
  readonly priority: number;
  readonly granted: number;
  readonly amount: number;
  readonly remaining: number;
  readonly consumed: number;
  readonly expired: number;
  /** What was paid for it (for an auto top-up: packs bought × the pack's price). */
  readonly price: Dec;
  /** Credits drawn from the lot, by period (only with detail). */
  readonly draws: { period: number; credits: number }[] | undefined;
  /** Credits that rolled out of it into its rolled lot. */
  readonly rolledOver: number;
  /** An auto top-up's packs bought at the check before the period's draws (a threshold checked at the period start). */
  readonly packsAtStart: number;
}

/** One pool in one period. */
export interface LedgerRow {
  readonly i: number;
  readonly pool: string;
  readonly opening: number;
  readonly granted: number;
  readonly purchased: number;
  readonly demand: number;
  readonly consumed: number;
  readonly expired: number;
  readonly closing: number;
  readonly unmet: number;
  readonly spend: Dec;
  /** Expired credits at their cost basis, rounded to the cent. */
  readonly expiredValue: Dec;
  readonly expiringSoon: number;
  readonly demandSeconds: number;
  readonly servedSeconds: number;
  /** Auto top-up packs bought. */
  readonly packs: number;
  /** Owed on overdraft at the close, served on overdraft, repaid, and rolled into rolled lots. */
  readonly overdraft: number;
  readonly overdrawn: number;
  readonly settled: number;
  readonly rolledOver: number;
}

/** The ledger of a run. */
export interface Simulation {
  /** Rows per pool and period, periods in order, pools in the plan's order (only with detail). */
  readonly rows: LedgerRow[];
  /** Lots that exist, in creation order (only with detail). */
  readonly lots: SimulatedLot[];
  readonly totals: Totals & { by_pool: Record<string, Totals> };
  readonly problems: Diagnostic[];
}

/**
 * The figures `runLedger` adds up per period and pool, in this order: an accumulator holds
 * FIELDS numbers per period and pool, at ((period × pools) + pool) × FIELDS + field. Credits and
 * seconds are integers; spend is in the plan's money units, expired value in cents.
 */
export const FIELD = {
  granted: 0,
  purchased: 1,
  demand: 2,
  consumed: 3,
  expired: 4,
  closing: 5,
  unmet: 6,
  spend: 7,
  expiredValue: 8,
  expiringSoon: 9,
  demandSeconds: 10,
  servedSeconds: 11,
  packs: 12,
  /** Credits owed on overdraft as the period closes. */
  overdraft: 13,
  /** Demand served on overdraft in the period. */
  overdrawn: 14,
  /** Overdraft repaid from the period's new lots. */
  settled: 15,
  /** Credits that rolled out of ending lots into rolled lots. */
  rolledOver: 16,
} as const;
export const FIELDS = 17;

/** What one run of a compiled plan uses beyond the plan: its demand, and the period from which it stops. */
export interface LedgerInput {
  /** Demand credits and output seconds per period and pool (i × pools + k). */
  readonly demand: Float64Array;
  readonly seconds: Float64Array;
  /**
   * From this period on nothing is granted, billed, bought or consumed (a customer who churned);
   * lots already held stay until they expire. The plan's horizon: never.
   */
  readonly stop: number;
}

/** What a caller may watch: each draw, and each shortfall the tier may not buy a pack for. */
export interface LedgerHooks {
  readonly onDraw?: OnDraw;
  readonly onBlocked?: (pool: number, period: number) => void;
  /** Each auto top-up purchase: the lot, the period, the packs, and whether it was the check before the draws. */
  readonly onBuy?: (lot: number, period: number, packs: number, atStart: boolean) => void;
}

/** Expired value in cents, rounded half up: in floating point, unless the sum is too close to a half cent to round with certainty. */
function expiredCents(cp: CompiledPlan, t: LotTable): number {
  let v = 0;
  for (let g = 0; g < t.goneCount; g++) {
    const l = t.gone[g]!;
    const credits = cp.basisCredits[l]!;
    if (credits > 0) v += (cp.basisCents[l]! * t.expired[l]!) / credits;
  }
  const r = Math.floor(v + 0.5);
  if (Math.abs(v + 0.5 - r) > 1e-6 * Math.max(1, v) && Math.abs(v + 0.5 - r - 1) > 1e-6 * Math.max(1, v)) return r;
  // The same sum as exact decimals (as the reported expired value of one lot is price × expired ÷ credits).
  let x = ZERO;
  for (let g = 0; g < t.goneCount; g++) {
    const l = t.gone[g]!;
    const credits = cp.basisCredits[l]!;
    const price = exactPrice(cp, l);
    if (!price.isZero() && credits > 0) x = x.plus(price.times(t.expired[l]!).div(credits));
  }
  return x.toDecimalPlaces(2, D.ROUND_HALF_UP).times(100).toNumber();
}

const HUNDRED = new D(100);

/** units ÷ per as a decimal, remembered in `made` (a run's own amounts). */
function moneyOf(units: number, made: Map<number, Dec>, per: Dec): Dec {
  let d = made.get(units);
  if (!d) made.set(units, (d = new D(units).div(per)));
  return d;
}

/** One pack solver (and its cache) per compiled plan: a portfolio's customers of one plan share it. */
const solvers = new WeakMap<CompiledPlan, PackSolver>();
function solverOf(cp: CompiledPlan): PackSolver {
  let s = solvers.get(cp);
  if (!s) solvers.set(cp, (s = new PackSolver()));
  return s;
}

/**
 * Runs a compiled plan once, adding `weight` × its figures into `acc` from period `at` on (so a
 * customer who joins in period `at` of a portfolio lands there). Per period and pool: the
 * period's lots are created and billed, and repay what the pool owes on overdraft; with a threshold
 * checked at the period's start, auto top-ups buy up to the target; demand draws on usable lots in
 * burn order; a shortfall (or a balance below the threshold) buys the cheapest auto top-up packs
 * that cover it (up to the target), within the caps; what is left is served on overdraft up to its
 * limit, the rest is unmet; lots whose last valid period is this one roll what their rollover
 * allows into a new lot and expire the rest at their cost basis. Leaves the lots' outcome in `t`.
 */
export function runLedger(cp: CompiledPlan, t: LotTable, input: LedgerInput, acc: Float64Array, at: number, weight: number, hooks: LedgerHooks = {}): void {
  const H = cp.horizon;
  const P = cp.pools;
  const { onDraw } = hooks;
  t.reset();
  const s = new LedgerRun(cp, t, acc, weight, hooks, solverOf(cp));
  let o = -1;
  let soonestFirst = false;
  let month = -1;
  for (let i = 0; i < H; i++) {
    if (cp.order[i] !== o) {
      o = cp.order[i]!;
      s.rank = cp.rank[o]!;
      soonestFirst = cp.soonestFirst[o] === 1;
      for (let k = 0; k < P; k++) if (t.len[k]! > 1) sortByRank(t.list[k]!, t.len[k]!, s.rank);
    }
    const active = i < input.stop;
    if (!active && s.held === 0 && s.owed === 0) break;
    if (cp.month[i] !== month) {
      month = cp.month[i]!;
      for (let k = 0; k < P; k++) t.monthSpend[k] = 0;
    }
    const row = (at + i) * P * FIELDS;
    // 1. The lots of the period (auto top-ups wait for a shortfall; rolled lots exist already) and its billings; they repay overdrafts.
    if (active) {
      for (let k = 0; k < P; k++) acc[row + k * FIELDS + FIELD.spend]! += weight * cp.pay[i * P + k]!;
      for (let l = cp.firstLot[i]!; l < cp.firstLot[i + 1]!; l++) {
        const kind = cp.kind[l];
        if (kind === AUTO || kind === ROLLOVER) continue;
        const k = cp.pool[l]!;
        const amount = cp.amount[l]!;
        // A scheduled purchase's lot of a period it does not buy in (or buys no packs): no lot, as an auto top-up that buys nothing.
        if (amount === 0 && kind === PURCHASED) continue;
        t.exists[l] = 1;
        t.amount[l] = amount;
        t.remaining[l] = amount;
        if (amount > 0) insertByRank(t.list[k]!, t.len[k]!++, l, s.rank);
        t.balance[k]! += amount;
        s.held += amount;
        const r = row + k * FIELDS;
        if (kind === PURCHASED) {
          acc[r + FIELD.purchased]! += weight * amount;
          acc[r + FIELD.spend]! += weight * cp.paid[l]!;
        } else acc[r + FIELD.granted]! += weight * amount;
        settle(s, k, l, amount, i, r);
      }
    }
    for (let k = 0; k < P; k++) {
      const r = row + k * FIELDS;
      const demand = active ? input.demand[i * P + k]! : 0;
      let packsLeft = cp.maxPacks;
      // A threshold checked before the period's draws.
      if (active && cp.autoOn && cp.checkStart) {
        const net = t.balance[k]! - t.debt[k]!;
        if (net < cp.threshold) packsLeft -= buy(s, k, i, cp.target - net, packsLeft, r, true);
      }
      // 2-3. Demand draws on the usable lots in burn order.
      let need = demand > 0 ? drawInOrder(t, k, demand, i, onDraw) : 0;
      // 4. A shortfall, or a balance below the threshold as the draws end, buys packs up to the target (a shortfall top-up: threshold and target 0).
      if (active && cp.autoOn) {
        // The pool's position if the shortfall were owed too: what its lots held before the draws, less demand and debt.
        const net = t.balance[k]! - demand - t.debt[k]!;
        // With the threshold checked at the start, only a shortfall (or a debt) buys now, still up to the target.
        if (net < (cp.checkStart ? 0 : cp.threshold) && buy(s, k, i, cp.target - net, packsLeft, r, false) > 0 && need > 0)
          need = drawInOrder(t, k, need, i, onDraw);
      }
      // 5. What is left is served on overdraft up to its limit; the rest is unmet.
      let overdrawn = 0;
      if (need > 0 && cp.overdraft[i]! > t.debt[k]!) {
        overdrawn = Math.min(need, cp.overdraft[i]! - t.debt[k]!);
        t.debt[k]! += overdrawn;
        s.owed += overdrawn;
        need -= overdrawn;
      }
      const consumed = demand - need;
      const drawn = consumed - overdrawn;
      s.held -= drawn;
      // 6. Lots whose last valid period is now roll on what their rollover allows and expire the rest.
      let expired = 0;
      if (t.len[k]! > 0) {
        expired = closePeriod(t, k, i, soonestFirst);
        // Credits roll on while the customer stays (a churned customer's allowance does not roll).
        if ((i + 1 < input.stop || input.stop >= H) && t.goneCount > 0) {
          const rolled = rollOver(t, k, s.rank);
          expired -= rolled;
          acc[r + FIELD.rolledOver]! += weight * rolled;
        }
      } else {
        t.goneCount = 0;
        t.expiringSoon = 0;
      }
      s.held -= expired;
      t.balance[k]! -= drawn + expired;
      acc[r + FIELD.closing]! += weight * (t.balance[k]! - t.debt[k]!);
      const secs = active ? input.seconds[i * P + k]! : 0;
      acc[r + FIELD.demand]! += weight * demand;
      acc[r + FIELD.consumed]! += weight * consumed;
      acc[r + FIELD.unmet]! += weight * need;
      acc[r + FIELD.expired]! += weight * expired;
      acc[r + FIELD.overdrawn]! += weight * overdrawn;
      acc[r + FIELD.overdraft]! += weight * t.debt[k]!;
      if (t.goneCount > 0) acc[r + FIELD.expiredValue]! += weight * expiredCents(cp, t);
      acc[r + FIELD.expiringSoon]! += weight * t.expiringSoon;
      acc[r + FIELD.demandSeconds]! += weight * secs;
      acc[r + FIELD.servedSeconds]! += weight * servedSeconds(secs, consumed, demand);
    }
  }
}

/** The state of one `runLedger` call its steps share (module functions, not closures: nothing is made per call but this). */
class LedgerRun {
  /** Credits the pools' lots hold, and owe on overdraft, over all pools. */
  held = 0;
  owed = 0;
  /** The burn order in force. */
  rank: Int32Array;
  constructor(
    readonly cp: CompiledPlan,
    readonly t: LotTable,
    readonly acc: Float64Array,
    readonly weight: number,
    readonly hooks: LedgerHooks,
    readonly solver: PackSolver,
  ) {
    this.rank = cp.rank[0]!;
  }
}

/** Settles what pool k owes from lot l (just created or topped up with `added` credits). */
function settle(s: LedgerRun, k: number, l: number, added: number, i: number, r: number): void {
  const { t } = s;
  if (t.debt[k]! <= 0 || added <= 0) return;
  const paid = draw(t, l, Math.min(t.debt[k]!, added), i, s.hooks.onDraw);
  t.debt[k]! -= paid;
  s.owed -= paid;
  t.balance[k]! -= paid;
  s.held -= paid;
  s.acc[r + FIELD.settled]! += s.weight * paid;
}

/** Adds n packs of auto top-up lot l to pool k in period i (at the check before the draws, or after them). */
function addPacks(s: LedgerRun, k: number, l: number, n: number, i: number, r: number, atStart: boolean): void {
  const { cp, t, acc, weight } = s;
  const added = n * cp.amount[l]!;
  if (t.exists[l] !== 1) {
    t.exists[l] = 1;
    insertByRank(t.list[k]!, t.len[k]!++, l, s.rank);
  }
  t.packs[l]! += n;
  t.amount[l]! += added;
  t.remaining[l]! += added;
  t.balance[k]! += added;
  s.held += added;
  t.monthSpend[k]! += n * cp.paid[l]!;
  acc[r + FIELD.purchased]! += weight * added;
  acc[r + FIELD.spend]! += weight * n * cp.paid[l]!;
  acc[r + FIELD.packs]! += weight * n;
  s.hooks.onBuy?.(l, i, n, atStart);
  settle(s, k, l, added, i, r);
}

/** Buys auto top-up packs in pool k and period i that give at least `want` credits, within the caps; returns the packs bought. */
function buy(s: LedgerRun, k: number, i: number, want: number, packsLeft: number, r: number, atStart: boolean): number {
  const { cp, t } = s;
  let offered = false;
  let first = -1;
  let eligible = 0;
  for (let l = cp.firstLot[i]!; l < cp.firstLot[i + 1]!; l++) {
    if (cp.kind[l] !== AUTO || cp.pool[l] !== k) continue;
    offered = true;
    if (cp.eligible[l] !== 1) continue;
    if (eligible++ === 0) first = l;
  }
  if (eligible === 0) {
    if (offered) s.hooks.onBlocked?.(k, i);
    return 0;
  }
  const budget = cp.spendLimit - t.monthSpend[k]!;
  // One pack (the common case): its count directly, no search.
  if (eligible === 1) {
    const n = packsOfOne(cp.amount[first]!, cp.paid[first]!, want, packsLeft, budget);
    if (n > 0) addPacks(s, k, first, n, i, r, atStart);
    return n;
  }
  const options: number[] = [];
  const credits: number[] = [];
  const prices: number[] = [];
  for (let l = first; l < cp.firstLot[i + 1]!; l++) {
    if (cp.kind[l] !== AUTO || cp.pool[l] !== k || cp.eligible[l] !== 1) continue;
    options.push(l);
    credits.push(cp.amount[l]!);
    prices.push(cp.paid[l]!);
  }
  const counts = s.solver.solve(credits, prices, want, packsLeft, budget);
  let bought = 0;
  for (let j = 0; j < options.length; j++) {
    const n = counts[j]!;
    if (n <= 0) continue;
    addPacks(s, k, options[j]!, n, i, r, atStart);
    bought += n;
  }
  return bought;
}

/** How a simulation runs: rows and lots kept (detail), and what else watches the draws. */
export interface SimulateOptions {
  /** Keep the rows of every pool and period (default true). */
  readonly detail?: boolean;
  /** With detail, keep the lots with their draws too (default true). */
  readonly lots?: boolean;
  /**
   * Called once the plan is compiled, before the run: a draw hook for the run's lot table (the
   * books of a comparison follow the draws this way, as a portfolio's customer books do).
   */
  readonly watch?: (cp: CompiledPlan, t: LotTable) => OnDraw;
}

/**
 * Runs a ledger plan: `runLedger` on the plan compiled, with its own demand, never stopping. With
 * detail (the default) it keeps the rows of every pool and period and, unless `lots` is false, the
 * lots with their draws.
 */
export function simulate(plan: LedgerPlan, options: SimulateOptions = {}): Simulation {
  const detail = options.detail ?? true;
  const keepLots = detail && options.lots !== false;
  // The run's own demand: no demand lines to scale.
  const cp = compilePlan(plan, { lines: false });
  const H = cp.horizon;
  const P = cp.pools;
  const t = new LotTable(cp);
  const acc = new Float64Array(H * P * FIELDS);
  const draws: { period: number; credits: number }[][] | undefined = keepLots ? plan.lots.map(() => []) : undefined;
  const problems: Diagnostic[] = [];
  const atStart = keepLots && cp.checkStart ? new Float64Array(cp.lots) : undefined;
  const watcher = options.watch?.(cp, t);
  const keep = draws
    ? (l: number, period: number, credits: number) => {
        // One entry per period: a lot may give twice in one (repaying an overdraft, then to demand).
        const d = draws[l]!;
        const last = d[d.length - 1];
        if (last?.period === period) last.credits += credits;
        else d.push({ period, credits });
      }
    : undefined;
  const onDraw =
    keep && watcher
      ? (l: number, period: number, credits: number) => {
          keep(l, period, credits);
          watcher(l, period, credits);
        }
      : (keep ?? watcher);
  runLedger(cp, t, { demand: cp.demand, seconds: cp.seconds, stop: H }, acc, 0, 1, {
    ...(atStart
      ? {
          onBuy: (l: number, _i: number, n: number, start: boolean) => {
            if (start) atStart[l]! += n;
          },
        }
      : {}),
    ...(onDraw ? { onDraw } : {}),
    onBlocked: blocked(plan, problems),
  });
  const rows: LedgerRow[] = [];
  const totals = tallyRun(plan.pools, cp, acc, tallies(plan, cp), detail ? rows : undefined);
  const lots: SimulatedLot[] = [];
  if (keepLots) {
    plan.lots.forEach((pl, l) => {
      if (t.exists[l] !== 1) return;
      // A rolled lot is worth its credits at the cost basis of the lot they first came from.
      const price = pl.rollover
        ? exactPrice(cp, l).times(t.amount[l]!).div(cp.basisCredits[l]!)
        : pl.auto
          ? pl.auto.price.value.times(t.packs[l]!)
          : pl.price.value;
      lots.push({
        planned: pl,
        price,
        seq: pl.seq,
        lastValid: pl.lastValid,
        priority: pl.priority.value,
        granted: pl.granted,
        amount: t.amount[l]!,
        remaining: t.remaining[l]!,
        consumed: t.consumed[l]!,
        expired: t.expired[l]!,
        draws: draws![l],
        rolledOver: t.rolled[l]!,
        packsAtStart: atStart?.[l] ?? 0,
      });
    });
  }
  return { rows, lots, totals, problems };
}

/** The hook that reports a shortfall the tier may not buy a pack for (C_PURCHASE, in `problems`). */
function blocked(plan: LedgerPlan, problems: Diagnostic[]): (pool: number, period: number) => void {
  return (k, i) => {
    const pool = plan.pools[k]!;
    const auto = plan.lots.find((l) => l.auto && l.granted === i && l.pool === pool)!.auto!;
    const at = [...fieldPath(plan.context, 'purchases'), plan.eff.purchases.packs?.[pool] === undefined ? 'pack' : 'packs'];
    problems.push(
      runProblem(plan.context, 'C_PURCHASE', `${auto.pack} is not available to tier '${plan.plan.subscription ?? 'none'}'`, at, {
        period: plan.cal.label(i),
      }),
    );
  };
}

/** A tally per pool of a plan, and one of all. */
function tallies(plan: LedgerPlan, cp: CompiledPlan): { pools: Tally[]; all: Tally } {
  return { pools: plan.pools.map(() => new Tally(cp.unit)), all: new Tally(cp.unit) };
}

/**
 * The totals of a run's accumulator (one customer, from period 0), per pool and of all, summed in
 * `sums` (new or reset); with `rows`, its rows too.
 */
function tallyRun(
  pools: readonly string[],
  cp: CompiledPlan,
  acc: Float64Array,
  sums: { pools: readonly Tally[]; all: Tally },
  rows?: LedgerRow[],
): Totals & { by_pool: Record<string, Totals> } {
  const H = cp.horizon;
  const P = cp.pools;
  const tallies = sums.pools;
  const all = sums.all;
  for (let k = 0; k < P; k++) {
    let granted = 0;
    let purchased = 0;
    let consumed = 0;
    let expired = 0;
    let unmet = 0;
    let demand = 0;
    let demandSeconds = 0;
    let servedSeconds = 0;
    let spendUnits = 0;
    let expiredCents = 0;
    for (let i = 0; i < H; i++) {
      const r = (i * P + k) * FIELDS;
      granted += acc[r + FIELD.granted]!;
      purchased += acc[r + FIELD.purchased]!;
      consumed += acc[r + FIELD.consumed]!;
      expired += acc[r + FIELD.expired]!;
      unmet += acc[r + FIELD.unmet]!;
      demand += acc[r + FIELD.demand]!;
      demandSeconds += acc[r + FIELD.demandSeconds]!;
      servedSeconds += acc[r + FIELD.servedSeconds]!;
      spendUnits += acc[r + FIELD.spend]!;
      expiredCents += acc[r + FIELD.expiredValue]!;
    }
    const tl = tallies[k]!;
    tl.granted += granted;
    tl.purchased += purchased;
    tl.consumed += consumed;
    tl.expired += expired;
    tl.unmet += unmet;
    tl.demand += demand;
    tl.demandSeconds += demandSeconds;
    tl.servedSeconds += servedSeconds;
    tl.spendUnits += spendUnits;
    tl.expiredCents += expiredCents;
  }
  if (rows) {
    const unit = new D(cp.unit);
    // A period's money as a decimal, made once per amount (the same subscription price recurs every period).
    const spendOf = new Map<number, Dec>();
    const expiredOf = new Map<number, Dec>();
    const opening = new Float64Array(P);
    for (let i = 0; i < H; i++) {
      for (let k = 0; k < P; k++) {
        const r = (i * P + k) * FIELDS;
        rows.push(rowOf(acc, r, i, pools[k]!, opening[k]!, unit, spendOf, expiredOf));
        opening[k] = acc[r + FIELD.closing]!;
      }
    }
  }
  const byPool: Record<string, Totals> = {};
  for (let k = 0; k < P; k++) {
    byPool[pools[k]!] = tallies[k]!.totals();
    all.add(tallies[k]!);
  }
  // One pool: the totals of all are its own.
  const totals = (P === 1 ? { ...byPool[pools[0]!]! } : all.totals()) as Totals & { by_pool: Record<string, Totals> };
  totals.by_pool = byPool;
  return totals;
}

/** The row of one pool and period of an accumulator (at r). */
function rowOf(
  acc: Float64Array,
  r: number,
  i: number,
  pool: string,
  opening: number,
  unit: Dec,
  spendOf: Map<number, Dec>,
  expiredOf: Map<number, Dec>,
): LedgerRow {
  const spend = acc[r + FIELD.spend]!;
  const expiredValue = acc[r + FIELD.expiredValue]!;
  return {
    i,
    pool,
    opening,
    granted: acc[r + FIELD.granted]!,
    purchased: acc[r + FIELD.purchased]!,
    demand: acc[r + FIELD.demand]!,
    consumed: acc[r + FIELD.consumed]!,
    expired: acc[r + FIELD.expired]!,
    closing: acc[r + FIELD.closing]!,
    unmet: acc[r + FIELD.unmet]!,
    spend: spend === 0 ? ZERO : moneyOf(spend, spendOf, unit),
    expiredValue: expiredValue === 0 ? ZERO : moneyOf(expiredValue, expiredOf, HUNDRED),
    expiringSoon: acc[r + FIELD.expiringSoon]!,
    demandSeconds: acc[r + FIELD.demandSeconds]!,
    servedSeconds: acc[r + FIELD.servedSeconds]!,
    packs: acc[r + FIELD.packs]!,
    overdraft: acc[r + FIELD.overdraft]!,
    overdrawn: acc[r + FIELD.overdrawn]!,
    settled: acc[r + FIELD.settled]!,
    rolledOver: acc[r + FIELD.rolledOver]!,
  };
}

/**
 * Runs plans of one supply for their totals only (a sweep's variants that differ only in demand,
 * which `planOf` derives with one shared supply): the plan compiled, its lot table and the
 * accumulator are made once, and each run writes its own demand into them.
 */
export class SupplyRunner {
  private readonly cp: CompiledPlan;
  private readonly t: LotTable;
  private readonly acc: Float64Array;
  private readonly poolAt: ReadonlyMap<string, number>;
  private readonly sums: { pools: Tally[]; all: Tally };
  /** The plan being run and its problems (a shortfall the tier may not buy a pack for, as `simulate` reports it). */
  private current: LedgerPlan;
  private problems: Diagnostic[] = [];
  private readonly hooks: LedgerHooks = { onBlocked: (k, i) => blocked(this.current, this.problems)(k, i) };

  constructor(private readonly plan: LedgerPlan) {
    this.cp = compilePlan(plan, { lines: false });
    this.t = new LotTable(this.cp);
    this.acc = new Float64Array(this.cp.horizon * this.cp.pools * FIELDS);
    this.poolAt = new Map(plan.pools.map((p, k) => [p, k] as const));
    this.sums = tallies(plan, this.cp);
    this.current = plan;
  }

  /** A plan of this runner's supply can run here. */
  runs(plan: LedgerPlan): boolean {
    return sameSupply(this.plan, plan);
  }

  /** The totals and problems of a plan, as `simulate(plan, { detail: false })` gives them (a plan of another supply is simulated on its own). */
  run(plan: LedgerPlan): Pick<Simulation, 'totals' | 'problems'> {
    if (!this.runs(plan)) return simulate(plan, { detail: false });
    const { cp, t, acc } = this;
    demandInto(plan, this.poolAt, cp.demand, cp.seconds);
    acc.fill(0);
    this.current = plan;
    const problems: Diagnostic[] = (this.problems = []);
    runLedger(cp, t, { demand: cp.demand, seconds: cp.seconds, stop: cp.horizon }, acc, 0, 1, this.hooks);
    for (const tl of this.sums.pools) tl.reset();
    this.sums.all.reset();
    return { totals: tallyRun(plan.pools, cp, acc, this.sums), problems };
  }
}
