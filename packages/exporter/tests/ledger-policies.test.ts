import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { forecast, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, tempDir } from './support.ts';

/** Sets the base run's value of an Assumptions input (the row by its label). */
function setBaseInput(wb: ExcelJS.Workbook, label: string, value: number): void {
  const ws = wb.getWorksheet('Assumptions')!;
  let col = 0;
  ws.getRow(1).eachCell((c, n) => {
    if (c.value === 'base') col = n;
  });
  expect(col, 'the base run in Assumptions').toBeGreaterThan(0);
  for (let r = 2; r <= ws.rowCount; r++) {
    if (ws.getRow(r).getCell(1).value === label) {
      ws.getRow(r).getCell(col).value = value;
      return;
    }
  }
  throw new Error(`no input '${label}'`);
}

describe('ledger policies are live in the workbook', () => {
  it('threshold top-ups (capped) and rollover: an edited threshold recomputed in LibreOffice equals the engine with that threshold', async () => {
    const rules = await bundledRules();
    const agency = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const purchases = (threshold: number): NonNullable<Scenario['purchases']> => ({
      policy: 'auto',
      pack: 'topup-330',
      trigger: 'threshold',
      threshold,
      target: 3000,
      max_packs_per_period: 8,
      monthly_spend_limit: '35.00',
    });
    const scenario = (threshold: number): Scenario => ({
      ...agency,
      rules: { ...agency.rules, validity: 'monthly-rollover' },
      purchases: purchases(threshold),
      variants: [],
    });
    const dir = tempDir('cb-policies-');
    const file = path.join(dir, 'policies.xlsx');
    await exportScenario(rules, scenario(1000), file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    setBaseInput(wb, 'Auto top-up: buy when the balance is below (credits)', 2000);
    const edited = path.join(dir, 'policies-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    const before = await forecast(rules, scenario(1000));
    const expected = await forecast(rules, scenario(2000));
    // The edit matters: a higher threshold buys more, and credits roll over in both.
    expect(expected.totals.purchased).toBeGreaterThan(before.totals.purchased);
    expect(expected.periods.some((p) => p.rolled_over > 0)).toBe(true);
    // The caps bind somewhere: the spend limit (35.00 = 7 packs of 5.00) or 8 packs a month.
    expect(expected.periods.some((p) => Number(p.spend) > 0 && p.purchased === 7 * 330)).toBe(true);

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    expect(mismatches(read, sheets, [before]).length).toBeGreaterThan(0);
  });
});
