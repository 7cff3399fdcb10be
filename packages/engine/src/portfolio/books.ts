import { currentFromPeriod } from '../books/books.ts';
import { categoryOf, centsOf, isPaid, monthShareCents } from '../books/lots.ts';
import { recognisedCents, usageToDate } from '../books/recognise.ts';
import { periodTerms, rateOf } from '../books/terms.ts';
import type { BooksOptions } from '../books/types.ts';
import { AUTO, type CompiledPlan } from '../ledger/compile.ts';
import type { LotTable } from '../ledger/draw.ts';
import { D, decimalFraction } from '../ledger/money.ts';
import { NEVER, type LedgerPlan } from '../ledger/plan.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { PAID_SOURCES, type RevenueMethod } from '../rules/types.ts';

/**
 * The books' figures a portfolio adds up per period and pool, in whole cents: billings, revenue from
 * usage and from breakage, and the flows into and out of deferred revenue split by current and
 * non-current (their running sums are the closing balances). Every one is an integer, so the books
 * of any split of the customers add up exactly.
 */
export const BOOK = { billings: 0, usage: 1, breakage: 2, current: 3, nonCurrent: 4 } as const;
export const BOOK_FIELDS = 5;

const SOURCES = PAID_SOURCES.length;

/**
 * What the books need of one compiled plan, beside it (plain data, sent to workers): per lot its
 * price in cents, when it is billed, when it becomes current, its source's expected breakage rate
 * per period. Lots past the plan's own (the months of an annual plan paid for and granted after the
 * horizon) follow the plan's lots.
 */
export interface BooksPlan {
  /** The plan's lots, then the lots billed and granted past the horizon. */
  readonly lots: number;
  readonly pool: Int32Array;
  readonly paid: Uint8Array;
  /** Price in cents (an auto top-up: of one pack, possibly fractional for a pack priced below the cent). */
  readonly cents: Float64Array;
  /** Credits of the lots past the horizon (the plan's own come from the run). */
  readonly credits: Float64Array;
  readonly billed: Int32Array;
  /** Paid ahead of its grant (an annual plan's months): billed whether or not it is granted. */
  readonly prepaid: Uint8Array;
  readonly lastValid: Float64Array;
  /** First period it is current (valid at most 12 more months); Infinity when it never expires. */
  readonly split: Float64Array;
  /** The lot's paid source (an index into PAID_SOURCES). */
  readonly source: Uint8Array;
  /** An auto top-up of the plan (its price is per pack). */
  readonly auto: Uint8Array;
  /** The lot a lot's credits were paid as: itself, or for a rolled lot the lot its credits first came from. */
  readonly root: Int32Array;
  /** The lot's credits may roll into another lot (its end, and so its current / non-current split, is known only when it ends). */
  readonly mayRoll: Uint8Array;
  /** Expected breakage rate per period and paid source (i × 4 + source), as num ÷ den. */
  readonly rateNum: Float64Array;
  readonly rateDen: Float64Array;
  /** Periods (≥ 1) in which some source's rate differs from the period before: a catch-up. */
  readonly changes: Int32Array;
  /** The books' method over the horizon: proportional when any period's terms are. */
  readonly method: RevenueMethod;
}

/**
 * The books' view of a plan's lots, from the plan and the revenue terms of the policy versions it
 * uses (or the what-if's method and rate, as `books` takes them).
 */
