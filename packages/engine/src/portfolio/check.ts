import type { Diagnostic } from '../diagnostics/index.ts';
import { isMonth } from '../rules/dates.ts';
import { problemAt } from '../rules/problem.ts';
import type { LoadedDocument, RuleSet } from '../rules/ruleset.ts';
import type { PathSegment } from '../rules/source.ts';
import type { Portfolio } from '../rules/types.ts';

/** Checks that a portfolio names scenarios, variants and rules that exist, and that its cohorts say one thing each. */
export function checkPortfolioReferences(rules: RuleSet, loaded: LoadedDocument<Portfolio>): Diagnostic[] {
  const p = loaded.doc;
  const out: Diagnostic[] = [];
  const at = (path: PathSegment[], detail: string, code: Diagnostic['code'] = 'C_UNKNOWN_REFERENCE') => out.push(problemAt(loaded.source, code, detail, path));
  if (!isMonth(p.start)) at(['start'], `'${p.start}' is not a month YYYY-MM`, 'C_PERIOD');
  const ids = new Set<string>();
  p.cohorts.forEach((c, i) => {
    if (ids.has(c.id)) at(['cohorts', i, 'id'], `cohort '${c.id}'`, 'R_DUPLICATE_ID');
    ids.add(c.id);
    const versions = rules.versions('Scenario', c.scenario);
    if (versions.length === 0) at(['cohorts', i, 'scenario'], `Scenario '${c.scenario}'`);
    else if (c.variant !== undefined && !versions.some((v) => (v.doc.variants ?? []).some((x) => x.name === c.variant))) {
      at(['cohorts', i, 'variant'], `variant '${c.variant}' of Scenario '${c.scenario}'`, 'C_VARIANT');
    }
    if (c.churn !== undefined && c.retention !== undefined)
      at(['cohorts', i, 'retention'], `cohort '${c.id}' has both a churn rate and a retention curve; give one`, 'C_PORTFOLIO');
    (c.retention ?? []).forEach((r, a) => {
      const before = a === 0 ? 1 : c.retention![a - 1]!;
      if (r > before) at(['cohorts', i, 'retention', a], `retention rises from ${before} to ${r}: a curve of customers still active only falls`, 'C_PORTFOLIO');
    });
    if (Array.isArray(c.joins) && c.joins.length > p.horizon)
      at(['cohorts', i, 'joins'], `${c.joins.length} periods of joins, horizon ${p.horizon}`, 'C_PORTFOLIO');
  });
  const names = new Set<string>();
  (p.variants ?? []).forEach((v, i) => {
    if (names.has(v.name)) at(['variants', i, 'name'], `variant '${v.name}'`, 'R_DUPLICATE_ID');
    names.add(v.name);
    if (v.rules?.validity && rules.versions('ValidityPolicy', v.rules.validity).length === 0)
      at(['variants', i, 'rules', 'validity'], `ValidityPolicy '${v.rules.validity}'`);
    for (const [pool, id] of Object.entries(v.rules?.cards ?? {}))
      if (rules.versions('RateCard', id).length === 0) at(['variants', i, 'rules', 'cards', pool], `RateCard '${id}'`);
    if (v.plan?.catalog && rules.versions('PlanCatalog', v.plan.catalog).length === 0)
      at(['variants', i, 'plan', 'catalog'], `PlanCatalog '${v.plan.catalog}'`);
    (v.migrate ?? []).forEach((m, j) => {
      if (m.from_period && !isMonth(m.from_period)) at(['variants', i, 'migrate', j, 'from_period'], `'${m.from_period}' is not a month YYYY-MM`, 'C_PERIOD');
    });
  });
  return out;
}
