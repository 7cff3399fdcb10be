import { MULTIPLIER_SCALE, scaledDemand, type CompiledPlan, type DemandLines } from '../ledger/compile.ts';
import { LotTable } from '../ledger/draw.ts';
import { FIELD, FIELDS, runLedger } from '../ledger/simulate.ts';
import { BOOK_FIELDS, CustomerBooks } from './books.ts';
import { MAX_MULTIPLIER, customerStream, lifetime, multiplier, uniform } from './draws.ts';
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

/** Multipliers are at most this many steps (see `multiplier`): a key of (lifetime, multiplier) is lifetime × K_SPAN + multiplier. */
const K_SPAN = MAX_MULTIPLIER * MULTIPLIER_SCALE + 1;

/**
 * Runs the customers of a task and returns the cohort's aggregate of them. Customer n of a cohort
 * joins in the period its index falls in (the first joins[0] customers in period 0, and so on);
 * its random stream is `customerStream(seed, cohort, n)` (seed: the run's): the first uniform draw gives its
 * lifetime, the next ones its demand multiplier. It is simulated by the one ledger (`runLedger`
 * on its join period's plan, offset to the join period, stopping when it churns). Customers of one
 * join period with the same lifetime and the same demand (the template's scaled by their multiplier,
 * in whole generations) have the same ledger: it is run once and weighted by how many they are.
 */
export function runTask(model: PortfolioModel, task: Task): CohortAggregate {
  const H = model.periods.length;
  const PP = model.pools.length;
  const c = model.cohorts[task.cohort]!;
  const out = zeroAggregate(H, PP);
  const cust = out.customers;
  // Customers active per period, as differences: +1 from the period they join, −1 from the one after they leave.
  const active = new Float64Array(H + 1);
  let keys = new Float64Array(0);
  let first = 0;
  for (let j = 0; j < H; j++) {
    const n = c.joins[j]!;
    const lo = Math.max(first, task.from);
    const hi = Math.min(first + n, task.to);
    first += n;
    if (lo >= hi) continue;
    // Each customer's lifetime and multiplier, as one sortable key; their counts.
    if (keys.length < hi - lo) keys = new Float64Array(hi - lo);
    let m = 0;
    for (let q = lo; q < hi; q++) {
      if (task.shards > 1 && q % task.shards !== task.shard) continue;
      const rng = customerStream(task.seed, task.cohort, q);
      const periods = lifetime(uniform(rng), c.survival);
      const life = Math.min(periods, H - j);
      cust[j * COUNTS + NEW]! += 1;
      active[j]! += 1;
      active[j + life]! -= 1;
      // It leaves at the end of its last active period, when that is within the horizon.
      if (periods <= H - j) cust[(j + periods - 1) * COUNTS + CHURNED]! += 1;
      keys[m++] = life * K_SPAN + multiplier(rng, c.spread);
    }
    runGroups(c, j, keys.subarray(0, m).sort(), H, PP, out);
  }
  for (let t = 0, n = 0; t < H; t++) cust[t * COUNTS + ACTIVE] = n += active[t]!;
  return out;
}

/**
 * Runs the ledgers of one join period's customers, given their (lifetime, multiplier) keys in
 * order: customers whose ledger input is the same (lifetime, and demand credits and seconds per
 * period) are run once, weighted. Demand grows with the multiplier line by line, so customers
 * with the same demand are next to each other in the order.
 */
function runGroups(c: CohortModel, j: number, keys: Float64Array, H: number, PP: number, out: CohortAggregate): void {
  const cp = c.plans[j]!;
  const table = new LotTable(cp);
  const acc = new Float64Array(H * cp.pools * FIELDS);
  const booksAcc = new Float64Array(H * cp.pools * BOOK_FIELDS);
  const books = new CustomerBooks(c.books[j]!, cp, table, booksAcc);
  const hooks = { onDraw: books.onDraw };
  // The pending group's input, and the next customer's.
  let demand = new Float64Array(cp.horizon * cp.pools);
  let seconds = new Float64Array(cp.horizon * cp.pools);
  let nextDemand = new Float64Array(cp.horizon * cp.pools);
  let nextSeconds = new Float64Array(cp.horizon * cp.pools);
  let life = 0;
  /** Multipliers from the pending group's up to (not including) `until` give it the same demand. */
  let until = -1;
  let weight = 0;
  const run = () => {
    books.start(weight, j);
    runLedger(cp, table, { demand, seconds, stop: life }, acc, j, weight, hooks);
    books.finish(life);
  };
  for (let q = 0; q < keys.length;) {
    const key = keys[q]!;
    let w = 0;
    while (q < keys.length && keys[q] === key) {
      w++;
      q++;
    }
    const l = Math.floor(key / K_SPAN);
    const kq = key - l * K_SPAN;
    if (weight > 0 && l === life && kq < until) {
      weight += w;
      continue;
    }
    demandOf(cp, kq, nextDemand, nextSeconds);
    const to = nextChange(cp.lines, kq);
    if (weight > 0 && l === life && same(demand, nextDemand) && same(seconds, nextSeconds)) {
      weight += w;
      until = to;
      continue;
    }
    if (weight > 0) run();
    [demand, nextDemand] = [nextDemand, demand];
    [seconds, nextSeconds] = [nextSeconds, seconds];
    life = l;
    until = to;
    weight = w;
  }
  if (weight > 0) run();
  fold(out.ledger, acc, cp.pools, PP, c.poolMap[j]!, c.moneyScale[j]!, FIELDS, FIELD.spend);
  fold(out.books, booksAcc, cp.pools, PP, c.poolMap[j]!, 1, BOOK_FIELDS, -1);
}

/** The demand credits and seconds of a customer of multiplier k (the template's own at k = MULTIPLIER_SCALE). */
function demandOf(cp: CompiledPlan, k: number, demand: Float64Array, seconds: Float64Array): void {
  if (k === MULTIPLIER_SCALE) {
    demand.set(cp.demand);
    seconds.set(cp.seconds);
  } else scaledDemand(cp.lines, k, demand, seconds);
}

/**
 * The least multiplier above k at which some line's count, round half up(count × k / MULTIPLIER_SCALE),
 * changes: every multiplier from k up to it gives the same demand.
 */
function nextChange(lines: DemandLines, k: number): number {
  const S = MULTIPLIER_SCALE;
  let next = Infinity;
  for (let r = 0; r < lines.n; r++) {
    const c = lines.count[r]!;
    if (c <= 0) continue;
    // floor((c × k + S / 2) / S) reaches n + 1 at the least k' with c × k' ≥ (n + 1) × S − S / 2.
    const n = Math.floor((c * k + S / 2) / S);
    const at = Math.ceil(((n + 1) * S - S / 2) / c);
    if (at < next) next = at;
  }
  return next;
}

function same(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
