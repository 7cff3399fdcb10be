/** Credits a combination of packs is searched over at most (in units of the packs' greatest common divisor). */
const SEARCH_LIMIT = 200_000;
/** Pack counts × credit totals searched at most under a cap on packs (beyond it: the cheapest combination of each total). */
const COUNTED_LIMIT = 2_000_000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Chooses the packs an auto top-up buys. Among every combination of the offered packs (any number
 * of each) that gives at least `need` credits and fits both caps (the most packs, the most money),
 * the cheapest; ties go to fewer packs, then fewer credits, then to the most of the packs listed
 * first (of the first pack, then of the second, …). When none that covers the need fits, the one
 * that gives the most credits and fits does (ties: cheaper, fewer packs, then the packs listed
 * first). Results are cached per set of packs and need, so a portfolio's customers share them.
 */
export class PackSolver {
  private readonly cache = new Map<string, Map<string, readonly number[]>>();

  /** How many of each pack to buy (credits and prices per pack, prices in whole money units). */
  solve(credits: readonly number[], prices: readonly number[], need: number, maxPacks: number, budget: number): readonly number[] {
    const n = credits.length;
    if (need <= 0 || maxPacks <= 0 || n === 0) return new Array<number>(n).fill(0);
    const setKey = `${credits.join()}|${prices.join()}`;
    let byNeed = this.cache.get(setKey);
    if (!byNeed) this.cache.set(setKey, (byNeed = new Map<string, readonly number[]>()));
    const key = `${need}|${maxPacks}|${budget}`;
    let counts = byNeed.get(key);
    if (!counts)
      byNeed.set(key, (counts = n === 1 ? [packsOfOne(credits[0]!, prices[0]!, need, maxPacks, budget)] : combine(credits, prices, need, maxPacks, budget)));
    return counts;
  }
}

/**
 * When one pack is offered: the fewest that cover the need, or as many as the caps allow (what
 * `solve` gives for one pack, without its search or cache: the ledger calls this directly).
 */
export function packsOfOne(credits: number, price: number, need: number, maxPacks: number, budget: number): number {
  if (credits <= 0 || need <= 0 || maxPacks <= 0) return 0;
  let k = Math.ceil(need / credits);
  k = Math.min(k, maxPacks);
  if (price > 0) k = Math.min(k, Math.floor(budget / price));
  return Math.max(0, k);
}

function combine(credits: readonly number[], prices: readonly number[], need: number, maxPacks: number, budget: number): number[] {
  const n = credits.length;
  const g = credits.reduce((a, c) => gcd(a, c), 0) || 1;
  const cu = credits.map((c) => c / g);
  const maxC = Math.max(...cu);
  const out = new Array<number>(n).fill(0);
  let needU = Math.ceil(need / g);
  // The best value pack (least money per credit; ties: the larger): an optimal combination holds fewer
  // than cu[best] / gcd(cu[i], cu[best]) of any other pack i, so a large need is mostly best packs.
  let best = 0;
  for (let i = 1; i < n; i++) {
    const d = prices[i]! * cu[best]! - prices[best]! * cu[i]!;
    if (d < 0 || (d === 0 && cu[i]! > cu[best]!)) best = i;
  }
  const capped = maxPacks !== Infinity || budget !== Infinity;
  if (maxPacks !== Infinity) {
    const counted = combineCounted(cu, prices, needU, maxPacks, budget);
    if (counted) return counted;
  }
  if (!capped && needU + maxC > SEARCH_LIMIT) {
    let others = 0;
    for (let i = 0; i < n; i++) if (i !== best) others += (cu[best]! / gcd(cu[i]!, cu[best]!)) * cu[i]!;
    const m = Math.max(0, Math.floor((needU - others - maxC) / cu[best]!));
    out[best] = m;
    needU -= m * cu[best]!;
    maxPacks -= m;
    budget -= m * prices[best]!;
  }
  let U = needU + maxC - 1;
  if (capped) {
    // Under caps no combination gives more than the most packs of the largest, or the budget's worth of the best value pack.
    U = Math.min(U, maxPacks * maxC);
    if (prices[best]! > 0) U = Math.min(U, Math.floor((budget / prices[best]!) * cu[best]!));
    U = Math.min(U, SEARCH_LIMIT);
  }
  const cost = new Float64Array(U + 1).fill(Infinity);
  const packs = new Float64Array(U + 1);
  const last = new Int8Array(U + 1).fill(-1);
  cost[0] = 0;
  for (let x = 1; x <= U; x++) {
    for (let i = 0; i < n; i++) {
      const y = x - cu[i]!;
      if (y < 0 || cost[y] === Infinity) continue;
      const c = cost[y]! + prices[i]!;
      const p = packs[y]! + 1;
      if (c < cost[x]! || (c === cost[x]! && p < packs[x]!)) {
        cost[x] = c;
        packs[x] = p;
        last[x] = i;
      }
    }
  }
  const fits = (x: number) => cost[x]! <= budget && packs[x]! <= maxPacks;
  let pick = -1;
  for (let x = needU; x <= U; x++) {
    if (cost[x] === Infinity || !fits(x)) continue;
    if (pick < 0 || cost[x]! < cost[pick]! || (cost[x] === cost[pick] && packs[x]! < packs[pick]!)) pick = x;
  }
  for (let x = Math.min(needU - 1, U); pick < 0 && x > 0; x--) if (cost[x] !== Infinity && fits(x)) pick = x;
  for (let x = Math.max(0, pick); x > 0; x -= cu[last[x]!]!) out[last[x]!]! += 1;
  return out;
}

