import { priceGrid } from '../edit/diff.ts';
import { compiledCard } from '../quote/card.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { DimensionValue, RateCard } from '../rules/types.ts';
import type { VersionUse } from '../ledger/types.ts';
import { f } from './formula.ts';
import type { Cell, Column, Formula, Sheet } from './types.ts';

/** The Rate card sheet, and where each priced request's credits are in it. */
export interface RateSheet {
  sheet: Sheet;
  /** The price grid cell of a request on a card version, or undefined when the grid has none. */
  cellFor(card: string, version: number, request: Readonly<Record<string, DimensionValue>>): Formula | undefined;
}

const val = (v: Cell['v'], fmt?: Cell['fmt']): Cell => (fmt ? { v, fmt } : { v });

function describe(request: Readonly<Record<string, DimensionValue>>): string {
  return Object.entries(request)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

function sortKeys(r: Readonly<Record<string, DimensionValue>>): Record<string, DimensionValue> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A card priced by a single `$cell($table, dim, …)` lookup: the part of JSONata that goes to Excel as a reference. */
function cellLookup(card: RateCard): { table: string; keys: string[] } | undefined {
  const m = /^\s*\$cell\(\s*\$([a-z][a-z0-9_]*)\s*((?:,\s*[a-z][a-z0-9_]*\s*)+)\)\s*$/.exec(card.credits);
  if (!m) return undefined;
  const keys = m[2]!
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (!keys.every((k) => k in card.dimensions)) return undefined;
  return { table: m[1]!, keys };
}

/**
 * Per card version used: its parameter cells as inputs (when the formula is a table lookup) and its
 * price grid, each price a formula of its parameter cell (or, for formulas that do not translate to
 * Excel, the evaluated value with a note).
 */
export async function rateCardSheet(rules: RuleSet, uses: readonly VersionUse[], name: string): Promise<RateSheet> {
  const used = new Map<string, RateCard>();
  for (const v of uses) {
    if (v.kind !== 'RateCard') continue;
    const doc = rules.get('RateCard', v.id, v.version)?.doc;
    if (doc) used.set(`${v.id}@${v.version}`, doc);
  }
  const cols: Column[] = [
    { key: 'card', title: 'Card', fmt: 'text', width: 20 },
    { key: 'version', title: 'Version', fmt: 'integer', width: 9 },
    { key: 'effective', title: 'Effective from', fmt: 'date', width: 14 },
    { key: 'what', title: 'Parameter or request', fmt: 'text', width: 60 },
    { key: 'value', title: 'Credits', fmt: 'credits', width: 12 },
  ];
  const rows: Cell[][] = [cols.map((c) => val(c.title, 'text'))];
  const grid = new Map<string, Formula>();
  for (const card of [...used.values()].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version)) {
    const lookup = cellLookup(card);
    const leaf = new Map<string, number>();
    const head = () => [val(card.id, 'text'), val(card.version, 'integer'), val(card.effective_from, 'date')];
    rows.push([...head(), val(card.title ?? `${card.id} v${card.version}`, 'text'), val(null)]);
    if (lookup) {
      const walk = (node: unknown, path: string[]) => {
        if (typeof node === 'number') {
          leaf.set(path.join('\u0000'), rows.length);
          rows.push([...head(), val(`$${lookup.table} › ${path.slice(1).join(' › ')}`, 'text'), { v: node, fmt: 'number', input: true }]);
          return;
        }
        if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      };
      walk(card.parameters?.[lookup.table], [lookup.table]);
    }
    const prices = await priceGrid(card);
    const compiled = compiledCard(card);
    const scale = card.unit?.scale ?? 1;
    const rounding = card.rounding ?? 'ceil';
    for (const { request, credits } of prices.values()) {
      const norm = compiled.normalize(request);
      if (!norm.ok) continue;
      const r = rows.length;
      let cell: Cell = { v: credits, fmt: 'credits', note: 'Evaluated from the card’s JSONata formula, which does not translate to Excel: a value.' };
      if (lookup) {
        const at = leaf.get([lookup.table, ...lookup.keys.map((k) => String(norm.request[k]))].join('\u0000'));
        if (at !== undefined && (rounding === 'exact' || rounding === 'ceil')) {
          const scaled = scale === 1 ? f.ref(at, 4) : f.mul(f.ref(at, 4), f.num(scale));
          cell = { v: null, f: rounding === 'ceil' ? f.fn('ROUNDUP', f.fn('ROUND', scaled, f.num(9)), f.num(0)) : scaled, fmt: 'credits' };
        }
      }
      rows.push([...head(), val(describe(norm.request), 'text'), cell]);
      grid.set(`${card.id}@${card.version}|${JSON.stringify(sortKeys(norm.request))}`, f.ref(r, 4, name));
    }
  }
  return {
    sheet: { name, columns: cols, rows, frozen: 1 },
    cellFor: (card, version, request) => grid.get(`${card}@${version}|${JSON.stringify(sortKeys(request))}`),
  };
}
