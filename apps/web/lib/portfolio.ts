/**
 * The portfolio in the web app: the same JSON as `creditbook compare <portfolio.yaml> --json`
 * (the base and each variant asked for, with deltas), run in this process and remembered per
 * store state and request, so the page's what-if does not run a portfolio twice.
 */
import { CreditbookError, comparePortfolio, formatDiagnostic, type PortfolioComparison } from '@creditbook/engine';
import { json, problems, webProblem } from './problems.ts';
import { guarded } from './routes.ts';
import { loadRules } from './store.ts';

/** Runs for the bands on the page (P10 / P50 / P90 over them), and the most a request may ask for. */
export const PAGE_RUNS = 5;
const MAX_RUNS = 20;
const MAX_VARIANTS = 8;

/** Per loaded store (a new one after every change of the rules): runs by request. */
const remembered = new WeakMap<object, Map<string, Promise<PortfolioComparison>>>();

/** GET /api/portfolio?portfolio=ID&variant=NAME…&runs=N&seed=S */
export const portfolioRoute = guarded('viewer', async (req) => {
  const q = new URL(req.url).searchParams;
  const loaded = await loadRules();
  const rules = loaded.result.rules;
  const id = q.get('portfolio') ?? rules.ids('Portfolio').sort()[0] ?? '';
  const doc = rules.latest('Portfolio', id)?.doc;
  if (!doc) return problems(404, [webProblem('H_BAD_INPUT', `no portfolio '${id}'`)]);
  const variants = q.getAll('variant').filter(Boolean);
  const runs = Number(q.get('runs') ?? PAGE_RUNS);
  const seed = Number(q.get('seed') ?? 0);
  if (!Number.isInteger(runs) || runs < 1 || runs > MAX_RUNS) return problems(400, [webProblem('H_BAD_INPUT', `runs must be 1 to ${MAX_RUNS}`, 'runs')]);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) return problems(400, [webProblem('H_BAD_INPUT', 'seed must be a whole number', 'seed')]);
  if (variants.length > MAX_VARIANTS) return problems(400, [webProblem('H_BAD_INPUT', `at most ${MAX_VARIANTS} variants`, 'variant')]);
  const known = new Set((doc.variants ?? []).map((v) => v.name));
  const unknown = variants.find((v) => !known.has(v));
  if (unknown) return problems(400, [webProblem('H_BAD_INPUT', `unknown variant '${unknown}' of ${id}`, 'variant')]);
  const key = JSON.stringify([id, doc.version, variants, runs, seed]);
  let byKey = remembered.get(rules);
  if (!byKey) remembered.set(rules, (byKey = new Map<string, Promise<PortfolioComparison>>()));
  let run = byKey.get(key);
  if (!run) {
    const started = comparePortfolio(rules, doc, variants, { runs, seed });
    byKey.set(key, started);
    if (byKey.size > 32) byKey.delete(byKey.keys().next().value!);
    started.catch(() => byKey.delete(key));
    run = started;
  }
  try {
    return json(await run);
  } catch (e) {
    if (e instanceof CreditbookError)
      return problems(
        422,
        e.diagnostics.map((d) => ({ ...d, formatted: formatDiagnostic(d) })),
      );
    throw e;
  }
});
