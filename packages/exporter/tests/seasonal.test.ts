import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEMAND, forecast, type DemandLine, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, tempDir } from './support.ts';

/** The Demand row of a line's item, 1-based as exceljs counts. */
function demandRow(ws: ExcelJS.Worksheet, line: string, item: string): ExcelJS.Row {
  for (let r = 3; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (row.getCell(DEMAND.line + 1).value === line && row.getCell(DEMAND.item + 1).value === item) return row;
  }
  throw new Error(`no ${item} of ${line}`);
}

/** The column (1-based) of period number n (row 2 numbers the periods). */
function periodColumn(ws: ExcelJS.Worksheet, n: number): number {
  let col = 0;
  ws.getRow(2).eachCell((c, k) => {
    if (c.value === n) col = k;
  });
  return col;
}

describe('seasonal factors are per calendar month', () => {
  it('over two years, a month of the second year refers to the first year’s factor: one edit changes both Aprils, as the engine’s factor does', async () => {
    const rules = await bundledRules();
    // api-integration from 2026-01, over 24 months: April is period 4 and period 16.
    const scenario: Scenario = { ...rules.latest('Scenario', 'api-integration')!.doc, horizon: 24 };
    const dir = tempDir('cb-seasonal-');
    const file = path.join(dir, 'api.xlsx');
    await exportScenario(rules, scenario, file);

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const demand = wb.getWorksheet('Demand')!;
    const factors = demandRow(demand, 'v3-audio', 'Seasonal factor');
    const april = factors.getCell(periodColumn(demand, 4));
    const nextApril = factors.getCell(periodColumn(demand, 16));
    // The first April is the input (1.2 in the scenario); the second is a formula on it, with its value cached.
    expect(april.value).toBe(1.2);
    expect(nextApril.value).toEqual({ formula: april.address, result: 1.2 });
    // Every period of the first year is an input, every period of the second a reference to the same month of the first.
    for (let n = 13; n <= 24; n++)
      expect(factors.getCell(periodColumn(demand, n)).value).toHaveProperty('formula', factors.getCell(periodColumn(demand, n - 12)).address);

    april.value = 3;
    const edited = path.join(dir, 'api-edited.xlsx');
    await wb.xlsx.writeFile(edited);
    const line = scenario.demand.find((d) => d.id === 'v3-audio')!;
    const edits = line.profile?.type === 'seasonal' ? [...line.profile.factors] : [];
    edits[3] = 3; // April is the fourth factor
    const editedScenario: Scenario = {
      ...scenario,
      demand: scenario.demand.map((d): DemandLine => (d.id === 'v3-audio' ? { ...d, profile: { type: 'seasonal', factors: edits } } : d)),
    };
    const expected = await forecast(rules, editedScenario);
    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets, wb: back } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    // Both Aprils: 200 clips × 3 = 600.
    const counts = demandRow(back.getWorksheet('Demand')!, 'v3-audio', 'Count');
    const value = (n: number) => read('Demand', counts.number - 1, periodColumn(back.getWorksheet('Demand')!, n) - 1);
    expect([value(4), value(16)]).toEqual([600, 600]);
    // And the file no longer holds the unedited forecast.
    expect(mismatches(read, sheets, [await forecast(rules, scenario)]).length).toBeGreaterThan(0);
  });
});
