import type { Calendar } from '../ledger/calendar.ts';
import { f } from './formula.ts';
import { LEDGER, ledgerRow, type LotsLayout } from './ledger-sheets.ts';
import { REVENUE, type RevenueSheet } from './revenue-sheet.ts';
import { FIRST_LINE_ROW, timeline } from './timeline.ts';
import type { Cell, Formula, Sheet } from './types.ts';

/** What the Checks need of a run: its sheets and where its figures are. */
export interface CheckedRun {
  name: string;
  cal: Calendar;
  pools: readonly string[];
  ledger: string;
  lots: string;
  lotsLayout: LotsLayout;
  revenue: string;
  revenueLayout: Omit<RevenueSheet, 'sheet'>;
}

/** Checks sheet label columns. */
const CHECKS = { run: 0, pool: 1, check: 2 } as const;

/**
 * The Checks sheet: per run, pool and period, each invariant of the ledger and the books as a
 * formula that is 0 when it holds (an absolute difference, money rounded to the cent) — conservation,
 * closing = the lots' remainders, consumed + unmet = demand, the deferred revenue rollforward, and
 * deferred revenue = the lots' price less recognised to date — with a Total per line. `overall` is
 * the one cell the Summary shows: "OK" when every Total is 0, else "ERROR". Every check holds in the
 * model as built (the engine's graph verifies it), so the cached values are 0 and "OK".
 */
export function checksSheet(name: string, runs: readonly CheckedRun[]): Sheet {
  const cal = runs[0]!.cal;
  const t = timeline(cal, [
    { key: 'run', title: 'Run', fmt: 'text', width: 16 },
    { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
    { key: 'check', title: 'Check (0 when it holds)', fmt: 'text', width: 46 },
  ]);
  const rows: Cell[][] = [t.header, t.numbers];
  const zero = (make: (i: number) => Formula, H: number, fmt: 'credits' | 'money'): Cell[] =>
    Array.from({ length: t.columns.length - t.first }, (_, i) => (i < H ? { v: 0, f: make(i), fmt } : { v: null }));
  for (const run of runs) {
    const H = run.cal.horizon;
    run.pools.forEach((pool, k) => {
      const L = (key: string, i: number) => f.ref(ledgerRow(k, key), LEDGER.first + i, run.ledger);
      const block = run.lotsLayout.blocks.get(pool);
      const lotRange = (c: number, keep: boolean) => f.fixedRange(block![0], c, block![1], c, { row: true, col: keep }, run.lots);
      const R = run.revenueLayout;
      const rev = (key: string, i: number) => f.ref(R.rollRow(pool, key), R.col(i), run.revenue);
      const rec = R.recognised.get(pool)!;
      const recRange = (c: number, keep: boolean) => f.fixedRange(rec.rec, c, rec.rec + rec.n - 1, c, { row: true, col: keep }, run.revenue);
      const checks: [string, 'credits' | 'money', (i: number) => Formula][] = [
        [
          'Opening + granted + purchased − consumed − expired − closing',
          'credits',
          (i) => f.sub(f.sub(f.add(L('opening', i), L('granted', i), L('purchased', i)), f.add(L('consumed', i), L('expired', i))), L('closing', i)),
        ],
        [
          'Closing − the lots’ remainders after expiry',
          'credits',
          (i) =>
            block
              ? f.sub(
                  // Less what is owed on overdraft; what expires leaves; what rolls over stays (a rolled lot granted next period holds it
                  // as this one closes).
                  f.add(L('closing', i), L('overdraft', i)),
                  f.sub(
                    f.fn('SUM', lotRange(run.lotsLayout.left + i, false)),
                    f.fn('SUMIFS', lotRange(run.lotsLayout.left + i, false), lotRange(run.lotsLayout.cols.lv, true), t.period(i)),
                  ),
                )
              : L('closing', i),
        ],
        ['Consumed + unmet − demand', 'credits', (i) => f.sub(f.add(L('consumed', i), L('unmet', i)), L('demand', i))],
        [
          'Deferred revenue: opening + billings − revenue − closing',
          'money',
          (i) => f.sub(f.sub(f.add(rev('deferred_opening', i), rev('billings', i)), rev('revenue', i)), rev('deferred_closing', i)),
        ],
        [
          'Deferred revenue − (lots’ price billed − recognised to date)',
          'money',
          (i) =>
            rec.n === 0
              ? rev('deferred_closing', i)
              : f.sub(
                  rev('deferred_closing', i),
                  f.sub(
                    f.fn('SUMIFS', recRange(REVENUE.price, true), recRange(REVENUE.billed, true), f.cat(f.str('<='), t.period(i))),
                    f.fn('SUM', recRange(R.col(i), false)),
                  ),
                ),
        ],
      ];
      for (const [label, fmt, diff] of checks) {
        const r = rows.length;
        const cells = zero((i) => f.fn('ABS', f.fn('ROUND', diff(i), f.num(2))), H, fmt);
        rows.push([
          { v: run.name, fmt: 'text' },
          { v: pool, fmt: 'text' },
          { v: label, fmt: 'text' },
          { v: 0, f: f.fn('SUM', f.range(r, t.first, r, t.first + H - 1)), fmt },
          { v: null },
          ...cells,
        ]);
      }
    });
  }
  return { name, columns: t.columns, rows, frozen: 2, frozenColumns: CHECKS.check + 1 };
}

/** Checks per pool of a run (the lines `checksSheet` writes for each). */
const CHECKS_PER_POOL = 5;

/** The overall check, for the Summary: "OK" when every line of the Checks sheet totals 0, else "ERROR". */
export function overallCheck(name: string, pools: readonly number[]): Formula {
  const lines = pools.reduce((a, p) => a + p * CHECKS_PER_POOL, 0);
  const total = CHECKS.check + 1;
  return f.fn(
    'IF',
    f.cmp(
      '=',
      lines === 0 ? f.num(0) : f.fn('SUM', f.fixedRange(FIRST_LINE_ROW, total, FIRST_LINE_ROW + lines - 1, total, { row: true, col: true }, name)),
      f.num(0),
    ),
    f.str('OK'),
    f.str('ERROR'),
  );
}
