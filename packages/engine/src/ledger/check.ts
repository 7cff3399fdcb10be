import { CreditbookError, diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { problemAt } from '../rules/problem.ts';
import type { LoadedDocument, RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { PricingCache } from './cache.ts';
import { forecast, MAX_FORECAST_CELLS } from './forecast.ts';
import { runNames } from './variant.ts';

/** The most period × demand-line cells validation forecasts for one scenario, all its runs together. */
export const MAX_VALIDATION_CELLS = 5_000_000;

/**
 * Forecasts every scenario and variant once (or only the runs named) and reports what cannot run:
 * demand a card cannot price, purchases that are not possible, documented defaults applied (as
 * warnings). Each problem is positioned in the scenario and names its run.
 */
export async function checkScenarioRuns(rules: RuleSet, only?: (d: LoadedDocument<Scenario>) => boolean, runs?: readonly string[]): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const cache = new PricingCache(rules);
  for (const id of rules.ids('Scenario')) {
    for (const loaded of rules.versions('Scenario', id)) {
      if (only && !only(loaded)) continue;
      const s = loaded.doc;
      const names = runs ? runNames(s).filter((n) => runs.includes(n)) : runNames(s);
      // Validation forecasts every run: a scenario too large for that is one problem, at its horizon.
      const cells = s.horizon * Math.max(1, s.demand.length) * names.length;
      if (cells > MAX_VALIDATION_CELLS || s.horizon * Math.max(1, s.demand.length) > MAX_FORECAST_CELLS) {
        out.push(
          problemAt(
            loaded.source,
            'C_TOO_LARGE',
            `${s.horizon} periods × ${s.demand.length} demand lines × ${names.length} runs = ${cells} cells to forecast (limit ${MAX_VALIDATION_CELLS})`,
            ['horizon'],
          ),
        );
        continue;
      }
      const seen = new Set<string>();
      for (const name of names) {
        try {
          const r = await forecast(rules, s, { variant: name, cache });
          for (const p of r.problems) {
            // The same problem in several runs (a base line no card prices) is reported once, in the first.
            const key = `${p.code}|${p.path}|${p.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const where = name === 'base' ? '' : ` [variant ${name}]`;
            const period = p.period === undefined ? '' : ` from ${p.period}`;
            out.push({ ...p, message: `${p.message}${period}${where}` });
          }
        } catch (e) {
          const first = e instanceof CreditbookError ? e.diagnostics[0] : undefined;
          const detail = first ? `${first.message} [variant ${name}]` : String(e);
          out.push(
            first
              ? { ...problemAt(loaded.source, first.code, detail, []), run: name }
              : diagnostic({ code: 'C_DEMAND', detail, file: loaded.source.file, run: name }),
          );
        }
      }
    }
  }
  return out;
}
