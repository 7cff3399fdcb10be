import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { forecast, runNames, type ValidityPolicy } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, setInput, tempDir, withPolicy } from './support.ts';

const months = (n: number) => ({ months: n });

describe('the burn order is live in the workbook', () => {
  it('subscription credits valid 1 month (so they burn before earlier 24-month top-ups): LibreOffice equals the engine in every row, lot and total', async () => {
    const rules = await bundledRules();
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const dir = tempDir('cb-flip-');
    const file = path.join(dir, 'agency.xlsx');
    await exportScenario(rules, scenario, file, { variants: 'all' });

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // The analyst's edits: subscription validity 24 -> 1 in the base (which premier-tier and
    // annual-billing, on the same policy, inherit), and 3 in monthly-expiry (its own policy, 1 -> 3) and
    // turbo-migration (typed over its inherited cell: an override, 24 -> 3).
    setInput(wb, 'Validity of subscription credits (months)', 'base', 1);
    setInput(wb, 'Validity of subscription credits (months)', 'monthly-expiry', 3);
    setInput(wb, 'Validity of subscription credits (months)', 'turbo-migration', 3);
    const edited = path.join(dir, 'agency-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    // The same edits in rule terms.
    const sub = (p: ValidityPolicy, v: number): ValidityPolicy => ({
      ...p,
      sources: { ...p.sources, subscription: { ...p.sources.subscription!, validity: months(v) } },
    });
    const expected = [];
    for (const name of runNames(scenario)) {
      const policy = name === 'monthly-expiry' ? 'monthly-expiry' : 'kling-validity';
      const own = scenario.variants?.find((x) => x.name === name)?.rules?.validity;
      const v = name === 'monthly-expiry' || name === 'turbo-migration' ? 3 : own === undefined ? 1 : undefined;
      const r = v === undefined ? rules : withPolicy(rules, policy, (p) => sub(p, v));
      expected.push(await forecast(r, scenario, { variant: name }));
    }
    // The inheriting runs really follow the base: premier-tier buys differently with 1-month subscription credits.
    const premier = runNames(scenario).indexOf('premier-tier');
    expect(expected[premier]!.totals.expired).toBeGreaterThan((await forecast(rules, scenario, { variant: 'premier-tier' })).totals.expired);
    const before = await forecast(rules, scenario);
    // The order flips: with 1-month subscription credits, the base buys and loses more than before.
    expect(expected[0]!.totals.expired).toBeGreaterThan(before.totals.expired);
    expect(expected[0]!.totals.purchased).not.toBe(before.totals.purchased);
    // A top-up bought earlier is still there while a later subscription lot is drawn first.
    const topUp = expected[0]!.lots.find((l) => l.source === 'top_up' && l.remaining > 0);
    expect(topUp).toBeDefined();

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, expected)).toEqual([]);
    // And the recalculated base is no longer the unedited forecast.
    expect(mismatches(read, sheets, [before, ...expected.slice(1)]).length).toBeGreaterThan(0);
  });

  it('a priority-first policy, with top-ups edited to burn before subscription credits: LibreOffice equals the engine', async () => {
    const bundled = await bundledRules();
    const priorityFirst = withPolicy(bundled, 'kling-validity', (p) => ({ ...p, burn_order: ['priority', 'last_valid_period', 'granted_period', 'lot_id'] }));
    const scenario = priorityFirst.latest('Scenario', 'agency-campaigns')!.doc;
    const dir = tempDir('cb-priority-');
    const file = path.join(dir, 'agency.xlsx');
    await exportScenario(priorityFirst, scenario, file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    // Top-ups 3 -> 1: they now come before subscription credits (2) whatever their expiry.
    setInput(wb, 'Burn priority of top up credits (lower burns first)', 'base', 1);
    // And subscription credits valid 2 months instead of 24.
    setInput(wb, 'Validity of subscription credits (months)', 'base', 2);
    const edited = path.join(dir, 'agency-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    const edit = (topUpPriority: number) =>
      withPolicy(priorityFirst, 'kling-validity', (p) => ({
        ...p,
        sources: { ...p.sources, top_up: { ...p.sources.top_up!, priority: topUpPriority }, subscription: { ...p.sources.subscription!, validity: months(2) } },
      }));
    const expected = await forecast(edit(1), scenario);
    const before = await forecast(priorityFirst, scenario);
    // The priority edit alone re-orders consumption: with top-ups first, 2-month subscription credits
    // are left to expire, more of them than when subscription credits burn first.
    const subscriptionFirst = await forecast(edit(3), scenario);
    expect(expected.totals.expired).toBeGreaterThan(subscriptionFirst.totals.expired);
    expect(expected.lots.map((l) => l.draws)).not.toEqual(subscriptionFirst.lots.map((l) => l.draws));

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    expect(mismatches(read, sheets, [before]).length).toBeGreaterThan(0);
  });
});
