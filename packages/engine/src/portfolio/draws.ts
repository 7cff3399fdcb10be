import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { MULTIPLIER_SCALE } from '../ledger/compile.ts';
import type { Spread } from '../rules/types.ts';

/** The finaliser of MurmurHash3: a 32-bit integer mixed so that nearby inputs give unrelated outputs. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The seed of one customer's random stream: fmix32(fmix32(fmix32(seed) ^ cohort) ^ index), with
 * the run's seed, the cohort's place in the portfolio and the customer's index in the cohort (as
 * unsigned 32-bit integers). It depends on nothing else (not on the worker, the shard or the order
 * customers are run in), so every machine and every number of workers draws the same numbers.
 */
export function customerSeed(seed: number, cohort: number, index: number): number {
  return fmix32(fmix32(fmix32(seed >>> 0) ^ cohort) ^ (index >>> 0)) | 0;
}

/** A customer's stream of uniform numbers in [0, 1): pure-rand's xoroshiro128+ seeded with `customerSeed`, 53 bits a draw. */
export function customerStream(seed: number, cohort: number, index: number): RandomGenerator {
  return xoroshiro128plus(customerSeed(seed, cohort, index));
}

export const uniform = uniformFloat64;

/** A standard normal draw (Box–Muller, cosine branch, two uniforms). */
function normal(rng: RandomGenerator): number {
  const u1 = 1 - uniform(rng);
  const u2 = uniform(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A gamma draw of shape k and scale 1 (Marsaglia and Tsang; k < 1 through k + 1 and a uniform power). */
function gamma(rng: RandomGenerator, k: number): number {
  if (k < 1) {
    const g = gamma(rng, k + 1);
    return g * Math.pow(1 - uniform(rng), 1 / k);
  }
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(rng);
    const v0 = 1 + c * z;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - uniform(rng);
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** The largest multiplier a customer can have (×1,000 the template's demand). */
export const MAX_MULTIPLIER = 1000;

/**
 * A customer's demand multiplier, in steps of 1/MULTIPLIER_SCALE (an integer k: the multiplier is
 * k / MULTIPLIER_SCALE), of mean 1: lognormal exp(σz − σ²/2) with z standard normal, or a gamma
 * of shape k and scale 1/k. No spread: exactly 1.
 */
export function multiplier(rng: RandomGenerator, spread: Spread | undefined): number {
  if (spread === undefined || spread === 'none') return MULTIPLIER_SCALE;
  const m =
    spread.distribution === 'lognormal' ? Math.exp(spread.sigma * normal(rng) - (spread.sigma * spread.sigma) / 2) : gamma(rng, spread.shape) / spread.shape;
  return Math.round(Math.min(m, MAX_MULTIPLIER) * MULTIPLIER_SCALE);
}

/**
 * Periods a customer stays (at least 1): with u uniform in [0, 1), the first age a ≥ 1 at which
 * u ≥ survival[a] (the share of a cohort still active a periods after joining); `survival.length`
 * when that never happens within it.
 */
export function lifetime(u: number, survival: Float64Array): number {
  let a = 1;
  while (a < survival.length && u < survival[a]!) a++;
  return a;
}
