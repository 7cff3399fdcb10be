import type { LedgerPlan } from '../ledger/plan.ts';
import type { DemandRow } from '../ledger/types.ts';
import { f } from './formula.ts';
import type { RateSheet } from './rate-card.ts';
import { COUNT_VALIDATION } from './validation.ts';
import { anchored, FIRST_LINE_ROW, timeline } from './timeline.ts';
import type { Cell, Column, Format, Formula, Sheet } from './types.ts';

/** Demand sheet label columns (0-based); periods follow the Total and the gap. */
export const DEMAND = { pool: 0, line: 1, item: 2, request: 3, card: 4, perUnit: 5 } as const;

/** The lines of one priced demand stream, top to bottom. */
export const DEMAND_ITEMS = ['Count', 'Credits per unit', 'Credits', 'Seconds'] as const;
export type DemandItem = (typeof DEMAND_ITEMS)[number];

export interface DemandSheet {
  sheet: Sheet;
  /**
   * A pool's demand in period i (credits or seconds), summed over its streams, as a formula on
   * another sheet whose `poolCell` holds the pool's name: one formula that fills right.
   */
  total(item: 'Credits' | 'Seconds', poolCell: Formula, i: number): Formula;
}

const NOT_TRANSLATED = 'Priced by a rate card formula that does not translate to Excel: exported as a value.';

function describe(request: Readonly<Record<string, unknown>>): string {
  return Object.entries(request)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/**
 * Demand with time across: per priced stream (a demand line, or the part of it a migration moves)
 * its count per period (inputs), the credits per unit (a reference into the Rate card), the credits
 * and the output seconds (formulas that fill right).
 */
export function demandSheet(plan: LedgerPlan, name: string, rate: RateSheet): DemandSheet {
  const { cal } = plan;
  const H = cal.horizon;
  const labels: Column[] = [
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'line', title: 'Demand line', fmt: 'text', width: 28 },
    { key: 'item', title: 'Line item', fmt: 'text', width: 16 },
    { key: 'request', title: 'Request', fmt: 'text', width: 44 },
    { key: 'card', title: 'Card', fmt: 'text', width: 18 },
    { key: 'per_unit', title: 'Seconds per unit', fmt: 'number', width: 10 },
  ];
  const t = timeline(cal, labels, DEMAND.item);
  const poolIndex = new Map(plan.pools.map((p, k) => [p, k] as const));
  // One stream per pool, line and request, its priced rows by period.
  const streams = new Map<string, { first: DemandRow; order: number; at: (DemandRow | undefined)[] }>();
  plan.demandRows.forEach((d, k) => {
    const key = `${d.pool}\u0000${d.line}\u0000${describe(d.request)}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { first: d, order: k, at: new Array<DemandRow | undefined>(H).fill(undefined) }));
    s.at[cal.index(d.period)] = d;
  });
  const ordered = [...streams.values()].sort((a, b) => (poolIndex.get(a.first.pool) ?? 0) - (poolIndex.get(b.first.pool) ?? 0) || a.order - b.order);
  const rows: Cell[][] = [t.header, t.numbers];
  for (const s of ordered) {
    const r = rows.length;
    const d = s.first;
    const cards = [...new Set(s.at.filter((x): x is DemandRow => x !== undefined).map((x) => `${x.card.id} v${x.card.version}`))].join(', ');
    const dur = Number(d.request['duration_s']);
    const label = (item: DemandItem): Cell[] => [
      { v: d.pool, fmt: 'text' },
      { v: d.line, fmt: 'text' },
      { v: item, fmt: 'text' },
      { v: describe(d.request), fmt: 'text' },
      { v: cards, fmt: 'text' },
      item === 'Seconds' ? { v: Number.isFinite(dur) ? dur : 0, fmt: 'number' } : { v: null },
    ];
    const sumRight = (row: number, fmt: Format): Cell => ({ v: null, f: f.fn('SUM', f.range(row, t.first, row, t.first + H - 1)), fmt });
    // Credits per unit of a period with no priced row (no demand then): the nearest priced period's.
    const cpuAt = (i: number): Cell => {
      let x = s.at[i];
      for (let k = 1; !x && k < H; k++) x = s.at[i - k] ?? s.at[i + k];
      const cell = rate.cellFor(x!.card.id, x!.card.version, x!.request);
      return cell ? { v: null, f: anchored(cell), fmt: 'credits' } : { v: x!.credits_per_unit, fmt: 'credits', note: NOT_TRANSLATED };
    };
    const count = r;
    const cpu = r + 1;
    const credits = r + 2;
    const seconds = r + 3;
    rows.push([
      ...label('Count'),
      sumRight(count, 'integer'),
      { v: null },
      ...Array.from({ length: H }, (_, i): Cell => ({ v: s.at[i]?.count ?? 0, fmt: 'integer', input: true, validation: COUNT_VALIDATION })),
    ]);
    rows.push([...label('Credits per unit'), { v: null }, { v: null }, ...Array.from({ length: H }, (_, i) => cpuAt(i))]);
    rows.push([
      ...label('Credits'),
      sumRight(credits, 'credits'),
      { v: null },
      ...Array.from({ length: H }, (_, i): Cell => ({ v: null, f: f.mul(f.ref(count, t.col(i)), f.ref(cpu, t.col(i))), fmt: 'credits' })),
    ]);
    rows.push([
      ...label('Seconds'),
      sumRight(seconds, 'number'),
      { v: null },
      ...Array.from({ length: H }, (_, i): Cell => ({
        v: null,
        f: f.mul(f.ref(count, t.col(i)), f.fixed(seconds, DEMAND.perUnit, { col: true })),
        fmt: 'number',
      })),
    ]);
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
  return { sheet: { name, columns: t.columns, rows, frozen: 2, frozenColumns: DEMAND.item + 1 }, total };
}
