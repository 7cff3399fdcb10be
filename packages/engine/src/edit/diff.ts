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
export async function priceGrid(card: RateCard, options: { budget?: StepBudget } = {}): Promise<Map<string, { request: Record<string, DimensionValue>; credits: number }>> {
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
