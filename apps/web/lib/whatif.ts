import { forecast, runNames, validateSchema, type ForecastResult, type LoadedDocument, type RuleSet, type Scenario, type Variant } from '@creditbook/engine';
import { LRUCache } from 'lru-cache';
import { guarded, MAX_VARIANTS_PER_REQUEST, type CompareAnswer, type Run } from './compare-run.ts';
import { compareOnThread, ruleSetId, type RuleSource } from './compare-thread.ts';
import { webProblem, type Problem } from './problems.ts';

export { MAX_VARIANTS_PER_REQUEST, type CompareAnswer };

/** A what-if as the API takes it: a scenario, the named variants to run, and variants made up on the spot. */
export interface WhatIf {
  scenario: string;
  version?: number;
  /** Named variants of the scenario; all of them when omitted (as `creditbook compare`). */
  variants?: string[];
  /** Extra variants, in the scenario file's own variant format (plan, rules.pins, rules.validity, migrate, ...). */
  custom?: Variant[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: 400 | 404; errors: Problem[] };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads a what-if from a JSON body; every problem names its path in the body. */
export function parseWhatIf(body: unknown): Parsed<WhatIf> {
  const errors: Problem[] = [];
  if (!isRecord(body)) return { ok: false, status: 400, errors: [webProblem('H_BAD_INPUT', 'expected a JSON object', '')] };
  const known = new Set(['scenario', 'version', 'variants', 'variant', 'custom', 'view']);
  for (const k of Object.keys(body)) if (!known.has(k)) errors.push(webProblem('H_BAD_INPUT', `unknown field '${k}'`, `/${k}`));
  const scenario = body['scenario'];
  if (typeof scenario !== 'string' || scenario === '') errors.push(webProblem('H_BAD_INPUT', 'scenario: a scenario id is required', '/scenario'));
  const version = body['version'];
  if (version !== undefined && !(Number.isInteger(version) && (version as number) > 0))
    errors.push(webProblem('H_BAD_INPUT', 'version: a positive integer', '/version'));
  let variants: string[] | undefined;
  const v = body['variants'] ?? (body['variant'] === undefined ? undefined : [body['variant']].flat());
  if (v !== undefined) {
    if (!Array.isArray(v)) errors.push(webProblem('H_BAD_INPUT', 'variants: a list of variant names', '/variants'));
    else {
      v.forEach((x, i) => {
        if (typeof x !== 'string' || x === '') errors.push(webProblem('H_BAD_INPUT', 'a variant name', `/variants/${i}`));
      });
      variants = v.filter((x): x is string => typeof x === 'string');
      if (v.length > MAX_VARIANTS_PER_REQUEST)
        errors.push(webProblem('H_BAD_INPUT', `at most ${MAX_VARIANTS_PER_REQUEST} variants in one what-if`, `/variants/${MAX_VARIANTS_PER_REQUEST}`));
    }
  }
  let custom: Variant[] | undefined;
  const c = body['custom'];
  if (c !== undefined) {
    if (!Array.isArray(c)) errors.push(webProblem('H_BAD_INPUT', 'custom: a list of variants', '/custom'));
    else if (c.length > MAX_VARIANTS_PER_REQUEST)
      errors.push(webProblem('H_BAD_INPUT', `at most ${MAX_VARIANTS_PER_REQUEST} custom variants in one what-if`, `/custom/${MAX_VARIANTS_PER_REQUEST}`));
    else custom = c as Variant[];
  }
  if (errors.length > 0) return { ok: false, status: 400, errors };
  return {
    ok: true,
    value: {
      scenario: scenario as string,
      ...(version === undefined ? {} : { version: version as number }),
      ...(variants ? { variants } : {}),
      ...(custom ? { custom } : {}),
    },
  };
}

/** Reads a what-if from query parameters: `?scenario=ID&variant=A&variant=B[&version=N]`. */
export function whatIfFromQuery(params: URLSearchParams): Parsed<WhatIf> {
  const body: Record<string, unknown> = {};
  for (const [k, val] of params) {
    if (k === 'variant') body['variants'] = [...((body['variants'] as string[] | undefined) ?? []), val];
    else if (k === 'version') body['version'] = /^\d+$/.test(val) ? Number(val) : val;
    else body[k] = val;
  }
  return parseWhatIf(body);
}

/** The scenario a what-if runs, with its custom variants added; 404 and positioned 400s as values. */
export function scenarioFor(rules: RuleSet, w: WhatIf): Parsed<{ loaded: LoadedDocument<Scenario>; scenario: Scenario; names: string[] | undefined }> {
  const loaded = w.version === undefined ? rules.latest('Scenario', w.scenario) : rules.get('Scenario', w.scenario, w.version);
  if (!loaded) {
    const known = rules.ids('Scenario').join(', ');
    return {
      ok: false,
      status: 404,
      errors: [webProblem('H_NOT_FOUND', `scenario '${w.scenario}'${w.version ? ` v${w.version}` : ''} (scenarios: ${known})`, '/scenario')],
    };
  }
  const base = loaded.doc;
  const custom = w.custom ?? [];
  const scenario: Scenario = custom.length === 0 ? base : { ...base, variants: [...(base.variants ?? []), ...custom] };
  const errors: Problem[] = [];
  const offset = (base.variants ?? []).length;
  if (custom.length > 0) {
    for (const issue of validateSchema('Scenario', scenario)) {
      const m = /^\/variants\/(\d+)(.*)$/.exec(issue.path);
      const i = m ? Number(m[1]) - offset : -1;
      errors.push(webProblem('H_BAD_INPUT', issue.message, i >= 0 ? `/custom/${i}${m?.[2] ?? ''}` : issue.path));
    }
    const seen = new Set(runNames(base));
    custom.forEach((c, i) => {
      if (typeof c?.name === 'string' && seen.has(c.name))
        errors.push(webProblem('H_BAD_INPUT', `variant name '${c.name}' is already taken`, `/custom/${i}/name`));
      if (typeof c?.name === 'string') seen.add(c.name);
    });
  }
  const all = new Set(runNames(scenario));
  (w.variants ?? []).forEach((n, i) => {
    if (!all.has(n)) errors.push(webProblem('H_BAD_INPUT', `unknown variant '${n}' (has ${[...all].join(', ')})`, `/variants/${i}`));
  });
  if (errors.length > 0) return { ok: false, status: 400, errors };
  const names = w.variants === undefined && custom.length === 0 ? undefined : [...(w.variants ?? []), ...custom.map((c) => c.name)];
  return { ok: true, value: { loaded, scenario, names } };
}

/** Bytes of remembered answers at most (their serialized bodies and keys): a viewer cannot pin more memory than this. */
export const ANSWER_CACHE_BYTES = 64 * 2 ** 20;

/** An answer's weight in the cache: its bytes and its key's (UTF-16, 2 bytes a character); a failed run a flat kilobyte. */
const weigh = (r: Run<CompareAnswer>, key: string): number => 2 * key.length + (r.ok ? r.value.body.byteLength : 1024);

const newAnswerCache = (maxSize: number) => new LRUCache<string, Run<CompareAnswer>>({ maxSize, sizeCalculation: weigh });

/**
 * Comparisons already computed, keyed by the loaded rule set (a new store content is a new rule
 * set, so an edit never sees an old answer) and the what-if: asked again, it is answered from
 * memory with the bytes already serialized (and a client holding them gets a 304 for their ETag).
 * Bounded by bytes (lru-cache's size accounting), the least recently asked forgotten first; a run
 * still computing is shared by the requests that ask for it meanwhile.
 */
let answers = newAnswerCache(ANSWER_CACHE_BYTES);
const computing = new Map<string, Promise<Run<CompareAnswer>>>();

/** What the answer cache holds now (entries and bytes), and its bound. */
export function answerCacheStats(): { entries: number; bytes: number; maxBytes: number } {
  return { entries: answers.size, bytes: answers.calculatedSize, maxBytes: answers.maxSize };
}

/** Empties the answer cache and sets its bound (tests use a small one). */
export function resetAnswerCache(maxBytes = ANSWER_CACHE_BYTES): void {
  answers = newAnswerCache(maxBytes);
}

/** A scenario as JSON, kept per loaded document: a remembered what-if of a stored scenario does not serialize it at every request. */
const scenarioTexts = new WeakMap<Scenario, string>();
function scenarioText(scenario: Scenario): string {
  let text = scenarioTexts.get(scenario);
  if (text === undefined) scenarioTexts.set(scenario, (text = JSON.stringify(scenario)));
  return text;
}

/** `creditbook compare` for a what-if: the base and the chosen variants side by side with deltas (computed on the compare thread). */
export function runCompare(source: RuleSource, scenario: Scenario, names: string[] | undefined): Promise<Run<CompareAnswer>> {
  const key = `${ruleSetId(source.rules)}\n${scenarioText(scenario)}\n${JSON.stringify(names ?? null)}`;
  const hit = answers.get(key);
  if (hit) return Promise.resolve(hit);
  let run = computing.get(key);
  if (!run) {
    run = compareOnThread(source, scenario, names)
      .then((r) => {
        answers.set(key, r);
        return r;
      })
      .finally(() => computing.delete(key));
    computing.set(key, run);
  }
  return run;
}

/** `creditbook forecast` for one run of a what-if. */
export function runForecast(rules: RuleSet, scenario: Scenario, variant: string | null): Promise<Run<ForecastResult>> {
  return guarded(() => forecast(rules, scenario, { variant }));
}
