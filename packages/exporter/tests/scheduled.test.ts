import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { excelDate, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { assumption, bundledRules, forecasts, mismatches, readXlsx, recalcInLibreOffice, setInput, tempDir } from './support.ts';

const FIRST = 'Scheduled purchase 1: first month';
const EVERY = 'Scheduled purchase 1: every (months; 0 = once)';

describe('a scheduled purchase’s first month and every are live', () => {
  it('moving api-integration’s quarterly api-10k purchase to start in March, every 2 months: LibreOffice recomputes the engine’s forecast of the edited scenario, every run', async () => {
    const rules = await bundledRules();
    const api = rules.latest('Scenario', 'api-integration')!.doc;
    const dir = tempDir('cb-scheduled-');
    const file = path.join(dir, 'api.xlsx');
    await exportScenario(rules, api, file, { variants: 'all' });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // As exported: from 2026-01, every 3 months; the variants on the base's purchases inherit both, the enterprise
    // package (once, no `every`) has its own: every 0.
    // exceljs reads a date-formatted cell as a Date.
    expect(assumption(wb, FIRST, 'base').value).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(assumption(wb, EVERY, 'base').value).toBe(3);
    expect((assumption(wb, FIRST, 'turbo-migration').value as { formula?: string }).formula).toBe('base_scheduled_1_first');
    expect((assumption(wb, EVERY, 'monthly-expiry').value as { formula?: string }).formula).toBe('base_scheduled_1_every');
    expect(assumption(wb, EVERY, 'enterprise-package').value).toBe(0);
    setInput(wb, FIRST, 'base', excelDate('2026-03-01'));
    setInput(wb, EVERY, 'base', 2);
    const edited = path.join(dir, 'api-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    const scenario: Scenario = {
      ...api,
      purchases: { ...api.purchases!, scheduled: api.purchases!.scheduled!.map((s) => ({ ...s, period: '2026-03', every: 2 })) },
    };
    const expected = await forecasts(rules, scenario);
    // The edit matters for every run on the base's purchases: other lots (api-10k and api-1k cost the same per credit,
    // so the auto top-ups fill what the packages leave and the totals stay), other ledger rows.
    const before = await forecasts(rules, api);
    expected.forEach((x, k) => {
      if (x.variant === 'enterprise-package') expect(x.lots).toEqual(before[k]!.lots);
      else {
        expect(x.lots, x.variant ?? 'base').not.toEqual(before[k]!.lots);
        expect(x.periods, x.variant ?? 'base').not.toEqual(before[k]!.periods);
      }
    });

    const [recalc] = await recalcInLibreOffice([edited]);
    const y = await readXlsx(recalc!);
    expect(mismatches(y.read, y.sheets, expected)).toEqual([]);

    // Bought in 2026-03, -05, -07, -09 and -11 (every 2 months from March, within the 12): 100,000 credits for $1,400.00 each.
    const lots = y.wb.getWorksheet('Lots · base')!;
    const titles: string[] = [];
    lots.getRow(1).eachCell((c, k) => (titles[k] = String(c.value)));
    const col = (t: string) => titles.indexOf(t);
    const bought: [unknown, unknown, unknown][] = [];
    for (let r = 2; r <= lots.rowCount; r++) {
      const row = lots.getRow(r);
      if (row.getCell(col('From')).value !== 'api-10k') continue;
      // exceljs reads a formula's cached 0 as no result.
      const amount = y.read('Lots · base', r - 1, col('Amount') - 1) ?? 0;
      if (amount !== 0) bought.push([row.getCell(col('Granted')).value, amount, y.read('Lots · base', r - 1, col('Price') - 1)]);
    }
    expect(bought).toEqual([
      ['2026-03', 100_000, 1400],
      ['2026-05', 100_000, 1400],
      ['2026-07', 100_000, 1400],
      ['2026-09', 100_000, 1400],
      ['2026-11', 100_000, 1400],
    ]);
  });
});
