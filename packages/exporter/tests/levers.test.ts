import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEMAND, excelDate, type DemandLine, type LoadedDocument, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { assumption, bundledRules, forecasts, mismatches, readXlsx, recalcInLibreOffice, setInput, tempDir } from './support.ts';

/** The Demand row of a line's item (label columns by DEMAND), 1-based as exceljs counts. */
function demandRow(ws: ExcelJS.Worksheet, line: string, item: string): ExcelJS.Row {
  for (let r = 3; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    if (row.getCell(DEMAND.line + 1).value === line && row.getCell(DEMAND.item + 1).value === item) return row;
  }
  throw new Error(`no ${item} of ${line} in ${ws.name}`);
}

/** The column (1-based) of period number n (row 2 numbers the periods). */
function periodColumn(ws: ExcelJS.Worksheet, n: number): number {
  let col = 0;
  ws.getRow(2).eachCell((c, k) => {
    if (c.value === n) col = k;
  });
  expect(col, `period ${n} in ${ws.name}`).toBeGreaterThan(0);
  return col;
}

const MIGRATION = 'Migration 1 (model=kling-v2-1-master → model=kling-v2-5-turbo mode=pro)';

describe('every lever of the workbook is live', () => {
  it('changing a migration share and its first month, a seasonal factor, a scheduled quantity, a base price the variants inherit and an API card parameter: LibreOffice recomputes the engine’s forecast of the edited scenario', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-levers-');
    const agency = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const api = rules.latest('Scenario', 'api-integration')!.doc;
    const agencyFile = path.join(dir, 'agency.xlsx');
    const apiFile = path.join(dir, 'api.xlsx');
    await exportScenario(rules, agency, agencyFile, { variants: 'all' });
    await exportScenario(rules, api, apiFile, { variants: 'all' });

    // ---- agency-campaigns: the migration's share 80 % -> 50 % and first month 2025-10 -> 2026-01; Pro at $40 a month in the base.
    const a = new ExcelJS.Workbook();
    await a.xlsx.readFile(agencyFile);
    // Variants on the base's catalog inherit its price (a formula on the base's cell); Premier has a price of its own.
    const inherited = assumption(a, 'Subscription price per month', 'turbo-migration').value as { formula?: string };
    expect(inherited.formula).toBe('base_price_month');
    expect(typeof assumption(a, 'Subscription price per month', 'premier-tier').value).toBe('number');
    setInput(a, `${MIGRATION}: share moved`, 'turbo-migration', 0.5);
    setInput(a, `${MIGRATION}: first month`, 'turbo-migration', excelDate('2026-01-01'));
    setInput(a, 'Subscription price per month', 'base', 40);
    const agencyEdited = path.join(dir, 'agency-edited.xlsx');
    await a.xlsx.writeFile(agencyEdited);

    const plans = rules.latest('PlanCatalog', 'kling-plans')!;
    const pro40: LoadedDocument = {
      ...plans,
      doc: { ...plans.doc, subscriptions: plans.doc.subscriptions!.map((t) => (t.id === 'pro' ? { ...t, price_month: '40.00' } : t)) },
    };
    const agencyScenario: Scenario = {
      ...agency,
      variants: agency.variants!.map((v) =>
        v.name === 'turbo-migration' ? { ...v, migrate: v.migrate!.map((m) => ({ ...m, share: 0.5, from_period: '2026-01' })) } : v,
      ),
    };
    const agencyRules = rules.with([pro40]);
    const agencyExpected = await forecasts(agencyRules, agencyScenario);

    // ---- api-integration: April's factor of v3-audio 1.2 -> 3; two api-10k packages each quarter instead of one; Kling 3.0 pro with native audio at 1.5 units a second instead of 1.2.
    const b = new ExcelJS.Workbook();
    await b.xlsx.readFile(apiFile);
    const demand = b.getWorksheet('Demand · base')!;
    const april = periodColumn(demand, 4); // 2026-01 is period 1, so 2026-04 is period 4
    const factor = demandRow(demand, 'v3-audio', 'Seasonal factor').getCell(april);
    expect(factor.value).toBe(1.2);
    factor.value = 3;
    setInput(b, 'Scheduled purchase 1: packs of api-10k each time', 'base', 2);
    const rate = b.getWorksheet('Rate card')!;
    let param: ExcelJS.Cell | undefined;
    for (let r = 2; r <= rate.rowCount && !param; r++)
      if (rate.getRow(r).getCell(4).value === '$v3_units_per_second › pro › native') param = rate.getRow(r).getCell(5);
    expect(param!.value).toBe(1.2);
    param!.value = 1.5;
    const apiEdited = path.join(dir, 'api-edited.xlsx');
    await b.xlsx.writeFile(apiEdited);

    const line = api.demand.find((d) => d.id === 'v3-audio')!;
    const factors = line.profile?.type === 'seasonal' ? [...line.profile.factors] : [];
    factors[3] = 3; // April is the fourth factor
    const apiScenario: Scenario = {
      ...api,
      demand: api.demand.map((d): DemandLine => (d.id === 'v3-audio' ? { ...d, profile: { type: 'seasonal', factors } } : d)),
      purchases: { ...api.purchases!, scheduled: api.purchases!.scheduled!.map((s) => ({ ...s, quantity: 2 })) },
    };
    const card = rules.latest('RateCard', 'kling-api')!;
    const params = card.doc.parameters as { v3_units_per_second: { pro: Record<string, number> } };
    const dearer: LoadedDocument = {
      ...card,
      doc: {
        ...card.doc,
        parameters: { ...card.doc.parameters, v3_units_per_second: { ...params.v3_units_per_second, pro: { ...params.v3_units_per_second.pro, native: 1.5 } } },
      },
    };
    const apiRules = rules.with([dearer]);
    const apiExpected = await forecasts(apiRules, apiScenario);

    // The edits matter: each edited forecast differs from the bundled one.
    const before = [...(await forecasts(rules, agency)), ...(await forecasts(rules, api))];
    [...agencyExpected, ...apiExpected].forEach((x, k) => {
      if (x.variant === 'premier-tier' || x.variant === 'annual-billing' || x.variant === 'threshold-packs-rollover') return; // their own prices
      expect(x.totals, `${x.scenario} ${x.variant ?? 'base'}`).not.toEqual(before[k]!.totals);
    });

    const [agencyRecalc, apiRecalc] = await recalcInLibreOffice([agencyEdited, apiEdited]);
    const x = await readXlsx(agencyRecalc!);
    expect(mismatches(x.read, x.sheets, agencyExpected)).toEqual([]);
    const y = await readXlsx(apiRecalc!);
    expect(mismatches(y.read, y.sheets, apiExpected)).toEqual([]);
    // April's v3-audio count is 200 × 3 = 600 generations, each 1.5 units/s × 8 s = 12 units = 120 credits (tenths of a unit): 72,000 credits.
    const row = demandRow(demand, 'v3-audio', 'Count').number - 1;
    expect(y.read('Demand · base', row, april - 1)).toBe(600);
    expect(y.read('Demand · base', row + 2, april - 1)).toBe(72_000);
  });
});
