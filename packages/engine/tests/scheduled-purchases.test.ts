import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildModel,
  excelDate,
  forecast,
  ledgerPlan,
  loadFiles,
  modelMismatches,
  recalculate,
  setInputs,
  type Scenario,
  type Workbook,
} from '@creditbook/engine';

/**
 * A scheduled purchase is a lot in every period of the horizon, bought when the period is due: its
 * first period and every `every` periods after it (0 = once). The ledger plan says so, and the
 * workbook writes it as formulas of three inputs (packs each time, first month, every), so moving
 * the first month or changing `every` in the model gives the engine's forecast of the edited scenario.
 */
const root = path.join(import.meta.dirname, 'cases', '_base');
const base = ['card.yaml', 'plans.yaml', 'validity.yaml'].map((b) => ({ path: `_base/${b}`, text: readFileSync(path.join(root, b), 'utf8') }));

// Basic: 100 credits a month, valid 2 months (priority 2); pack-50: 50 credits for $5.00, valid 12 months (priority 3).
// Demand: 12 clips of m1 std 5 s × 10 credits = 120 credits a month.
const scenarioText = (period: string, every: string) => `kind: Scenario
id: s
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
start: 2025-01
horizon: 6
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - id: clips
    request: { model: m1, mode: std, duration_s: 5 }
    count: 12
purchases:
  policy: scheduled
  scheduled:
    - { period: ${period}, pack: pack-50, quantity: 2${every} }
`;

async function load(period: string, every: string) {
  const loaded = await loadFiles([...base, { path: 's.yaml', text: scenarioText(period, every) }]);
  expect(loaded.errors).toEqual([]);
  const scenario: Scenario = loaded.rules.latest('Scenario', 's')!.doc;
  return { rules: loaded.rules, scenario };
}

function inputCell(wb: Workbook, label: string) {
  const sheet = wb.sheets.find((s) => s.name === 'Assumptions')!;
  const row = sheet.rows.findIndex((r) => r[0]?.v === label);
  expect(row, `input '${label}'`).toBeGreaterThanOrEqual(0);
  return { row, cell: sheet.rows[row]![1]! };
}

