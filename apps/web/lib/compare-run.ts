import { createHash } from 'node:crypto';
import { compare, CreditbookError, RunCache, type CompareResult, type Diagnostic, type RuleSet, type Scenario } from '@creditbook/engine';

/**
 * The most variants one what-if may run, named and custom each: a person compares a handful side by
 * side (the page adds them one at a time); fifty leaves room for a script, and keeps one request's
 * work and memory bounded (the attack sent 9,990).
 */
export const MAX_VARIANTS_PER_REQUEST = 50;

/** An engine run's outcome: its value, or the problems that stopped it (a 400 with positions). */
export type Run<T> = { ok: true; value: T } | { ok: false; status: 400; errors: Diagnostic[] };

export async function guarded<T>(f: () => Promise<T>): Promise<Run<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    if (e instanceof CreditbookError) return { ok: false, status: 400, errors: [...e.diagnostics] };
    throw e;
  }
}

/** A comparison as the API sends it: serialized once (UTF-8), with the entity tag of those bytes. */
export interface CompareAnswer {
  readonly body: Uint8Array;
  readonly etag: string;
}

export function answer(result: CompareResult): CompareAnswer {
  const body = Buffer.from(JSON.stringify(result));
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/**
 * Forecasts of each scenario's runs, per loaded rule set: a what-if that changes one variant (the
 * page's sliders and pickers) forecasts that variant only; the others are reused. At most two
 * requests' worth of runs are kept per scenario.
 */
const runCaches = new WeakMap<RuleSet, Map<string, RunCache>>();
function runCacheFor(rules: RuleSet, scenario: Scenario): RunCache {
  let byScenario = runCaches.get(rules);
  if (!byScenario) runCaches.set(rules, (byScenario = new Map<string, RunCache>()));
  const key = `${scenario.id}@${scenario.version}`;
  let cache = byScenario.get(key);
  if (!cache) byScenario.set(key, (cache = new RunCache(2 * (2 * MAX_VARIANTS_PER_REQUEST + 1))));
  return cache;
}

/**
 * `creditbook compare` of a what-if, serialized: the one computation behind `/api/compare`, run on
 * the compare thread (lib/compare-thread.ts) or, where there is none, in the calling thread.
 */
export function computeAnswer(rules: RuleSet, scenario: Scenario, names: readonly string[] | undefined): Promise<Run<CompareAnswer>> {
  const cache = runCacheFor(rules, scenario);
  return guarded(async () => answer(await compare(rules, scenario, names ? { variants: names, cache } : { cache })));
}
