import { compileCard } from '../quote/card.ts';
import type { DimensionValue, RateCard } from '../rules/types.ts';

/** One price cell that differs between two card versions. */
export interface PriceChange {
  request: Record<string, DimensionValue>;
  old: number | null;
  new: number | null;
  /** Percentage change, two places; null when a side has no price. */
  pct: string | null;
}

/** Every request a card's finite dimensions allow (range dimensions contribute their endpoints and steps, at most 50). */
export function requestGrid(card: RateCard): Record<string, DimensionValue>[] {
  let grid: Record<string, DimensionValue>[] = [{}];
  for (const [name, dim] of Object.entries(card.dimensions)) {
    let values: DimensionValue[] = dim.values ?? [];
    if (dim.range) {
      const step = dim.range.step ?? (dim.range.max - dim.range.min) / 4;
      values = [];
      for (let v = dim.range.min; v <= dim.range.max + 1e-9 && values.length < 50; v += step) values.push(Math.round(v * 1e6) / 1e6);
    }
    grid = grid.flatMap((r) => values.map((v) => ({ ...r, [name]: v })));
  }
  return grid;
}

/** The evaluated price grid of a card: every allowed request and its credits. */
export async function priceGrid(card: RateCard): Promise<Map<string, { request: Record<string, DimensionValue>; credits: number }>> {
  const compiled = compileCard(card);
  const out = new Map<string, { request: Record<string, DimensionValue>; credits: number }>();
  for (const r of requestGrid(card)) {
    if (!compiled.normalize(r).ok) continue;
    const p = await compiled.price(r);
    if (p.ok) out.set(JSON.stringify(r), { request: r, credits: p.credits });
  }
  return out;
}

/** Every changed price cell between two versions of a card (old, new, %). */
export async function diffCards(a: RateCard, b: RateCard): Promise<PriceChange[]> {
  const [ga, gb] = [await priceGrid(a), await priceGrid(b)];
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
