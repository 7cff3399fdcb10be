import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { forecast, type LoadedDocument, type PlanCatalog, type RuleSet, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, setInput, tempDir } from './support.ts';

/** The bundled rules with a pack's price in the kling-plans-packs catalog changed. */
function withPackPrice(rules: RuleSet, pack: string, price: string): RuleSet {
  const loaded: LoadedDocument<PlanCatalog> = rules.latest('PlanCatalog', 'kling-plans-packs')!;
  const doc: PlanCatalog = { ...loaded.doc, top_ups: loaded.doc.top_ups!.map((p) => (p.id === pack ? { ...p, price } : p)) };
  return rules.with([{ ...loaded, doc }]);
}

describe('several pack sizes are chosen by formulas that LibreOffice recomputes', () => {
  it('the threshold-packs-rollover settings with demand doubled and the 1,000-credit pack cheaper: the recalculated file equals the engine', async () => {
    const rules = await bundledRules();
    const agency = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const variant = agency.variants!.find((v) => v.name === 'threshold-packs-rollover')!;
    // The variant's catalog (330, 1,000 and 3,000-credit packs), policy and threshold top-ups as the base run.
    const base: Scenario = {
      ...agency,
      plan: { ...agency.plan, catalog: variant.plan!.catalog! },
      rules: { ...agency.rules, ...variant.rules },
      purchases: variant.purchases!,
      variants: [],
    };
    const dir = tempDir('cb-packs-');
    const file = path.join(dir, 'packs.xlsx');
    await exportScenario(rules, base, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // Edits: every demand line's base count doubled, and topup-1000 from 14.00 to 11.00 (1.1 cents a credit, now
    // cheaper per credit than topup-3000's 39.00 ÷ 3,000 = 1.3 cents), which changes the mix bought.
    for (const d of base.demand) setInput(wb, `Demand ${d.id}: base count`, 'base', d.count * 2);
    setInput(wb, 'Pack topup-1000: price', 'base', 11);
    const edited = path.join(dir, 'packs-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    const before = await forecast(rules, base);
    const expected = await forecast(withPackPrice(rules, 'topup-1000', '11.00'), { ...base, demand: base.demand.map((d) => ({ ...d, count: d.count * 2 })) });
    // The edits matter: more is bought, and a different mix (the 1,000-credit lots' share of what is bought rises).
    expect(expected.totals.purchased).toBeGreaterThan(before.totals.purchased);
    const share = (r: typeof before) => {
      const bought = r.lots.filter((l) => l.source === 'top_up');
      const of1000 = bought.filter((l) => l.ref === 'topup-1000').reduce((a, l) => a + l.amount, 0);
      return (
        of1000 /
        Math.max(
          1,
          bought.reduce((a, l) => a + l.amount, 0),
        )
      );
    };
    expect(share(expected)).toBeGreaterThan(share(before));

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    expect(mismatches(read, sheets, [before]).length).toBeGreaterThan(0);
  });
});
