/**
 * The buyer's view over the API: `GET /api/platforms?scenario=ID[&platform=P]…` answers what
 * `creditbook platforms --json` prints; `GET /api/platforms/export?…` the same comparison as a
 * live workbook (the engine's platformsWorkbook, written by the project's exporter).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreditbookError, comparePlatforms, formatDiagnostic, platformsWorkbook, type PlatformComparison, type RuleSet } from '@creditbook/engine';
import { writeWorkbook } from '@creditbook/exporter';
import { json, problems, webProblem } from './problems.ts';
import { guarded } from './routes.ts';
import { loadRules } from './store.ts';

type Outcome = { ok: true; value: PlatformComparison; rules: RuleSet } | { ok: false; response: Response };

async function platformsFor(req: Request): Promise<Outcome> {
  const q = new URL(req.url).searchParams;
  const id = q.get('scenario') ?? '';
  const platforms = q.getAll('platform');
  const store = await loadRules();
  if (store.result.errors.length > 0)
    return {
      ok: false,
      response: problems(
        400,
        store.result.errors.map((d) => ({ ...d, formatted: formatDiagnostic(d) })),
      ),
    };
  const rules = store.result.rules;
  const loaded = rules.latest('Scenario', id);
  if (!loaded) return { ok: false, response: problems(404, [webProblem('H_NOT_FOUND', `scenario '${id}'`, '/scenario')]) };
  try {
    const value = await comparePlatforms(rules, loaded.doc, platforms.length > 0 ? { platforms } : {});
    return { ok: true, value, rules };
  } catch (e) {
    if (e instanceof CreditbookError)
      return {
        ok: false,
        response: problems(
          400,
          e.diagnostics.map((d) => ({ ...d, path: d.path || '/platform', formatted: formatDiagnostic(d) })),
        ),
      };
    throw e;
  }
}

/** GET /api/platforms: the scenario's demand priced on every platform of the store's platform map. */
export const platformsRoute = guarded('viewer', async (req) => {
  const r = await platformsFor(req);
  return r.ok ? json(r.value) : r.response;
});

/** GET /api/platforms/export: the same comparison as an .xlsx (cost per served second and deltas as formulas). */
export const platformsExportRoute = guarded('viewer', async (req) => {
  const r = await platformsFor(req);
  if (!r.ok) return r.response;
  const file = path.join(/*turbopackIgnore: true*/ os.tmpdir(), `creditbook-platforms-${randomBytes(8).toString('hex')}.xlsx`);
  let body: Buffer;
  try {
    await writeWorkbook(file, platformsWorkbook(r.value));
    body = await readFile(/*turbopackIgnore: true*/ file);
  } finally {
    await rm(/*turbopackIgnore: true*/ file, { force: true });
  }
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${r.value.scenario}-platforms.xlsx"`,
      'cache-control': 'no-store',
    },
  });
});
