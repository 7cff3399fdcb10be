import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { PricingCache } from './cache.ts';
import { planLots } from './lots.ts';
import type { LedgerPlan } from './plan.ts';
import { prepareRun } from './prepare.ts';
import { applyVariant, type EffectiveScenario } from './variant.ts';

/** Derives the ledger plan of a scenario's run (base, or a variant by name). */
export async function ledgerPlan(
  rules: RuleSet,
  scenario: Scenario,
  options: { variant?: string | null; cache?: PricingCache; detail?: boolean } = {},
): Promise<LedgerPlan> {
  const eff = applyVariant(scenario, options.variant);
  return planOf(rules, eff, options.cache ?? new PricingCache(rules), options.detail ?? true);
}

/** The plan of an effective scenario. */
export async function planOf(rules: RuleSet, eff: EffectiveScenario, cache: PricingCache, detail: boolean): Promise<LedgerPlan> {
  const run = eff.variant ?? 'base';
  const k = eff.variant === null ? -1 : (eff.scenario.variants ?? []).findIndex((v) => v.name === eff.variant);
  const ctx = { rules, scenario: eff.scenario, run, variantIndex: k < 0 ? undefined : k };
  const prepared = await prepareRun(cache, eff, ctx, detail);
  return planLots(prepared, ctx);
}
