import { demandStreams, type DemandStream } from '../ledger/demand.ts';
import type { LedgerPlan } from '../ledger/plan.ts';
import type { DemandLine } from '../rules/types.ts';
import { f, shareFilledRight } from './formula.ts';
import type { RateSheet } from './rate-card.ts';
import { COUNT_VALIDATION, dateValidation } from './validation.ts';
import { anchored, excelDate, FIRST_LINE_ROW, timeline } from './timeline.ts';
import type { Cell, Column, Format, Formula, Sheet, Validation } from './types.ts';

/** Demand sheet label columns (0-based); periods follow the Total and the gap. */
export const DEMAND = { pool: 0, line: 1, item: 2, request: 3, card: 4, perUnit: 5 } as const;

/**
 * The lines of a demand line's block, top to bottom: its profile (a seasonal factor or a burst count
 * per period, inputs), the generations it asks for (a formula), then per priced stream (the line, or
 * the part a migration moves) its count, credits per unit, credits and output seconds.
 */
export const DEMAND_ITEMS = ['Seasonal factor', 'Burst count', 'Generations', 'Count', 'Credits per unit', 'Credits', 'Seconds'] as const;
export type DemandItem = (typeof DEMAND_ITEMS)[number];

/** An input of the Demand sheet's formulas, set in the Assumptions sheet (one per run). */
export interface DemandInput {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly fmt: Format;
  readonly name: readonly string[];
  readonly validation: Validation;
}

export interface DemandSheet {
  sheet: Sheet;
  /**
   * A pool's demand in period i (credits or seconds), summed over its streams, as a formula on
   * another sheet whose `poolCell` holds the pool's name: one formula that fills right.
   */
  total(item: 'Credits' | 'Seconds', poolCell: Formula, i: number): Formula;
  /** Row of each demand line's profile (by line index), for a variant's sheet to refer to. */
  profileRows: ReadonlyMap<number, number>;
}

const NOT_TRANSLATED = 'Priced by a rate card formula that does not translate to Excel: exported as a value.';
const NOT_PRICED = 'The card in force does not price this request: the engine reports it as a problem and counts no credits.';
const FACTOR_VALIDATION: Validation = { type: 'decimal', min: 0, message: 'A seasonal factor is a number, 0 or more (1 = the base count).' };

