import { CreditbookError, diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { compilePlan, type CompiledPlan } from '../ledger/compile.ts';
import { planOf } from '../ledger/derive.ts';
import { PricingCache } from '../ledger/cache.ts';
import { D } from '../ledger/money.ts';
import { applyVariant } from '../ledger/variant.ts';
import { monthIndex, monthLabel } from '../rules/dates.ts';
import { problemAt } from '../rules/problem.ts';
import type { LoadedDocument, RuleSet } from '../rules/ruleset.ts';
import type { Cohort, Portfolio, Spread, Variant } from '../rules/types.ts';
import { booksPlan, type BooksPlan } from './books.ts';
import { combineVariants, customerScenario } from './template.ts';

/** One cohort, ready to run: who joins when, how long they stay, how they differ, and the ledger plan of each join period. */
export interface CohortModel {
  readonly id: string;
  readonly scenario: string;
  readonly variant: string | null;
  /** Customers joining in each period of the portfolio. */
  readonly joins: readonly number[];
  /** survival[a]: the share still active a periods after joining (survival[0] = 1), for a = 0 … horizon. */
  readonly survival: Float64Array;
  readonly spread: Spread | undefined;
  /** Per join period, the compiled plan of a customer who joins then (null when nobody does). */
  readonly plans: readonly (CompiledPlan | null)[];
  /** Per join period, what the books need of that plan's lots (null when nobody joins). */
  readonly books: readonly (BooksPlan | null)[];
  /** Per join period: the portfolio pool of each of the plan's pools, and the portfolio's money units per plan unit. */
  readonly poolMap: readonly (Int32Array | null)[];
  readonly moneyScale: readonly number[];
}

/** A portfolio ready to run (plain data: it can be sent to worker threads). */
export interface PortfolioModel {
  readonly id: string;
  readonly version: number;
  /** The portfolio variants applied, in order, joined with '+' (null: none). */
  readonly variant: string | null;
  readonly currency: string;
  readonly periods: readonly string[];
  readonly pools: readonly string[];
  /** Money units per currency unit of the aggregates' spend. */
  readonly unit: number;
  readonly cohorts: readonly CohortModel[];
}

/** Customers joining per period: the list as written, or round half up(start × (1 + growth)^t) for the first `periods` periods. */
export function joinsOf(c: Cohort, horizon: number): number[] {
  const out = new Array<number>(horizon).fill(0);
  if (Array.isArray(c.joins)) {
    c.joins.forEach((n, t) => {
      if (t < horizon) out[t] = n;
    });
    return out;
  }
  const g = new D(1).plus(String(c.joins.growth ?? 0));
  const n = Math.min(horizon, c.joins.periods ?? horizon);
  for (let t = 0; t < n; t++) out[t] = new D(c.joins.start).times(g.pow(t)).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
  return out;
}

/** survival[a] for a = 0 … horizon: (1 − churn)^a, or the retention curve (flat after its last entry), or 1. */
export function survivalOf(c: Cohort, horizon: number): Float64Array {
  const s = new Float64Array(horizon + 1);
  for (let a = 0; a <= horizon; a++) {
    if (a === 0) s[a] = 1;
    else if (c.retention) s[a] = c.retention[Math.min(a, c.retention.length) - 1]!;
    else s[a] = Math.pow(1 - (c.churn ?? 0), a);
  }
  return s;
}

/** The document of a portfolio as loaded (for positions). */
function sourceOf(rules: RuleSet, p: Portfolio) {
  return rules.documents.find((d) => d.doc === p) as LoadedDocument<Portfolio> | undefined;
}

/**
 * Derives the model of a portfolio run: for every cohort and join period the template scenario as
 * that customer follows it (see `customerScenario`), with the cohort's variant and then the
 * portfolio's `variants` applied, planned and compiled once. Problems that stop a run (an unknown
 * scenario or variant, demand no card prices, another currency) throw, positioned in the portfolio.
 */
export async function portfolioModel(rules: RuleSet, p: Portfolio, variants: readonly string[] = [], cache = new PricingCache(rules)): Promise<PortfolioModel> {
  const loaded = sourceOf(rules, p);
  const errors: Diagnostic[] = [];
  const problem = (code: Diagnostic['code'], detail: string, path: (string | number)[]) => {
    if (loaded) errors.push(problemAt(loaded.source, code, detail, path));
    else errors.push(diagnostic({ code, detail, path: '/' + path.join('/') }));
  };
  const chosen: Variant[] = [];
  for (const name of variants) {
    const v = (p.variants ?? []).find((x) => x.name === name);
    if (!v)
      throw new CreditbookError([
        diagnostic({ code: 'C_VARIANT', detail: `'${name}' in ${p.id} (has ${['base', ...(p.variants ?? []).map((x) => x.name)].join(', ')})` }),
      ]);
    chosen.push(v);
  }
  const H = p.horizon;
  const start = monthIndex(p.start);
  const periods = Array.from({ length: H }, (_, i) => monthLabel(start + i));
  const pools: string[] = [];
  const cohorts: CohortModel[] = [];
  const plansOf: { plans: (CompiledPlan | null)[]; pools: (readonly string[] | null)[] }[] = [];
  for (const [ci, c] of p.cohorts.entries()) {
    const tmpl = (rules.inForce('Scenario', c.scenario, `${p.start}-01`) ?? rules.latest('Scenario', c.scenario))?.doc;
    if (!tmpl) {
      problem('C_UNKNOWN_REFERENCE', `Scenario '${c.scenario}'`, ['cohorts', ci, 'scenario']);
      continue;
    }
    if ((tmpl.granularity ?? 'month') !== 'month') {
      problem('C_PERIOD', `${tmpl.id} is a daily scenario; a portfolio runs months`, ['cohorts', ci, 'scenario']);
      continue;
    }
    const own = c.variant === undefined ? undefined : (tmpl.variants ?? []).find((v) => v.name === c.variant);
    if (c.variant !== undefined && !own) {
      problem('C_VARIANT', `'${c.variant}' in ${tmpl.id} (has ${['base', ...(tmpl.variants ?? []).map((v) => v.name)].join(', ')})`, [
        'cohorts',
        ci,
        'variant',
      ]);
      continue;
    }
    const combined = combineVariants([c.variant, ...variants].filter((x) => x !== undefined).join('+'), [...(own ? [own] : []), ...chosen]);
    const joins = joinsOf(c, H);
    const plans: (CompiledPlan | null)[] = [];
    const bookPlans: (BooksPlan | null)[] = [];
    const planPools: (readonly string[] | null)[] = [];
    for (let j = 0; j < H; j++) {
      if (joins[j] === 0) {
        plans.push(null);
        bookPlans.push(null);
        planPools.push(null);
        continue;
      }
      const s = customerScenario(tmpl, periods[j]!, H - j, combined);
      const eff = applyVariant(s, combined?.name ?? null, combined);
      const plan = await planOf(rules, eff, cache, true);
      const blocking = plan.problems.find((x) => x.severity === 'error');
      if (blocking) {
        problem(blocking.code, `cohort ${c.id} (${tmpl.id}, joining ${periods[j]}): ${blocking.message}`, ['cohorts', ci, 'scenario']);
        break;
      }
      if (plan.currency !== p.currency) {
        problem('C_CURRENCY', `cohort ${c.id}: ${tmpl.id} is priced in ${plan.currency}, the portfolio in ${p.currency}`, ['currency']);
        break;
      }
      for (const pool of plan.pools) if (!pools.includes(pool)) pools.push(pool);
      const cp = compilePlan(plan);
      plans.push(cp);
      bookPlans.push(booksPlan(rules, plan, cp));
      planPools.push(plan.pools);
    }
    plansOf.push({ plans, pools: planPools });
    cohorts.push({
      id: c.id,
      scenario: tmpl.id,
      variant: combined?.name ?? null,
      joins,
      survival: survivalOf(c, H),
      spread: c.spread,
      plans,
      books: bookPlans,
      poolMap: [],
      moneyScale: [],
    });
  }
  if (errors.length > 0) throw new CreditbookError(errors);
  const unit = Math.max(100, ...cohorts.flatMap((c) => c.plans.map((cp) => cp?.unit ?? 100)));
  const done = cohorts.map((c, k) => ({
    ...c,
    poolMap: plansOf[k]!.pools.map((ps) => (ps ? Int32Array.from(ps.map((x) => pools.indexOf(x))) : null)),
    moneyScale: c.plans.map((cp) => unit / (cp?.unit ?? unit)),
  }));
  return { id: p.id, version: p.version, variant: variants.length > 0 ? variants.join('+') : null, currency: p.currency, periods, pools, unit, cohorts: done };
}
