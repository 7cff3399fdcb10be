import { describe, expect, it } from 'vitest';
import { forecast, ledgerPlan, loadStore, PricingCache, simulate, sweep, type RuleSet, type Scenario, type Variant } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { repoRules } from './support/fixtures.ts';

/**
 * Demand scales of every kind a sweep meets: none, below and above 1, whole, five places (the
 * bench's), a float with many digits (0.1 + 0.2, 1/3: scaled in decimals), and 0.
 */
const SCALES = [1, 0, 0.5, 1.5, 2, 3, 0.25, 0.75, 1.23456, 0.98765, 1.00001, 0.1 + 0.2, 1 / 3, 2.71828, 0.05, 1.9, 0.61, 1.37, 0.333, 1.07];

/**
 * The scenario with many variants that change only demand (scales, the scenario's own migrations
 * scaled), mixed with its own variants (other plans, policies, purchases) and the same scaled, and a
 * variant that buys nothing: in the sweep's order, each supply's runs are interleaved with runs of
 * another supply, so a cache shared wrongly between supplies gives another run's totals.
 */
function withVariants(base: Scenario): { scenario: Scenario; names: string[] } {
  const own = base.variants ?? [];
  const extra: Variant[] = [];
  SCALES.forEach((scale, k) => {
    extra.push({ name: `scale-${k}`, demand_scale: scale });
    const v = own[k % Math.max(1, own.length)];
    if (v) extra.push({ ...v, name: `${v.name}-scale-${k}`, demand_scale: scale });
    if (k % 4 === 1) extra.push({ name: `no-purchases-${k}`, purchases: { policy: 'none' }, demand_scale: scale });
  });
  const scenario: Scenario = { ...base, variants: [...own, ...extra] };
  const names = extra.map((v) => v.name);
  // The scenario's own variants and base between the others, base again at the end.
  own.forEach((v, k) => names.splice(3 * k + 1, 0, v.name));
  names.splice(2, 0, 'base');
  names.push('base');
  return { scenario, names };
}

/** The problems a sweep counts for a run, derived alone (a fresh cache: nothing shared): the plan's and its simulation's. */
async function problemsAlone(rules: RuleSet, scenario: Scenario, variant: string): Promise<number> {
  const plan = await ledgerPlan(rules, scenario, { variant, cache: new PricingCache(rules), detail: false });
  return plan.problems.length + simulate(plan, { detail: false }).problems.length;
}

describe('sweep', () => {
  // agency-campaigns: auto top-ups, a migration, a rollover variant; api-integration: another package and a migration; steady-studio: scheduled purchases, a tier without purchases.
  for (const id of ['agency-campaigns', 'api-integration', 'steady-studio']) {
    it(`${id}: a sweep's totals are those of a full forecast of each variant (demand scales mixed with variants that change supply)`, async () => {
      const { rules } = await loadStore(new DirectoryStore(repoRules));
      const { scenario, names } = withVariants({ ...rules.latest('Scenario', id)!.doc, horizon: 30 });
      expect(names.length).toBeGreaterThan(40);
      const cache = new PricingCache(rules);
      const runs = await sweep(rules, scenario, names, cache);
      expect(runs.map((r) => r.name)).toEqual(names);
      const distinct = new Set<string>();
      for (const run of runs) {
        const full = await forecast(rules, scenario, { variant: run.name });
        expect(run.totals, run.name).toEqual(full.totals);
        expect(run.problems, run.name).toBe(await problemsAlone(rules, scenario, run.name));
        distinct.add(JSON.stringify(run.totals));
      }
      // The variants do differ: a sweep that gave every run one run's totals would fail above, not pass by chance.
      expect(distinct.size).toBeGreaterThan(names.length / 2);
      // The same sweep again on the same cache (every supply known now) gives the same runs.
      expect(await sweep(rules, scenario, [...names].reverse(), cache)).toEqual([...runs].reverse());
    });
  }
});