/**
 * Under a cap on packs: the best combination with at most `maxPacks` packs, by a search over pack
 * counts and credit totals (in units `cu`), so a dearer combination of fewer packs is found when the
 * cheapest of its total has too many. A minimal covering combination holds at most ceil(need ÷ the
 * smallest pack) packs, which bounds the counts searched. Undefined when the search would be too large.
 */
function combineCounted(cu: readonly number[], prices: readonly number[], needU: number, maxPacks: number, budget: number): number[] | undefined {
  const n = cu.length;
  const minC = Math.min(...cu);
  const maxC = Math.max(...cu);
  const P = Math.min(maxPacks, Math.ceil(needU / minC));
  const U = Math.min(needU + maxC - 1, P * maxC);
  const W = U + 1;
  if ((P + 1) * W > COUNTED_LIMIT) return undefined;
  // cost[p × W + x]: the least money for exactly p packs giving exactly x units; last: the pack added last
  // (the first listed among the cheapest, so a tie keeps the most of the packs listed first).
  const cost = new Float64Array((P + 1) * W).fill(Infinity);
  const last = new Int8Array((P + 1) * W).fill(-1);
  cost[0] = 0;
  for (let p = 1; p <= P; p++) {
    const prev = (p - 1) * W;
    const row = p * W;
    for (let x = 1; x <= U; x++) {
      for (let i = 0; i < n; i++) {
        const y = x - cu[i]!;
        if (y < 0 || cost[prev + y] === Infinity) continue;
        const c = cost[prev + y]! + prices[i]!;
        if (c < cost[row + x]!) {
          cost[row + x] = c;
          last[row + x] = i;
        }
      }
    }
  }
  let pick = -1;
  for (let p = 1; p <= P; p++)
    for (let x = needU; x <= U; x++) {
      const c = cost[p * W + x]!;
      if (c > budget) continue;
      // Cheaper; then fewer packs (p rises), then fewer credits (x rises): only strictly cheaper replaces.
      if (pick < 0 || c < cost[pick]!) pick = p * W + x;
    }
  if (pick < 0)
    for (let x = Math.min(needU - 1, U); pick < 0 && x > 0; x--)
      for (let p = 1; p <= P; p++) {
        const c = cost[p * W + x]!;
        if (c <= budget && (pick < 0 || c < cost[pick]!)) pick = p * W + x;
      }
  const out = new Array<number>(n).fill(0);
  for (let p = Math.floor(pick / W), x = pick % W; pick >= 0 && p > 0; p--) {
    const i = last[p * W + x]!;
    out[i]! += 1;
    x -= cu[i]!;
  }
  return out;
}
