import { MULTIPLIER_SCALE, scaledDemand, type CompiledPlan } from '../ledger/compile.ts';
import { LotTable } from '../ledger/draw.ts';
import { FIELD, FIELDS, runLedger } from '../ledger/simulate.ts';
import { BOOK_FIELDS, CustomerBooks } from './books.ts';
import { customerStream, lifetime, multiplier, uniform } from './draws.ts';
import type { CohortModel, PortfolioModel } from './model.ts';

/** Customer counts per period: NEW joined, ACTIVE took part (new ones included), CHURNED left at its end. */
export const NEW = 0;
export const ACTIVE = 1;
export const CHURNED = 2;
export const COUNTS = 3;

/**
 * What customers add up to, per cohort: the ledger (FIELDS figures per period and portfolio pool,
 * as `runLedger` lays them out; spend in the model's money units, expired value in cents) and the
 * customer counts (COUNTS per period) and the books (BOOK_FIELDS per period and pool, in cents).
 * Every number is an integer, so aggregates of any split of the customers add up exactly, in any order.
 */
export interface CohortAggregate {
  readonly ledger: Float64Array;
  readonly customers: Float64Array;
  readonly books: Float64Array;
}

/** An aggregate of no customers for a model of H periods and PP pools. */
export function zeroAggregate(H: number, PP: number): CohortAggregate {
  return { ledger: new Float64Array(H * PP * FIELDS), customers: new Float64Array(H * COUNTS), books: new Float64Array(H * PP * BOOK_FIELDS) };
}

export function emptyAggregate(model: PortfolioModel): CohortAggregate[] {
  return model.cohorts.map(() => zeroAggregate(model.periods.length, model.pools.length));
}

/** Adds b into a. */
export function addAggregates(a: CohortAggregate[], b: readonly CohortAggregate[]): void {
  a.forEach((x, c) => {
    const y = b[c]!;
    for (let i = 0; i < x.ledger.length; i++) x.ledger[i]! += y.ledger[i]!;
    for (let i = 0; i < x.customers.length; i++) x.customers[i]! += y.customers[i]!;
    for (let i = 0; i < x.books.length; i++) x.books[i]! += y.books[i]!;
  });
}

/** A piece of work: the customers with index from … to − 1 of one cohort (of those in shard `shard` of `shards`), in one run. */
export interface Task {
  readonly seed: number;
  readonly run: number;
  readonly cohort: number;
  readonly from: number;
  readonly to: number;
  readonly shard: number;
  readonly shards: number;
}

/** Customers in a cohort. */
export function cohortSize(c: CohortModel): number {
  return c.joins.reduce((a, n) => a + n, 0);
}

/** Per join period, scratch for the customers who join then: their plan's lot table, demand and accumulator. */
interface Slot {
  readonly cp: CompiledPlan;
  readonly table: LotTable;
  readonly demand: Float64Array;
  readonly seconds: Float64Array;
  readonly acc: Float64Array;
  readonly booksAcc: Float64Array;
  readonly books: CustomerBooks;
}

/**
 * Runs the customers of a task and returns the cohort's aggregate of them. Customer n of a cohort
 * joins in the period its index falls in (the first joins[0] customers in period 0, and so on);
 * its random stream is `customerStream(seed, cohort, n)` (seed: the run's): the first uniform draw gives its
 * lifetime, the next ones its demand multiplier. It is simulated by the one ledger (`runLedger`
 * on its join period's plan, offset to the join period, stopping when it churns). Customers whose
 * demand is the template's (no spread) differ only by lifetime: each lifetime is simulated once
 * and weighted by how many customers have it.
 */