describe('a scheduled purchase’s first month and every are inputs', () => {
  it('the plan has the purchase’s lot in every period, with its packs only when the period is due', async () => {
    const { rules, scenario } = await load('2025-02', ', every: 2');
    const plan = await ledgerPlan(rules, scenario);
    const lots = plan.lots.filter((l) => l.scheduled);
    // One per period of the 6; due in Feb, Apr and Jun (first 2025-02, every 2): 2 packs × 50 = 100 credits for 2 × $5.00.
    expect(lots.map((l) => l.granted)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lots.map((l) => l.amount.value)).toEqual([0, 100, 0, 100, 0, 100]);
    expect(lots.map((l) => l.price.value.toFixed(2))).toEqual(['0.00', '10.00', '0.00', '10.00', '0.00', '10.00']);
    expect(lots[0]!.scheduled!.inputs).toEqual({ quantity: 'scheduled:0:quantity', first: 'scheduled:0:first', every: 'scheduled:0:every' });
    // The first period is period 1 (2025-02, the second of the horizon), every 2, 2 packs.
    expect(plan.inputs.get('scheduled:0:first')).toMatchObject({ value: 1, fmt: 'period' });
    expect(plan.inputs.get('scheduled:0:every')).toMatchObject({ value: 2, fmt: 'integer' });
    expect(plan.inputs.get('scheduled:0:quantity')).toMatchObject({ value: 2 });

    const result = await forecast(rules, scenario);
    // Only the purchases made are lots of the forecast: three of 100 credits, $10.00 each.
    const bought = result.lots.filter((l) => l.source === 'top_up');
    expect(bought.map((l) => [l.granted_period, l.amount, l.price])).toEqual([
      ['2025-02', 100, '10.00'],
      ['2025-04', 100, '10.00'],
      ['2025-06', 100, '10.00'],
    ]);
    // Jan: 100 subscription credits for 120 demand, 20 unmet; from Feb the month's 100 and 20 of the packs bought:
    // consumed 100 + 5 × 120 = 700; granted 6 × 100 = 600; purchased 3 × 100 = 300; spend 6 × $10 + 3 × $10 = $90.
    expect(result.totals).toMatchObject({ granted: 600, purchased: 300, consumed: 700, unmet: 20, expired: 0, spend: '90.00' });
  });

  it('a purchase scheduled before the start that repeats comes into the horizon in step; a single one before the start is not in the run', async () => {
    // 2024-11 every 3: 2024-11, 2025-02, 2025-05 — in the horizon, Feb and May (periods 1 and 4).
    const repeats = await load('2024-11', ', every: 3');
    const plan = await ledgerPlan(repeats.rules, repeats.scenario);
    expect(plan.lots.filter((l) => l.scheduled).map((l) => l.amount.value)).toEqual([0, 100, 0, 0, 100, 0]);
    expect(plan.inputs.get('scheduled:0:first')).toMatchObject({ value: 1 });
    const once = await load('2024-11', '');
    const none = await ledgerPlan(once.rules, once.scenario);
    expect(none.lots.filter((l) => l.scheduled)).toEqual([]);
    expect(none.inputs.has('scheduled:0:first')).toBe(false);
  });

  it('in the workbook, moving the first month and changing every (and every 0 = once) recomputes the engine’s forecast of the edited scenario', async () => {
    const { rules, scenario } = await load('2025-02', ', every: 2');
    const wb = await buildModel(rules, scenario, ['base']);
    const first = inputCell(wb, 'Scheduled purchase 1: first month');
    expect(first.cell).toMatchObject({ v: excelDate('2025-02-01'), fmt: 'month', input: true, name: 'base_scheduled_1_first' });
    expect(first.cell.validation).toMatchObject({ type: 'whole', min: excelDate('2025-01-01') });
    const every = inputCell(wb, 'Scheduled purchase 1: every (months; 0 = once)');
    expect(every.cell).toMatchObject({ v: 2, input: true, name: 'base_scheduled_1_every' });
    expect(every.cell.validation).toMatchObject({ type: 'whole', min: 0, max: 3660 });

    const bySheet = new Map(wb.sheets.map((s) => [s.name, s]));
    const read = (s: string, r: number, c: number) => bySheet.get(s)?.rows[r]?.[c]?.v ?? null;
    for (const sh of wb.sheets) for (const r of sh.rows) for (const cell of r) if (cell.f) cell.v = null;
    expect(recalculate(wb).cycles).toEqual([]);
    expect(modelMismatches(read, [...bySheet.keys()], [await forecast(rules, scenario)])).toEqual([]);

    // First 2025-02-15: the first period starting on or after it is 2025-03; every 3: bought in Mar and Jun.
    setInputs(wb, [
      { sheet: 'Assumptions', row: first.row, col: 1, value: excelDate('2025-02-15') },
      { sheet: 'Assumptions', row: every.row, col: 1, value: 3 },
    ]);
    const moved = await load('2025-03', ', every: 3');
    const expected = await forecast(moved.rules, moved.scenario);
    // Jan and Feb: 100 of 120 each (40 unmet); from Mar the month's 100 and 20 of the packs: consumed 2 × 100 + 4 × 120 = 680;
    // purchased 2 × 100 = 200; spend 6 × $10 + 2 × $10 = $80.
    expect(expected.totals).toMatchObject({ granted: 600, purchased: 200, consumed: 680, unmet: 40, spend: '80.00' });
    expect(modelMismatches(read, [...bySheet.keys()], [expected])).toEqual([]);

    // Every 0: once, in Mar only (100 credits). Mar to Jun each draw the month's 100 and 20 of the pack (80, 60, 40, 20 left):
    // consumed 2 × 100 + 4 × 120 = 680, unmet 40; purchased 100; spend 6 × $10 + $10 = $70.
    setInputs(wb, [{ sheet: 'Assumptions', row: every.row, col: 1, value: 0 }]);
    const single = await load('2025-03', '');
    const onceExpected = await forecast(single.rules, single.scenario);
    expect(onceExpected.totals).toMatchObject({ purchased: 100, consumed: 680, unmet: 40, spend: '70.00' });
    expect(modelMismatches(read, [...bySheet.keys()], [onceExpected])).toEqual([]);
  });
});
