import type { Diagnostic } from '../diagnostics/index.ts';
import { quote } from '../quote/index.ts';
import { problemAt } from '../rules/problem.ts';
import type { LoadedDocument, RuleSet } from '../rules/ruleset.ts';
import type { PathSegment } from '../rules/source.ts';
import type { Kind, PlanCatalog, PlatformMap, RateCard, RuleDocument } from '../rules/types.ts';

/** The version of a document a map's checks use: the one in force on the map's date, else the first published. */
function versionFor<T extends RuleDocument>(rules: RuleSet, kind: Kind, id: string, on: string): T | undefined {
  const inForce = rules.inForce(kind, id, on)?.doc;
  if (inForce) return inForce as T;
  return rules.versions(kind, id).find((v) => v.doc.status === 'published')?.doc as T | undefined;
}

/**
 * Checks a PlatformMap against the store: its platforms' catalogs, policies, cards, tiers and top-up
 * packs exist; every output says, for every platform but the reference, either a request the
 * platform's card prices or why the platform cannot serve it. Each problem is positioned.
 */
export async function checkPlatformMap(rules: RuleSet, loaded: LoadedDocument<PlatformMap>): Promise<Diagnostic[]> {
  const m = loaded.doc;
  const out: Diagnostic[] = [];
  const at = (code: 'R_UNKNOWN_REFERENCE' | 'R_DUPLICATE_ID' | 'R_PLATFORM_OUTPUT', detail: string, path: PathSegment[], key?: string) =>
    out.push(problemAt(loaded.source, code, detail, path, key));
  const on = m.effective_from;
  const ids = new Set<string>();
  m.platforms.forEach((p, i) => {
    if (ids.has(p.id)) at('R_DUPLICATE_ID', `platform '${p.id}'`, ['platforms', i, 'id']);
    ids.add(p.id);
    const catalog = versionFor<PlanCatalog>(rules, 'PlanCatalog', p.catalog, on);
    if (!catalog) at('R_UNKNOWN_REFERENCE', `PlanCatalog '${p.catalog}'`, ['platforms', i, 'catalog']);
    if (!versionFor(rules, 'ValidityPolicy', p.validity, on)) at('R_UNKNOWN_REFERENCE', `ValidityPolicy '${p.validity}'`, ['platforms', i, 'validity']);
    if (!versionFor(rules, 'RateCard', p.card, on)) at('R_UNKNOWN_REFERENCE', `RateCard '${p.card}'`, ['platforms', i, 'card']);
    if (catalog) {
      const tiers = (catalog.subscriptions ?? []).map((t) => t.id);
      (p.tiers ?? []).forEach((t, j) => {
        if (!tiers.includes(t))
          at('R_UNKNOWN_REFERENCE', `subscription '${t}' is not in ${catalog.id} (has ${tiers.join(', ') || 'none'})`, ['platforms', i, 'tiers', j]);
      });
      const packs = (catalog.top_ups ?? []).map((x) => x.id);
      if (p.top_up !== undefined && !packs.includes(p.top_up))
        at('R_UNKNOWN_REFERENCE', `top-up '${p.top_up}' is not in ${catalog.id} (has ${packs.join(', ') || 'none'})`, ['platforms', i, 'top_up']);
    }
  });
  if (!ids.has(m.reference))
    at('R_UNKNOWN_REFERENCE', `reference platform '${m.reference}' is not one of the platforms (${[...ids].join(', ')})`, ['reference']);

  const outputs = new Set<string>();
  for (const [i, o] of m.outputs.entries()) {
    if (outputs.has(o.id)) at('R_DUPLICATE_ID', `output '${o.id}'`, ['outputs', i, 'id']);
    outputs.add(o.id);
    for (const key of Object.keys(o.on)) {
      if (key === m.reference) at('R_PLATFORM_OUTPUT', `'${key}' is the reference platform: it serves the demand as written`, ['outputs', i, 'on'], key);
      else if (!ids.has(key)) at('R_UNKNOWN_REFERENCE', `platform '${key}' (the map has ${[...ids].join(', ')})`, ['outputs', i, 'on'], key);
    }
    for (const p of m.platforms) {
      if (p.id === m.reference) continue;
      const serving = o.on[p.id];
      if (!serving) {
        at('R_PLATFORM_OUTPUT', `output '${o.id}' says nothing about '${p.id}': give a request or say why it is unavailable`, ['outputs', i, 'on']);
        continue;
      }
      if ('unavailable' in serving) continue;
      const card = versionFor<RateCard>(rules, 'RateCard', p.card, on);
      if (!card) continue;
      const priced = await quote(rules, { card: card.id, version: card.version, request: serving.request, on });
      if (!priced.ok) at('R_PLATFORM_OUTPUT', `${p.id}: ${priced.error.message}`, ['outputs', i, 'on', p.id, 'request']);
    }
  }
  return out;
}
