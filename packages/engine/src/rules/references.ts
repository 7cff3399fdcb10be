import type { Diagnostic } from '../diagnostics/index.ts';
import { isCalendarDate, isMonth } from './dates.ts';
import { problemAt } from './problem.ts';
import type { LoadedDocument, RuleSet } from './ruleset.ts';
import type { PathSegment } from './source.ts';
import { calendar, lastValidOf } from '../ledger/calendar.ts';
import type { Grant, Pack, PlanCatalog, Purchases, Scenario } from './types.ts';

/** Every pack of a catalog, whatever its list. */
export function catalogPacks(catalog: PlanCatalog): Pack[] {
  return [...(catalog.top_ups ?? []), ...(catalog.api_packages ?? []), ...(catalog.custom_packages ?? [])];
}

/** The first day of a scenario's start period, the date rule versions are resolved on. */
export function startDate(s: Scenario): string {
  return s.start.length === 7 ? `${s.start}-01` : s.start;
}

/** Checks that a scenario and its variants name things that exist, and that its periods are real. */
export function checkScenarioReferences(rules: RuleSet, loaded: LoadedDocument<Scenario>): Diagnostic[] {
  const s = loaded.doc;
  const out: Diagnostic[] = [];
  const at = (path: PathSegment[], detail: string, code: 'C_UNKNOWN_REFERENCE' | 'C_PERIOD' | 'C_PURCHASE' = 'C_UNKNOWN_REFERENCE') =>
    out.push(problemAt(loaded.source, code, detail, path));
  const granularity = s.granularity ?? 'month';
  const isPeriod = (p: string) => (granularity === 'month' ? isMonth(p) : isCalendarDate(p));
  const period = (path: PathSegment[], p: string) => {
    const ok = isPeriod(p);
    if (!ok) at(path, `'${p}' is not a ${granularity === 'month' ? 'month YYYY-MM' : 'date YYYY-MM-DD'}`, 'C_PERIOD');
  };
  period(['start'], s.start);
  s.demand.forEach((line, i) => {
    if (line.profile?.type === 'burst') line.profile.bursts.forEach((b, j) => period(['demand', i, 'profile', 'bursts', j, 'start'], b.start));
  });
  const on = startDate(s);

  const checkPlan = (plan: { catalog?: string; subscription?: string | null }, base: PathSegment[]): PlanCatalog | undefined => {
    const catalogId = plan.catalog ?? s.plan.catalog;
    const pin = (s.rules.pins ?? {})[catalogId];
    const catalog = rules.resolve('PlanCatalog', catalogId, on, pin)?.doc;
    if (!catalog) {
      at([...base, 'catalog'], `PlanCatalog '${catalogId}' (none in force on ${on})`);
      return undefined;
    }
    const tier = plan.subscription === undefined ? s.plan.subscription : plan.subscription;
    if (typeof tier === 'string' && !(catalog.subscriptions ?? []).some((t) => t.id === tier)) {
      at([...base, 'subscription'], `subscription '${tier}' is not in ${catalogId} (has ${(catalog.subscriptions ?? []).map((t) => t.id).join(', ')})`);
    }
    return catalog;
  };
  /**
   * The packs of every version of a catalog in force during the horizon: an auto top-up may name a pack a later version
   * adds (it is offered from that version on; the ledger skips it where the version in force lacks it).
   */
  const horizonPacks = (catalog: PlanCatalog): Set<string> => {
    const ids = new Set(catalogPacks(catalog).map((x) => x.id));
    if (!isPeriod(s.start) || !Number.isInteger(s.horizon) || s.horizon < 1 || s.horizon > 3660) return ids;
    const pin = (s.rules.pins ?? {})[catalog.id];
    const h = calendar(s.start, s.horizon, granularity);
    let last: PlanCatalog | undefined = catalog;
    for (let i = 0; i < h.horizon; i++) {
      const doc = rules.resolve('PlanCatalog', catalog.id, h.date(i), pin)?.doc;
      if (!doc || doc === last) continue;
      last = doc;
      for (const x of catalogPacks(doc)) ids.add(x.id);
    }
    return ids;
  };

  const checkPurchases = (p: Purchases | undefined, catalog: PlanCatalog | undefined, base: PathSegment[]) => {
    if (!p || !catalog) return;
    const packs = new Set(catalogPacks(catalog).map((x) => x.id));
    const known = (id: string, path: PathSegment[]) => {
      if (!packs.has(id)) at(path, `pack '${id}' is not in ${catalog.id} (has ${[...packs].join(', ')})`);
    };
    let later: Set<string> | undefined;
    const offered = (id: string, path: PathSegment[]) => {
      later ??= horizonPacks(catalog);
      if (!later.has(id)) at(path, `pack '${id}' is not in ${catalog.id} in force during the horizon (has ${[...later].join(', ')})`);
    };
    if (p.pack) offered(p.pack, [...base, 'pack']);
    for (const [pool, id] of Object.entries(p.packs ?? {})) offered(id, [...base, 'packs', pool]);
    (p.scheduled ?? []).forEach((x, i) => {
      known(x.pack, [...base, 'scheduled', i, 'pack']);
      period([...base, 'scheduled', i, 'period'], x.period);
    });
    (p.pack_options ?? []).forEach((id, i) => offered(id, [...base, 'pack_options', i]));
    if (p.policy === 'auto' && !p.pack && !p.packs && !p.pack_options) at(base, 'auto purchases need a pack');
    if (p.threshold !== undefined && p.target !== undefined && p.target < p.threshold) {
      at([...base, 'target'], `target ${p.target} is below the threshold ${p.threshold}`, 'C_PURCHASE');
    }
  };
  const cal = isPeriod(s.start) ? calendar(s.start, 1, granularity) : undefined;
  const checkGrants = (grants: readonly Grant[], base: PathSegment[]) =>
    grants.forEach((g, i) => {
      period([...base, i, 'period'], g.period);
      if (g.expires_at !== undefined && !isCalendarDate(g.expires_at)) at([...base, i, 'expires_at'], `'${g.expires_at}' is not a date YYYY-MM-DD`, 'C_PERIOD');
      else if (g.last_valid !== undefined && !(isMonth(g.last_valid) || (granularity === 'day' && isCalendarDate(g.last_valid)))) {
        at([...base, i, 'last_valid'], `'${g.last_valid}' is not a ${granularity === 'month' ? 'month YYYY-MM' : 'date or month'}`, 'C_PERIOD');
      } else if (cal && isPeriod(g.period)) {
        const end = lastValidOf(cal, g);
        if (end !== undefined && end < cal.index(g.period)) {
          const field = g.expires_at !== undefined ? 'expires_at' : 'last_valid';
          at([...base, i, field], `the grant of ${g.period} would end before it is granted (${field} ${g[field]})`, 'C_PERIOD');
        }
      }
    });

  const checkRules = (r: Partial<Scenario['rules']>, base: PathSegment[]) => {
    if (r.validity && rules.versions('ValidityPolicy', r.validity).length === 0) at([...base, 'validity'], `ValidityPolicy '${r.validity}'`);
    for (const [pool, id] of Object.entries(r.cards ?? {})) {
      const versions = rules.versions('RateCard', id);
      if (versions.length === 0) at([...base, 'cards', pool], `RateCard '${id}'`);
      else if (versions.some((v) => v.doc.pool !== pool)) at([...base, 'cards', pool], `RateCard '${id}' prices pool '${versions[0]?.doc.pool}', not '${pool}'`);
    }
    for (const [id, pin] of Object.entries(r.pins ?? {})) {
      if (pin === 'effective') continue;
      const found = rules.documents.some((d) => d.doc.id === id && d.doc.version === pin);
      if (!found) at([...base, 'pins', id], `version ${pin} of '${id}'`);
    }
  };

  const catalog = checkPlan(s.plan, ['plan']);
  checkRules(s.rules, ['rules']);
  checkPurchases(s.purchases, catalog, ['purchases']);
  const pools = new Set(Object.keys(s.rules.cards));
  s.demand.forEach((line, i) => {
    if (line.pool && !pools.has(line.pool)) at(['demand', i, 'pool'], `pool '${line.pool}' has no card in rules.cards`);
  });
  checkGrants(s.grants ?? [], ['grants']);
  const names = new Set<string>();
  (s.variants ?? []).forEach((v, i) => {
    const base: PathSegment[] = ['variants', i];
    if (names.has(v.name)) out.push(problemAt(loaded.source, 'R_DUPLICATE_ID', `variant '${v.name}'`, [...base, 'name']));
    names.add(v.name);
    const vcat = v.plan ? checkPlan(v.plan, [...base, 'plan']) : catalog;
    if (v.rules) checkRules(v.rules, [...base, 'rules']);
    checkPurchases(v.purchases ?? s.purchases, vcat, v.purchases ? [...base, 'purchases'] : ['purchases']);
    (v.migrate ?? []).forEach((m, j) => {
      if (m.from_period) period([...base, 'migrate', j, 'from_period'], m.from_period);
    });
    checkGrants(v.grants ?? [], [...base, 'grants']);
  });
  return out;
}
