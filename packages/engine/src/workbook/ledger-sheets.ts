import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import type { BurnKey } from '../rules/types.ts';
import type { LedgerPlan, MoneyAmount, PlannedLot, Quantity } from '../ledger/plan.ts';
import { colLetters, f } from './formula.ts';
import type { RateSheet } from './rate-card.ts';
import type { Cell, Column, Format, Formula, Highlight, Sheet } from './types.ts';

/** A last valid period that never comes (a lot that does not expire), as the Lots sheet writes it. */
export const NEVER_PERIOD = 999_999;

const val = (v: Cell['v'], fmt?: Format): Cell => (fmt ? { v, fmt } : { v });
const calc = (formula: Formula, fmt: Format): Cell => ({ v: null, f: formula, fmt });
const ZERO_CREDITS: Cell = Object.freeze({ v: 0, fmt: 'credits' });
const header = (cols: Column[]): Cell[] => cols.map((c) => ({ v: c.title, fmt: 'text' as const }));

/** Ledger sheet columns (0-based); the Summary and the tests read them by these numbers. */
export const LEDGER = {
  period: 0,
  n: 1,
  pool: 2,
  opening: 3,
  granted: 4,
  purchased: 5,
  demand: 6,
  drawn: 7,
  shortfall: 8,
  packs: 9,
  autoDraw: 10,
  consumed: 11,
  expired: 12,
  closing: 13,
  unmet: 14,
  spend: 15,
  expiredValue: 16,
  expiringSoon: 17,
  demandSeconds: 18,
  outputSeconds: 19,
} as const;

/** Demand sheet columns. */
export const DEMAND = { period: 0, n: 1, pool: 2, line: 3, request: 4, card: 5, count: 6, cpu: 7, credits: 8, spu: 9, seconds: 10 } as const;

/** The inputs of a run, as defined names of the Assumptions sheet. */
export type InputRef = (key: string) => Formula;

/** One run's Demand, Ledger and Lots sheets, written from its ledger plan. */
export interface RunSheets {
  demand: Sheet;
  ledger: Sheet;
  lots: Sheet;
}

