/**
 * Usage history in the web app: uploads into the usage database and backtests over it, with the
 * same JSON as `creditbook usage import --json` and `creditbook backtest --json`.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { formatDiagnostic, isMonth, type Diagnostic } from '@creditbook/engine';
import { backtest, importEvents } from '@creditbook/usage';
import { env } from './env.ts';
import { json, problems, webProblem, type Problem } from './problems.ts';
import { guarded } from './routes.ts';
import { loadRules } from './store.ts';
import { withUsageDb } from './usage-db.ts';

const shown = (list: readonly Diagnostic[]): Problem[] => list.map((d) => ({ ...d, formatted: formatDiagnostic(d) }));

/** Streams a request body to a file, refusing it once it passes `max` bytes. */
async function bodyToFile(req: Request, file: string, max: number): Promise<{ ok: true; bytes: number } | { ok: false }> {
  const out = createWriteStream(file);
  let bytes = 0;
  try {
    if (req.body) {
      const reader = req.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (bytes > max) {
          await reader.cancel();
          return { ok: false };
        }
        if (!out.write(value)) await once(out, 'drain');
      }
    }
    return { ok: true, bytes };
  } finally {
    out.end();
    await once(out, 'close');
  }
}

/**
 * POST /api/usage?name=events.csv with the CSV as the body (editor): imports it, all rows or none.
 * 201 with `{ok, import_id, file, rows, already_imported}`; 400 with each bad row positioned; 413 over the limit.
 */
export const usageUpload = guarded('editor', async (req) => {
  const url = new URL(req.url);
  const name = path.basename(url.searchParams.get('name') || 'events.csv');
  if (!/\.csv$/i.test(name)) return problems(400, [webProblem('H_BAD_INPUT', `a usage upload is a .csv file, got '${name}'`, '/name')]);
  const max = env().usageMaxBytes;
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > max) return problems(413, [webProblem('H_BAD_INPUT', `the file is over ${max / 2 ** 20} MB`)]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'creditbook-upload-'));
  try {
    const file = path.join(dir, name);
    const body = await bodyToFile(req, file, max);
    if (!body.ok) return problems(413, [webProblem('H_BAD_INPUT', `the file is over ${max / 2 ** 20} MB`)]);
    const r = await withUsageDb((db) => importEvents(db, file, { display: name }));
    if (!r.ok) return problems(400, shown(r.errors));
    return json(r, r.already_imported ? 200 : 201);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

/** GET /api/usage: what the usage database holds (events, customers, months, imports). */
export const usageSummary = guarded('viewer', async () => {
  const summary = await withUsageDb(async (db) => {
    const [t] = await db.rows(
      `SELECT count(*) AS events, count(DISTINCT customer) AS customers, strftime(min("time"), '%Y-%m') AS first, strftime(max("time"), '%Y-%m') AS last FROM events`,
    );
    const imports = await db.rows(`SELECT import_id, file, rows, strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at FROM imports ORDER BY imported_at`);
    return {
      events: Number(t!['events']),
      customers: Number(t!['customers']),
      first: t!['first'] ?? null,
      last: t!['last'] ?? null,
      imports: imports.map((i) => ({
        import_id: String(i['import_id']),
        file: String(i['file']),
        rows: Number(i['rows']),
        imported_at: String(i['imported_at']),
      })),
    };
  });
  return json(summary);
});

/**
 * GET /api/backtest?card=ID&from=N&to=M[&between=2025-01..2025-12][&per_customer=1]: the same JSON as
 * `creditbook backtest --json`.
 */
export const backtestRoute = guarded('viewer', async (req) => {
  const q = new URL(req.url).searchParams;
  const bad: Problem[] = [];
  const card = q.get('card') ?? '';
  if (card === '') bad.push(webProblem('H_BAD_INPUT', 'card is required', '/card'));
  const version = (name: 'from' | 'to') => {
    const v = Number(q.get(name));
    if (!Number.isInteger(v) || v < 1) bad.push(webProblem('H_BAD_INPUT', `${name} must be a card version (a positive integer)`, `/${name}`));
    return v;
  };
  const from = version('from');
  const to = version('to');
  let between: { from: string; to: string } | undefined;
  const b = q.get('between');
  if (b) {
    const [x, y = x] = b.split('..');
    if (!x || !y || !isMonth(x) || !isMonth(y) || y < x) bad.push(webProblem('H_BAD_INPUT', `between takes months YYYY-MM..YYYY-MM, got '${b}'`, '/between'));
    else between = { from: x, to: y };
  }
  if (bad.length > 0) return problems(400, bad);
  const rules = (await loadRules()).result.rules;
  const outcome = await withUsageDb((db) =>
    backtest(db, rules, { card, from, to, ...(between ? { between } : {}), perCustomer: q.get('per_customer') === '1' }),
  );
  if (!outcome.ok) {
    const unknown = outcome.errors.some((e) => e.code === 'Q_UNKNOWN_CARD' || e.code === 'Q_NO_VERSION');
    return problems(unknown ? 404 : 400, shown(outcome.errors));
  }
  return json(outcome.result);
});
