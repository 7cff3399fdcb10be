import { LRUCache } from 'lru-cache';
import { budgetSpent, pause, stepBudget, type StepBudget } from '../formula/index.ts';
import type { Code } from '../diagnostics/index.ts';
import type { DimensionValue, RateCard } from '../rules/types.ts';
import { checkCredits, compileCard, describeRequest, type CompiledCard, type ParameterRead, type Priced } from './card.ts';
import { MAX_TABLE_CELLS, rangeSteps } from './lookup.ts';

/**
 * Most requests a card's grid holds: validation, the editor's preview and the diff price each of
 * them. A card that allows more cannot be checked cell by cell and is reported (R_GRID_TOO_LARGE).
 * A fifth of the lookup table's bound (MAX_TABLE_CELLS), which also counts omitted dimensions.
 */
export const MAX_GRID_REQUESTS = MAX_TABLE_CELLS / 5;

type Request = Record<string, DimensionValue>;

/** Every request the card's dimensions and constraints allow, every dimension given; `complete` is false past the limit. */
export function allowedRequests(compiled: CompiledCard, limit: number = MAX_GRID_REQUESTS): { requests: Request[]; complete: boolean } {
  const card = compiled.card;
  const names = Object.keys(card.dimensions);
  const base = names.map((n) => {
    const dim = card.dimensions[n]!;
    return dim.values ?? (dim.range ? rangeSteps(dim.range, limit) : []);
  });
  const requests: Request[] = [];
  // Constraints prune as soon as the dimensions they name are known; a constraint on a later
  // dimension is only seen at the end, so the walk itself is bounded too.
  let visits = 0;
  const maxVisits = limit * 20;
  let complete = true;
  const known: Request = {};
  const walk = (i: number): void => {
    if (++visits > maxVisits) complete = false;
    if (!complete) return;
    if (i === names.length) {
      const norm = compiled.normalize(known);
      if (!norm.ok) return;
      if (requests.length >= limit) complete = false;
      else requests.push(norm.request);
      return;
    }
    const name = names[i]!;
    const narrowed = compiled.allowed(name, known);
    const values =
      narrowed === undefined ? base[i]! : card.dimensions[name]!.range ? narrowed : base[i]!.filter((v) => narrowed.some((a) => String(a) === String(v)));
    for (const v of values) {
      known[name] = v;
      walk(i + 1);
      delete known[name];
      if (!complete) return;
    }
  };
  walk(0);
  return { requests, complete };
}

/** Every request a card allows (at most MAX_GRID_REQUESTS of them). */
export function requestGrid(card: RateCard): Request[] {
  return allowedRequests(compileCard(card)).requests;
}

/** A request of the grid and its price, or the reason it has none. */
export interface PricedCell {
  readonly request: Request;
  readonly priced: Priced;
}

/** One problem found by pricing the grid: at a parameter cell (`parameter`), or at the formula. */
export interface PricingProblem {
  readonly code: Code;
  readonly detail: string;
  /** Keys under /parameters of the cell whose value fails on its own; undefined: the formula. */
  readonly parameter?: readonly string[];
}

/** What pricing every request of a card found. */
export interface CardPricing {
  /** Every allowed request, priced, in dimension order (only those priced before a budget ran out). */
  readonly cells: readonly PricedCell[];
  /** The examples, priced once (a grid request's price is reused). */
  readonly examples: readonly { index: number; request: Record<string, string | number>; expected: number; note: string | null; priced: Priced }[];
  /** One per bad parameter cell, one per kind of failure at the formula; a spent budget or a too-large grid last. */
  readonly problems: readonly PricingProblem[];
}

/** Bounds of the remembered pricings: cells held in all, and cards. */
const CACHE_CELLS = MAX_TABLE_CELLS * 2;
const CACHE_ENTRIES = 256;
/** Remembered pricings, sized by their cells (a pricing larger than the whole bound is not kept). */
const cache = new LRUCache<string, CardPricing>({
  max: CACHE_ENTRIES,
  maxSize: CACHE_CELLS,
  maxEntrySize: CACHE_CELLS,
  sizeCalculation: (pricing) => pricing.cells.length + 1,
});

/** What a card's prices depend on (not its version, dates, audit or comments). */
function pricingKey(card: RateCard): string {
  return JSON.stringify([
    card.dimensions,
    card.constraints ?? null,
    card.parameters ?? null,
    card.credits,
    card.unit ?? null,
    card.rounding ?? null,
    card.examples ?? null,
  ]);
}