export function booksPlan(rules: RuleSet, plan: LedgerPlan, cp: CompiledPlan, options: BooksOptions = {}): BooksPlan {
  const H = plan.cal.horizon;
  const labels = Array.from({ length: H }, (_, i) => plan.cal.label(i));
  const terms = periodTerms(rules, labels, [...plan.uses.values()], options);
  const S = SOURCES;
  const rateNum = new Float64Array(H * S);
  const rateDen = new Float64Array(H * S).fill(1);
  const changes: number[] = [];
  for (let i = 0; i < H; i++) {
    let changed = false;
    PAID_SOURCES.forEach((src, s) => {
      const f = decimalFraction(rateOf(terms[i]!, src));
      rateNum[i * S + s] = f.num;
      rateDen[i * S + s] = f.den;
      if (i > 0 && f.num * rateDen[(i - 1) * S + s]! !== rateNum[(i - 1) * S + s]! * f.den) changed = true;
    });
    if (changed) changes.push(i);
  }
  const rows: { pool: number; paid: boolean; cents: number; credits: number; billed: number; prepaid: boolean; lastValid: number; source: number }[] = [];
  const annual = plan.plan.billing === 'annual';
  const year: number[] = [];
  const closeYear = () => {
    if (year.length === 0) return;
    const first = plan.lots[year[0]!]!;
    const yearCents = centsOf(first.price.value.times(12).toString());
    year.forEach((l, k) => (rows[l]!.cents = monthShareCents(yearCents, k)));
    year.forEach((l) => (rows[l]!.billed = first.granted));
    // Months of a paid year past the horizon: billed, not granted.
    for (let k = year.length; k < 12; k++) {
      const granted = first.granted + plan.cal.validPeriods({ months: k }, first.granted);
      rows.push({
        pool: cp.pool[year[0]!]!,
        paid: true,
        cents: monthShareCents(yearCents, k),
        credits: cp.amount[year[0]!]!,
        billed: first.granted,
        prepaid: true,
        lastValid: first.lastValid === NEVER ? NEVER : granted + (first.lastValid - first.granted),
        source: 0,
      });
    }
    year.length = 0;
  };
  plan.lots.forEach((l, j) => {
    const price = l.auto ? l.auto.price.value : l.price.value;
    const auto = cp.kind[j] === AUTO;
    const cents = auto ? price.times(100).toNumber() : centsOf(price.toString());
    const paidSource = PAID_SOURCES.indexOf(l.source as (typeof PAID_SOURCES)[number]);
    rows.push({
      pool: cp.pool[j]!,
      paid: isPaid({ category: categoryOf(l.source), priceCents: auto ? Math.ceil(cents) : cents }),
      cents,
      credits: cp.amount[j]!,
      billed: l.granted,
      prepaid: annual && l.source === 'subscription',
      lastValid: l.lastValid,
      source: Math.max(0, paidSource),
    });
  });
  // Annual years: twelve consecutive subscription lots each (the months past the horizon go after the plan's lots).
  if (annual) {
    plan.lots.forEach((l, j) => {
      if (l.source !== 'subscription') return;
      year.push(j);
      if (year.length === 12) closeYear();
    });
    closeYear();
  }
  const all = rows;
  // Rolled lots belong to the lot their credits were paid as (lots roll into later ones).
  const root = Int32Array.from({ length: all.length }, (_, l) => l);
  for (let l = 0; l < cp.lots; l++) if (cp.rollTo[l]! >= 0) root[cp.rollTo[l]!] = root[l]!;
  const L = all.length;
  const split = new Float64Array(L);
  all.forEach((r, l) => (split[l] = r.lastValid === NEVER ? Infinity : Math.max(0, currentFromPeriod(plan.cal, r.lastValid))));
  return {
    lots: L,
    pool: Int32Array.from(all.map((r) => r.pool)),
    paid: Uint8Array.from(all.map((r) => (r.paid ? 1 : 0))),
    cents: Float64Array.from(all.map((r) => r.cents)),
    credits: Float64Array.from(all.map((r) => r.credits)),
    billed: Int32Array.from(all.map((r) => r.billed)),
    prepaid: Uint8Array.from(all.map((r) => (r.prepaid ? 1 : 0))),
    lastValid: Float64Array.from(all.map((r) => r.lastValid)),
    split,
    source: Uint8Array.from(all.map((r) => r.source)),
    auto: Uint8Array.from({ length: L }, (_, l) => (l < cp.lots && cp.kind[l] === AUTO ? 1 : 0)),
    root,
    mayRoll: Uint8Array.from({ length: L }, (_, l) => (l < cp.lots && cp.rollTo[l]! >= 0 ? 1 : 0)),
    rateNum,
    rateDen,
    changes: Int32Array.from(changes),
    method: terms.some((t) => t.method === 'proportional') ? 'proportional' : 'at-expiry',
  };
}

/**
 * The books of customers of one plan, one at a time, folded into an accumulator as their ledger
 * runs: each draw re-measures the lot's recognised-to-date (so no per-customer lots are kept
 * beyond the run), a re-estimated rate gives each open lot its catch-up, and after the run each
 * lot's billing, expiry and current / non-current move are booked. Figures are those of `books`
 * run on the customer's own forecast, to the cent.
 */
