import { compileCard, type LoadedDocument, type Parameter, type RuleSet, type Scenario } from '@creditbook/engine';

/** The scenario with one variant per demand scale, named v0, v1, … */
export function variantsOf(scenario: Scenario, scales: readonly number[]): Scenario {
  return { ...scenario, variants: scales.map((s, i) => ({ name: `v${i}`, demand_scale: s })) };
}

/**
 * The rules with one price cell changed in every version of a card: the global input change of the
 * benchmark. Only for cards priced as `$cell($table, dim1, dim2, …)` over their dimensions in order.
 */
export function withLinePrice(rules: RuleSet, cardId: string, request: Readonly<Record<string, string | number>>, credits: number): RuleSet {
  const changed: LoadedDocument[] = [];
  for (const loaded of rules.versions('RateCard', cardId)) {
    const card = loaded.doc;
    const m = /^\s*\$cell\(\$([a-z0-9_]+),\s*([a-z0-9_,\s]+)\)\s*$/.exec(card.credits);
    if (!m) throw new Error(`${cardId} v${card.version} is not priced by a single $cell lookup`);
    const table = m[1]!;
    const keys = m[2]!.split(',').map((k) => k.trim());
    const norm = compileCard(card).normalize(request);
    if (!norm.ok) continue; // a version that does not price the request is left alone
    const parameters = structuredClone<Record<string, Parameter>>(card.parameters ?? {});
    let node = parameters[table] as Record<string, Parameter> | undefined;
    for (const k of keys.slice(0, -1)) node = node?.[String(norm.request[k])] as Record<string, Parameter> | undefined;
    const last = String(norm.request[keys[keys.length - 1]!]);
    if (!node || typeof node[last] !== 'number') throw new Error(`${cardId} v${card.version} has no cell for ${JSON.stringify(request)}`);
    node[last] = credits;
    changed.push({ ...loaded, doc: { ...card, parameters } });
  }
  return rules.with(changed);
}
