import Decimal from 'decimal.js';
import type { StepBudget } from '../formula/index.ts';
import { priceCard } from '../quote/grid.ts';
import type { DimensionValue, RateCard } from '../rules/types.ts';

/** One price cell that differs between two card versions. */
export interface PriceChange {
  request: Record<string, DimensionValue>;
  old: number | null;
  new: number | null;
  /** Percentage change, two places; null when a side has no price. */
  pct: string | null;
}

/** The evaluated price grid of a card: every allowed request and its credits. */
export async function priceGrid(
  card: RateCard,
  options: { budget?: StepBudget } = {},
): Promise<Map<string, { request: Record<string, DimensionValue>; credits: number }>> {
  const out = new Map<string, { request: Record<string, DimensionValue>; credits: number }>();
  for (const { request, priced } of (await priceCard(card, options)).cells) {
    if (priced.ok) out.set(JSON.stringify(request), { request, credits: priced.credits });
  }
  return out;
}

/** Every changed price cell between two versions of a card (old, new, %). */
export async function diffCards(a: RateCard, b: RateCard, options: { budget?: StepBudget } = {}): Promise<PriceChange[]> {
  const [ga, gb] = [await priceGrid(a, options), await priceGrid(b, options)];
  const keys = [...new Set([...ga.keys(), ...gb.keys()])].sort();
  const out: PriceChange[] = [];
  for (const k of keys) {
    const x = ga.get(k);
    const y = gb.get(k);
    if (x?.credits === y?.credits) continue;
    const pct = x && y && x.credits !== 0 ? (((y.credits - x.credits) / x.credits) * 100).toFixed(2) : null;
    out.push({ request: (x ?? y)!.request, old: x?.credits ?? null, new: y?.credits ?? null, pct });
  }
  return out;
}

/** One changed value between two versions of any document: a price, credits, a validity, a share. */
export interface FieldChange {
  /** Readable path: list items by their id (or name), e.g. `subscriptions[pro].price_month`. */
  path: string;
  old: unknown;
  new: unknown;
  /** Percentage change, two places, when both sides are numbers (or exact money strings) and old is not 0. */
  pct: string | null;
}

const HEADER_FIELDS = new Set(['version', 'status', 'effective_from', 'audit']);
const NUMERIC = /^-?\d+(\.\d+)?$/;

function flatten(value: unknown, path: string, out: Map<string, unknown>): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const key =
        item && typeof item === 'object' && !Array.isArray(item)
          ? ((item as Record<string, unknown>)['id'] ?? (item as Record<string, unknown>)['name'])
          : undefined;
      flatten(item, `${path}[${typeof key === 'string' || typeof key === 'number' ? String(key) : i}]`, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, path === '' ? k : `${path}.${k}`, out);
  } else out.set(path, value);
}

/**
 * Every changed value between two versions of a document of any kind (header fields aside), in
 * the order of the later version: a structured diff a reviewer reads as "Pro price_month 37 → 40 (+8.11%)".
 */
export function diffFields(a: object, b: object): FieldChange[] {
  const [fa, fb] = [new Map<string, unknown>(), new Map<string, unknown>()];
  for (const [k, v] of Object.entries(a)) if (!HEADER_FIELDS.has(k)) flatten(v, k, fa);
  for (const [k, v] of Object.entries(b)) if (!HEADER_FIELDS.has(k)) flatten(v, k, fb);
  const out: FieldChange[] = [];
  for (const path of [...new Set([...fb.keys(), ...fa.keys()])]) {
    const [x, y] = [fa.get(path), fb.get(path)];
    if (Object.is(x, y) && fa.has(path) === fb.has(path)) continue;
    let pct: string | null = null;
    if ((typeof x === 'number' || (typeof x === 'string' && NUMERIC.test(x))) && (typeof y === 'number' || (typeof y === 'string' && NUMERIC.test(y)))) {
      const dx = new Decimal(String(x));
      if (!dx.isZero()) pct = new Decimal(String(y)).minus(dx).div(dx).times(100).toFixed(2);
    }
    out.push({ path, old: fa.has(path) ? x : null, new: fb.has(path) ? y : null, pct });
  }
  return out;
}
