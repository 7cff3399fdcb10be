import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { forecast, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, setInput, tempDir, withPolicy } from './support.ts';

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
    setInput(wb, 'Auto top-up: buy when the balance is below (credits)', 'base', 2000);
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

  it('an overdraft and a threshold checked at the period start: an edited overdraft limit recomputed in LibreOffice equals the engine with that limit', async () => {
    const bundled = await bundledRules();
    const rulesWith = (limit: number) => withPolicy(bundled, 'monthly-rollover', (p) => ({ ...p, overdraft: { limit } }));
    const agency = bundled.latest('Scenario', 'agency-campaigns')!.doc;
    const scenario: Scenario = {
      ...agency,
      rules: { ...agency.rules, validity: 'monthly-rollover' },
      purchases: { policy: 'auto', pack: 'topup-330', trigger: 'threshold', threshold: 500, target: 1500, check: 'period_start', max_packs_per_period: 3 },
      variants: [],
    };
    const dir = tempDir('cb-overdraft-');
    const file = path.join(dir, 'overdraft.xlsx');
    await exportScenario(rulesWith(1000), scenario, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    setInput(wb, 'Overdraft limit per pool (credits)', 'base', 3000);
    const edited = path.join(dir, 'overdraft-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    const before = await forecast(rulesWith(1000), scenario);
    const expected = await forecast(rulesWith(3000), scenario);
    // The edit matters: more is served on credit, and the next grants and packs repay it; credits roll over between the peaks.
    expect(expected.totals.unmet).toBeLessThan(before.totals.unmet);
    expect(expected.periods.some((p) => p.overdraft > 1000 && p.settled > 0)).toBe(true);
    expect(expected.periods.some((p) => p.rolled_over > 0)).toBe(true);

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    expect(mismatches(read, sheets, [before]).length).toBeGreaterThan(0);
  });
});