export class CustomerBooks {
  private readonly used: Float64Array;
  private readonly rec: Float64Array;
  private readonly use: Float64Array;
  private readonly moved: Uint8Array;
  private readonly movedAtStart: Uint8Array;
  private readonly touched: Int32Array;
  private touchedCount = 0;
  /** Deferred revenue changes of lots that may roll over, until they end: lot, period, amount. */
  private logLot = new Int32Array(0);
  private logPeriod = new Int32Array(0);
  private logAmount = new Float64Array(0);
  private logCount = 0;
  /** The lots that carry revenue. */
  private readonly paidLots: Int32Array;
  private seen = -1;
  private change = 0;
  private w = 1;
  private at = 0;
  /** The draw hook for `runLedger`. */
  readonly onDraw: (lot: number, period: number, credits: number) => void;

  constructor(
    private readonly bp: BooksPlan,
    private readonly cp: CompiledPlan,
    private readonly t: LotTable,
    /** Per portfolio period and plan pool, BOOK_FIELDS figures. */
    private readonly acc: Float64Array,
  ) {
    const L = bp.lots;
    this.used = new Float64Array(L);
    this.rec = new Float64Array(L);
    this.use = new Float64Array(L);
    this.moved = new Uint8Array(L);
    this.movedAtStart = Uint8Array.from({ length: L }, (_, l) => (bp.billed[l]! >= bp.split[l]! || bp.mayRoll[l] === 1 ? 1 : 0));
    this.touched = new Int32Array(L);
    this.paidLots = Int32Array.from(Array.from({ length: L }, (_, l) => l).filter((l) => bp.paid[l] === 1));
    this.onDraw = (drawn, i, credits) => {
      if (i > this.seen) this.catchUp(i);
      const l = this.bp.root[drawn]!;
      if (this.bp.paid[l] !== 1) return;
      if (this.used[l] === 0) this.touched[this.touchedCount++] = l;
      const used = (this.used[l]! += credits);
      const price = this.price(l);
      const amount = this.t.amount[l]!;
      const s = this.bp.source[l]! + i * SOURCES;
      const use = usageToDate(price, used, amount);
      // At expiry (no expected breakage) what is recognised is what is used: used ≤ credits, so price × used ÷ credits ≤ price.
      const rateNum = this.bp.rateNum[s]!;
      this.book(l, i, price, rateNum === 0 ? use : recognisedCents(price, used, amount, rateNum, this.bp.rateDen[s]!, false), use);
    };
  }

  /** Starts a customer: `weight` identical ones, joining in portfolio period `at`. */
  start(weight: number, at: number): void {
    this.used.fill(0);
    this.rec.fill(0);
    this.use.fill(0);
    this.moved.set(this.movedAtStart);
    this.touchedCount = 0;
    this.logCount = 0;
    this.seen = -1;
    this.change = 0;
    this.w = weight;
    this.at = at;
  }

  /** A lot's price in cents (an auto top-up: the packs bought). */
  private price(l: number): number {
    const c = this.bp.cents[l]!;
    if (this.bp.auto[l] === 0) return c;
    const packs = this.t.packs[l]!;
    if (Number.isInteger(c)) return c * packs;
    return new D(this.cp.price[l]!).times(packs).times(100).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
  }

  private row(i: number, l: number): number {
    return ((this.at + i) * this.cp.pools + this.bp.pool[l]!) * BOOK_FIELDS;
  }

  /** Moves what is left of lot l's deferred revenue to current in the period it becomes current. */
  private moveToCurrent(l: number, price: number): void {
    this.moved[l] = 1;
    const x = price - this.rec[l]!;
    if (x === 0) return;
    const r = this.row(this.bp.split[l]!, l);
    this.acc[r + BOOK.nonCurrent]! -= this.w * x;
    this.acc[r + BOOK.current]! += this.w * x;
  }

  /** A change of lot l's deferred revenue in period i: to current or non-current, or held until a lot that may roll over ends. */
  private defer(l: number, i: number, x: number): void {
    if (x === 0) return;
    if (this.bp.mayRoll[l] === 1) {
      if (this.logCount === this.logLot.length) this.growLog();
      this.logLot[this.logCount] = l;
      this.logPeriod[this.logCount] = i;
      this.logAmount[this.logCount++] = x;
      return;
    }
    this.acc[this.row(i, l) + (i >= this.bp.split[l]! ? BOOK.current : BOOK.nonCurrent)]! += this.w * x;
  }

  private growLog(): void {
    const n = Math.max(64, this.logLot.length * 2);
    const lot = new Int32Array(n);
    const period = new Int32Array(n);
    const amount = new Float64Array(n);
    lot.set(this.logLot);
    period.set(this.logPeriod);
    amount.set(this.logAmount);
    this.logLot = lot;
    this.logPeriod = period;
    this.logAmount = amount;
  }

