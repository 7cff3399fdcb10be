import { diagnostic, CreditbookError, type Diagnostic } from '../diagnostics/index.ts';
import { problemAt } from '../rules/problem.ts';
import type { LoadedDocument, RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { forecast, MAX_FORECAST_CELLS } from './forecast.ts';

/** The most period × demand-line cells validation forecasts for one scenario, all its runs together. */
export const MAX_VALIDATION_CELLS = 5_000_000;
import { runNames } from './variant.ts';

/**
 * Forecasts every scenario and variant once and reports what cannot run: demand a card cannot
 * price, purchases that are not possible. Each problem points at the scenario line it comes from.
 */
export async function checkScenarioRuns(rules: RuleSet, only?: (d: LoadedDocument<Scenario>) => boolean): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const id of rules.ids('Scenario')) {
    for (const loaded of rules.versions('Scenario', id)) {
      if (only && !only(loaded)) continue;
      const s = loaded.doc;
      // Validation forecasts every run: a scenario too large for that is one problem, at its horizon.
      const runs = runNames(s).length;
      const cells = s.horizon * Math.max(1, s.demand.length) * runs;
      if (cells > MAX_VALIDATION_CELLS || s.horizon * Math.max(1, s.demand.length) > MAX_FORECAST_CELLS) {
        out.push(problemAt(loaded.source, 'C_TOO_LARGE', `${s.horizon} periods × ${s.demand.length} demand lines × ${runs} runs = ${cells} cells to forecast (limit ${MAX_VALIDATION_CELLS})`, ['horizon']));
        continue;
      }
      for (const name of runNames(s)) {
        try {
          const r = await forecast(rules, s, { variant: name });
          const seen = new Set<string>();
          for (const p of r.problems) {
            const key = `${p.code}|${p.line}|${p.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const base = p.line.split('>')[0] ?? p.line;
            const idx = s.demand.findIndex((d) => d.id === base);
            const variantIdx = (s.variants ?? []).findIndex((v) => v.name === name);
            const path = idx >= 0 ? ['demand', idx] : variantIdx >= 0 ? ['variants', variantIdx] : [];
            const where = name === 'base' ? '' : ` [variant ${name}]`;
            out.push(problemAt(loaded.source, p.code, `${p.line ? p.line + ' ' : ''}from ${p.period}: ${p.message}${where}`, path));
          }
        } catch (e) {
          const first = e instanceof CreditbookError ? e.diagnostics[0] : undefined;
          const detail = first ? `${first.message} [variant ${name}]` : String(e);
          out.push(first ? problemAt(loaded.source, first.code, detail, []) : diagnostic({ code: 'C_DEMAND', detail, file: loaded.source.file }));
        }
      }
    }
  }
  return out;
}

