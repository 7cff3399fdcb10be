import type { Diagnostic } from '../diagnostics/index.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario, Variant } from '../rules/types.ts';
import { PricingCache } from './cache.ts';
import { calendar } from './calendar.ts';
import type { CompiledPlan } from './compile.ts';
import type { LotTable, OnDraw } from './draw.ts';
import { planOf, planOfPrepared, runContext, supplyKey } from './derive.ts';
import type { LedgerPlan } from './plan.ts';
import { runProblem } from './problems.ts';
import { report } from './report.ts';
import { prepareRun } from './prepare.ts';
import { SupplyRunner, simulate } from './simulate.ts';
import { Tally } from './totals.ts';
import type { ForecastResult, Totals } from './types.ts';
import { applyVariant, type EffectiveScenario } from './variant.ts';

/** The most period × demand-line cells one forecast computes; beyond it a forecast is refused. */
export const MAX_FORECAST_CELLS = 1_000_000;

/** C_TOO_LARGE when a run's forecast would take minutes and gigabytes (the schema allows 3,660 periods × 1,000 lines). */
export function forecastSizeProblem(rules: RuleSet, eff: EffectiveScenario): Diagnostic | undefined {
  const s = eff.scenario;
  const cells = s.horizon * Math.max(1, s.demand.length);
  if (cells <= MAX_FORECAST_CELLS) return undefined;
  const k = eff.variant === null ? -1 : (s.variants ?? []).findIndex((v) => v.name === eff.variant);
  const ctx = { rules, scenario: s, run: eff.variant ?? 'base', variantIndex: k < 0 ? undefined : k };
  return runProblem(ctx, 'C_TOO_LARGE', `${s.id}: ${s.horizon} periods × ${s.demand.length} demand lines = ${cells} cells (limit ${MAX_FORECAST_CELLS})`, [
    'horizon',
  ]);
}

/** A result with no ledger, only the problem that stopped it. */
function refused(eff: EffectiveScenario, problem: Diagnostic): ForecastResult {
  const s = eff.scenario;
  const cal = calendar(s.start, 1, s.granularity ?? 'month');
  const totals = new Tally().totals() as Totals & { by_pool: Record<string, Totals> };
  totals.by_pool = {};
  return {
    scenario: s.id,
    scenario_version: s.version,
    variant: eff.variant,
    currency: s.currency ?? '',
    granularity: cal.granularity,
    periods: [],
    lots: [],
    demand: [],
    totals,
    versions: [],
    plan: { catalog: eff.plan.catalog, subscription: eff.plan.subscription ?? null, billing: eff.plan.billing ?? 'monthly' },
    problems: [problem],
  };
}

/** How a forecast runs beside its scenario and variant. */
export interface ForecastOptions {
  variant?: string | null;
  /** Pricing and plans shared between runs of one rule set. */
  cache?: PricingCache;
  /** `false`: no lots in the result (a comparison shows none); the rows and totals are the same. */
  lots?: boolean;
  /** Watches the run's draws (see `simulate`); not called for a run refused as too large. */
  watch?: (plan: LedgerPlan, cp: CompiledPlan, t: LotTable) => OnDraw;
}

/**
 * Forecasts a scenario (or one of its variants): the credit ledger per pool and period, with its
 * lots. Problems (demand no card prices, a purchase not possible, a scenario too large) are
 * returned in the result. Pass a `cache` to share pricing between runs of one rule set.
 */
export async function forecast(rules: RuleSet, scenario: Scenario, options: ForecastOptions = {}): Promise<ForecastResult> {
  const eff = applyVariant(scenario, options.variant);
  const tooLarge = forecastSizeProblem(rules, eff);
  if (tooLarge) return refused(eff, tooLarge);
  const plan = await planOf(rules, eff, options.cache ?? new PricingCache(rules), true);
  const { watch } = options;
  return report(plan, simulate(plan, { lots: options.lots !== false, ...(watch ? { watch: (cp, t) => watch(plan, cp, t) } : {}) }));
}

/** The totals of one run of a sweep. */
export interface SweepRun {
  name: string;
  totals: Totals;
  problems: number;
}

/**
 * The last sweep's last runner, referenced until the next sweep: while an object of each of its
 * shapes (plan, compiled plan, lot table, tallies) lives, V8 keeps their maps and with them the
 * ledger's optimized code. Otherwise a full collection between two sweeps (another workload's
 * garbage) frees the maps, and the next sweep runs the ledger unoptimized until it is compiled again.
 */
const warm: { runner?: SupplyRunner } = {};

/**
 * Forecasts many variants of one scenario for their totals only: the same plan and simulation as
 * `forecast`, without per-period rows, lots and demand lines. Pricing is shared across the runs;
 * variants that change only demand (a demand scale, migrations) share their supply: its key is
 * computed once per distinct supply, and its plan compiled, lot table and accumulator made once
 * (`SupplyRunner`), so each such variant prices its demand and runs the ledger.
 */
export async function sweep(rules: RuleSet, scenario: Scenario, variants: readonly string[], cache = new PricingCache(rules)): Promise<SweepRun[]> {
  const out: SweepRun[] = [];
  const byName = new Map((scenario.variants ?? []).map((v, k) => [v.name, { v, k }] as const));
  /** Supply keys by what a variant changes beside its demand (the same changes: the same supply). */
  const keys = new Map<string, string>();
  const runners = new Map<LedgerPlan['lots'], SupplyRunner>();
  let runner: SupplyRunner | undefined;
  for (const name of variants) {
    const known = byName.get(name);
    const eff = known ? applyVariant(scenario, name, known.v) : applyVariant(scenario, name);
    const tooLarge = forecastSizeProblem(rules, eff);
    if (tooLarge) {
      out.push({ name, totals: refused(eff, tooLarge).totals, problems: 1 });
      continue;
    }
    const ctx = runContext(rules, eff, eff.variant === null ? undefined : known?.k);
    // Once its prices are known, a run is prepared at once: no wait per run.
    const ready = prepareRun(cache, eff, ctx, false);
    const prepared = ready instanceof Promise ? await ready : ready;
    const own = eff.variant === null ? '' : supplyChanges(known!.v);
    let key = keys.get(own);
    if (key === undefined) keys.set(own, (key = supplyKey(prepared)));
    const plan = planOfPrepared(prepared, ctx, cache, key);
    runner = runners.get(plan.lots);
    if (!runner?.runs(plan)) runners.set(plan.lots, (runner = new SupplyRunner(plan)));
    const sim = runner.run(plan);
    out.push({ name, totals: sim.totals, problems: plan.problems.length + sim.problems.length });
  }
  if (runner) warm.runner = runner;
  return out;
}

/** What a variant changes beside its demand, as text (variants of one scenario with the same text have the same supply). */
function supplyChanges(v: Variant): string {
  const { name: _name, description: _description, demand_scale: _scale, migrate: _migrate, ...supply } = v;
  return JSON.stringify(supply);
}