export function runTask(model: PortfolioModel, task: Task): CohortAggregate {
  const H = model.periods.length;
  const PP = model.pools.length;
  const c = model.cohorts[task.cohort]!;
  const out = zeroAggregate(H, PP);
  const spread = c.spread !== undefined && c.spread !== 'none';
  let first = 0;
  for (let j = 0; j < H; j++) {
    const n = c.joins[j]!;
    const lo = Math.max(first, task.from);
    const hi = Math.min(first + n, task.to);
    first += n;
    if (lo >= hi) continue;
    const cp = c.plans[j]!;
    const table = new LotTable(cp);
    const booksAcc = new Float64Array(H * cp.pools * BOOK_FIELDS);
    const slot: Slot = {
      cp,
      table,
      demand: new Float64Array(cp.horizon * cp.pools),
      seconds: new Float64Array(cp.horizon * cp.pools),
      acc: new Float64Array(H * cp.pools * FIELDS),
      booksAcc,
      books: new CustomerBooks(c.books[j]!, cp, table, booksAcc),
    };
    const { books } = slot;
    const hooks = { onDraw: books.onDraw };
    // Customers with the template's demand, counted by lifetime.
    const byLife = spread ? undefined : new Float64Array(H - j + 1);
    for (let q = lo; q < hi; q++) {
      if (task.shards > 1 && q % task.shards !== task.shard) continue;
      const rng = customerStream(task.seed, task.cohort, q);
      const periods = lifetime(uniform(rng), c.survival);
      const life = Math.min(periods, H - j);
      const cust = out.customers;
      cust[j * COUNTS + NEW]! += 1;
      for (let t = j; t < j + life; t++) cust[t * COUNTS + ACTIVE]! += 1;
      // It leaves at the end of its last active period, when that is within the horizon.
      if (periods <= H - j) cust[(j + periods - 1) * COUNTS + CHURNED]! += 1;
      if (byLife) {
        byLife[life]! += 1;
        continue;
      }
      const k = multiplier(rng, c.spread);
      books.start(1, j);
      if (k === MULTIPLIER_SCALE) runLedger(cp, slot.table, { demand: cp.demand, seconds: cp.seconds, stop: life }, slot.acc, j, 1, hooks);
      else {
        scaledDemand(cp.lines, k, slot.demand, slot.seconds);
        runLedger(cp, slot.table, { demand: slot.demand, seconds: slot.seconds, stop: life }, slot.acc, j, 1, hooks);
      }
      books.finish(life);
    }
    if (byLife) {
      for (let life = 1; life < byLife.length; life++) {
        const w = byLife[life]!;
        if (w === 0) continue;
        books.start(w, j);
        runLedger(cp, slot.table, { demand: cp.demand, seconds: cp.seconds, stop: life }, slot.acc, j, w, hooks);
        books.finish(life);
      }
    }
    fold(out.ledger, slot.acc, cp.pools, PP, c.poolMap[j]!, c.moneyScale[j]!, FIELDS, FIELD.spend);
    fold(out.books, booksAcc, cp.pools, PP, c.poolMap[j]!, 1, BOOK_FIELDS, -1);
  }
  return out;
}

/** Adds a plan's accumulator (its own pools, F figures each) into a cohort's (the portfolio's pools); figure `scaled` (spend) is in the plan's money units, times `scale`. */
function fold(into: Float64Array, acc: Float64Array, P: number, PP: number, poolMap: Int32Array, scale: number, F: number, scaled: number): void {
  const H = acc.length / (P * F);
  for (let t = 0; t < H; t++) {
    for (let k = 0; k < P; k++) {
      const from = (t * P + k) * F;
      const to = (t * PP + poolMap[k]!) * F;
      for (let f = 0; f < F; f++) into[to + f]! += f === scaled ? acc[from + f]! * scale : acc[from + f]!;
    }
  }
}

/** The tasks of a run: every cohort's customers in chunks of at most `chunk`. */
export function tasksOf(model: PortfolioModel, seed: number, run: number, shard: number, shards: number, chunk: number): Task[] {
  const out: Task[] = [];
  model.cohorts.forEach((c, cohort) => {
    const n = cohortSize(c);
    for (let from = 0; from < n; from += chunk) out.push({ seed, run, cohort, from, to: Math.min(n, from + chunk), shard, shards });
  });
  return out;
}
