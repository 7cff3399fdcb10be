import type { Calendar } from '../ledger/calendar.ts';
import { f, unshifted } from './formula.ts';
import type { Cell, Column, Formula } from './types.ts';

/**
 * Time across the columns (the layout of the Ledger and Demand sheets): label columns, a Total, an
 * empty gap column, then one column per period. Row 0 holds the periods as real dates, row 1 their
 * numbers (1, 2, …), so each line is one formula that fills right: the first period's opening reads
 * the empty gap column (0), and a formula that needs its period number reads row 1 (`F$2`).
 */
export interface Timeline {
  readonly columns: Column[];
  /** Column of the Total. */
  readonly total: number;
  /** Column of period 0. */
  readonly first: number;
  /** The header row (titles, then dates) and the period-number row. */
  readonly header: Cell[];
  readonly numbers: Cell[];
  /** Column of period i. */
  col(i: number): number;
  /** Period i's number, read from row 1 (`F$2`): it moves right when the formula is filled right. */
  period(i: number): Formula;
}

/** Row of the first line under the two header rows. */
export const FIRST_LINE_ROW = 2;

const DAY_MS = 86_400_000;
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** The Excel serial number of an ISO calendar date (1900 date system, as Excel and LibreOffice read it). */
export function excelDate(iso: string): number {
  return (Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) - EXCEL_EPOCH) / DAY_MS;
}

/** The columns of a sheet with time across, after its label columns. */
export function timeline(cal: Calendar, labels: readonly Column[], numbersLabel = labels.length - 1): Timeline {
  const total = labels.length;
  const first = total + 2;
  const fmt = cal.granularity === 'day' ? 'day' : 'month';
  const columns: Column[] = [
    ...labels,
    { key: 'total', title: 'Total', fmt: 'credits', width: 13 },
    { key: 'gap', title: '', fmt: 'text', width: 2 },
    ...Array.from({ length: cal.horizon }, (_, i) => ({ key: `t${i}`, title: cal.label(i), fmt: 'credits' as const, width: 10 })),
  ];
  const header: Cell[] = columns.map((c, k) => (k >= first ? { v: excelDate(cal.date(k - first)), fmt } : { v: c.title, fmt: 'text' }));
  const numbers: Cell[] = columns.map((_, k) =>
    k >= first ? { v: k - first + 1, fmt: 'integer' } : k === numbersLabel ? { v: 'Period #', fmt: 'text' } : { v: null },
  );
  return {
    columns,
    total,
    first,
    header,
    numbers,
    col: (i) => first + i,
    period: (i) => f.fixed(1, first + i, { row: true }),
  };
}

/** The same formula with every reference fixed (`$D$14`): it reads the same cell wherever it is copied. */
export function anchored(x: Formula): Formula {
  switch (x.t) {
    case 'ref':
    case 'range':
      return { ...x, absRow: true, absCol: true };
    case 'op':
      return { ...x, a: anchored(x.a), b: anchored(x.b) };
    case 'neg':
      return { ...x, a: anchored(x.a) };
    case 'fn':
      return { ...x, args: x.args.map(anchored) };
    case 'shift':
      return anchored(unshifted(x));
    default:
      return x;
  }
}
