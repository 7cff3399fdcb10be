import type { RuleSet } from '../rules/ruleset.ts';
import type { Portfolio } from '../rules/types.ts';
import { D } from '../ledger/money.ts';
import { PricingCache } from '../ledger/cache.ts';
import { portfolioModel } from './model.ts';
import type { PortfolioResult } from './result.ts';
import { runPortfolio, type RunOptions } from './runner.ts';

/** The JSON of `creditbook compare <portfolio.yaml> --json`: the base and each variant, with each variant's totals minus the base's. */
export interface PortfolioComparison {
  portfolio: string;
  currency: string;
  runs: { name: string; result: PortfolioResult; delta: unknown }[];
}

/** b − a, figure by figure (money as two-place strings; with bands, each of P10, P50 and P90 on its own). */
export function deltaOf(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return b - a;
  if (typeof a === 'string' && typeof b === 'string') return new D(b).minus(a).toFixed(2);
  if (a && b && typeof a === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(a)) out[k] = deltaOf((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
    return out;
  }
  return null;
}

/** Runs the base and each variant named (all of the portfolio's when `variants` is undefined), with the same seed and runs. */
export async function comparePortfolio(
  rules: RuleSet,
  p: Portfolio,
  variants: readonly string[] | undefined,
  options: RunOptions = {},
): Promise<PortfolioComparison> {
  const names = variants ?? (p.variants ?? []).map((v) => v.name);
  const cache = new PricingCache(rules);
  const base = await runPortfolio(await portfolioModel(rules, p, [], cache), options);
  const runs: PortfolioComparison['runs'] = [{ name: 'base', result: base, delta: null }];
  for (const name of names) {
    const result = await runPortfolio(await portfolioModel(rules, p, [name], cache), options);
    runs.push({ name, result, delta: deltaOf(base.totals, result.totals) });
  }
  return { portfolio: p.id, currency: p.currency, runs };
}
