import { describe, expect, it } from 'vitest';
import { forecast, recalculate, runNames } from '@creditbook/engine';
import { buildModel } from '../src/index.ts';
import { bundledRules, mismatches } from './support.ts';

describe('the live model', () => {
  it('recomputes, in the engine’s own evaluator, exactly the engine’s ledger for every bundled scenario and variant', async () => {
    const rules = await bundledRules();
    for (const id of rules.ids('Scenario')) {
      const scenario = rules.latest('Scenario', id)!.doc;
      const runs = [];
      for (const name of runNames(scenario)) runs.push(await forecast(rules, scenario, { variant: name }));
      const { workbook } = await buildModel({ rules, scenario, runs });
      const { cycles } = recalculate(workbook);
      expect(cycles).toEqual([]);
      const bySheet = new Map(workbook.sheets.map((s) => [s.name, s]));
      const read = (sheet: string, row: number, col: number) => bySheet.get(sheet)?.rows[row]?.[col]?.v ?? null;
      expect(mismatches(read, [...bySheet.keys()], runs), id).toEqual([]);
    }
  });
});
