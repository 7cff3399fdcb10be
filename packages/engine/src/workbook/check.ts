import type { ForecastResult } from '../ledger/types.ts';
import type { BooksResult } from '../books/types.ts';
import { LEDGER, LEDGER_LINES } from './ledger-sheets.ts';
import { REVENUE, REVENUE_LINES } from './revenue-sheet.ts';

/** Reads a cell of a workbook (0-based row and column, header row 0): its value, formula results resolved. */
export type ReadCell = (sheet: string, row: number, col: number) => unknown;

const num = (v: unknown) => (typeof v === 'number' ? v : v === null || v === undefined || v === '' ? 0 : Number(v));
const money = (v: unknown) => (Math.round(num(v) * 100 + (num(v) >= 0 ? 1e-7 : -1e-7)) / 100).toFixed(2);

/** The sheet of a run: `Ledger` alone, or `Ledger · <run>` (names longer than a sheet allows are cut). */
function runSheet(kind: string, run: string, sheets: readonly string[], single: boolean): string | undefined {
  if (single) return sheets.find((s) => s === kind);
  return sheets.find((s) => s === `${kind} · ${run}`) ?? sheets.find((s) => s.startsWith(`${kind} · ${run.slice(0, 20)}`));
}

/**
 * Every figure of a workbook model that differs from the engine's forecast of the same runs: each
 * Ledger row (credits exactly, money to the cent), each lot that exists (amount, price, validity,
 * draws per period, consumed, expired, remaining) and the Summary (ratios to four places). Empty
 * when the model computes what the engine does.
 */
export function modelMismatches(read: ReadCell, sheets: readonly string[], runs: readonly ForecastResult[]): string[] {
  const out: string[] = [];
  const single = runs.length === 1;
  runs.forEach((run, k) => {
    const name = run.variant ?? 'base';
    const ledger = runSheet('Ledger', name, sheets, single);
    const lotsSheet = runSheet('Lots', name, sheets, single);
    if (!ledger || !lotsSheet) {
      out.push(`${name}: no Ledger or Lots sheet`);
      return;
    }
    // The Ledger has time across: period columns by their number (row 1), lines by pool and label.
    const periodCol = new Map<number, number>();
    for (let c = LEDGER.first; ; c++) {
      const n = read(ledger, 1, c);
      if (typeof n !== 'number') break;
      periodCol.set(n, c);
    }
    const keyOf = new Map(LEDGER_LINES.map((l) => [l.label, l.key] as const));
    const rows = new Map<string, number>();
    for (let r = 2; ; r++) {
      const pool = read(ledger, r, LEDGER.pool);
      if (pool === null || pool === undefined || pool === '') break;
      const key = keyOf.get(String(read(ledger, r, LEDGER.line)));
      if (key) rows.set(`${String(pool)}|${key}`, r);
    }
    const labels = [...new Set(run.periods.map((p) => p.period))];
    const credits = [
      'opening',
      'granted',
      'purchased',
      'demand',
      'consumed',
      'expired',
      'rolled_over',
      'overdrawn',
      'overdraft',
      'settled',
      'closing',
      'unmet',
      'expiring_soon',
      'demand_seconds',
      'output_seconds',
    ] as const;
    for (const p of run.periods) {
      const c = periodCol.get(labels.indexOf(p.period) + 1);
      const cell = (key: string) => {
        const r = rows.get(`${p.pool}|${key}`);
        return r === undefined || c === undefined ? undefined : read(ledger, r, c);
      };
      if (c === undefined || !rows.has(`${p.pool}|closing`)) {
        out.push(`${name} ${p.pool} ${p.period}: no ledger column or line`);
        continue;
      }
      for (const key of credits) {
        const got = num(cell(key));
        if (got !== p[key]) out.push(`${name} ${p.pool} ${p.period} ${key}: sheet ${got}, engine ${p[key]}`);
      }
      for (const key of ['spend', 'expired_value'] as const) {
        const got = money(cell(key));
        if (got !== p[key]) out.push(`${name} ${p.pool} ${p.period} ${key}: sheet ${got}, engine ${p[key]}`);
      }
    }
    // Lots: the model has a row for every lot that can exist; those with credits are the engine's lots, in creation order.
    const titles: string[] = [];
    for (let c = 0; ; c++) {
      const t = read(lotsSheet, 0, c);
      if (t === null || t === undefined || t === '') break;
      titles.push(String(t));
    }
    const at = (title: string) => titles.indexOf(title);
    const periods = labels;
    const modelLots: { r: number; seq: number }[] = [];
    for (let r = 1; ; r++) {
      const id = read(lotsSheet, r, 0);
      if (id === null || id === undefined || id === '') break;
      if (num(read(lotsSheet, r, at('Amount'))) > 0) modelLots.push({ r, seq: num(read(lotsSheet, r, at('Lot #'))) });
    }
    modelLots.sort((a, b) => a.seq - b.seq);
    const engineLots = run.lots.filter((l) => l.amount > 0);
    if (modelLots.length !== engineLots.length) out.push(`${name}: ${modelLots.length} lots with credits in the sheet, ${engineLots.length} in the engine`);
    engineLots.forEach((l, n) => {
      const m = modelLots[n];
      if (!m) return;
      const cell = (title: string) => read(lotsSheet, m.r, at(title));
      const where = `${name} lot ${l.id} (${l.ref} ${l.granted_period})`;
      const same = (what: string, got: unknown, want: unknown) => {
        if (got !== want) out.push(`${where} ${what}: sheet ${String(got)}, engine ${String(want)}`);
      };
      same('pool', cell('Pool'), l.pool);
      same('source', cell('Source'), l.source);
      same('granted', cell('Granted'), l.granted_period);
      same('amount', num(cell('Amount')), l.amount);
      same('price', money(cell('Price')), l.price);
      same('priority', num(cell('Priority')), l.priority);
      const lv = num(cell('Last valid #'));
      const lvLabel = l.last_valid_period === 'never' ? undefined : periods.indexOf(l.last_valid_period);
      if (l.last_valid_period !== 'never' && lvLabel !== -1) same('last valid #', lv, (lvLabel ?? 0) + 1);
      same('consumed', num(cell('Consumed')), l.consumed);
      same('expired', num(cell('Expired')), l.expired);
      same('remaining', num(cell('Remaining')), l.remaining);
      // A lot gives in its grant period outside the period's draws too: an auto top-up when bought, and what repaid an overdraft.
      const own = num(cell('Drawn when bought')) + num(cell('Repaid overdraft'));
      periods.forEach((p) => {
        const want = l.draws.filter((d) => d.period === p).reduce((a, d) => a + d.credits, 0);
        const got = num(cell(p)) + (p === l.granted_period ? own : 0);
        if (got !== want) out.push(`${where} draw ${p}: sheet ${got}, engine ${want}`);
      });
    });
    const t = run.totals;
    const summary: [number, string | number][] = [
      [1, t.granted],
      [2, t.purchased],
      [3, t.consumed],
      [4, t.expired],
      [5, t.unmet],
      [6, t.demand],
      [7, t.spend],
      [8, t.expired_value],
      [9, t.output_seconds],
      [13, t.demand_seconds],
    ];
    for (const [row, want] of summary) {
      const got = read('Summary', row, k + 1);
      const same = typeof want === 'string' ? money(got) === want : num(got) === want;
      if (!same) out.push(`${name} Summary row ${row}: sheet ${String(got)}, engine ${want}`);
    }
    const ratio = (row: number, want: string | null) => {
      const got = read('Summary', row, k + 1);
      if (want === null ? !(got === '' || got === null || got === undefined) : Math.abs(num(got) - Number(want)) > 0.00005) {
        out.push(`${name} Summary row ${row}: sheet ${String(got)}, engine ${want}`);
      }
    };
    ratio(10, t.cost_per_credit);
    ratio(11, t.cost_per_second);
    ratio(12, t.utilisation);
  });
  return out;
}

