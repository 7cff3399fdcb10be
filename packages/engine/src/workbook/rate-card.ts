import { priceGrid } from '../edit/diff.ts';
import { compiledCard, type ParameterRead } from '../quote/card.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { DimensionValue, Parameter, RateCard } from '../rules/types.ts';
import type { VersionUse } from '../ledger/types.ts';
import { f } from './formula.ts';
import type { Cell, Column, Formula, Sheet, Validation } from './types.ts';

/** The Rate card sheet, and where each priced request's credits are in it. */
export interface RateSheet {
  sheet: Sheet;
  /** The parameter inputs, for the cover's sources (where each is in its card). */
  parameters: { label: string; value: number; fmt: 'decimal'; from: { kind: 'RateCard'; id: string; version: number; path: readonly string[] } }[];
  /** The price grid cell of a request (as a demand line writes it) on a card version, or undefined when the grid has none. */
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

type Params = Record<string, Parameter>;

/** Every number of a card's parameters, with its keys under /parameters, in document order. */
function leaves(params: Params): { path: string[]; value: number }[] {
  const out: { path: string[]; value: number }[] = [];
  const walk = (node: Parameter, path: string[]) => {
    if (typeof node === 'number') out.push({ path, value: node });
    else for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  for (const [k, v] of Object.entries(params)) walk(v, [k]);
  return out;
}

/** The card with every parameter number changed by `change` (to test how a price depends on its parameter). */
function perturbed(card: RateCard, change: (x: number) => number): RateCard {
  const map = (node: Parameter): Parameter => (typeof node === 'number' ? change(node) : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, map(v)])));
  return { ...card, parameters: Object.fromEntries(Object.entries(card.parameters ?? {}).map(([k, v]) => [k, map(v)])) };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * How a request's price translates to Excel: the formula's value is one parameter times a factor of
 * the request (a table lookup: × 1; a per-second price: × duration_s). Found by evaluating the card's
 * own formula: it must read exactly one parameter number, and its value must follow that number when
 * every parameter is doubled and when every parameter is raised by one. Undefined: it does not translate.
 */
async function translation(
  card: RateCard,
  request: Record<string, DimensionValue>,
  probes: readonly RateCard[],
): Promise<{ path: readonly string[]; factor: number } | undefined> {
  const reads: ParameterRead[] = [];
  const priced = await compiledCard(card).price(request, { reads });
  const paths = new Set(reads.map((r) => r.path.join('\u0000')));
  if (!priced.ok || paths.size !== 1 || reads[0]!.value === 0) return undefined;
  const p = reads[0]!;
  const factor = Math.round((priced.raw / p.value) * 1e9) / 1e9;
  for (const probe of probes) {
    const again = await compiledCard(probe).price(request);
    const value = leafAt(probe.parameters ?? {}, p.path);
    if (!again.ok || value === undefined || !close(again.raw, value * factor)) return undefined;
  }
  return { path: p.path, factor };
}

function leafAt(params: Params, path: readonly string[]): number | undefined {
  let at: Parameter | undefined = params[path[0]!];
  for (const k of path.slice(1)) at = at !== undefined && typeof at === 'object' ? at[k] : undefined;
  return typeof at === 'number' ? at : undefined;
}

const PARAMETER_VALIDATION: Validation = { type: 'decimal', min: 0, message: 'A rate card parameter is a number, 0 or more.' };

