import { f, type Cell, type CellValue, type Column, type Format, type Sheet, type Workbook } from '../workbook/index.ts';
import type { PlatformComparison, PlatformRun } from './types.ts';

const v = (value: CellValue, fmt?: Format): Cell => (fmt === undefined ? { v: value } : { v: value, fmt });
const num = (x: string | null): CellValue => (x === null ? null : Number(x));

function sheet(name: string, columns: Column[], rows: Cell[][]): Sheet {
  return { name, columns, rows: [columns.map((c) => ({ v: c.title, fmt: 'text' as const })), ...rows], frozen: 1 };
}

/** A run's label in the tables and charts: platform, and the basis when it is the scenario's own plan. */
export function runLabel(run: PlatformRun): string {
  return run.basis === 'scenario' ? `${run.name} (scenario plan)` : run.name;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/**
 * The workbook of a platform comparison: one row per platform run (cost per served second and the
 * deltas against the reference are formulas over the row's cells), the per-period series, and
 * what each platform cannot serve.
 */
export function platformsWorkbook(c: PlatformComparison): Workbook {
  const columns: Column[] = [
    { key: 'platform', title: 'Platform', fmt: 'text', width: 28 },
    { key: 'plan', title: 'Plan', fmt: 'text', width: 16 },
    { key: 'billing', title: 'Billing', fmt: 'text' },
    { key: 'top_up', title: 'Top-up', fmt: 'text' },
    { key: 'spend', title: 'Spend', fmt: 'money' },
    { key: 'expired', title: 'Credits expired', fmt: 'credits' },
    { key: 'expired_value', title: 'Expired value', fmt: 'money' },
    { key: 'unmet', title: 'Unmet credits', fmt: 'credits' },
    { key: 'served_seconds', title: 'Served s', fmt: 'number' },
    { key: 'unmet_seconds', title: 'Unmet s', fmt: 'number' },
    { key: 'unservable_seconds', title: 'Unservable s', fmt: 'integer' },
    { key: 'cost_per_second', title: 'Cost per served s', fmt: 'ratio' },
    { key: 'utilisation', title: 'Utilisation', fmt: 'percent' },
    { key: 'delta_spend', title: `Δ spend vs ${c.reference}`, fmt: 'money' },
    { key: 'delta_expired_value', title: `Δ expired value vs ${c.reference}`, fmt: 'money' },
    { key: 'delta_cost_per_second', title: `Δ cost per s vs ${c.reference}`, fmt: 'ratio' },
  ];
  const col = (key: string) => columns.findIndex((x) => x.key === key);
  const refIndex = c.platforms.findIndex((r) => r.platform === c.reference && r.basis === 'cheapest');
  const refRow = refIndex + 1;
  const rows: Cell[][] = c.platforms.map((r, i) => {
    const row = i + 1;
    const spend = col('spend');
    const served = col('served_seconds');
    const cps = col('cost_per_second');
    const cells: Cell[] = [
      v(runLabel(r), 'text'),
      v(r.plan_name, 'text'),
      v(r.billing, 'text'),
      v(r.top_up ?? '', 'text'),
      v(Number(r.spend), 'money'),
      v(r.expired, 'credits'),
      v(Number(r.expired_value), 'money'),
      v(r.unmet, 'credits'),
      v(Number(r.served_seconds), 'number'),
      v(Number(r.unmet_seconds), 'number'),
      v(r.unservable_seconds, 'integer'),
      {
        v: num(r.cost_per_second),
        f: f.fn('IF', f.cmp('=', f.ref(row, served), f.num(0)), f.str(''), f.fn('ROUND', f.div(f.ref(row, spend), f.ref(row, served)), f.num(4))),
        fmt: 'ratio',
      },
      v(Number(r.utilisation), 'percent'),
    ];
    if (refIndex < 0 || !r.deltas) {
      cells.push(v(null, 'money'), v(null, 'money'), v(null, 'ratio'));
    } else {
      const d = r.deltas;
      const diff = (k: string) => f.sub(f.ref(row, col(k)), f.ref(refRow, col(k)));
      cells.push(
        { v: Number(d.spend), f: diff('spend'), fmt: 'money' },
        { v: Number(d.expired_value), f: diff('expired_value'), fmt: 'money' },
        d.cost_per_second === null
          ? v(null, 'ratio')
          : {
              v: round(Number(d.cost_per_second), 4),
              f: f.fn('IF', f.fn('OR', f.cmp('=', f.ref(row, cps), f.str('')), f.cmp('=', f.ref(refRow, cps), f.str(''))), f.str(''), diff('cost_per_second')),
              fmt: 'ratio',
            },
      );
    }
    return cells;
  });

  const periods = c.platforms[0]?.series.map((p) => p.period) ?? [];
  const seriesCols: Column[] = [
    { key: 'period', title: 'Period', fmt: 'period' },
    ...c.platforms.flatMap((r, i) => [
      { key: `spend:${i}`, title: `Spend ${runLabel(r)}`, fmt: 'money' as const },
      { key: `expired_value:${i}`, title: `Expired value ${runLabel(r)}`, fmt: 'money' as const },
      { key: `closing:${i}`, title: `Balance ${runLabel(r)}`, fmt: 'credits' as const },
      { key: `served:${i}`, title: `Served s ${runLabel(r)}`, fmt: 'number' as const },
    ]),
  ];
  const seriesRows: Cell[][] = periods.map((period, t) => [
    v(period, 'period'),
    ...c.platforms.flatMap((r) => {
      const p = r.series[t];
      return [
        v(p ? Number(p.spend) : null, 'money'),
        v(p ? Number(p.expired_value) : null, 'money'),
        v(p?.closing ?? null, 'credits'),
        v(p ? Number(p.served_seconds) : null, 'number'),
      ];
    }),
  ]);

  const unservableCols: Column[] = [
    { key: 'platform', title: 'Platform', fmt: 'text' },
    { key: 'line', title: 'Demand line', fmt: 'text' },
    { key: 'output', title: 'Output', fmt: 'text' },
    { key: 'seconds', title: 'Seconds', fmt: 'integer' },
    { key: 'reason', title: 'Why not', fmt: 'text', width: 48 },
  ];
  const unservableRows: Cell[][] = c.platforms
    .filter((r) => r.basis === 'cheapest')
    .flatMap((r) => r.unservable.map((u) => [v(r.name, 'text'), v(u.line, 'text'), v(u.output ?? '', 'text'), v(u.seconds, 'integer'), v(u.reason, 'text')]));

  return {
    title: `${c.scenario} — platforms`,
    currency: c.currency,
    properties: { scenario: c.scenario, scenario_version: String(c.scenario_version), map: `${c.map.id} v${c.map.version}`, reference: c.reference },
    sheets: [sheet('Platforms', columns, rows), sheet('Platform series', seriesCols, seriesRows), sheet('Unservable', unservableCols, unservableRows)],
  };
}