/**
 * Every figure of the Revenue sheets that differs from the engine's books of the same runs, to the
 * cent: per pool and period billings, revenue from usage and from breakage, deferred revenue
 * opening and closing. Empty when the sheets compute what `books` does.
 */
export function revenueMismatches(read: ReadCell, sheets: readonly string[], runs: readonly BooksResult[]): string[] {
  const out: string[] = [];
  const single = runs.length === 1;
  for (const b of runs) {
    const name = b.variant ?? 'base';
    const sheet = runSheet('Revenue', name, sheets, single);
    if (!sheet) {
      out.push(`${name}: no Revenue sheet`);
      continue;
    }
    const periodCol = new Map<number, number>();
    for (let c = REVENUE.billed + 3; ; c++) {
      const n = read(sheet, 1, c);
      if (typeof n !== 'number') break;
      periodCol.set(n, c);
    }
    const keyOf = new Map<string, string>(REVENUE_LINES.map((l) => [l.label, l.key]));
    const rows = new Map<string, number>();
    for (let r = 2; ; r++) {
      const line = read(sheet, r, REVENUE.line);
      if (line === null || line === undefined || line === '') break;
      const key = keyOf.get(String(line));
      if (key) rows.set(`${String(read(sheet, r, REVENUE.pool))}|${key}`, r);
    }
    const labels = [...new Set(b.periods.map((p) => p.period))];
    for (const p of b.periods) {
      const c = periodCol.get(labels.indexOf(p.period) + 1);
      for (const key of ['billings', 'revenue_usage', 'revenue_breakage', 'deferred_opening', 'deferred_closing'] as const) {
        const r = rows.get(`${p.pool}|${key}`);
        if (r === undefined || c === undefined) {
          out.push(`${name} ${p.pool} ${p.period}: no Revenue line ${key}`);
          continue;
        }
        const got = money(read(sheet, r, c));
        if (got !== p[key]) out.push(`${name} ${p.pool} ${p.period} ${key}: sheet ${got}, engine ${p[key]}`);
      }
    }
  }
  return out;
}