/**
 * Per card version used: its parameter cells (inputs, where a price reads them) and its price grid,
 * each price a formula of the parameter it reads where the card's formula translates (see
 * `translation`), otherwise the evaluated value with a note.
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
    { key: 'version', title: 'Version', fmt: 'text', width: 9 },
    { key: 'effective', title: 'Effective from', fmt: 'date', width: 14 },
    { key: 'what', title: 'Parameter or request', fmt: 'text', width: 60 },
    { key: 'value', title: 'Credits', fmt: 'credits', width: 12 },
  ];
  const rows: Cell[][] = [cols.map((c) => val(c.title, 'text'))];
  const grid = new Map<string, Formula>();
  const parameters: RateSheet['parameters'] = [];
  const key = (card: string, version: number, request: Readonly<Record<string, DimensionValue>>) => `${card}@${version}|${JSON.stringify(sortKeys(request))}`;
  for (const card of [...used.values()].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version)) {
    const head = () => [val(card.id, 'text'), val(`v${card.version}`, 'text'), val(card.effective_from, 'date')];
    rows.push([...head(), val(card.title ?? `${card.id} v${card.version}`, 'text'), val(null)]);
    const compiled = compiledCard(card);
    const scale = card.unit?.scale ?? 1;
    const rounding = card.rounding ?? 'ceil';
    const probes = [perturbed(card, (x) => x * 2), perturbed(card, (x) => x + 1)];
    const prices: { request: Record<string, DimensionValue>; credits: number; via: { path: readonly string[]; factor: number } | undefined }[] = [];
    for (const { request, credits } of (await priceGrid(card)).values()) {
      const norm = compiled.normalize(request);
      if (norm.ok) prices.push({ request: norm.request, credits, via: await translation(card, norm.request, probes) });
    }
    const read = new Set(prices.flatMap((x) => (x.via ? [x.via.path.join('\u0000')] : [])));
    const leaf = new Map<string, number>();
    for (const { path, value } of leaves(card.parameters ?? {})) {
      const key = path.join('\u0000');
      const label = `$${path[0]!}${path.length > 1 ? ` › ${path.slice(1).join(' › ')}` : ''}`;
      if (read.has(key)) {
        leaf.set(key, rows.length);
        parameters.push({
          label: `${card.id} v${card.version} ${label}`,
          value,
          fmt: 'decimal',
          from: { kind: 'RateCard', id: card.id, version: card.version, path: ['parameters', ...path] },
        });
        rows.push([...head(), val(label, 'text'), { v: value, fmt: 'decimal', input: true, validation: PARAMETER_VALIDATION }]);
      } else {
        rows.push([
          ...head(),
          val(label, 'text'),
          { v: value, fmt: 'number', note: 'No price below is a formula of this parameter: changing it here changes nothing.' },
        ]);
      }
    }
    for (const { request, credits, via } of prices) {
      const r = rows.length;
      let cell: Cell = { v: credits, fmt: 'credits', note: 'Evaluated from the card’s JSONata formula, which does not translate to Excel: a value.' };
      const at = via ? leaf.get(via.path.join('\u0000')) : undefined;
      if (via && at !== undefined) {
        // parameter × the request's factor (e.g. its seconds) × the card's unit scale.
        let scaled = f.ref(at, 4);
        if (via.factor !== 1) scaled = f.mul(scaled, f.num(via.factor));
        if (scale !== 1) scaled = f.mul(scaled, f.num(scale));
        // As the engine rounds (quote/card.ts checkCredits): the scaled value to 9 places, then the card's rounding.
        const nine = f.fn('ROUND', scaled, f.num(9));
        const rounded =
          rounding === 'ceil'
            ? f.fn('ROUNDUP', nine, f.num(0))
            : rounding === 'floor'
              ? f.fn('ROUNDDOWN', nine, f.num(0))
              : rounding === 'round'
                ? f.fn('ROUND', nine, f.num(0))
                : nine;
        cell = { v: null, f: rounded, fmt: 'credits' };
      }
      rows.push([...head(), val(describe(request), 'text'), cell]);
      grid.set(key(card.id, card.version, request), f.ref(r, 4, name));
    }
  }
  return {
    sheet: { name, columns: cols, rows, frozen: 1 },
    parameters,
    cellFor: (card, version, request) => {
      const doc = used.get(`${card}@${version}`);
      const norm = doc ? compiledCard(doc).normalize(request) : undefined;
      return norm?.ok ? grid.get(key(card, version, norm.request)) : undefined;
    },
  };
}
