import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  books,
  buildModel,
  forecast,
  loadStore,
  modelMismatches,
  recalculate,
  revenueMismatches,
  runNames,
  type ForecastResult,
  type RuleSet,
  type Workbook,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');

async function bundled(): Promise<RuleSet> {
  const { rules, errors } = await loadStore(new DirectoryStore(rulesDir));
  expect(errors).toEqual([]);
  return rules;
}

/** Reads a workbook's cells as the graph left them. */
export function reader(wb: Workbook) {
  const bySheet = new Map(wb.sheets.map((s) => [s.name, s]));
  return { read: (sheet: string, row: number, col: number) => bySheet.get(sheet)?.rows[row]?.[col]?.v ?? null, sheets: [...bySheet.keys()] };
}

describe('the live workbook model, recomputed by the engine’s graph', () => {
  it('the overall check turns ERROR when a closing balance is overwritten with a constant, or a deferred revenue closing', async () => {
    const rules = await bundled();
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    for (const [sheet, line] of [
      ['Ledger', 'Closing balance'],
      ['Revenue', 'Deferred revenue, closing'],
    ] as const) {
      const wb = await buildModel(rules, scenario, ['base']);
      const s = wb.sheets.find((x) => x.name === sheet)!;
      const row = s.rows.find((r) => r[1]?.v === line)!;
      // The fourth period's cell (columns: three labels, Total, gap, then periods — Revenue has six labels).
      const cell = row[(sheet === 'Ledger' ? 5 : 8) + 3]!;
      expect(cell.f).toBeDefined();
      row[(sheet === 'Ledger' ? 5 : 8) + 3] = { v: Number(cell.v) + 1 };
      recalculate(wb);
      expect(wb.sheets.find((x) => x.name === 'Summary')!.rows[0]!.at(-1)!.v, sheet).toBe('ERROR');
    }
  });

  it('equals the forecast of every bundled scenario and variant: every ledger row, lot and summary figure', async () => {
    const rules = await bundled();
    const differing: string[] = [];
    for (const id of rules.ids('Scenario')) {
      const scenario = rules.latest('Scenario', id)!.doc;
      const names = runNames(scenario);
      const runs: ForecastResult[] = [];
      for (const name of names) runs.push(await forecast(rules, scenario, { variant: name }));
      const wb = await buildModel(rules, scenario, names);
      // Recomputed from nothing: every formula cell emptied, then the graph evaluates the whole model.
      for (const s of wb.sheets) for (const row of s.rows) for (const c of row) if (c.f) c.v = null;
      const { cycles } = recalculate(wb);
      expect(cycles).toEqual([]);
      const { read, sheets } = reader(wb);
      expect(modelMismatches(read, sheets, runs), id).toEqual([]);
      // The comparison can fail: the base's model against a variant's forecast differs.
      expect(modelMismatches(read, sheets, [runs[1]!, runs[0]!, ...runs.slice(2)]).length).toBeGreaterThan(0);
      // Every check of the Checks sheet holds: the Summary's overall cell (end of its header row) says OK.
      const summary = wb.sheets.find((x) => x.name === 'Summary')!;
      expect(summary.rows[0]!.at(-1)!.v, `${id} checks`).toBe('OK');
      // The Revenue sheets are the books of each run; against another run's books they differ.
      const booked = runs.map((r) => books(rules, r));
      expect(revenueMismatches(read, sheets, booked), `${id} Revenue`).toEqual([]);
      const swapped = booked.map((b, k) => ({ ...booked[(k + 1) % booked.length]!, variant: b.variant }));
      // (A scenario of free credits only has the same empty books in every run.)
      if (booked.some((b) => JSON.stringify(b.periods) !== JSON.stringify(booked[0]!.periods)))
        expect(revenueMismatches(read, sheets, swapped).length, id).toBeGreaterThan(0);
      else differing.push(id);
    }
    // Most bundled scenarios' runs bill differently, so the swapped comparison above did run.
    expect(differing.length).toBeLessThan(rules.ids('Scenario').length / 2);
  });
});