  /** The lot lot l's credits end in: itself, or the last lot its credits rolled into. */
  private endOf(l: number): number {
    let end = l;
    let r = l < this.cp.lots ? this.cp.rollTo[l]! : -1;
    while (r >= 0 && this.t.exists[r] === 1) {
      end = r;
      r = this.cp.rollTo[r]!;
    }
    return end;
  }

  /** Lot l's recognised and usage amounts to date become rec and use in period i. */
  private book(l: number, i: number, price: number, rec: number, use: number): void {
    const split = this.bp.split[l]!;
    if (this.moved[l] === 0 && split <= i) this.moveToCurrent(l, price);
    const r = this.row(i, l);
    const w = this.w;
    const d = rec - this.rec[l]!;
    this.acc[r + BOOK.usage]! += w * (use - this.use[l]!);
    this.acc[r + BOOK.breakage]! += w * (d - (use - this.use[l]!));
    this.defer(l, i, -d);
    this.rec[l] = rec;
    this.use[l] = use;
  }

  /** Catch-ups of re-estimated rates in periods up to i: every open lot with use is measured again. */
  private catchUp(i: number): void {
    const { changes } = this.bp;
    while (this.change < changes.length && changes[this.change]! <= i) {
      const c = changes[this.change++]!;
      for (let n = 0; n < this.touchedCount; n++) {
        const l = this.touched[n]!;
        if (this.cp.granted[l]! >= c || (this.bp.lastValid[l]! < c && (this.bp.mayRoll[l] === 0 || this.bp.lastValid[this.endOf(l)]! < c))) continue;
        const s = this.bp.source[l]! + c * SOURCES;
        const price = this.price(l);
        const rec = recognisedCents(price, this.used[l]!, this.t.amount[l]!, this.bp.rateNum[s]!, this.bp.rateDen[s]!, false);
        if (rec !== this.rec[l]) this.book(l, c, price, rec, this.use[l]!);
      }
    }
    this.seen = i;
  }

  /**
   * The deferred revenue of lots that may roll over, now that each has ended: non-current before the
   * period its last rolled lot becomes current, current from then on (what it held then moves over).
   */
  private settleLog(): void {
    const H = this.cp.horizon;
    for (let n = 0; n < this.logCount; n++) {
      const l = this.logLot[n]!;
      if (l < 0) continue;
      const split = this.bp.split[this.endOf(l)]!;
      let before = 0;
      for (let m = n; m < this.logCount; m++) {
        if (this.logLot[m] !== l) continue;
        const i = this.logPeriod[m]!;
        const x = this.logAmount[m]!;
        this.acc[this.row(i, l) + (i >= split ? BOOK.current : BOOK.nonCurrent)]! += this.w * x;
        if (i < split) before += x;
        this.logLot[m] = -1;
      }
      if (split < H && before !== 0) {
        const r = this.row(split, l);
        this.acc[r + BOOK.nonCurrent]! -= this.w * before;
        this.acc[r + BOOK.current]! += this.w * before;
      }
    }
  }

  /** Ends a customer who stopped in period `stop` (the plan's horizon: never): billings, expiries, what a churned customer had paid ahead, current moves. */
  finish(stop: number): void {
    const { bp, cp, t } = this;
    const H = cp.horizon;
    this.catchUp(H - 1);
    const w = this.w;
    const paid = this.paidLots;
    for (let n = 0; n < paid.length; n++) {
      const l = paid[n]!;
      const own = l < cp.lots;
      const exists = own && t.exists[l] === 1;
      const billed = bp.prepaid[l] === 1 ? bp.billed[l]! < stop : exists;
      if (!billed) continue;
      const price = this.price(l);
      const b = bp.billed[l]!;
      this.acc[this.row(b, l) + BOOK.billings]! += w * price;
      this.defer(l, b, price);
      if (exists) {
        const amount = t.amount[l]!;
        const last = bp.lastValid[bp.mayRoll[l] === 1 ? this.endOf(l) : l]!;
        // A lot of no credits is recognised when granted; the rest when they expire (rolled over: when the last rolled lot does).
        if (amount === 0) this.book(l, cp.granted[l]!, price, price, 0);
        else if (last < H) this.book(l, last, price, price, this.use[l]!);
      } else if (stop < H) {
        // Months paid ahead and never granted (the customer left): the right lapses as they leave.
        this.book(l, stop - 1, price, price, 0);
      }
      if (this.moved[l] === 0 && bp.split[l]! < H) this.moveToCurrent(l, price);
    }
    if (this.logCount > 0) this.settleLog();
  }
}