/** Lets other work run between evaluations once this one has held the thread for a while. */
const YIELD_AFTER_MS = 8;

/**
 * Prices every request a card allows and its examples, each once, within the request's step budget,
 * and says which parameter cells or which formula failures make a request unpriceable. The outcome
 * depends only on the card's pricing content, so it is remembered (bounded) across loads.
 */
export async function priceCard(card: RateCard, options: { budget?: StepBudget } = {}): Promise<CardPricing> {
  const key = pricingKey(card);
  const hit = cache.get(key);
  if (hit) return hit;
  const budget = options.budget ?? stepBudget();
  const fresh = budget.spent === 0;
  const compiled = compileCard(card);
  const scale = card.unit?.scale ?? 1;
  const rounding = card.rounding ?? 'ceil';
  const { requests, complete } = allowedRequests(compiled);
  const cells: PricedCell[] = [];
  const byKey = new Map<string, Priced>();
  const atCell = new Map<string, { code: Code; detail: string; path: readonly string[]; count: number }>();
  const atFormula = new Map<Code, { detail: string; count: number }>();
  let spent = false;
  let last = performance.now();

  const price = async (request: Record<string, string | number>): Promise<Priced> => {
    if (performance.now() - last > YIELD_AFTER_MS) {
      await pause();
      last = performance.now();
    }
    const reads: ParameterRead[] = [];
    const priced = await compiled.price(request, { budget, reads });
    if (priced.ok || priced.code === 'Q_DIMENSION') return priced;
    if (priced.code === 'F_BUDGET') {
      spent = true;
      return priced;
    }
    // The cells whose value alone fails (the same way first) are to blame; otherwise the formula is.
    const what = `for ${describeRequest(request)}`;
    const failing = reads.flatMap((r) => {
      const c = checkCredits(r.value, scale, rounding, what);
      return c.ok ? [] : [{ read: r, code: c.code, detail: c.detail }];
    });
    const same = failing.filter((f) => f.code === priced.code);
    const blamed = same.length > 0 ? same : failing;
    for (const b of blamed) {
      const k = JSON.stringify(b.read.path);
      const seen = atCell.get(k);
      if (seen) seen.count++;
      else atCell.set(k, { code: b.code, detail: b.detail, path: b.read.path, count: 1 });
    }
    if (blamed.length === 0) {
      const seen = atFormula.get(priced.code);
      if (seen) seen.count++;
      else atFormula.set(priced.code, { detail: priced.detail, count: 1 });
    }
    return priced;
  };

  // A grid past the cap is reported, not priced in part: only the examples are.
  for (const request of complete ? requests : []) {
    if (spent || budgetSpent(budget)) {
      spent = true;
      break;
    }
    const priced = await price(request);
    if (spent) break;
    cells.push({ request, priced });
    byKey.set(JSON.stringify(request), priced);
  }
  const examples: CardPricing['examples'][number][] = [];
  for (const [index, ex] of (card.examples ?? []).entries()) {
    const norm = compiled.normalize(ex.request);
    const known = norm.ok ? byKey.get(JSON.stringify(norm.request)) : undefined;
    const priced = known ?? (await price(ex.request));
    examples.push({ index, request: ex.request, expected: ex.credits, note: ex.note ?? null, priced });
  }

  const more = (n: number) => (n > 1 ? ` (and ${n - 1} more request${n > 2 ? 's' : ''})` : '');
  const problems: PricingProblem[] = [
    ...[...atCell.values()].map((c) => ({ code: c.code, detail: c.detail + more(c.count), parameter: c.path })),
    ...[...atFormula.entries()].map(([code, f]) => ({ code, detail: f.detail + more(f.count) })),
  ];
  if (!complete)
    problems.push({
      code: 'R_GRID_TOO_LARGE',
      detail: `more than ${MAX_GRID_REQUESTS} requests (limit ${MAX_GRID_REQUESTS}); narrow the dimensions or split the card`,
    });
  if (spent) {
    problems.push({
      code: 'F_BUDGET',
      detail: `${budget.total} evaluation steps spent with ${cells.length} of ${requests.length} requests of ${card.id} v${card.version} priced; the rest are not checked`,
    });
  }
  const pricing: CardPricing = { cells, examples, problems };
  // A spent budget is the card's own doing only when it started with the whole budget.
  if (!spent || fresh) cache.set(key, pricing);
  return pricing;
}
