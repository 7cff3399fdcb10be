import { describe, expect, it } from 'vitest';
import { books, forecast, ledgerPlan, loadStore, PricingCache, scaleCount, simulate, type Scenario, type Variant } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { repoRules } from './support/fixtures.ts';

/** agency-campaigns with variants that change only its demand, and one that changes its plan. */
async function setup() {
  const { rules } = await loadStore(new DirectoryStore(repoRules));
  const base = rules.latest('Scenario', 'agency-campaigns')!.doc;
  const own = base.variants ?? [];
  const extra: Variant[] = [
    { name: 'busier', demand_scale: 1.37 },
    { name: 'quieter', demand_scale: 0.61 },
    { name: 'turbo-busier', migrate: own.find((v) => v.name === 'turbo-migration')!.migrate!, demand_scale: 1.00001 },
    { name: 'premier-busier', plan: { subscription: 'premier' }, demand_scale: 1.37 },
  ];
  const scenario: Scenario = { ...base, variants: [...own, ...extra] };
  return { rules, scenario, names: ['base', ...scenario.variants!.map((v) => v.name)] };
}

describe('plans shared between runs that differ only in demand', () => {
  it('runs that differ only in demand share their lots; another plan does not', async () => {
    const { rules, scenario } = await setup();
    const cache = new PricingCache(rules);
    const plan = (variant: string) => ledgerPlan(rules, scenario, { variant, cache });
    const base = await plan('base');
    const busier = await plan('busier');
    const turbo = await plan('turbo-busier');
    const premier = await plan('premier-busier');
    expect(busier.lots).toBe(base.lots);
    expect(turbo.lots).toBe(base.lots);
    expect(premier.lots).not.toBe(base.lots);
    // Premier grants 8,000 credits a month where Pro grants 3,000 (rules/plans/kling-plans/v1.yaml).
    expect(premier.lots[0]!.amount.value).toBe(8000);
    expect(base.lots[0]!.amount.value).toBe(3000);
    // Each keeps its own demand and run: 1.37 × the base's generations is more demand.
    expect(busier.run).toBe('busier');
    expect(busier.eff.demandScale).toBe(1.37);
    expect([...busier.demand.get('consumer')!].reduce((a, b) => a + b, 0)).toBeGreaterThan([...base.demand.get('consumer')!].reduce((a, b) => a + b, 0));
  });

  it('a shared plan gives the same forecast, books and ledger as one derived alone (every run, cache or not)', async () => {
    const { rules, scenario, names } = await setup();
    const shared = new PricingCache(rules);
    for (const variant of names) {
      const alone = await forecast(rules, scenario, { variant, cache: new PricingCache(rules) });
      const reused = await forecast(rules, scenario, { variant, cache: shared });
      expect(reused, variant).toEqual(alone);
      expect(books(rules, reused), variant).toEqual(books(rules, alone));
      // The ledger of the plan compiled once (the shared lots' compiled arrays reused) is the one compiled afresh.
      const a = simulate(await ledgerPlan(rules, scenario, { variant, cache: shared }));
      const b = simulate(await ledgerPlan(rules, scenario, { variant, cache: new PricingCache(rules) }));
      expect(a.totals, variant).toEqual(b.totals);
      expect(a.rows, variant).toEqual(b.rows);
    }
  });

  it('scales counts in integers where exact and in decimals beyond, rounding half up alike', () => {
    // 7 × 1.00001 = 7.00007 → 7; 45 × 1.5 = 67.5 → 68; 50 × 0.29 = 14.5 → 15 (0.29 is not exact in binary).
    expect(scaleCount(7, 1.00001)).toBe(7);
    expect(scaleCount(45, 1.5)).toBe(68);
    expect(scaleCount(50, 0.29)).toBe(15);
    // 1e-7 × 5,000,000 = 0.5 → 1 (the factor written with an exponent).
    expect(scaleCount(5_000_000, 1e-7)).toBe(1);
    // 123,456,789 × 0.123456789012345 = 15,241,578.7517145950… → 15,241,579: the digits' product is past 2^53, so in decimals.
    expect(scaleCount(123_456_789, 0.123456789012345)).toBe(15_241_579);
  });
});
