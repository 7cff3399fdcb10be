import type { Calendar } from '../ledger/calendar.ts';
import { simulate } from '../ledger/simulate.ts';
import type { BurnKey } from '../rules/types.ts';
import type { AutoTopUp, LedgerPlan, MoneyAmount, PlannedLot, Quantity, ScheduledBuy } from '../ledger/plan.ts';
import type { DemandSheet } from './demand-sheet.ts';
import { colLetters, f, shareFilledRight } from './formula.ts';
import { MOST_CANDIDATES, MOST_PACKS_CHOSEN, choiceRows, planChoice, type ChoiceNeed, type PackChoice } from './pack-choice.ts';
import { FIRST_LINE_ROW, timeline } from './timeline.ts';
import type { Cell, Column, Format, Formula, Highlight, Sheet } from './types.ts';

/** A last valid period that never comes (a lot that does not expire), as the Lots sheet writes it. */
export const NEVER_PERIOD = 999_999;

const val = (v: Cell['v'], fmt?: Format): Cell => (fmt ? { v, fmt } : { v });
const calc = (formula: Formula, fmt: Format): Cell => ({ v: null, f: formula, fmt });
const ZERO_CREDITS: Cell = Object.freeze({ v: 0, fmt: 'credits' });
const header = (cols: Column[]): Cell[] => cols.map((c) => ({ v: c.title, fmt: 'text' as const }));

/** A line of the Ledger: one row per pool, one formula per period that fills right. */
export interface LedgerLine {
  readonly key: string;
  readonly label: string;
  readonly unit: 'credits' | 'packs' | 'money' | 'seconds';
  readonly fmt: Format;
  /** The Total column: the sum over the periods, the first period's value (an opening), the last's (a closing), or none. */
  readonly total: 'sum' | 'first' | 'last' | 'none';
}

/**
 * The Ledger's lines, top to bottom in each pool's block; the Summary, the Checks and the tests find
 * a line by its key (`ledgerRow`), so a new line may go anywhere in the list.
 */
export const LEDGER_LINES: readonly LedgerLine[] = [
  { key: 'opening', label: 'Opening balance', unit: 'credits', fmt: 'credits', total: 'first' },
  { key: 'granted', label: 'Granted', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'purchased', label: 'Purchased', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'settled', label: 'Overdraft repaid', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'owed', label: 'Owed before top-ups', unit: 'credits', fmt: 'credits', total: 'none' },
  { key: 'held', label: 'Held before top-ups', unit: 'credits', fmt: 'credits', total: 'none' },
  { key: 'start_packs', label: 'Packs bought at start', unit: 'packs', fmt: 'integer', total: 'sum' },
  { key: 'demand', label: 'Demand', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'drawn', label: 'Drawn from lots', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'shortfall', label: 'Shortfall', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'packs', label: 'Packs bought', unit: 'packs', fmt: 'integer', total: 'sum' },
  { key: 'auto_draw', label: 'Drawn from new packs', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'overdrawn', label: 'Served on overdraft', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'consumed', label: 'Consumed', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'expired', label: 'Expired', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'rolled_over', label: 'Rolled over', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'closing', label: 'Closing balance', unit: 'credits', fmt: 'credits', total: 'last' },
  { key: 'overdraft', label: 'Owed on overdraft', unit: 'credits', fmt: 'credits', total: 'last' },
  { key: 'unmet', label: 'Unmet demand', unit: 'credits', fmt: 'credits', total: 'sum' },
  { key: 'billed', label: 'Plan billed', unit: 'money', fmt: 'money', total: 'sum' },
  { key: 'spend', label: 'Spend', unit: 'money', fmt: 'money', total: 'sum' },
  { key: 'expired_value', label: 'Expired value', unit: 'money', fmt: 'money', total: 'sum' },
  { key: 'expiring_soon', label: 'Expiring soon', unit: 'credits', fmt: 'credits', total: 'none' },
  { key: 'demand_seconds', label: 'Seconds demanded', unit: 'seconds', fmt: 'number', total: 'sum' },
  { key: 'output_seconds', label: 'Seconds served', unit: 'seconds', fmt: 'number', total: 'sum' },
];

/** Ledger label columns (0-based); the Total, a gap and the periods follow. */
export const LEDGER = { pool: 0, line: 1, unit: 2, total: 3, first: 5 } as const;

/** The Ledger row of a line of the pool at `poolIndex` (pools in the plan's order). */
export function ledgerRow(poolIndex: number, key: string): number {
  const j = LEDGER_LINES.findIndex((l) => l.key === key);
  if (j < 0) throw new Error(`no ledger line '${key}'`);
  return FIRST_LINE_ROW + poolIndex * LEDGER_LINES.length + j;
}

/** The inputs of a run, as defined names of the Assumptions sheet. */
export type InputRef = (key: string) => Formula;

/** One run's Demand, Ledger and Lots sheets, written from its ledger plan, and where the lots are. */
export interface RunSheets {
  demand: Sheet;
  ledger: Sheet;
  lots: Sheet;
  lotsLayout: LotsLayout;
}

/** Where a lot's cells are in the Lots sheet (0-based): its row, and the columns of its attributes and periods. */
export interface LotsLayout {
  row: ReadonlyMap<PlannedLot, number>;
  /** Granted # and last valid # (1-based period numbers), amount, price, what it gave when bought, repaid on overdraft, consumed. */
  cols: { g: number; lv: number; amount: number; price: number; own: number; settle: number; consumed: number; rolled: number };
  /** Column of what a lot gives in period 0 (period i is `draw + i`), and of what it has left after the draws of period 0. */
  draw: number;
  left: number;
  /** Each pool's first and last lot row. */
  blocks: ReadonlyMap<string, readonly [number, number]>;
  /** The plan has an overdraft: lots repay it when created (their Repaid overdraft column). */
  overdraft: boolean;
}

/** A lot's name in the Lots sheet: what creates it and when (`auto topup-330 2025-11`). */
export function lotLabel(l: PlannedLot, cal: Calendar): string {
  return `${l.auto ? 'auto ' : ''}${l.ref} ${cal.label(l.granted)}`;
}

/** A quantity of the plan as a formula of its input (input × times), or its value. */
function quantity(q: Quantity, input: InputRef): Formula {
  if (q.input === undefined) return f.num(q.value);
  let x = input(q.input);
  if ((q.times ?? 1) !== 1) x = f.mul(x, f.num(q.times!));
  return x;
}

/** Money of the plan as a formula of its input (input × times ÷ per), or its value. */
function amountOf(m: MoneyAmount, input: InputRef): Formula {
  if (m.input === undefined) return f.num(m.value.toNumber());
  let x = input(m.input);
  if ((m.times ?? 1) !== 1) x = f.mul(x, f.num(m.times!));
  if ((m.per ?? 1) !== 1) x = f.div(x, f.num(m.per!));
  return x;
}

