import type { Diagnostic } from '../diagnostics/index.ts';
import { PackSolver, packsOfOne } from './auto-topup.ts';
import { insertByRank, sortByRank } from './burn-order.ts';
import { AUTO, PURCHASED, ROLLOVER, compilePlan, exactPrice, type CompiledPlan } from './compile.ts';
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
  const { onDraw, onBlocked, onBuy } = hooks;
  t.reset();
  let o = -1;
  let rank = cp.rank[0]!;
  let soonestFirst = false;
  let held = 0;
  let owed = 0;
  let month = -1;
  const solver = solverOf(cp);
  /** Settles what pool k owes from lot l (just created or topped up with `added` credits). */
  const settle = (k: number, l: number, added: number, i: number, r: number) => {
    if (t.debt[k]! <= 0 || added <= 0) return;
    const s = draw(t, l, Math.min(t.debt[k]!, added), i, onDraw);
    t.debt[k]! -= s;
    owed -= s;
    t.balance[k]! -= s;
    held -= s;
    acc[r + FIELD.settled]! += weight * s;
  };
  /** Adds n packs of auto top-up lot l to pool k in period i (at the check before the draws, or after them). */
  const addPacks = (k: number, l: number, n: number, i: number, r: number, atStart: boolean) => {
    const added = n * cp.amount[l]!;
    if (t.exists[l] !== 1) {
      t.exists[l] = 1;
      insertByRank(t.list[k]!, t.len[k]!++, l, rank);
    }
    t.packs[l]! += n;
    t.amount[l]! += added;
    t.remaining[l]! += added;
    t.balance[k]! += added;
    held += added;
    t.monthSpend[k]! += n * cp.paid[l]!;
    acc[r + FIELD.purchased]! += weight * added;
    acc[r + FIELD.spend]! += weight * n * cp.paid[l]!;
    acc[r + FIELD.packs]! += weight * n;
    onBuy?.(l, i, n, atStart);
    settle(k, l, added, i, r);
  };
  /** Buys auto top-up packs in pool k and period i that give at least `want` credits, within the caps; returns the packs bought. */
  const buy = (k: number, i: number, want: number, packsLeft: number, r: number, atStart: boolean): number => {
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
      if (offered) onBlocked?.(k, i);
      return 0;
    }
    const budget = cp.spendLimit - t.monthSpend[k]!;
    // One pack (the common case): its count directly, no search.
    if (eligible === 1) {
      const n = packsOfOne(cp.amount[first]!, cp.paid[first]!, want, packsLeft, budget);
      if (n > 0) addPacks(k, first, n, i, r, atStart);
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
    const counts = solver.solve(credits, prices, want, packsLeft, budget);
    let bought = 0;
    for (let j = 0; j < options.length; j++) {
      const n = counts[j]!;
      if (n <= 0) continue;
      addPacks(k, options[j]!, n, i, r, atStart);
      bought += n;
    }
    return bought;
  };
  for (let i = 0; i < H; i++) {
    if (cp.order[i] !== o) {
      o = cp.order[i]!;
      rank = cp.rank[o]!;
      soonestFirst = cp.soonestFirst[o] === 1;
      for (let k = 0; k < P; k++) if (t.len[k]! > 1) sortByRank(t.list[k]!, t.len[k]!, rank);
    }
    const active = i < input.stop;
    if (!active && held === 0 && owed === 0) break;
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
        if (amount > 0) insertByRank(t.list[k]!, t.len[k]!++, l, rank);
        t.balance[k]! += amount;
        held += amount;
        const r = row + k * FIELDS;
        if (kind === PURCHASED) {
          acc[r + FIELD.purchased]! += weight * amount;
          acc[r + FIELD.spend]! += weight * cp.paid[l]!;
        } else acc[r + FIELD.granted]! += weight * amount;
        settle(k, l, amount, i, r);
      }
    }
    for (let k = 0; k < P; k++) {
      const r = row + k * FIELDS;
      const demand = active ? input.demand[i * P + k]! : 0;
      let packsLeft = cp.maxPacks;
      // A threshold checked before the period's draws.
      if (active && cp.autoOn && cp.checkStart) {
        const net = t.balance[k]! - t.debt[k]!;
        if (net < cp.threshold) packsLeft -= buy(k, i, cp.target - net, packsLeft, r, true);
      }
      // 2-3. Demand draws on the usable lots in burn order.
      let need = demand > 0 ? drawInOrder(t, k, demand, i, onDraw) : 0;
      // 4. A shortfall, or a balance below the threshold as the draws end, buys packs up to the target (a shortfall top-up: threshold and target 0).
      if (active && cp.autoOn) {
        // The pool's position if the shortfall were owed too: what its lots held before the draws, less demand and debt.
        const net = t.balance[k]! - demand - t.debt[k]!;
        // With the threshold checked at the start, only a shortfall (or a debt) buys now, still up to the target.
        if (net < (cp.checkStart ? 0 : cp.threshold) && buy(k, i, cp.target - net, packsLeft, r, false) > 0 && need > 0)
          need = drawInOrder(t, k, need, i, onDraw);
      }
      // 5. What is left is served on overdraft up to its limit; the rest is unmet.
      let overdrawn = 0;
      if (need > 0 && cp.overdraft[i]! > t.debt[k]!) {
        overdrawn = Math.min(need, cp.overdraft[i]! - t.debt[k]!);
        t.debt[k]! += overdrawn;
        owed += overdrawn;
        need -= overdrawn;
      }
      const consumed = demand - need;
      const drawn = consumed - overdrawn;
      held -= drawn;
      // 6. Lots whose last valid period is now roll on what their rollover allows and expire the rest.
      let expired = 0;
      if (t.len[k]! > 0) {
        expired = closePeriod(t, k, i, soonestFirst);
        // Credits roll on while the customer stays (a churned customer's allowance does not roll).
        if ((i + 1 < input.stop || input.stop >= H) && t.goneCount > 0) {
          const rolled = rollOver(t, k, rank);
          expired -= rolled;
          acc[r + FIELD.rolledOver]! += weight * rolled;
        }
      } else {
        t.goneCount = 0;
        t.expiringSoon = 0;
      }
      held -= expired;
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
  const { pools } = plan;
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
    onBlocked: (k, i) => {
      const pool = pools[k]!;
      const auto = plan.lots.find((l) => l.auto && l.granted === i && l.pool === pool)!.auto!;
      const at = [...fieldPath(plan.context, 'purchases'), plan.eff.purchases.packs?.[pool] === undefined ? 'pack' : 'packs'];
      problems.push(
        runProblem(plan.context, 'C_PURCHASE', `${auto.pack} is not available to tier '${plan.plan.subscription ?? 'none'}'`, at, {
          period: plan.cal.label(i),
        }),
      );
    },
  });
  const tallies = pools.map(() => new Tally());
  const rows: LedgerRow[] = [];
  const unit = new D(cp.unit);
  // A period's money as a decimal, made once per amount (the same subscription price recurs every period).
  const spendOf = new Map<number, Dec>();
  const expiredOf = new Map<number, Dec>();
  const opening = new Float64Array(P);
  // Money sums per pool in whole units and cents (exact integers), made decimals once.
  const spendUnits = new Float64Array(P);
  const expiredCentsOf = new Float64Array(P);
  for (let i = 0; i < H; i++) {
    for (let k = 0; k < P; k++) {
      const r = (i * P + k) * FIELDS;
      const f = (n: number) => acc[r + n]!;
      const tl = tallies[k]!;
      tl.granted += f(FIELD.granted);
      tl.purchased += f(FIELD.purchased);
      tl.consumed += f(FIELD.consumed);
      tl.expired += f(FIELD.expired);
      tl.unmet += f(FIELD.unmet);
      tl.demand += f(FIELD.demand);
      tl.demandSeconds += f(FIELD.demandSeconds);
      tl.servedSeconds += f(FIELD.servedSeconds);
      spendUnits[k]! += f(FIELD.spend);
      expiredCentsOf[k]! += f(FIELD.expiredValue);
      if (detail) {
        const spend = f(FIELD.spend) === 0 ? ZERO : moneyOf(f(FIELD.spend), spendOf, unit);
        const expiredValue = f(FIELD.expiredValue) === 0 ? ZERO : moneyOf(f(FIELD.expiredValue), expiredOf, HUNDRED);
        rows.push({
          i,
          pool: pools[k]!,
          opening: opening[k]!,
          granted: f(FIELD.granted),
          purchased: f(FIELD.purchased),
          demand: f(FIELD.demand),
          consumed: f(FIELD.consumed),
          expired: f(FIELD.expired),
          closing: f(FIELD.closing),
          unmet: f(FIELD.unmet),
          spend,
          expiredValue,
          expiringSoon: f(FIELD.expiringSoon),
          demandSeconds: f(FIELD.demandSeconds),
          servedSeconds: f(FIELD.servedSeconds),
          packs: f(FIELD.packs),
          overdraft: f(FIELD.overdraft),
          overdrawn: f(FIELD.overdrawn),
          settled: f(FIELD.settled),
          rolledOver: f(FIELD.rolledOver),
        });
      }
      opening[k] = f(FIELD.closing);
    }
  }
  tallies.forEach((tl, k) => {
    if (spendUnits[k] !== 0) tl.spend = new D(spendUnits[k]!).div(unit);
    if (expiredCentsOf[k] !== 0) tl.expiredValue = new D(expiredCentsOf[k]!).div(100);
  });
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
  const all = new Tally();
  const byPool: Record<string, Totals> = {};
  pools.forEach((pool, k) => {
    byPool[pool] = tallies[k]!.totals();
    all.add(tallies[k]!);
  });
  const totals = all.totals() as Totals & { by_pool: Record<string, Totals> };
  totals.by_pool = byPool;
  return { rows, lots, totals, problems };
}