function describe(request: Readonly<Record<string, unknown>>): string {
  return Object.entries(request)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** A quantity of the plan as a formula of its input (input × times), or its value. */
function quantity(q: Quantity, input: InputRef): Formula {
  if (q.input === undefined) return f.num(q.value);
  const name = input(q.input);
  return (q.times ?? 1) === 1 ? name : f.mul(name, f.num(q.times!));
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
 * Writes a ledger plan as live formulas. Lots (grouped by pool, in creation order) hold their grant
 * period, validity, last valid period, priority and id as cells; each lot's place in the burn order
 * is a rank computed by COUNTIFS over those cells, so editing a validity or a priority re-orders
 * consumption. Per period each lot has what it can give (its credits left, while valid), what it
 * gives (the smaller of that and the demand the lots ranked before it leave), and what is left.
 */
export function runSheets(plan: LedgerPlan, names: { demand: string; ledger: string; lots: string }, rate: RateSheet, input: InputRef): RunSheets {
  const { cal } = plan;
  const H = cal.horizon;
  const pools = plan.pools;

  // ---- Demand: one row per period and priced line, grouped by pool then period.
  const demandCols: Column[] = [
    { key: 'period', title: 'Period', fmt: 'period', width: 11 },
    { key: 'n', title: 'Period #', fmt: 'integer', width: 9 },
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'line', title: 'Demand line', fmt: 'text', width: 26 },
    { key: 'request', title: 'Request', fmt: 'text', width: 52 },
    { key: 'card', title: 'Card', fmt: 'text', width: 20 },
    { key: 'count', title: 'Count', fmt: 'integer', width: 10 },
    { key: 'cpu', title: 'Credits per unit', fmt: 'credits', width: 16 },
    { key: 'credits', title: 'Credits', fmt: 'credits', width: 14 },
    { key: 'spu', title: 'Seconds per unit', fmt: 'number', width: 16 },
    { key: 'seconds', title: 'Seconds', fmt: 'number', width: 12 },
  ];
  const poolIndex = new Map(pools.map((p, k) => [p, k] as const));
  const demand = plan.demandRows
    .map((d, k) => ({ d, k, i: cal.index(d.period) }))
    .sort((a, b) => (poolIndex.get(a.d.pool) ?? 0) - (poolIndex.get(b.d.pool) ?? 0) || a.i - b.i || a.k - b.k);
  const demandRows: Cell[][] = [header(demandCols)];
  const demandSpan = new Map<string, [number, number]>();
  for (const { d, i } of demand) {
    const r = demandRows.length;
    const key = `${d.pool}|${i}`;
    const span = demandSpan.get(key);
    demandSpan.set(key, span ? [span[0], r] : [r, r]);
    const cpu = rate.cellFor(d.card.id, d.card.version, d.request);
    const dur = Number(d.request['duration_s']);
    demandRows.push([
      val(d.period, 'period'),
      val(i + 1, 'integer'),
      val(d.pool, 'text'),
      val(d.line, 'text'),
      val(describe(d.request), 'text'),
      val(`${d.card.id} v${d.card.version}`, 'text'),
      { v: d.count, fmt: 'integer', input: true },
      cpu
        ? calc(cpu, 'credits')
        : { v: d.credits_per_unit, fmt: 'credits', note: 'Priced by a rate card formula that does not translate to Excel: exported as a value.' },
      calc(f.mul(f.ref(r, DEMAND.count), f.ref(r, DEMAND.cpu)), 'credits'),
      val(Number.isFinite(dur) ? dur : 0, 'number'),
      calc(f.mul(f.ref(r, DEMAND.count), f.ref(r, DEMAND.spu)), 'number'),
    ]);
  }

  // ---- Lots: layout. One rank column per burn order in force during the run.
  const orders: (readonly BurnKey[])[] = [];
  const orderAt = plan.burnOrder.map((o) => {
    let k = orders.findIndex((x) => x.join() === o.join());
    if (k < 0) k = orders.push(o) - 1;
    return k;
  });
  const C = { lot: 0, pool: 1, source: 2, category: 3, ref: 4, grantedLabel: 5, g: 6, validity: 7, lv: 8, priority: 9, seq: 10, rank: 11 };
  const AMOUNT = C.rank + orders.length;
  const PRICE = AMOUNT + 1;
  const AVAIL = PRICE + 1; // credits a lot can give in period t (left from before, while valid)
  const DRAW = AVAIL + H; // credits it gives in t
  const OWN = DRAW + H; // an auto top-up's draw in the period it is bought
  const CONSUMED = OWN + 1;
  const EXPIRED = CONSUMED + 1;
  const REMAINING = EXPIRED + 1;
  const EV = REMAINING + 1;
  const LEFT = EV + 1; // credits left after the draws of t
  const lotCols: Column[] = [
    { key: 'lot', title: 'Lot', fmt: 'text', width: 18 },
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
    ...orders.map((o, k) => ({
      key: `rank${k}`,
      title: orders.length === 1 ? 'Burn rank' : `Burn rank (${o.join(', ')})`,
      fmt: 'integer' as const,
      width: 10,
    })),
    { key: 'amount', title: 'Amount', fmt: 'credits', width: 12 },
    { key: 'price', title: 'Price', fmt: 'money', width: 12 },
    ...Array.from({ length: H }, (_, i) => ({ key: `avail${i}`, title: `Can give ${cal.label(i)}`, fmt: 'credits' as const, width: 11 })),
    ...Array.from({ length: H }, (_, i) => ({ key: `d${i}`, title: cal.label(i), fmt: 'credits' as const, width: 10 })),
    { key: 'own', title: 'Drawn when bought', fmt: 'credits', width: 12 },
    { key: 'consumed', title: 'Consumed', fmt: 'credits', width: 12 },
    { key: 'expired', title: 'Expired', fmt: 'credits', width: 12 },
    { key: 'remaining', title: 'Remaining', fmt: 'credits', width: 12 },
    { key: 'ev', title: 'Expired value', fmt: 'money', width: 13 },
    ...Array.from({ length: H }, (_, i) => ({ key: `left${i}`, title: `Left ${cal.label(i)}`, fmt: 'credits' as const, width: 11 })),
  ];
  const lotRows: Cell[][] = [header(lotCols)];
  const rowOf = new Map<PlannedLot, number>();
  const blocks = new Map<string, [number, number]>();
  // Per pool and period, the last row of a lot granted by then: later lots can give nothing yet.
  const grantedBy = new Map<string, number[]>();
  for (const pool of pools) {
    const start = lotRows.length;
    const last = new Array<number>(H).fill(start - 1);
    for (const l of plan.lots) {
      if (l.pool !== pool) continue;
      rowOf.set(l, lotRows.length);
      for (let i = l.granted; i < H; i++) last[i] = lotRows.length;
      lotRows.push([]);
    }
    if (lotRows.length > start) blocks.set(pool, [start, lotRows.length - 1]);
    grantedBy.set(pool, last);
  }

  // ---- Ledger: layout.
  const ledgerCols: Column[] = [
    { key: 'period', title: 'Period', fmt: 'period', width: 11 },
    { key: 'n', title: 'Period #', fmt: 'integer', width: 9 },
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'opening', title: 'Opening', fmt: 'credits', width: 12 },
    { key: 'granted', title: 'Granted', fmt: 'credits', width: 12 },
    { key: 'purchased', title: 'Purchased', fmt: 'credits', width: 12 },
    { key: 'demand', title: 'Demand', fmt: 'credits', width: 12 },
    { key: 'drawn', title: 'Drawn from lots', fmt: 'credits', width: 14 },
    { key: 'shortfall', title: 'Shortfall', fmt: 'credits', width: 12 },
    { key: 'packs', title: 'Packs bought', fmt: 'integer', width: 12 },
    { key: 'auto_draw', title: 'Drawn from new packs', fmt: 'credits', width: 14 },
    { key: 'consumed', title: 'Consumed', fmt: 'credits', width: 12 },
    { key: 'expired', title: 'Expired', fmt: 'credits', width: 12 },
    { key: 'closing', title: 'Closing', fmt: 'credits', width: 12 },
    { key: 'unmet', title: 'Unmet', fmt: 'credits', width: 10 },
    { key: 'spend', title: 'Spend', fmt: 'money', width: 12 },
    { key: 'expired_value', title: 'Expired value', fmt: 'money', width: 13 },
    { key: 'expiring_soon', title: 'Expiring soon', fmt: 'credits', width: 14 },
    { key: 'demand_seconds', title: 'Seconds demanded', fmt: 'number', width: 14 },
    { key: 'output_seconds', title: 'Seconds served', fmt: 'number', width: 14 },
  ];
  const ledgerRows: Cell[][] = [header(ledgerCols)];
  const ledgerRow = new Map<string, number>();
  for (const pool of pools)
    for (let i = 0; i < H; i++) {
      ledgerRow.set(`${pool}|${i}`, ledgerRows.length);
      ledgerRows.push([]);
    }
  // Formula trees are never changed once built: shared subtrees keep a large model small.
  const lrefs = new Map<string, Formula>();
  const lref = (pool: string, i: number, col: number) => {
    const k = `${pool}|${i}|${col}`;
    let x = lrefs.get(k);
    if (!x) lrefs.set(k, (x = f.ref(ledgerRow.get(`${pool}|${i}`)!, col, names.ledger)));
    return x;
  };
  const nums = new Map<number, Formula>();
  const num = (n: number) => {
    let x = nums.get(n);
    if (!x) nums.set(n, (x = f.num(n)));
    return x;
  };
  const LESS = f.str('<');
  const ORDER_KEYS: Partial<Record<BurnKey, number>> = { last_valid_period: C.lv, priority: C.priority, granted_period: C.g, lot_id: C.seq };
  const ORDER_COLUMN = (k: BurnKey): number => {
    const c = ORDER_KEYS[k];
    if (c === undefined) throw new CreditbookError([diagnostic({ code: 'W_REF', detail: `the Lots sheet has no column for the burn key ${k}` })]);
    return c;
  };

  // The lots that may give in period t: the pool's, granted by t (shared by every lot's draw in t).
  const ranges = new Map<string, Formula>();
  const shared = (k: string, make: () => Formula) => {
    let x = ranges.get(k);
    if (!x) ranges.set(k, (x = make()));
    return x;
  };
  const availRange = (pool: string, i: number) => shared(`a|${pool}|${i}`, () => f.range(blocks.get(pool)![0], AVAIL + i, grantedBy.get(pool)![i]!, AVAIL + i));
  const rankRange = (pool: string, i: number, o: number) =>
    shared(`r|${pool}|${i}|${o}`, () => f.range(blocks.get(pool)![0], C.rank + o, grantedBy.get(pool)![i]!, C.rank + o));

  // ---- Lot rows.
  for (const l of plan.lots) {
    const r = rowOf.get(l)!;
    const [b0, b1] = blocks.get(l.pool)!;
    const col = (c: number) => shared(`c|${l.pool}|${c}`, () => f.range(b0, c, b1, c));
    const own = (c: number) => f.ref(r, c);
    const g = l.granted;
    const auto = l.auto;
    const label = `${auto ? 'auto ' : ''}${l.ref} ${cal.label(g)}`;
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
    ];
    for (const o of orders) {
      // Rank = 1 + the lots of the pool that come before this one: earlier on the first key, or equal on it and earlier on the next, …
      const terms: Formula[] = [];
      o.forEach((k, depth) => {
        const args: Formula[] = [];
        for (const prior of o.slice(0, depth)) args.push(col(ORDER_COLUMN(prior)), own(ORDER_COLUMN(prior)));
        args.push(col(ORDER_COLUMN(k)), f.cat(f.str('<'), own(ORDER_COLUMN(k))));
        terms.push(f.fn('COUNTIFS', ...args));
      });
      cells.push(calc(f.add(f.num(1), ...terms), 'integer'));
    }
    cells.push(auto ? calc(f.mul(lref(l.pool, g, LEDGER.packs), quantity(auto.credits, input)), 'credits') : calc(quantity(l.amount, input), 'credits'));
    cells.push(
      auto
        ? calc(f.mul(lref(l.pool, g, LEDGER.packs), amountOf(auto.price, input)), 'money')
        : l.price.input === undefined
          ? val(l.price.value.toNumber(), 'money')
          : calc(amountOf(l.price, input), 'money'),
    );
    const from = auto ? g + 1 : g;
    const lv = own(C.lv);
    const validAt = (i: number) => f.cmp('<=', num(i + 1), lv);
    const ranks = orders.map((_, k) => ({ cell: own(C.rank + k), below: f.cat(LESS, own(C.rank + k)) }));
    const avail = Array.from({ length: H }, (_, i) => (i < from ? undefined : own(AVAIL + i)));
    const zero = num(0);
    // Can give in t: its amount in the grant period, then what was left after t − 1, while t is within its validity.
    for (let i = 0; i < H; i++) {
      if (i < from) cells.push(ZERO_CREDITS);
      else if (i === g) cells.push(calc(f.fn('IF', validAt(i), own(AMOUNT), zero), 'credits'));
      else cells.push(calc(f.fn('IF', validAt(i), own(LEFT + i - 1), zero), 'credits'));
    }
    // Gives in t: the smaller of what it can give and what demand needs after the lots ranked before it.
    for (let i = 0; i < H; i++) {
      if (i < from) {
        cells.push(ZERO_CREDITS);
        continue;
      }
      const o = orderAt[i]!;
      const before = f.fn('SUMIFS', availRange(l.pool, i), rankRange(l.pool, i, o), ranks[o]!.below);
      cells.push(calc(f.fn('MAX', zero, f.fn('MIN', avail[i]!, f.sub(lref(l.pool, i, LEDGER.demand), before))), 'credits'));
    }
    cells.push(auto ? calc(lref(l.pool, g, LEDGER.autoDraw), 'credits') : ZERO_CREDITS);
    cells.push(calc(f.add(f.fn('SUM', f.range(r, DRAW, r, DRAW + H - 1)), own(OWN)), 'credits'));
    cells.push(calc(f.fn('IF', f.cmp('<=', own(C.lv), f.num(H)), f.sub(own(AMOUNT), own(CONSUMED)), f.num(0)), 'credits'));
    cells.push(calc(f.sub(f.sub(own(AMOUNT), own(CONSUMED)), own(EXPIRED)), 'credits'));
    cells.push(calc(f.fn('IF', f.cmp('=', own(AMOUNT), f.num(0)), f.num(0), f.div(f.mul(own(EXPIRED), own(PRICE)), own(AMOUNT))), 'money'));
    for (let i = 0; i < H; i++) {
      if (i < g) cells.push(ZERO_CREDITS);
      else if (i === g && auto) cells.push(calc(f.sub(own(AMOUNT), own(OWN)), 'credits'));
      else cells.push(calc(f.sub(avail[i]!, own(DRAW + i)), 'credits'));
    }
    lotRows[r] = cells;
  }

  // ---- Ledger rows.
  for (const pool of pools) {
    const block = blocks.get(pool);
    const lotCol = (c: number) => f.range(block![0], c, block![1], c, names.lots);
    for (let i = 0; i < H; i++) {
      const r = ledgerRow.get(`${pool}|${i}`)!;
      const c = (k: number) => f.ref(r, k);
      const here = plan.lots.filter((l) => l.pool === pool && l.granted === i);
      const autoLot = here.find((l) => l.auto);
      const grantedLots = here.filter((l) => l.category !== 'purchase');
      const boughtLots = here.filter((l) => l.category === 'purchase');
      const amountRef = (l: PlannedLot) => f.ref(rowOf.get(l)!, AMOUNT, names.lots);
      const sum = (xs: Formula[]) => (xs.length === 0 ? f.num(0) : xs.length === 1 ? xs[0]! : f.fn('SUM', ...xs));
      const span = demandSpan.get(`${pool}|${i}`);
      const demandF = span ? f.fn('SUM', f.range(span[0], DEMAND.credits, span[1], DEMAND.credits, names.demand)) : f.num(0);
      const secondsF = span ? f.fn('SUM', f.range(span[0], DEMAND.seconds, span[1], DEMAND.seconds, names.demand)) : f.num(0);
      const drawn = block ? f.fn('SUM', f.range(block[0], DRAW + i, block[1], DRAW + i, names.lots)) : f.num(0);
      const auto = autoLot?.auto;
      const packsF =
        auto && auto.eligible && plan.autoTopUp
          ? f.fn(
              'IF',
              f.fn('AND', f.cmp('=', quantity(plan.autoTopUp, input), f.num(1)), f.cmp('>', c(LEDGER.shortfall), f.num(0))),
              f.fn('ROUNDUP', f.div(c(LEDGER.shortfall), quantity(auto.credits, input)), f.num(0)),
              f.num(0),
            )
          : f.num(0);
      const autoDrawF = auto ? f.fn('MIN', f.mul(c(LEDGER.packs), quantity(auto.credits, input)), c(LEDGER.shortfall)) : f.num(0);
      const spend: Formula[] = plan.payments.filter((p) => p.period === i && p.pool === pool).map((p) => amountOf(p.amount, input));
      for (const l of boughtLots) spend.push(f.ref(rowOf.get(l)!, PRICE, names.lots));
      const byLastValid = (sumCol: number) => (block ? f.fn('SUMIFS', lotCol(sumCol), lotCol(C.lv), f.num(i + 1)) : f.num(0));
      ledgerRows[r] = [
        val(cal.label(i), 'period'),
        val(i + 1, 'integer'),
        val(pool, 'text'),
        i === 0 ? val(0, 'credits') : calc(f.ref(r - 1, LEDGER.closing), 'credits'),
        calc(sum(grantedLots.map(amountRef)), 'credits'),
        calc(sum(boughtLots.map(amountRef)), 'credits'),
        calc(demandF, 'credits'),
        calc(drawn, 'credits'),
        calc(f.sub(c(LEDGER.demand), c(LEDGER.drawn)), 'credits'),
        calc(packsF, 'integer'),
        calc(autoDrawF, 'credits'),
        calc(f.add(c(LEDGER.drawn), c(LEDGER.autoDraw)), 'credits'),
        calc(byLastValid(EXPIRED), 'credits'),
        calc(f.sub(f.sub(f.add(c(LEDGER.opening), c(LEDGER.granted), c(LEDGER.purchased)), c(LEDGER.consumed)), c(LEDGER.expired)), 'credits'),
        calc(f.sub(c(LEDGER.demand), c(LEDGER.consumed)), 'credits'),
        calc(sum(spend), 'money'),
        calc(f.fn('ROUND', byLastValid(EV), f.num(2)), 'money'),
        // Left after the period's draws in lots whose last valid period is this one or the next.
        block ? calc(f.fn('SUMIFS', lotCol(LEFT + i), lotCol(C.lv), f.str(`>=${i + 1}`), lotCol(C.lv), f.str(`<=${i + 2}`)), 'credits') : val(0, 'credits'),
        calc(secondsF, 'number'),
        // Seconds served: the consumed share of the seconds demanded, rounded to a second.
        calc(
          f.fn(
            'IF',
            f.cmp('>=', c(LEDGER.consumed), c(LEDGER.demand)),
            c(LEDGER.demandSeconds),
            f.fn('ROUND', f.div(f.mul(c(LEDGER.demandSeconds), c(LEDGER.consumed)), c(LEDGER.demand)), f.num(0)),
          ),
          'number',
        ),
      ];
    }
  }

  const letter = colLetters;
  const ledgerHighlights: Highlight[] = [
    { ref: `A2:${letter(ledgerCols.length - 1)}${ledgerRows.length}`, formula: `$${letter(LEDGER.unmet)}2>0`, colour: 'red', note: 'demand no credit covers' },
    {
      ref: `${letter(LEDGER.expiringSoon)}2:${letter(LEDGER.expiringSoon)}${ledgerRows.length}`,
      formula: `$${letter(LEDGER.expiringSoon)}2>0`,
      colour: 'amber',
      note: 'credits whose last valid period is this one or the next',
    },
  ];
  const lotHighlights: Highlight[] = [
    {
      ref: `A2:${letter(lotCols.length - 1)}${lotRows.length}`,
      formula: `AND($${letter(REMAINING)}2>0,$${letter(C.lv)}2<=${H + 1})`,
      colour: 'amber',
      note: 'credits left that expire in the period after the horizon',
    },
  ];
  return {
    demand: { name: names.demand, columns: demandCols, rows: demandRows, frozen: 1 },
    ledger: { name: names.ledger, columns: ledgerCols, rows: ledgerRows, frozen: 1, highlights: ledgerHighlights },
    lots: { name: names.lots, columns: lotCols, rows: lotRows, frozen: 1, highlights: lotHighlights },
  };
}
