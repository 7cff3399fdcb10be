import path from 'node:path';
import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEMAND, excelDate } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { assumption, bundledRules, readXlsx, tempDir } from './support.ts';

/** Would Excel accept `value` in a cell with this data validation (as read back from the file)? */
function accepts(v: ExcelJS.DataValidation, value: number): boolean {
  if (v.type === 'whole' && !Number.isInteger(value)) return false;
  const [a, b] = (v.formulae ?? []).map(Number);
  switch (v.operator) {
    case 'between':
      return value >= a! && value <= b!;
    case 'greaterThanOrEqual':
      return value >= a!;
    case 'lessThanOrEqual':
      return value <= a!;
    default:
      throw new Error(`operator ${String(v.operator)}`);
  }
}

/** Each input (by label) has a stop-alert validation accepting the first values and refusing the second. */
function expectValidated(wb: ExcelJS.Workbook, cases: readonly [string, number[], number[]][]): void {
  for (const [label, ok, bad] of cases) {
    const v = assumption(wb, label, 'base').dataValidation;
    expect(v, label).toBeDefined();
    expect(v.showErrorMessage, label).toBe(true);
    // exceljs leaves errorStyle out of the model when it is the default, "stop".
    expect(v.errorStyle ?? 'stop', label).toBe('stop');
    for (const x of ok) expect(accepts(v, x), `${label} accepts ${x}`).toBe(true);
    for (const x of bad) expect(accepts(v, x), `${label} refuses ${x}`).toBe(false);
  }
}

describe('inputs are validated with the engine’s bounds', () => {
  it('the file’s data validation refuses validity 0, a flag of 2, a pack of 0 credits, a breakage rate of 1 and a fractional or negative count (error alert: stop)', async () => {
    const rules = await bundledRules();
    const file = path.join(tempDir('cb-validation-'), 'agency.xlsx');
    await exportScenario(rules, rules.latest('Scenario', 'agency-campaigns')!.doc, file);
    const { wb } = await readXlsx(file);
    const cases: [string, number[], number[]][] = [
      // label, accepted, refused
      ['Validity of subscription credits (months)', [1, 24], [0, -1, 1.5]],
      ['Auto top-up on shortfall (1 = on, 0 = off)', [0, 1], [2, -1, 0.5]],
      ['Pack topup-330: credits', [1, 330], [0, 2.5]],
      ['Pack topup-330: price', [0, 5.25], [-0.01]],
      ['Expected breakage rate: subscription (ValidityPolicy kling-validity v2)', [0, 0.05, 0.9999], [1, -0.1, 1.5]],
      ['Demand previews: base count (generations per period)', [0, 30], [-1, 2.5]],
    ];
    expectValidated(wb, cases);
    // A burst's count of generations in a period (the Demand sheet's Burst count line): whole, 0 or more.
    const demand = wb.getWorksheet('Demand')!;
    let count: ExcelJS.Cell | undefined;
    for (let r = 3; r <= demand.rowCount && !count; r++)
      if (demand.getRow(r).getCell(DEMAND.item + 1).value === 'Burst count') count = demand.getRow(r).getCell(10);
    const v = count!.dataValidation;
    expect([accepts(v, 0), accepts(v, 12), accepts(v, -1), accepts(v, 2.5)]).toEqual([true, true, false, false]);
  });

  it('a scheduled purchase’s packs each time, first month (a date from the start on) and every (whole, 0 = once) are validated', async () => {
    const rules = await bundledRules();
    const file = path.join(tempDir('cb-validation-'), 'api.xlsx');
    await exportScenario(rules, rules.latest('Scenario', 'api-integration')!.doc, file);
    const { wb } = await readXlsx(file);
    // api-integration starts in 2026-01.
    const cases: [string, number[], number[]][] = [
      ['Scheduled purchase 1: packs of api-10k each time', [0, 2], [-1, 1.5]],
      [
        'Scheduled purchase 1: first month',
        [excelDate('2026-01-01'), excelDate('2026-03-01'), excelDate('2027-06-15')],
        [excelDate('2025-12-31'), excelDate('2026-03-01') + 0.5],
      ],
      ['Scheduled purchase 1: every (months; 0 = once)', [0, 1, 3, 3660], [-1, 1.5, 3661]],
    ];
    expectValidated(wb, cases);
  });
});
