import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStore, sweep, type RuleSet, type Scenario } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { buildSpreadsheetLedger, ledgerShape, sweepScales } from '../src/spreadsheet-ledger.ts';
import { variantsOf, withLinePrice } from '../src/sweep.ts';

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');

async function setup(n: number) {
  const { rules, errors } = await loadStore(new DirectoryStore(rulesDir));
  expect(errors).toEqual([]);
  const base = { ...rules.latest('Scenario', 'agency-campaigns')!.doc, horizon: 36 };
  const shape = await ledgerShape(rules, base);
  const scales = sweepScales(n, shape.baseCounts.flat());
  const scenario = variantsOf(base, scales);
  return { rules, scenario, shape, scales };
}

async function expectSame(rules: RuleSet, scenario: Scenario, model: ReturnType<typeof buildSpreadsheetLedger>) {
  const names = (scenario.variants ?? []).map((v) => v.name);
  const runs = await sweep(rules, scenario, names);
  runs.forEach((run, v) => {
    const t = model.totals(v);
    expect({ v, consumed: t.consumed, purchased: t.purchased, expired: t.expired, spend: t.spend.toFixed(2), ev: t.expiredValue.toFixed(2) }).toEqual({
      v,
      consumed: run.totals.consumed,
      purchased: run.totals.purchased,
      expired: run.totals.expired,
      spend: run.totals.spend,
      ev: run.totals.expired_value,
    });
  });
  return runs;
}

describe('the spreadsheet ledger the benchmark races against', () => {
  it('computes the engine’s totals for every variant, before and after a global and a local change', async () => {
    const { rules, scenario, shape, scales } = await setup(40);
    const model = buildSpreadsheetLedger(shape, scales);
    try {
      const runs = await expectSame(rules, scenario, model);
      // The sweep spans quiet variants that let credits expire and busy ones that buy packs.
      expect(runs.some((r) => r.totals.expired > 0)).toBe(true);
      expect(runs.some((r) => r.totals.purchased > 0)).toBe(true);
      // A global change: every Master clip costs 300 credits instead of 280.
      const master = scenario.demand.findIndex((d) => d.request['model'] === 'kling-v2-1-master');
      model.setLinePrice(master, 300);
      await expectSame(withLinePrice(rules, 'kling-consumer', scenario.demand[master]!.request, 300), scenario, model);
      // A local change: one variant's demand scale.
      model.setScale(7, 1.23457);
      const changed: Scenario = { ...scenario, variants: scenario.variants!.map((v, i) => (i === 7 ? { ...v, demand_scale: 1.23457 } : v)) };
      await expectSame(withLinePrice(rules, 'kling-consumer', scenario.demand[master]!.request, 300), changed, model);
    } finally {
      model.destroy();
    }
  });

  it('refuses a scenario whose shape it does not model', async () => {
    const { rules } = await loadStore(new DirectoryStore(rulesDir));
    const api = rules.latest('Scenario', 'api-integration')!.doc;
    await expect(ledgerShape(rules, api)).rejects.toThrow(/does not model api-integration/);
  });
});
