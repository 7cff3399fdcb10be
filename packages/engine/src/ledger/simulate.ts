import type { Diagnostic } from '../diagnostics/index.ts';
import { packsFor } from './auto-topup.ts';
import { burnComparator, insertInOrder } from './burn-order.ts';
import { draw, drawInOrder, type LotState } from './draw.ts';
import { closePeriod } from './expiry.ts';
import { D, ZERO, type Dec } from './money.ts';
import type { LedgerPlan, PlannedLot } from './plan.ts';
import { fieldPath, runProblem } from './problems.ts';
import { Tally, servedSeconds } from './totals.ts';
import type { Totals } from './types.ts';

/** A lot that came to exist in a run, with what happened to it. */
export interface SimulatedLot extends LotState {
  readonly planned: PlannedLot;
  /** What was paid for it (for an auto top-up: packs bought × the pack's price). */
  readonly price: Dec;
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
 * Runs a ledger plan. Per period and pool: the period's lots are created; demand draws on usable
 * lots in burn order; a shortfall buys the fewest auto top-up packs that cover it; what is left
 * is unmet; lots whose last valid period is this one expire at their cost basis.
 */
export function simulate(plan: LedgerPlan, options: { detail?: boolean } = {}): Simulation {
  const detail = options.detail ?? true;
  const { cal, pools } = plan;
  const H = cal.horizon;
  const problems: Diagnostic[] = [];
  const poolAt = new Map(pools.map((p, k) => [p, k] as const));
  const active: SimulatedLot[][] = pools.map(() => []);
  const balance: number[] = pools.map(() => 0);
  const tallies = pools.map(() => new Tally());
  const lots: SimulatedLot[] = [];
  const rows: LedgerRow[] = [];
  const autoOn = (plan.autoTopUp?.value ?? 0) === 1;

  let order = plan.burnOrder[0];
  let cmp = burnComparator(order ?? []);
  let soonestFirst = order?.[0] === 'last_valid_period';
  const create = (pl: PlannedLot, amount: number, price: Dec): SimulatedLot => {
    const l: SimulatedLot = {
      planned: pl, price, seq: pl.seq, lastValid: pl.lastValid, priority: pl.priority.value, granted: pl.granted,
      amount, remaining: amount, consumed: 0, expired: 0, draws: detail ? [] : undefined,
    };
    if (detail) lots.push(l);
    const k = poolAt.get(pl.pool)!;
    if (amount > 0) insertInOrder(active[k]!, l, cmp);
    balance[k]! += amount;
    return l;
  };

  const granted = pools.map(() => 0);
  const purchased = pools.map(() => 0);
  const spend: Dec[] = pools.map(() => ZERO);
  const autoAt: (PlannedLot | undefined)[] = pools.map(() => undefined);
  const payAt = new Map<number, typeof plan.payments>();
  for (const p of plan.payments) payAt.set(p.period, [...(payAt.get(p.period) ?? []), p]);
  let next = 0;
  for (let i = 0; i < H; i++) {
    const o = plan.burnOrder[i]!;
    if (o !== order && o.join() !== order?.join()) {
      order = o;
      cmp = burnComparator(o);
      soonestFirst = o[0] === 'last_valid_period';
      for (const list of active) list.sort(cmp);
    }
    const opening = detail ? balance.slice() : balance;
    for (let k = 0; k < pools.length; k++) {
      granted[k] = 0;
      purchased[k] = 0;
      spend[k] = ZERO;
      autoAt[k] = undefined;
    }
    for (const p of payAt.get(i) ?? []) {
      const k = poolAt.get(p.pool)!;
      spend[k] = spend[k]!.plus(p.amount.value);
    }
    // 1. The lots of the period (auto top-ups wait for a shortfall).
    for (; next < plan.lots.length && plan.lots[next]!.granted === i; next++) {
      const pl = plan.lots[next]!;
      const k = poolAt.get(pl.pool)!;
      if (pl.auto) {
        autoAt[k] = pl;
        continue;
      }
      create(pl, pl.amount.value, pl.price.value);
      if (pl.category === 'purchase') {
        purchased[k]! += pl.amount.value;
        spend[k] = spend[k]!.plus(pl.price.value);
      } else granted[k]! += pl.amount.value;
    }
    for (let k = 0; k < pools.length; k++) {
      const pool = pools[k]!;
      const list = active[k]!;
      const demand = plan.demand.get(pool)?.[i] ?? 0;
      // 2-3. Demand draws on the usable lots in burn order.
      let need = drawInOrder(list, demand, i);
      // 4. A shortfall buys the fewest packs that cover it.
      const auto = autoAt[k];
      let packs = 0;
      if (need > 0 && auto?.auto && autoOn) {
        if (auto.auto.eligible) {
          packs = packsFor(need, auto.auto.credits.value);
          const amount = packs * auto.auto.credits.value;
          const price = auto.auto.price.value.times(packs);
          const l = create(auto, amount, price);
          purchased[k]! += amount;
          spend[k] = spend[k]!.plus(price);
          need -= draw(l, need, i);
        } else {
          const at = [...fieldPath(plan.context, 'purchases'), plan.eff.purchases.packs?.[pool] === undefined ? 'pack' : 'packs'];
          problems.push(runProblem(plan.context, 'C_PURCHASE', `${auto.auto.pack} is not available to tier '${plan.plan.subscription ?? 'none'}'`, at, { period: cal.label(i) }));
        }
      }
      const consumed = demand - need;
      balance[k]! -= consumed;
      // 5. What is left is unmet. 6. Lots whose last valid period is now expire.
      const closing = closePeriod(list, i, soonestFirst);
      let value = ZERO;
      for (const l of closing.gone) if (!l.price.isZero() && l.amount > 0) value = value.plus(l.price.times(l.expired).div(l.amount));
      const expiredValue = value.toDecimalPlaces(2, D.ROUND_HALF_UP);
      balance[k]! -= closing.expired;
      const secs = plan.seconds.get(pool)?.[i] ?? 0;
      const served = servedSeconds(secs, consumed, demand);
      const t = tallies[k]!;
      t.granted += granted[k]!;
      t.purchased += purchased[k]!;
      t.consumed += consumed;
      t.expired += closing.expired;
      t.unmet += need;
      t.demand += demand;
      t.demandSeconds += secs;
      t.servedSeconds += served;
      t.spend = t.spend.plus(spend[k]!);
      t.expiredValue = t.expiredValue.plus(expiredValue);
      if (detail) {
        rows.push({
          i, pool, opening: opening[k]!, granted: granted[k]!, purchased: purchased[k]!, demand, consumed, expired: closing.expired,
          closing: balance[k]!, unmet: need, spend: spend[k]!, expiredValue, expiringSoon: closing.expiringSoon, demandSeconds: secs, servedSeconds: served, packs,
        });
      }
    }
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
