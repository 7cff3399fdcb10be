import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEMAND, forecast, type LoadedDocument, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, tempDir } from './support.ts';

function findRow(ws: ExcelJS.Worksheet, match: (row: ExcelJS.Row) => boolean): ExcelJS.Row {
  for (let r = 2; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (match(row)) return row;
  }
  throw new Error(`no matching row in ${ws.name}`);
}

describe('an exported workbook is a live model', () => {
  it('after an analyst doubles a month of demand and raises a pack price, LibreOffice recomputes what the engine forecasts for the edited scenario', async () => {
    const rules = await bundledRules();
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const dir = tempDir('cb-edit-');
    const file = path.join(dir, 'agency.xlsx');
    await exportScenario(rules, scenario, file);

    // The analyst's edits, in Excel terms.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const demand = wb.getWorksheet('Demand')!;
    // Time runs across: the line's Count row, in the column of 2025-11 (period 6 from 2025-06; row 2 numbers the periods).
    const line = (item: string) => findRow(demand, (r) => r.getCell(DEMAND.line + 1).value === 'pro-shots' && r.getCell(DEMAND.item + 1).value === item);
    let col = 0;
    demand.getRow(2).eachCell((c, n) => {
      if (c.value === 6) col = n;
    });
    expect(col).toBeGreaterThan(0);
    // The month's count is a formula (base count + burst): 8 + 40 = 48; the analyst adds 48 to the burst to double it.
    const count = (line('Count').getCell(col).value as { result: number }).result;
    expect(count).toBe(48);
    const burst = line('Burst count').getCell(col);
    burst.value = (burst.value as number) + count;
    const assumptions = wb.getWorksheet('Assumptions')!;
    findRow(assumptions, (r) => r.getCell(1).value === 'Pack topup-330: price').getCell(2).value = 6.5;
    const edited = path.join(dir, 'agency-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    // The same edits, in rule terms: one more burst on the line, a new price in the catalog.
    const proShots = scenario.demand.find((d) => d.id === 'pro-shots')!;
    const bursts = proShots.profile?.type === 'burst' ? proShots.profile.bursts : [];
    const editedScenario: Scenario = {
      ...scenario,
      demand: scenario.demand.map((d) =>
        d.id === 'pro-shots' ? { ...d, profile: { type: 'burst', bursts: [...bursts, { start: '2025-11', periods: 1, count }] } } : d,
      ),
    };
    const catalog = rules.latest('PlanCatalog', 'kling-plans')!;
    const cheaper: LoadedDocument = {
      ...catalog,
      doc: { ...catalog.doc, top_ups: catalog.doc.top_ups!.map((p) => (p.id === 'topup-330' ? { ...p, price: '6.50' } : p)) },
    };
    const expected = await forecast(rules.with([cheaper]), editedScenario);
    const before = await forecast(rules, scenario);
    // The edits matter: more credits bought and more spent.
    expect(expected.totals.purchased).toBeGreaterThan(before.totals.purchased);
    expect(Number(expected.totals.spend)).toBeGreaterThan(Number(before.totals.spend));

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    // And it no longer matches the unedited forecast.
    expect(mismatches(read, sheets, [before]).length).toBeGreaterThan(0);
  });
});
