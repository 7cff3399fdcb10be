import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import type { DemandLine, Grant, Migration, Purchases, Scenario, ScenarioPlan, ScenarioRules, Variant } from '../rules/types.ts';

/** A scenario with one variant applied: what a forecast actually runs. */
export interface EffectiveScenario {
  readonly scenario: Scenario;
  readonly variant: string | null;
  readonly plan: ScenarioPlan;
  readonly rules: ScenarioRules;
  readonly purchases: Purchases;
  readonly grants: readonly Grant[];
  readonly demand: readonly DemandLine[];
  readonly demandScale: number;
  readonly migrations: readonly Migration[];
}

/** Applies a named variant (or none) to a scenario; `known` is the variant itself when the caller has found it. Unknown names are API misuse and throw. */
export function applyVariant(scenario: Scenario, name?: string | null, known?: Variant): EffectiveScenario {
  const base: EffectiveScenario = {
    scenario,
    variant: null,
    plan: scenario.plan,
    rules: scenario.rules,
    purchases: scenario.purchases ?? { policy: 'none' },
    grants: scenario.grants ?? [],
    demand: scenario.demand,
    demandScale: 1,
    migrations: [],
  };
  if (name === undefined || name === null || name === '' || name === 'base') return base;
  const v = known ?? (scenario.variants ?? []).find((x) => x.name === name);
  if (!v) {
    const known = ['base', ...(scenario.variants ?? []).map((x) => x.name)].join(', ');
    throw new CreditbookError([diagnostic({ code: 'C_VARIANT', detail: `'${name}' in ${scenario.id} (has ${known})` })]);
  }
  const plan: ScenarioPlan = { ...scenario.plan };
  if (v.plan) {
    for (const [k, val] of Object.entries(v.plan)) {
      if (k === 'subscription' && val === null) delete plan.subscription;
      else (plan as unknown as Record<string, unknown>)[k] = val;
    }
  }
  const rules: ScenarioRules = {
    ...scenario.rules,
    ...(v.rules?.validity ? { validity: v.rules.validity } : {}),
    cards: { ...scenario.rules.cards, ...(v.rules?.cards ?? {}) },
    pins: { ...(scenario.rules.pins ?? {}), ...(v.rules?.pins ?? {}) },
  };
  return {
    ...base,
    variant: v.name,
    plan,
    rules,
    purchases: v.purchases ?? base.purchases,
    grants: v.grants ?? base.grants,
    demandScale: v.demand_scale ?? 1,
    migrations: v.migrate ?? [],
  };
}

/** Names of a scenario's runs: base first, then every variant. */
export function runNames(scenario: Scenario): string[] {
  return ['base', ...(scenario.variants ?? []).map((v) => v.name)];
}