function describe(request: Readonly<Record<string, unknown>>): string {
  return Object.entries(request)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** The streams of a run's demand, as the engine expands them (profiles, demand scale, migrations). */
function streamsOf(plan: LedgerPlan): DemandStream[] {
  const eff = plan.eff;
  return demandStreams(eff.demand, plan.cal, Object.keys(eff.rules.cards)[0] ?? 'consumer', eff.demandScale, eff.migrations);
}

/** Migrations that move part of a demand line (by index into the run's migrations). */
function movesOf(plan: LedgerPlan, streams: readonly DemandStream[], line: number): number[] {
  return streams.filter((s) => s.line === line && s.migration !== undefined).map((s) => s.migration!);
}

/**
 * The inputs the Demand sheet reads: each line's base count, the run's demand scale (a variant's),
 * and each migration's share and first month.
 */
export function demandInputs(plan: LedgerPlan): DemandInput[] {
  const eff = plan.eff;
  const cal = plan.cal;
  const out: DemandInput[] = eff.demand.map((d, l) => ({
    key: `demand:${l}:count`,
    label: `Demand ${d.id}: base count (generations per period)`,
    value: d.count,
    fmt: 'integer',
    name: ['demand', d.id, 'count'],
    validation: COUNT_VALIDATION,
  }));
  if (eff.demandScale !== 1) {
    out.push({
      key: 'demand_scale',
      label: 'Demand scale (× every count)',
      value: eff.demandScale,
      fmt: 'decimal',
      name: ['demand_scale'],
      validation: { type: 'decimal', min: 0, message: 'A demand scale is a number, 0 or more (1 = as forecast).' },
    });
  }
  eff.migrations.forEach((m, k) => {
    const what = `Migration ${k + 1} (${describe(m.from)} → ${describe(m.to)})`;
    out.push({
      key: `share|migration:${k}`,
      label: `${what}: share moved`,
      value: m.share,
      fmt: 'percent',
      name: ['migration', String(k + 1), 'share'],
      validation: { type: 'decimal', min: 0, max: 1, message: 'A share is from 0 to 1 (100 %).' },
    });
    const from = m.from_period ? Math.max(0, cal.index(m.from_period)) : 0;
    out.push({
      key: `migration:${k}:from`,
      label: `${what}: first ${cal.granularity === 'day' ? 'day' : 'month'}`,
      value: excelDate(cal.date(from)),
      fmt: cal.granularity === 'day' ? 'day' : 'month',
      name: ['migration', String(k + 1), 'from'],
      validation: dateValidation(cal),
    });
  });
  return out;
}

/** A period's value of a line's profile: its seasonal factor, or the burst count added then. */
function profileValue(line: DemandLine, plan: LedgerPlan, i: number): number {
  const p = line.profile;
  if (p?.type === 'seasonal') return p.factors[plan.cal.month(i) - 1] ?? 1;
  if (p?.type === 'burst') {
    let n = 0;
    for (const b of p.bursts) {
      const s = plan.cal.index(b.start);
      if (i >= s && i < s + b.periods) n += b.count;
    }
    return n;
  }
  return 0;
}

/** ROUND(x, 0) after rounding to 9 places, as the engine rounds an exact decimal half up (45 × 0.7 = 31.5 → 32). */
const roundHalfUp = (x: Formula) => f.fn('ROUND', f.fn('ROUND', x, f.num(9)), f.num(0));

/**
 * Demand with time across. Per demand line: its profile per period (inputs: a seasonal factor, or
 * a burst count), the generations it asks for (base count × factor, or base + burst; × the demand
 * scale), and per priced stream (the line, or the part of it a migration moves: round(generations ×
 * share) from the migration's first month) the count, the credits per unit (a reference into the
 * Rate card), the credits and the output seconds: every one a formula that fills right. A variant's
 * profile refers to the base run's (`inherit`), which the variant cannot change.
 */
export function demandSheet(
  plan: LedgerPlan,
  name: string,
  rate: RateSheet,
  input: (key: string) => Formula,
  inherit?: { sheet: string; rows: ReadonlyMap<number, number> },
): DemandSheet {
  const { cal } = plan;
  const H = cal.horizon;
  const eff = plan.eff;
  const labels: Column[] = [
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'line', title: 'Demand line', fmt: 'text', width: 28 },
    { key: 'item', title: 'Line item', fmt: 'text', width: 16 },
    { key: 'request', title: 'Request', fmt: 'text', width: 44 },
    { key: 'card', title: 'Card', fmt: 'text', width: 34 },
    { key: 'per_unit', title: 'Seconds per unit', fmt: 'number', width: 10 },
  ];
  const t = timeline(cal, labels, DEMAND.item);
  const poolIndex = new Map(plan.pools.map((p, k) => [p, k] as const));
  const streams = streamsOf(plan);
  // The card version in force for a pool in each period: from the priced rows (the nearest priced period's where none).
  const cardAt = new Map<string, ({ id: string; version: number } | undefined)[]>();
  for (const d of plan.demandRows) {
    let at = cardAt.get(d.pool);
    if (!at) cardAt.set(d.pool, (at = new Array<{ id: string; version: number } | undefined>(H).fill(undefined)));
    at[cal.index(d.period)] = d.card;
  }
  const cardFor = (pool: string, i: number) => {
    const at = cardAt.get(pool);
    if (!at) return undefined;
    let x = at[i];
    for (let k = 1; !x && k < H; k++) x = at[i - k] ?? at[i + k];
    return x;
  };
  // Engine values of streams whose formula does not translate: per stream id and period.
  const enginePerUnit = new Map<string, number>();
  for (const d of plan.demandRows) enginePerUnit.set(`${d.line}\u0000${d.period}`, d.credits_per_unit);

  const lineOrder = eff.demand
    .map((d, l) => ({ d, l }))
    .sort((a, b) => {
      const pa = a.d.pool ?? Object.keys(eff.rules.cards)[0] ?? 'consumer';
      const pb = b.d.pool ?? Object.keys(eff.rules.cards)[0] ?? 'consumer';
      return (poolIndex.get(pa) ?? 0) - (poolIndex.get(pb) ?? 0) || a.l - b.l;
    });
  const rows: Cell[][] = [t.header, t.numbers];
  const profileRows = new Map<number, number>();
  const sumRight = (row: number, fmt: Format): Cell => ({ v: null, f: f.fn('SUM', f.range(row, t.first, row, t.first + H - 1)), fmt });
  const periodDate = (i: number) => f.fixed(0, t.col(i), { row: true });
  const scale = eff.demandScale !== 1 ? input('demand_scale') : undefined;

  for (const { d: line, l } of lineOrder) {
    const own = streams.filter((s) => s.line === l);
    const pool = own[0]!.pool;
    const label = (item: DemandItem, stream: { id: string; request: Readonly<Record<string, unknown>> }, cards = ''): Cell[] => [
      { v: pool, fmt: 'text' },
      { v: stream.id, fmt: 'text' },
      { v: item, fmt: 'text' },
      { v: describe(stream.request), fmt: 'text' },
      { v: cards, fmt: 'text' },
      { v: null },
    ];
    const base = input(`demand:${l}:count`);
    // 1. The profile: a seasonal factor or a burst count per period (inputs, or the base run's).
    const type = line.profile?.type ?? 'steady';
    let profileRow: number | undefined;
    if (type !== 'steady') {
      profileRow = rows.length;
      profileRows.set(l, profileRow);
      const item: DemandItem = type === 'seasonal' ? 'Seasonal factor' : 'Burst count';
      const fmt: Format = type === 'seasonal' ? 'decimal' : 'integer';
      const from = inherit?.rows.get(l);
      // A seasonal factor is the engine's per calendar month: the month's first period in the horizon holds
      // the input, and the same month of a later year (or a later day of it) refers to it, so one edit changes every year.
      const firstOfMonth = new Map<number, number>();
      const row = profileRow;
      rows.push([
        ...label(item, { id: line.id, request: line.request }),
        type === 'burst' ? sumRight(profileRow, 'integer') : { v: null },
        { v: null },
        ...Array.from({ length: H }, (_, i): Cell => {
          const value = profileValue(line, plan, i);
          if (from !== undefined && inherit) return { v: value, f: f.ref(from, t.col(i), inherit.sheet), fmt };
          if (type === 'seasonal') {
            const month = plan.cal.month(i);
            const first = firstOfMonth.get(month);
            if (first !== undefined) return { v: value, f: f.ref(row, t.col(first)), fmt };
            firstOfMonth.set(month, i);
          }
          return { v: value, fmt, input: true, validation: type === 'seasonal' ? FACTOR_VALIDATION : COUNT_VALIDATION };
        }),
      ]);
    }
    // 2. The generations the line asks for in each period, before migration.
    const generationsAt = (i: number): Formula => {
      let n: Formula =
        profileRow === undefined
          ? base
          : type === 'seasonal'
            ? roundHalfUp(f.mul(base, f.ref(profileRow, t.col(i))))
            : f.add(base, f.ref(profileRow, t.col(i)));
      if (scale) n = roundHalfUp(f.mul(n, scale));
      return n;
    };
    const moves = movesOf(plan, streams, l);
    let genRow: number | undefined;
    if (moves.length > 0) {
      genRow = rows.length;
      rows.push([
        ...label('Generations', { id: line.id, request: line.request }),
        sumRight(genRow, 'integer'),
        { v: null },
        ...Array.from({ length: H }, (_, i): Cell => ({ v: null, f: generationsAt(i), fmt: 'integer' })),
      ]);
    }
    // Moved by the migrations up to the k-th (in force in the period): round(generations × their shares, at most 1).
    const movedUpTo = (k: number, i: number): Formula => {
      const shares = moves
        .slice(0, k + 1)
        .map((m) => f.fn('IF', f.cmp('>=', periodDate(i), input(`migration:${m}:from`)), input(`share|migration:${m}`), f.num(0)));
      return roundHalfUp(f.mul(f.ref(genRow!, t.col(i)), f.fn('MIN', f.num(1), f.add(...shares))));
    };
    // 3. The priced streams: the line's own, then each migration's.
    for (const s of own) {
      const r = rows.length;
      const countAt = (i: number): Formula => {
        if (genRow === undefined) return generationsAt(i);
        if (s.migration === undefined) return f.sub(f.ref(genRow, t.col(i)), movedUpTo(moves.length - 1, i));
        const k = moves.indexOf(s.migration);
        return k === 0 ? movedUpTo(0, i) : f.sub(movedUpTo(k, i), movedUpTo(k - 1, i));
      };
      const request = s.request;
      const cpuAt = (i: number): Cell => {
        const card = cardFor(pool, i);
        const cell = card ? rate.cellFor(card.id, card.version, request) : undefined;
        if (cell) return { v: null, f: anchored(cell), fmt: 'credits' };
        const engine = enginePerUnit.get(`${s.id}\u0000${cal.label(i)}`);
        return engine !== undefined ? { v: engine, fmt: 'credits', note: NOT_TRANSLATED } : { v: 0, fmt: 'credits', note: NOT_PRICED };
      };
      const cards = [
        ...new Set(
          Array.from({ length: H }, (_, i) => cardFor(pool, i))
            .filter((c): c is { id: string; version: number } => c !== undefined)
            .map((c) => `${c.id} v${c.version}`),
        ),
      ].join(', ');
      const dur = Number(request['duration_s']);
      const count = r;
      const cpu = r + 1;
      const credits = r + 2;
      const seconds = r + 3;
      rows.push([
        ...label('Count', s, cards),
        sumRight(count, 'integer'),
        { v: null },
        ...Array.from({ length: H }, (_, i): Cell => ({ v: null, f: countAt(i), fmt: 'integer' })),
      ]);
      const perUnit = Array.from({ length: H }, (_, i) => cpuAt(i));
      rows.push([...label('Credits per unit', s, cards), { v: null }, { v: null }, ...perUnit]);
      rows.push([
        ...label('Credits', s, cards),
        sumRight(credits, 'credits'),
        { v: null },
        ...Array.from({ length: H }, (_, i): Cell => ({ v: null, f: f.mul(f.ref(count, t.col(i)), f.ref(cpu, t.col(i))), fmt: 'credits' })),
      ]);
      const secondsLabel = label('Seconds', s, cards);
      secondsLabel[DEMAND.perUnit] = { v: Number.isFinite(dur) ? dur : 0, fmt: 'number' };
      rows.push([
        ...secondsLabel,
        sumRight(seconds, 'number'),
        { v: null },
        // Demand the card in force cannot price is no demand to the engine: no seconds either.
        ...perUnit.map((c, i): Cell =>
          c.note === NOT_PRICED
            ? { v: 0, fmt: 'number', note: NOT_PRICED }
            : { v: null, f: f.mul(f.ref(count, t.col(i)), f.fixed(seconds, DEMAND.perUnit, { col: true })), fmt: 'number' },
        ),
      ]);
    }
  }
  const last = rows.length - 1;
  const total = (item: 'Credits' | 'Seconds', poolCell: Formula, i: number): Formula =>
    last < FIRST_LINE_ROW
      ? f.num(0)
      : f.fn(
          'SUMIFS',
          f.fixedRange(FIRST_LINE_ROW, t.col(i), last, t.col(i), { row: true }, name),
          f.fixedRange(FIRST_LINE_ROW, DEMAND.pool, last, DEMAND.pool, { row: true, col: true }, name),
          poolCell,
          f.fixedRange(FIRST_LINE_ROW, DEMAND.item, last, DEMAND.item, { row: true, col: true }, name),
          f.str(item),
        );
  // Each row's formula filled right is one tree (a small sheet: shared once it is built).
  for (const row of rows) shareFilledRight(row);
  // About a year of periods to a printed page: a sheet fitted to one page wide would print too small to read.
  return {
    sheet: { name, columns: t.columns, rows, frozen: 2, frozenColumns: DEMAND.item + 1, pagesWide: Math.max(1, Math.ceil(H / 12)) },
    total,
    profileRows,
  };
}