/**
 * The packs a scheduled purchase's lot buys, as the engine's `isDue` decides: its quantity when the
 * lot's period is the first period starting on or after the first date, or a multiple of `every`
 * periods after it (every 0: only then), else 0. Periods since the first = the lot's period number
 * − 1 − the periods that start before the first date (`dates`: the Ledger's row of period dates).
 */
function scheduledPacksFormula(s: ScheduledBuy, period: Formula, dates: Formula, input: InputRef): Formula {
  const every = input(s.inputs.every);
  const since = f.sub(f.sub(period, f.num(1)), f.fn('COUNTIFS', dates, f.cat(f.str('<'), input(s.inputs.first))));
  const due = f.fn(
    'AND',
    f.cmp('>=', since, f.num(0)),
    f.fn('IF', f.cmp('=', every, f.num(0)), f.cmp('=', since, f.num(0)), f.cmp('=', f.fn('MOD', since, every), f.num(0))),
  );
  return f.fn('IF', due, input(s.inputs.quantity), f.num(0));
}

/**
 * Writes a ledger plan as live formulas. Lots (grouped by pool, in creation order) hold their grant
 * period, validity, last valid period, priority and id as cells; each lot's place in the burn order
 * is a rank computed by COUNTIFS over those cells, so editing a validity or a priority re-orders
 * consumption. Per period each lot has what it can give (its credits left, while valid), what it
 * gives (the smaller of that and the demand the lots ranked before it leave), and what is left.
 */
