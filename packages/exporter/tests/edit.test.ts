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
  it('after an analyst doubles a month of demand, adds a burst in a month without top-ups and raises a pack price, LibreOffice recomputes what the engine forecasts for the edited scenario (hidden idle top-ups included)', async () => {
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
    // And 400 more clips in 2026-01 (period 8), a month whose auto top-up bought nothing.
    let jan = 0;
    demand.getRow(2).eachCell((c, n) => {
      if (c.value === 8) jan = n;
    });
    const janBurst = line('Burst count').getCell(jan);
    janBurst.value = (janBurst.value as number) + 400;
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
        d.id === 'pro-shots'
          ? { ...d, profile: { type: 'burst', bursts: [...bursts, { start: '2025-11', periods: 1, count }, { start: '2026-01', periods: 1, count: 400 }] } }
          : d,
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

    // Auto top-ups that buy nothing as exported are in collapsed outline groups, live: the edit makes some of them buy.
    const bought = (fc: typeof before) => new Set(fc.lots.filter((l) => l.source === 'top_up').map((l) => `auto ${l.ref} ${l.granted_period}`));
    const idle = (ws: ExcelJS.Worksheet) => {
      const out: string[] = [];
      ws.eachRow((row, r) => {
        if (r > 1 && row.hidden && row.outlineLevel === 1) out.push(String(row.getCell(1).value));
      });
      return out;
    };
    const lotsAsExported = (await readXlsx(file)).wb.getWorksheet('Lots')!;
    expect(lotsAsExported.properties.outlineLevelRow).toBe(1);
    // Every auto top-up lot of the 24 months (one a month) is hidden but those the engine buys.
    const autoLots: string[] = [];
    lotsAsExported.eachRow((row, r) => {
      if (r > 1 && String(row.getCell(1).value).startsWith('auto ')) autoLots.push(String(row.getCell(1).value));
    });
    expect(autoLots).toHaveLength(24);
    const idleAsExported = idle(lotsAsExported);
    expect(idleAsExported.sort()).toEqual(autoLots.filter((l) => !bought(before).has(l)).sort());
    // In the Revenue sheet too: each idle lot's three rows (recognised, usage revenue, used to date), 19 × 3.
    const revenueAsExported = (await readXlsx(file)).wb.getWorksheet('Revenue')!;
    expect(idle(revenueAsExported)).toHaveLength(3 * idleAsExported.length);
    expect(idleAsExported).toHaveLength(19);
    // A hidden lot is a live row: its amount is a formula.
    const hiddenRow = lotsAsExported.getRows(2, lotsAsExported.rowCount - 1)!.find((r) => r.hidden)!;
    const amountCol = (hiddenRow.worksheet.getRow(1).values as unknown[]).indexOf('Amount');
    expect(hiddenRow.getCell(amountCol).value).toHaveProperty('formula');
    const nowBuying = idleAsExported.filter((l) => bought(expected).has(l));
    expect(nowBuying).toContain('auto topup-330 2026-01');

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets, wb: back } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    // The lots that now buy are still in their groups, with the engine's credits (checked row by row by `mismatches`).
    expect(idle(back.getWorksheet('Lots')!)).toEqual(expect.arrayContaining(nowBuying));
    // And it no longer matches the unedited forecast.
    expect(mismatches(read, sheets, [before]).length).toBeGreaterThan(0);
  });
});
