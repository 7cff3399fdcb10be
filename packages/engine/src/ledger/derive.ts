import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { PricingCache } from './cache.ts';
import { planLots } from './lots.ts';
import type { LedgerPlan } from './plan.ts';
import type { ProblemContext } from './problems.ts';
import { prepareRun, type PreparedRun } from './prepare.ts';
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
  const ctx = runContext(rules, eff);
  const prepared = await prepareRun(cache, eff, ctx, detail);
  return planOfPrepared(prepared, ctx, cache, supplyKey(prepared));
}

/** Where a run's problems point; `variantIndex`: the variant's index in the scenario, when the caller knows it. */
export function runContext(rules: RuleSet, eff: EffectiveScenario, variantIndex?: number): ProblemContext {
  const k = eff.variant === null ? -1 : (variantIndex ?? (eff.scenario.variants ?? []).findIndex((v) => v.name === eff.variant));
  return { rules, scenario: eff.scenario, run: eff.variant ?? 'base', variantIndex: k < 0 ? undefined : k };
}

/** The plan of a prepared run whose supply key (`supplyKey`) is `key`: a plan of the same supply derived before shares its lots. */
export function planOfPrepared(prepared: PreparedRun, ctx: ProblemContext, cache: PricingCache, key: string): LedgerPlan {
  // Runs that differ only in demand (a demand scale, a migration) have the same lots: derived once.
  const known = cache.supply(key);
  if (known) {
    const { eff, demand, seconds, demandRows, uses } = prepared;
    return { ...known, run: ctx.run, eff, demand, seconds, demandRows, problems: [...prepared.problems], uses, context: ctx };
  }
  const plan = planLots(prepared, ctx);
  // A plan whose lots raised problems is not shared: they are positioned in its own run.
  if (plan.problems.length === prepared.problems.length) cache.keepSupply(key, plan);
  return plan;
}

/**
 * Everything `planLots` reads of a prepared run beside its demand: the calendar, the plan, rules
 * (catalog, policy and pins, so the versions in force), the card pools, purchases and grants, and
 * the demand's pools.
 */
export function supplyKey(p: PreparedRun): string {
  const { cal } = p;
  // Every field of the effective scenario but its demand (a field added later is in the key too).
  const { scenario, variant: _variant, demand: _demand, demandScale: _scale, migrations: _migrations, ...supply } = p.eff;
  // The cards only price demand; their pools are the run's first pools. No pins is the same as none pinned.
  const rules = { ...supply.rules, cards: undefined, pins: supply.rules.pins ?? {} };
  return JSON.stringify([scenario.id, scenario.version, cal.granularity, cal.date(0), cal.horizon, { ...supply, rules }, p.cardPools, [...p.demand.keys()]]);
}