export function runSheets(plan: LedgerPlan, names: { ledger: string; lots: string }, demand: DemandSheet, input: InputRef): RunSheets {
  const { cal } = plan;
  const H = cal.horizon;
  const pools = plan.pools;
  // An overdraft (a limit in some period) and a threshold checked before the draws add their cells only when the plan has them.
  const hasOverdraft = plan.overdraft.some((q) => q.input !== undefined);
  const checkStart = plan.topUp?.checkStart === true;

  // ---- Lots: layout. One rank column per burn order in force during the run.
  const orders: (readonly BurnKey[])[] = [];
  const orderAt = plan.burnOrder.map((o) => {
    let k = orders.findIndex((x) => x.join() === o.join());
    if (k < 0) k = orders.push(o) - 1;
    return k;
  });
  const C = {
    lot: 0,
    pool: 1,
    source: 2,
    category: 3,
    ref: 4,
    grantedLabel: 5,
    g: 6,
    validity: 7,
    lv: 8,
    priority: 9,
    seq: 10,
    paid: 11,
    basis: 12,
    from: 13,
    rank: 14,
  };
  const AMOUNT = C.rank + orders.length;
  const PRICE = AMOUNT + 1;
  const PACKS = PRICE + 1; // an auto top-up's packs, or a scheduled purchase's (its quantity when the period is due)
  const BOUGHT = PACKS + 1; // and their credits (0 for other lots): read by the Ledger without a cycle through rolled lots
  const START_PACKS = BOUGHT + 1; // of those, the packs bought at the check before the period's draws
  const START = START_PACKS + 1; // and their credits
  const SETTLE = START + 1; // credits of the lot that repaid what the pool owed on overdraft when it was created
  const GIVE = SETTLE + 1; // an auto top-up's credits bought after the draws, less what they repaid
  // Credits a lot is granted or bought with, but an auto top-up's or a rolled lot's (inputs only): read by the Ledger
  // over the whole block without a cycle through the period's purchases or what rolls from earlier lots.
  const NEW = GIVE + 1;
  const AVAIL = NEW + 1; // credits a lot can give in period t (left from before, while valid)
  const DRAW = AVAIL + H; // credits it gives in t
  const OWN = DRAW + H; // an auto top-up's draw in the period it is bought
  const CONSUMED = OWN + 1;
  const EXPIRED = CONSUMED + 1;
  const ROLLED = EXPIRED + 1; // left when it ended, rolled into its rolled lot
  const REMAINING = ROLLED + 1;
  const EV = REMAINING + 1;
  const LEFT = EV + 2; // credits left after the draws of t (after a column of zeros: left before the first period)
  const lotCols: Column[] = [
    { key: 'lot', title: 'Lot', fmt: 'text', width: 26 },
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'source', title: 'Source', fmt: 'text', width: 14 },
    { key: 'category', title: 'Category', fmt: 'text', width: 12 },
    { key: 'ref', title: 'From', fmt: 'text', width: 16 },
    { key: 'granted_period', title: 'Granted', fmt: 'period', width: 11 },
    { key: 'g', title: 'Granted #', fmt: 'integer', width: 10 },
    { key: 'validity', title: 'Validity', fmt: 'integer', width: 9 },
    { key: 'lv', title: 'Last valid #', fmt: 'integer', width: 11 },
    { key: 'priority', title: 'Priority', fmt: 'integer', width: 9 },
    { key: 'seq', title: 'Lot #', fmt: 'integer', width: 8 },
    { key: 'paid', title: 'Paid (0 free, 1 paid)', fmt: 'integer', width: 9 },
    { key: 'basis', title: 'Cost basis', fmt: 'ratio', width: 11 },
    { key: 'from', title: 'Rolled from #', fmt: 'integer', width: 9 },
    ...orders.map((o, k) => ({
      key: `rank${k}`,
      title: orders.length === 1 ? 'Burn rank' : `Burn rank (${o.join(', ')})`,
      fmt: 'integer' as const,
      width: 10,
    })),
    { key: 'amount', title: 'Amount', fmt: 'credits', width: 12 },
    { key: 'price', title: 'Price', fmt: 'money', width: 12 },
    { key: 'packs', title: 'Packs', fmt: 'integer', width: 8 },
    { key: 'bought', title: 'Credits bought', fmt: 'credits', width: 12 },
    { key: 'start_packs', title: 'Packs at start', fmt: 'integer', width: 8 },
    { key: 'start', title: 'Bought at start', fmt: 'credits', width: 12 },
    { key: 'settle', title: 'Repaid overdraft', fmt: 'credits', width: 12 },
    { key: 'give', title: 'Can give when bought', fmt: 'credits', width: 12 },
    { key: 'new', title: 'Granted or bought', fmt: 'credits', width: 12 },
    ...Array.from({ length: H }, (_, i) => ({ key: `avail${i}`, title: `Can give ${cal.label(i)}`, fmt: 'credits' as const, width: 11 })),
    ...Array.from({ length: H }, (_, i) => ({ key: `d${i}`, title: cal.label(i), fmt: 'credits' as const, width: 10 })),
    { key: 'own', title: 'Drawn when bought', fmt: 'credits', width: 12 },
    { key: 'consumed', title: 'Consumed', fmt: 'credits', width: 12 },
    { key: 'expired', title: 'Expired', fmt: 'credits', width: 12 },
    { key: 'rolled', title: 'Rolled over', fmt: 'credits', width: 12 },
    { key: 'remaining', title: 'Remaining', fmt: 'credits', width: 12 },
    { key: 'ev', title: 'Expired value', fmt: 'money', width: 13 },
    { key: 'left_before', title: 'Left before', fmt: 'credits', width: 11 },
    ...Array.from({ length: H }, (_, i) => ({ key: `left${i}`, title: `Left ${cal.label(i)}`, fmt: 'credits' as const, width: 11 })),
  ];
  const lotRows: Cell[][] = [header(lotCols)];
  const rowOf = new Map<PlannedLot, number>();
  const blocks = new Map<string, [number, number]>();
  // Per pool and period, the first row of a lot granted in it that repays an overdraft (not rolled, not an auto top-up).
  const repaying = new Map<string, number>();
  for (const pool of pools) {
    const start = lotRows.length;
    for (const l of plan.lots) {
      if (l.pool !== pool) continue;
      const r = lotRows.length;
      rowOf.set(l, r);
      if (!l.auto && !l.rollover && !repaying.has(`${pool}|${l.granted}`)) repaying.set(`${pool}|${l.granted}`, r);
      lotRows.push([]);
    }
    if (lotRows.length > start) blocks.set(pool, [start, lotRows.length - 1]);
  }

  // ---- Ledger: layout. Time across; per pool a block of lines (LEDGER_LINES).
  const ledgerT = timeline(cal, [
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'line', title: 'Line item', fmt: 'text', width: 22 },
    { key: 'unit', title: 'Unit', fmt: 'text', width: 8 },
  ]);
  // The periods' dates (the Ledger's first row): a scheduled purchase's lots count the periods before its first date.
  const ledgerDates = f.fixedRange(0, ledgerT.col(0), 0, ledgerT.col(H - 1), { row: true, col: true }, names.ledger);
  const poolIndexOf = new Map(pools.map((p, k) => [p, k] as const));
  // Formula trees are never changed once built: shared subtrees keep a large model small.
  const lrefs = new Map<string, Formula>();
  /** The Ledger cell of a pool's line in period i, from the Lots sheet. */
  const lref = (pool: string, i: number, key: string) => {
    const k = `${pool}|${i}|${key}`;
    let x = lrefs.get(k);
    if (!x) lrefs.set(k, (x = f.ref(ledgerRow(poolIndexOf.get(pool)!, key), ledgerT.col(i), names.ledger)));
    return x;
  };
  const nums = new Map<number, Formula>();
  const num = (n: number) => {
    let x = nums.get(n);
    if (!x) nums.set(n, (x = f.num(n)));
    return x;
  };
  const LESS = f.str('<');
  const ORDER_COLUMN: Record<BurnKey, number> = {
    last_valid_period: C.lv,
    priority: C.priority,
    granted_period: C.g,
    lot_id: C.seq,
    category: C.paid,
    cost_basis: C.basis,
  };
  // Auto top-ups that may buy in a pool and period: one lot per pack offered (the tier may buy some or none of them).
  const offered = new Map<string, PlannedLot[]>();
  for (const l of plan.lots) {
    if (!l.auto) continue;
    const k = `${l.pool}|${l.granted}`;
    offered.set(k, [...(offered.get(k) ?? []), l]);
  }
  const eligibleAt = (pool: string, i: number) => (offered.get(`${pool}|${i}`) ?? []).filter((l) => l.auto!.eligible);
  /** The one pack a period's auto top-up buys by the one-pack formula (one offered, or one the tier may buy). */
  const singleAt = (pool: string, i: number): PlannedLot | undefined => {
    const options = offered.get(`${pool}|${i}`) ?? [];
    if (options.length === 1) return options[0];
    const eligible = eligibleAt(pool, i);
    return eligible.length === 1 ? eligible[0] : undefined;
  };
  const topUp = plan.topUp;
  const plainShortfall = !topUp || (topUp.trigger === 'shortfall' && topUp.maxPacks === undefined && topUp.spendLimit === undefined);
  // Several packs the tier may buy: the combination is chosen by formulas in blocks below the pools' lines in the Ledger
  // (pack-choice.ts), one per pool, set of packs and check; beyond the bound of packs or candidates, the engine's counts as values.
  const choices = new Map<string, { end: PackChoice; start?: PackChoice }>();
  const choiceList: { pool: string; check: 'start' | 'end'; choice: PackChoice; periods: Set<number> }[] = [];
  let nextChoiceRow = FIRST_LINE_ROW + pools.length * LEDGER_LINES.length + 1;
  pools.forEach((pool) => {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < H; i++) {
      const eligible = eligibleAt(pool, i);
      if (eligible.length < 2) continue;
      const key = eligible.map((l) => l.ref).join('|');
      groups.set(key, [...(groups.get(key) ?? []), i]);
    }
    for (const periods of groups.values()) {
      const options = eligibleAt(pool, periods[0]!).map((l) => ({ id: l.ref, credits: l.auto!.credits.value, price: l.auto!.price.value.toNumber() }));
      // Sized for a need up to twice the most it could be at export: the target, the period's demand and the overdraft limit.
      const demand = plan.demand.get(pool) ?? [];
      const most = Math.max(...periods.map((i) => (demand[i] ?? 0) + (topUp?.target ?? 0) + (plan.overdraft[i]?.value ?? 0)));
      const caps = {
        want: 2 * Math.max(1, most),
        ...(topUp?.maxPacks !== undefined ? { packs: topUp.maxPacks } : {}),
        ...(topUp?.spendLimit !== undefined ? { money: topUp.spendLimit.toNumber() } : {}),
      };
      const planned: { check: 'start' | 'end'; choice: PackChoice }[] = [];
      for (const check of checkStart ? (['start', 'end'] as const) : (['end'] as const)) {
        const choice = planChoice(options, caps, nextChoiceRow);
        if (!choice) break;
        nextChoiceRow += choice.rows + 1;
        planned.push({ check, choice });
      }
      if (planned.length !== (checkStart ? 2 : 1)) continue;
      const set = new Set(periods);
      for (const x of planned) choiceList.push({ pool, check: x.check, choice: x.choice, periods: set });
      const end = planned.find((x) => x.check === 'end')!.choice;
      const start = planned.find((x) => x.check === 'start')?.choice;
      for (const i of periods) choices.set(`${pool}|${i}`, start ? { end, start } : { end });
    }
  });
  const enginePacks = new Map<PlannedLot, { packs: number; atStart: number }>();
  const beyond = plan.lots.some((l) => l.auto && l.auto.eligible && !singleAt(l.pool, l.granted) && !choices.has(`${l.pool}|${l.granted}`));
  if (beyond) {
    for (const sl of simulate(plan).lots)
      if (sl.planned.auto) enginePacks.set(sl.planned, { packs: sl.amount / sl.planned.auto.credits.value, atStart: sl.packsAtStart });
  }
  /** The Lots rows of a period's auto top-ups (one per pack offered, next to each other). */
  const optionRows = (pool: string, i: number): [number, number] | undefined => {
    const rows = (offered.get(`${pool}|${i}`) ?? []).map((x) => rowOf.get(x)!);
    return rows.length === 0 ? undefined : [Math.min(...rows), Math.max(...rows)];
  };
  const successor = new Map<PlannedLot, PlannedLot>();
  for (const l of plan.lots) if (l.rollover) successor.set(plan.lots[l.rollover.from]!, l);

  // What the pool's lots can give in period t (a lot granted later has 0 there), and their ranks: shared by every lot's draw in t.
  // The period's column moves when the draw is filled right; the ranks' does not.
  const ranges = new Map<string, Formula>();
  const shared = (k: string, make: () => Formula) => {
    let x = ranges.get(k);
    if (!x) ranges.set(k, (x = make()));
    return x;
  };
  const availRange = (pool: string, i: number) =>
    shared(`a|${pool}|${i}`, () => f.fixedRange(blocks.get(pool)![0], AVAIL + i, blocks.get(pool)![1], AVAIL + i, { row: true }));
  const rankRange = (pool: string, o: number) =>
    shared(`r|${pool}|${o}`, () => f.fixedRange(blocks.get(pool)![0], C.rank + o, blocks.get(pool)![1], C.rank + o, { row: true, col: true }));
  // A period's number, from the Ledger's row of them (`Ledger!F$2`): a lot's cells of each period are then one formula filled right.
  const periodNumbers = new Map<number, Formula>();
  const periodNumber = (i: number) => {
    let x = periodNumbers.get(i);
    if (!x) periodNumbers.set(i, (x = f.fixed(1, ledgerT.col(i), { row: true }, names.ledger)));
    return x;
  };

  // ---- Lot rows.
  for (const l of plan.lots) {
    const r = rowOf.get(l)!;
    const [b0, b1] = blocks.get(l.pool)!;
    const col = (c: number) => shared(`c|${l.pool}|${c}`, () => f.range(b0, c, b1, c));
    const own = (c: number) => f.ref(r, c);
    const g = l.granted;
    const auto = l.auto;
    const sched = l.scheduled;
    const label = lotLabel(l, cal);
    const validity: Cell =
      l.validity === undefined
        ? val(null)
        : l.validity.input !== undefined
          ? calc(quantity(l.validity, input), 'integer')
          : {
              v: l.validity.value,
              fmt: 'integer',
              note: 'A validity in calendar months on daily periods: its length in days depends on the grant day, fixed here.',
            };
    const lastValid: Cell =
      l.validity === undefined
        ? { v: NEVER_PERIOD, fmt: 'integer', note: 'Never expires.' }
        : calc(f.sub(f.add(own(C.g), own(C.validity)), f.num(1)), 'integer');
    const cells: Cell[] = [
      val(label, 'text'),
      val(l.pool, 'text'),
      val(l.source, 'text'),
      val(l.category, 'text'),
      val(l.ref, 'text'),
      val(cal.label(g), 'period'),
      val(g + 1, 'integer'),
      validity,
      lastValid,
      calc(quantity(l.priority, input), 'integer'),
      val(l.seq, 'integer'),
      val(l.category === 'free' ? 0 : 1, 'integer'),
      // Price per credit: its pack's for an auto top-up, its origin's for a rolled lot.
      l.rollover
        ? calc(f.ref(rowOf.get(plan.lots[l.rollover.from]!)!, C.basis), 'ratio')
        : auto
          ? calc(f.div(amountOf(auto.price, input), quantity(auto.credits, input)), 'ratio')
          : calc(f.fn('IF', f.cmp('=', own(AMOUNT), f.num(0)), f.num(0), f.div(own(PRICE), own(AMOUNT))), 'ratio'),
      val(l.rollover ? plan.lots[l.rollover.from]!.seq : 0, 'integer'),
    ];
    for (const o of orders) {
      // Rank = 1 + the lots of the pool that come before this one: earlier on the first key, or equal on it and earlier on the next, …
      const terms: Formula[] = [];
      o.forEach((k, depth) => {
        const args: Formula[] = [];
        for (const prior of o.slice(0, depth)) args.push(col(ORDER_COLUMN[prior]), own(ORDER_COLUMN[prior]));
        args.push(col(ORDER_COLUMN[k]), f.cat(f.str('<'), own(ORDER_COLUMN[k])));
        terms.push(f.fn('COUNTIFS', ...args));
      });
      cells.push(calc(f.add(f.num(1), ...terms), 'integer'));
    }
    const rolled = l.rollover;
    if (rolled) {
      // What rolls when the lot it comes from ends: floor(what it has left after its last period's draws × share), at most the cap.
      const origin = plan.lots[rolled.from]!;
      const o = rowOf.get(origin)!;
      const o_ = (c: number) => f.ref(o, c);
      // Rounded to 6 places first, so a share such as 0.29 of 100 is 29 (floating point gives 28.999…), as the engine's exact share.
      const left = f.mul(o_(LEFT + origin.lastValid), input(rolled.inputs.share));
      let n: Formula = f.fn('ROUNDDOWN', f.fn('ROUND', left, f.num(6)), f.num(0));
      if (rolled.inputs.cap !== undefined) n = f.fn('MIN', n, input(rolled.inputs.cap));
      cells.push(calc(f.fn('IF', f.cmp('<=', o_(C.lv), f.num(H)), n, f.num(0)), 'credits'));
    } else if (auto) cells.push(calc(own(BOUGHT), 'credits'));
    else if (sched) cells.push(calc(f.mul(own(PACKS), quantity(sched.credits, input)), 'credits'));
    else cells.push(calc(quantity(l.amount, input), 'credits'));
    cells.push(
      rolled
        ? calc(f.mul(own(AMOUNT), own(C.basis)), 'money')
        : auto || sched
          ? calc(f.mul(own(PACKS), amountOf((auto ?? sched)!.price, input)), 'money')
          : l.price.input === undefined
            ? val(l.price.value.toNumber(), 'money')
            : calc(amountOf(l.price, input), 'money'),
    );
    const options = auto ? offered.get(`${l.pool}|${g}`)! : [];
    const engine = enginePacks.get(l);
    const single = auto ? singleAt(l.pool, g) : undefined;
    const choice = auto ? choices.get(`${l.pool}|${g}`) : undefined;
    const slot = choice ? choice.end.ids.indexOf(l.ref) : -1;
    /** Packs of this lot: by the one-pack formula (a Ledger line), by a choice block, or the engine's (beyond the bound). */
    const packsCell = (line: 'packs' | 'start_packs', pick: (c: { end: PackChoice; start?: PackChoice }) => Formula | undefined, value: number | undefined) =>
      single === l
        ? calc(lref(l.pool, g, line), 'integer')
        : choice && slot >= 0
          ? calc(pick(choice)!, 'integer')
          : auto!.eligible && eligibleAt(l.pool, g).length >= 2
            ? {
                v: value ?? 0,
                fmt: 'integer' as const,
                note: `Packs of the cheapest combination of the packs offered, chosen by the engine: a value (the workbook chooses by formulas among at most ${MOST_PACKS_CHOSEN} packs and ${MOST_CANDIDATES} candidate combinations).`,
              }
            : val(0, 'integer');
    const chosenRef = (c: PackChoice) => f.ref(c.chosen[slot]!, ledgerT.col(g), names.ledger);
    if (sched) cells.push(calc(scheduledPacksFormula(sched, own(C.g), ledgerDates, input), 'integer'));
    else
      cells.push(!auto ? val(null) : packsCell('packs', (c) => (c.start ? f.add(chosenRef(c.start), chosenRef(c.end)) : chosenRef(c.end)), engine?.packs ?? 0));
    const packCredits = auto ? quantity(auto.credits, input) : undefined;
    cells.push(auto ? calc(f.mul(own(PACKS), packCredits!), 'credits') : ZERO_CREDITS);
    // Bought at the check before the draws: the period's packs at start (one pack, a choice block, or the engine's).
    if (!auto || !checkStart) cells.push(val(null), ZERO_CREDITS);
    else {
      cells.push(
        packsCell('start_packs', (c) => chosenRef(c.start!), engine?.atStart ?? 0),
        calc(f.mul(own(START_PACKS), packCredits!), 'credits'),
      );
    }
    // Repaid overdraft: what the pool owed before it, less what the lots created before it in the period repaid (in creation order;
    // an auto top-up's packs bought at the start repay first, those bought after the draws next).
    const zero = num(0);
    const repay = (credits: Formula, owed: Formula, before: Formula | undefined) =>
      f.fn('MAX', zero, f.fn('MIN', credits, before ? f.sub(owed, before) : owed));
    let atStartRepaid: Formula | undefined;
    let laterRepaid: Formula | undefined;
    let settle: Formula | undefined;
    const optionRows = options.map((x) => rowOf.get(x)!);
    const o0 = Math.min(...optionRows);
    const o1 = Math.max(...optionRows);
    const sumOptions = (c: number, to: number) => f.fn('SUM', f.range(o0, c, to, c));
    if (hasOverdraft && auto) {
      const owed = lref(l.pool, g, 'owed');
      if (checkStart) atStartRepaid = repay(own(START), owed, r > o0 ? sumOptions(START, r - 1) : undefined);
      let before: Formula | undefined = checkStart ? sumOptions(START, o1) : undefined;
      if (r > o0) {
        const earlier = checkStart ? f.sub(sumOptions(BOUGHT, r - 1), sumOptions(START, r - 1)) : sumOptions(BOUGHT, r - 1);
        before = before ? f.add(before, earlier) : earlier;
      }
      laterRepaid = repay(checkStart ? f.sub(own(BOUGHT), own(START)) : own(BOUGHT), owed, before);
      settle = atStartRepaid ? f.add(atStartRepaid, laterRepaid) : laterRepaid;
    } else if (hasOverdraft && !l.rollover && g > 0) {
      const first = repaying.get(`${l.pool}|${g}`)!;
      settle = repay(own(AMOUNT), lref(l.pool, g - 1, 'overdraft'), r > first ? f.fn('SUM', f.range(first, AMOUNT, r - 1, AMOUNT)) : undefined);
    }
    cells.push(settle ? calc(settle, 'credits') : ZERO_CREDITS);
    // Can give when bought: the credits bought after the draws, less what they repaid.
    if (auto) {
      let give: Formula = checkStart ? f.sub(own(BOUGHT), own(START)) : own(BOUGHT);
      if (laterRepaid) give = f.sub(give, laterRepaid);
      cells.push(calc(give, 'credits'));
    } else cells.push(ZERO_CREDITS);
    cells.push(auto || l.rollover ? ZERO_CREDITS : calc(own(AMOUNT), 'credits'));
    // An auto top-up gives in its period's draws only when bought at the start.
    const from = auto && !checkStart ? g + 1 : g;
    // The lot's attributes in its period cells keep their column (`$I5`), so those cells fill right.
    const lv = f.fixed(r, C.lv, { col: true });
    const validAt = (i: number) => f.cmp('<=', periodNumber(i), lv);
    const ranks = orders.map((_, k) => f.cat(LESS, f.fixed(r, C.rank + k, { col: true })));
    const avail = Array.from({ length: H }, (_, i) => (i < from ? undefined : own(AVAIL + i)));
    // Can give in t: its amount in the grant period (less what it repaid), then what was left after t − 1, while t is within its validity.
    for (let i = 0; i < H; i++) {
      if (i < from) cells.push(ZERO_CREDITS);
      else if (i === g) {
        const first = auto ? (atStartRepaid ? f.sub(own(START), atStartRepaid) : own(START)) : settle ? f.sub(own(AMOUNT), own(SETTLE)) : own(AMOUNT);
        cells.push(calc(f.fn('IF', validAt(i), first, zero), 'credits'));
      } else cells.push(calc(f.fn('IF', validAt(i), own(LEFT + i - 1), zero), 'credits'));
    }
    // Gives in t: the smaller of what it can give and what demand needs after the lots ranked before it.
    for (let i = 0; i < H; i++) {
      if (i < from) {
        cells.push(ZERO_CREDITS);
        continue;
      }
      const o = orderAt[i]!;
      const before = f.fn('SUMIFS', availRange(l.pool, i), rankRange(l.pool, o), ranks[o]!);
      cells.push(calc(f.fn('MAX', zero, f.fn('MIN', avail[i]!, f.sub(lref(l.pool, i, 'demand'), before))), 'credits'));
    }
    if (!auto) cells.push(ZERO_CREDITS);
    else if (options.length === 1) cells.push(calc(lref(l.pool, g, 'auto_draw'), 'credits'));
    else {
      // Of the period's draw on new packs, what is left after the packs ranked before this one.
      const o = orderAt[g]!;
      const before = f.fn('SUMIFS', f.range(o0, GIVE, o1, GIVE), f.range(o0, C.rank + o, o1, C.rank + o), f.cat(LESS, own(C.rank + o)));
      cells.push(calc(f.fn('MIN', own(GIVE), f.fn('MAX', f.num(0), f.sub(lref(l.pool, g, 'auto_draw'), before))), 'credits'));
    }
    const drawn = f.add(f.fn('SUM', f.range(r, DRAW, r, DRAW + H - 1)), own(OWN));
    cells.push(calc(settle ? f.add(drawn, own(SETTLE)) : drawn, 'credits'));
    cells.push(calc(f.fn('IF', f.cmp('<=', own(C.lv), f.num(H)), f.sub(f.sub(own(AMOUNT), own(CONSUMED)), own(ROLLED)), f.num(0)), 'credits'));
    const next = successor.get(l);
    cells.push(next ? calc(f.ref(rowOf.get(next)!, AMOUNT), 'credits') : ZERO_CREDITS);
    cells.push(calc(f.sub(f.sub(f.sub(own(AMOUNT), own(CONSUMED)), own(EXPIRED)), own(ROLLED)), 'credits'));
    cells.push(calc(f.fn('IF', f.cmp('=', own(AMOUNT), f.num(0)), f.num(0), f.div(f.mul(own(EXPIRED), own(PRICE)), own(AMOUNT))), 'money'));
    cells.push(ZERO_CREDITS);
    // Left after t: what it could give less what it gave (an auto top-up adds, in its period, what it can give when bought less its draw then).
    for (let i = 0; i < H; i++) {
      // A rolled lot is made as the previous period closes: its credits are left after that period's draws.
      if (i === g - 1 && l.rollover) cells.push(calc(own(AMOUNT), 'credits'));
      else if (i < g) cells.push(ZERO_CREDITS);
      else if (i === g && auto) cells.push(calc(f.sub(checkStart ? f.add(f.sub(avail[i]!, own(DRAW + i)), own(GIVE)) : own(GIVE), own(OWN)), 'credits'));
      else cells.push(calc(f.sub(avail[i]!, own(DRAW + i)), 'credits'));
    }
    // Shared as it is built: the rows' own trees are let go a row at a time, not all held until the sheet is done.
    shareFilledRight(cells);
    lotRows[r] = cells;
  }

  // ---- Ledger rows: per pool, each line's formula in every period (the same formula, filled right).
  const ledgerRows: Cell[][] = [ledgerT.header, ledgerT.numbers];
  const choiceHighlights: Highlight[] = [];
  for (const pool of pools) {
    const block = blocks.get(pool);
    const k = poolIndexOf.get(pool)!;
    const at = (key: string, i: number) => f.ref(ledgerRow(k, key), ledgerT.col(i));
    const at2 = (row: number, i: number) => f.ref(row, ledgerT.col(i));
    const poolCell = (key: string) => f.fixed(ledgerRow(k, key), LEDGER.pool, { col: true });
    // A Lots column of the pool's block, fixed (a lot's attribute), or the one of period i (it moves right).
    const lots = (c: number) => f.fixedRange(block![0], c, block![1], c, { row: true, col: true }, names.lots);
    const lotsAt = (c: number, i: number) => f.fixedRange(block![0], c + i, block![1], c + i, { row: true }, names.lots);
    /** A line's cell in the previous period (for period 1, the blank gap column: 0). */
    const before = (key: string, i: number) => f.ref(ledgerRow(k, key), ledgerT.col(i) - 1);
    const onePack = (i: number) => singleAt(pool, i)?.auto;
    /** A Lots column summed over the period's auto top-ups (their rows only: a whole-block sum would read later periods' packs). */
    const overOptions = (c: number, i: number) => {
      const rows = optionRows(pool, i);
      return rows ? f.fn('SUM', f.range(rows[0], c, rows[1], c, names.lots)) : f.num(0);
    };
    /**
     * What a period's pack-choice blocks bought (the check before the draws, after them, or both): packs, or credits (packs ×
     * each pack's credits). Cells of this sheet in the period's column, so the line fills right.
     */
    const chosen = (i: number, which: 'start' | 'end' | 'both', what: 'packs' | 'credits'): Formula | undefined => {
      const c = choices.get(`${pool}|${i}`);
      if (!c) return undefined;
      const blocks = which === 'both' ? [c.start, c.end] : [which === 'start' ? c.start : c.end];
      const lots = eligibleAt(pool, i);
      const terms = blocks.flatMap((b) =>
        b ? b.chosen.map((row, s) => (what === 'packs' ? at2(row, i) : f.mul(at2(row, i), quantity(lots[s]!.auto!.credits, input)))) : [],
      );
      return terms.length === 0 ? f.num(0) : f.add(...terms);
    };
    /** Credits the period's auto top-ups bought (one pack: its packs × credits; several: by its choice, or its lots' credits). */
    const bought = (i: number) => {
      const auto = onePack(i);
      return auto ? f.mul(at('packs', i), quantity(auto.credits, input)) : (chosen(i, 'both', 'credits') ?? overOptions(BOUGHT, i));
    };
    const boughtAtStart = (i: number) => {
      const auto = onePack(i);
      return auto ? f.mul(at('start_packs', i), quantity(auto.credits, input)) : (chosen(i, 'start', 'credits') ?? overOptions(START, i));
    };
    /** Money spent on auto top-ups in the calendar month before period i (on a daily calendar, its earlier days). */
    const spentEarlier = (i: number): Formula | undefined => {
      let m = i;
      while (m > 0 && cal.label(m - 1).slice(0, 7) === cal.label(i).slice(0, 7)) m--;
      const spent: Formula[] = [];
      for (let e = m; e < i; e++) {
        const rows = optionRows(pool, e);
        if (rows) spent.push(f.range(rows[0], PRICE, rows[1], PRICE, names.lots));
      }
      return spent.length === 0 ? undefined : f.fn('SUM', ...spent);
    };
    /**
     * What an auto top-up buys for in period i: whether it buys (below the threshold: 0 for a shortfall, and after the draws
     * when the threshold is checked at the start), the credits that reach the target, and what the most packs per period and
     * the monthly limit leave. The position is what the lots hold less what the pool owes, and, after the draws, less the
     * demand plus what was bought at the start (`start`: its packs, credits and cost).
     */
    const needAt = (i: number, atStart: boolean, start?: { packs: Formula; credits: Formula; cost: Formula }): ChoiceNeed => {
      const on = f.cmp('=', quantity(plan.autoTopUp!, input), f.num(1));
      if (plainShortfall) {
        const want = hasOverdraft ? f.add(at('shortfall', i), at('owed', i)) : at('shortfall', i);
        return { on: f.fn('AND', on, f.cmp('>', want, f.num(0))), want };
      }
      const ins = topUp.inputs;
      let position: Formula = at('held', i);
      if (hasOverdraft) position = f.sub(position, at('owed', i));
      if (!atStart) {
        position = f.sub(position, at('demand', i));
        if (start) position = f.add(position, start.credits);
      }
      const threshold = checkStart && !atStart ? f.num(0) : ins.threshold ? input(ins.threshold) : f.num(0);
      const target = ins.target ? input(ins.target) : f.num(0);
      const need: { on: Formula; want: Formula; packsLeft?: Formula; budget?: Formula } = {
        on: f.fn('AND', on, f.cmp('<', position, threshold)),
        want: f.sub(target, position),
      };
      if (ins.maxPacks) need.packsLeft = start ? f.sub(input(ins.maxPacks), start.packs) : input(ins.maxPacks);
      if (ins.spendLimit) {
        const earlier = spentEarlier(i);
        const spent = earlier && start ? f.add(earlier, start.cost) : (earlier ?? start?.cost);
        need.budget = spent ? f.sub(input(ins.spendLimit), spent) : input(ins.spendLimit);
      }
      return need;
    };
    /** Packs one auto top-up buys: enough to reach the need, within what the caps leave (and, after the draws, those bought at the start). */
    const topUpPacks = (i: number, auto: AutoTopUp, atStart: boolean): Formula => {
      if (!auto.eligible || !plan.autoTopUp) return f.num(0);
      const credits = quantity(auto.credits, input);
      const price = amountOf(auto.price, input);
      const startPacks = checkStart && !atStart ? at('start_packs', i) : undefined;
      const need = needAt(i, atStart, startPacks ? { packs: startPacks, credits: f.mul(startPacks, credits), cost: f.mul(startPacks, price) } : undefined);
      const caps: Formula[] = [f.fn('ROUNDUP', f.div(need.want, credits), f.num(0))];
      if (need.packsLeft) caps.push(need.packsLeft);
      if (need.budget) caps.push(f.fn('ROUNDDOWN', f.div(need.budget, price), f.num(0)));
      const bought = f.fn('IF', need.on, f.fn('MAX', f.num(0), caps.length === 1 ? caps[0]! : f.fn('MIN', ...caps)), f.num(0));
      return startPacks ? f.add(startPacks, bought) : bought;
    };
    const formulas: Record<string, (i: number) => Formula> = {
      opening: (i) => f.ref(ledgerRow(k, 'closing'), ledgerT.col(i) - 1),
      // Rolled lots are not granted: their credits were held before.
      granted: (i) =>
        block ? f.fn('SUMIFS', lots(AMOUNT), lots(C.g), ledgerT.period(i), lots(C.category), f.str('<>purchase'), lots(C.from), f.num(0)) : f.num(0),
      purchased: (i) => (block ? f.fn('SUMIFS', lots(AMOUNT), lots(C.g), ledgerT.period(i), lots(C.category), f.str('purchase')) : f.num(0)),
      demand: (i) => demand.total('Credits', poolCell('demand'), i),
      drawn: (i) => (block ? f.fn('SUM', lotsAt(DRAW, i)) : f.num(0)),
      shortfall: (i) => f.sub(at('demand', i), at('drawn', i)),
      // What the pool owes before its auto top-ups: the opening debt less what the period's new lots repaid (all they hold, up to it).
      // Period 1's "previous column" is the blank gap: nothing owed (MAX, not MIN: MIN would skip the blank).
      owed: (i) => {
        if (!hasOverdraft || !block) return f.num(0);
        return f.fn('MAX', f.num(0), f.sub(before('overdraft', i), f.fn('SUMIFS', lots(NEW), lots(C.g), ledgerT.period(i), lots(C.from), f.num(0))));
      },
      // What the lots can give before the period's auto top-ups and draws (after repaying an overdraft): the sum of what they
      // can give in the period. With a threshold checked at the period start the packs bought then can give too, and a range
      // over them would run into this very line; it is then what the lots still valid had left after the previous period's
      // draws (rolled lots included: they are made as it closes), plus the period's new lots, less what those repaid (what was
      // owed less what is still owed).
      held: (i) => {
        if (!block) return f.num(0);
        if (!checkStart) return f.fn('SUM', lotsAt(AVAIL, i));
        const p = ledgerT.period(i);
        const kept = f.fn('SUMIFS', lotsAt(LEFT - 1, i), lots(C.lv), f.cat(f.str('>='), p));
        const held = f.add(kept, f.fn('SUMIFS', lots(NEW), lots(C.g), p));
        return hasOverdraft ? f.add(f.sub(held, before('overdraft', i)), at('owed', i)) : held;
      },
      start_packs: (i) => {
        if (!checkStart || !offered.has(`${pool}|${i}`)) return f.num(0);
        const auto = onePack(i);
        return auto ? topUpPacks(i, auto, true) : (chosen(i, 'start', 'packs') ?? overOptions(START_PACKS, i));
      },
      packs: (i) => {
        // Only auto top-ups have packs: the period's (one pack: one formula, filled right; several: their lots' packs).
        if (!offered.has(`${pool}|${i}`)) return f.num(0);
        const auto = onePack(i);
        return auto ? topUpPacks(i, auto, false) : (chosen(i, 'both', 'packs') ?? overOptions(PACKS, i));
      },
      // Repaid: by the period's new lots (what was owed less what is owed before top-ups), then by its packs.
      settled: (i) => {
        if (!hasOverdraft || !block) return f.num(0);
        const byLots = f.sub(before('overdraft', i), at('owed', i));
        return offered.has(`${pool}|${i}`) ? f.add(byLots, f.fn('MIN', bought(i), at('owed', i))) : byLots;
      },
      // The packs bought after the draws give what they did not repay (to the debt left after those bought at the start).
      auto_draw: (i) => {
        if (!offered.has(`${pool}|${i}`)) return f.num(0);
        let give = checkStart ? f.sub(bought(i), boughtAtStart(i)) : bought(i);
        if (hasOverdraft) {
          const owedAfterStart = checkStart ? f.sub(at('owed', i), f.fn('MIN', boughtAtStart(i), at('owed', i))) : at('owed', i);
          give = f.sub(give, f.fn('MIN', give, owedAfterStart));
        }
        return f.fn('MIN', give, at('shortfall', i));
      },
      // Served on overdraft: what is still uncovered, up to the limit less what the pool still owes.
      overdrawn: (i) => {
        if (!hasOverdraft) return f.num(0);
        const room = f.sub(quantity(plan.overdraft[i]!, input), f.sub(before('overdraft', i), at('settled', i)));
        return f.fn('MAX', f.num(0), f.fn('MIN', f.sub(at('shortfall', i), at('auto_draw', i)), room));
      },
      overdraft: (i) => (hasOverdraft ? f.add(f.sub(before('overdraft', i), at('settled', i)), at('overdrawn', i)) : f.num(0)),
      consumed: (i) => (hasOverdraft ? f.add(at('drawn', i), at('auto_draw', i), at('overdrawn', i)) : f.add(at('drawn', i), at('auto_draw', i))),
      expired: (i) => (block ? f.fn('SUMIFS', lots(EXPIRED), lots(C.lv), ledgerT.period(i)) : f.num(0)),
      rolled_over: (i) => (block ? f.fn('SUMIFS', lots(ROLLED), lots(C.lv), ledgerT.period(i)) : f.num(0)),
      closing: (i) => f.sub(f.sub(f.add(at('opening', i), at('granted', i), at('purchased', i)), at('consumed', i)), at('expired', i)),
      unmet: (i) => f.sub(at('demand', i), at('consumed', i)),
      // What the plan bills in the period (a subscription's month, or an annual plan's year up front).
      billed: (i) => {
        const paid = plan.payments.filter((p) => p.period === i && p.pool === pool).map((p) => amountOf(p.amount, input));
        return paid.length === 0 ? f.num(0) : f.add(...paid);
      },
      spend: (i) =>
        block ? f.add(at('billed', i), f.fn('SUMIFS', lots(PRICE), lots(C.g), ledgerT.period(i), lots(C.category), f.str('purchase'))) : at('billed', i),
      expired_value: (i) => (block ? f.fn('ROUND', f.fn('SUMIFS', lots(EV), lots(C.lv), ledgerT.period(i)), f.num(2)) : f.num(0)),
      // Left after the period's draws in lots whose last valid period is this one or the next (not the lots rolled into next period:
      // their credits are still their origins').
      expiring_soon: (i) =>
        block
          ? f.fn(
              'SUMIFS',
              lotsAt(LEFT, i),
              lots(C.lv),
              f.cat(f.str('>='), ledgerT.period(i)),
              lots(C.lv),
              f.cat(f.str('<='), f.add(ledgerT.period(i), f.num(1))),
              lots(C.g),
              f.cat(f.str('<='), ledgerT.period(i)),
            )
          : f.num(0),
      demand_seconds: (i) => demand.total('Seconds', poolCell('demand_seconds'), i),
      // Seconds served: the consumed share of the seconds demanded, rounded to a second.
      output_seconds: (i) =>
        f.fn(
          'IF',
          f.cmp('>=', at('consumed', i), at('demand', i)),
          at('demand_seconds', i),
          f.fn('ROUND', f.div(f.mul(at('demand_seconds', i), at('consumed', i)), at('demand', i)), f.num(0)),
        ),
    };
    for (const line of LEDGER_LINES) {
      const r = ledgerRow(k, line.key);
      const make = formulas[line.key];
      if (!make) throw new Error(`ledger line '${line.key}' has no formula`);
      const from = ledgerT.col(0);
      const to = ledgerT.col(H - 1);
      const total: Cell =
        line.total === 'sum'
          ? calc(f.fn('SUM', f.range(r, from, r, to)), line.fmt)
          : line.total === 'first'
            ? calc(f.ref(r, from), line.fmt)
            : line.total === 'last'
              ? calc(f.ref(r, to), line.fmt)
              : val(null);
      ledgerRows[r] = [
        val(pool, 'text'),
        val(line.label, 'text'),
        val(line.unit === 'money' ? plan.currency : line.unit, 'text'),
        total,
        val(null),
        ...Array.from({ length: H }, (_, i) => calc(make(i), line.fmt)),
      ];
      // One tree per line, filled right (shared as it is built, like the Lots rows).
      shareFilledRight(ledgerRows[r]);
    }
    // The pool's choices of several packs, below every pool's lines.
    for (const x of choiceList) {
      if (x.pool !== pool) continue;
      const packsAt = (i: number) => {
        if (!x.periods.has(i)) return undefined;
        const lots = eligibleAt(pool, i);
        return { credits: lots.map((l) => quantity(l.auto!.credits, input)), price: lots.map((l) => amountOf(l.auto!.price, input)) };
      };
      const startChoice = x.check === 'end' ? choices.get(`${pool}|${[...x.periods][0]}`)?.start : undefined;
      const need = (i: number) =>
        x.check === 'start'
          ? needAt(i, true)
          : needAt(
              i,
              false,
              startChoice ? { packs: at('start_packs', i), credits: boughtAtStart(i), cost: f.ref(startChoice.cost, ledgerT.col(i)) } : undefined,
            );
      const title = `${pool}: packs of ${x.choice.ids.join(', ')} an auto top-up buys${checkStart ? (x.check === 'start' ? ' at the check before the draws' : ' after the draws') : ''} (the cheapest combination, by formulas)`;
      const built = choiceRows(x.choice, { pool, title, currency: plan.currency }, { horizon: H, col: (i) => ledgerT.col(i) }, packsAt, need);
      for (const [r, cells] of built.rows) ledgerRows[r] = cells;
      choiceHighlights.push(...built.highlights);
    }
  }
  for (let r = 0; r < ledgerRows.length; r++) ledgerRows[r] ??= [];

  const letter = colLetters;
  const lastCol = letter(ledgerT.col(H - 1));
  const firstCol = letter(ledgerT.col(0));
  const ledgerHighlights: Highlight[] = pools.flatMap((_, k): Highlight[] => {
    const unmet = ledgerRow(k, 'unmet') + 1;
    const soon = ledgerRow(k, 'expiring_soon') + 1;
    return [
      { ref: `${firstCol}${unmet}:${lastCol}${unmet}`, formula: `${firstCol}${unmet}>0`, colour: 'red', note: 'demand no credit covers' },
      {
        ref: `${firstCol}${soon}:${lastCol}${soon}`,
        formula: `${firstCol}${soon}>0`,
        colour: 'amber',
        note: 'credits whose last valid period is this one or the next',
      },
    ];
  });
  ledgerHighlights.push(...choiceHighlights);
  const lotHighlights: Highlight[] = [
    {
      ref: `A2:${letter(lotCols.length - 1)}${lotRows.length}`,
      formula: `AND($${letter(REMAINING)}2>0,$${letter(C.lv)}2<=${H + 1})`,
      colour: 'amber',
      note: 'credits left that expire in the period after the horizon',
    },
  ];
  // Lines and columns of policies the plan does not have (an overdraft, a threshold checked at the start, credits
  // that roll over) are 0 whatever an input says: they keep their place, collapsed out of the way.
  const rolls = plan.lots.some((l) => l.rollover);
  const unusedLines = [
    ...(hasOverdraft ? [] : ['settled', 'owed', 'overdrawn', 'overdraft']),
    ...(checkStart ? [] : ['start_packs']),
    ...(rolls ? [] : ['rolled_over']),
  ];
  const unusedColumns = new Set([...(hasOverdraft ? [] : [SETTLE]), ...(checkStart ? [] : [START_PACKS, START]), ...(rolls ? [] : [C.from, ROLLED])]);
  const collapsedLines = pools.flatMap((_, k) => unusedLines.map((key) => ledgerRow(k, key))).sort((a, b) => a - b);
  return {
    lotsLayout: {
      row: rowOf,
      cols: { g: C.g, lv: C.lv, amount: AMOUNT, price: PRICE, own: OWN, settle: SETTLE, consumed: CONSUMED, rolled: ROLLED },
      draw: DRAW,
      left: LEFT,
      blocks,
      overdraft: hasOverdraft,
    },
    demand: demand.sheet,
    ledger: {
      name: names.ledger,
      columns: ledgerT.columns,
      rows: ledgerRows,
      frozen: 2,
      frozenColumns: LEDGER.unit + 1,
      highlights: ledgerHighlights,
      ...(collapsedLines.length > 0 ? { collapsedRows: collapsedLines } : {}),
      // The pack-choice blocks are working rows: the printed Ledger is the pools' lines.
      ...(choiceList.length > 0 ? { printRows: FIRST_LINE_ROW + pools.length * LEDGER_LINES.length } : {}),
    },
    lots: {
      name: names.lots,
      columns: lotCols.map((c, k) => (unusedColumns.has(k) ? { ...c, collapsed: true } : c)),
      rows: lotRows,
      frozen: 1,
      frozenColumns: 1,
      // Three periods' columns (can give, gives, left) per period: about eight periods to a page.
      pagesWide: Math.max(1, Math.ceil(lotCols.length / 28)),
      highlights: lotHighlights,
    },
  };
}
