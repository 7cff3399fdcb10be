import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  comparePortfolio,
  customersOf,
  mergeParts,
  partOf,
  portfolioCompareWorkbook,
  portfolioModel,
  portfolioPeriodSheet,
  portfolioWorkbook,
  poolsOf,
  renderPortfolio,
  runAggregates,
  type LoadedDocument,
  type Portfolio,
} from '@creditbook/engine';
import { InputError, UsageError, type Io } from './io.ts';
import { json, parse } from './args.ts';
import { progressBar, type ProgressBar } from './progress-bar.ts';
import { failOn, loadRules } from './rules.ts';
import { renderSheet } from './table.ts';
import { defaultWorkers, openWorkerPool, workerPool } from './portfolio-pool.ts';

/** Below this many customers (over all runs) a portfolio runs in this thread: starting workers would cost more than it saves. */
const IN_THREAD = 20_000;

/** Does the file hold a Portfolio? (So `compare` and `export` can take one.) */
export async function isPortfolioFile(cwd: string, file: string): Promise<boolean> {
  try {
    return /^kind:\s*Portfolio\s*$/m.test(await readFile(path.resolve(cwd, file), 'utf8'));
  } catch {
    return false;
  }
}

async function loadPortfolio(io: Io, rulesDir: string, file: string) {
  const result = await loadRules(io.cwd, rulesDir, [file]);
  failOn(result.errors);
  const target = path.resolve(io.cwd, file);
  const doc = result.rules.documents.find((d) => d.doc.kind === 'Portfolio' && path.resolve(io.cwd, d.source.file) === target) as
    LoadedDocument<Portfolio> | undefined;
  if (!doc) throw new InputError(`${file}:1:1: C_UNKNOWN_REFERENCE scenario refers to something that does not exist: no Portfolio in this file`);
  return { rules: result.rules, portfolio: doc.doc };
}

function positiveInt(v: unknown, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > 2 ** 31 - 1)
    throw new UsageError(`${flag} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, got '${s}'`);
  return Number(s);
}

/** A bar that appears only once the work has taken more than a second. */
function lateBar(io: Io, label: string, quiet: boolean): ProgressBar {
  const bar = progressBar(io, label, { unit: 'customers', quiet });
  const start = Date.now();
  return { update: (d, t) => (Date.now() - start > 1000 ? bar.update(d, t) : undefined), stop: () => bar.stop() };
}

const FLAGS = {
  variant: { type: 'string', multiple: true },
  runs: { type: 'string' },
  seed: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

function runOptions(values: Record<string, unknown>): { runs: number; seed: number; workers: number; shard: number; shards: number } {
  const runs = positiveInt(values.runs, '--runs') ?? 1;
  const seed = positiveInt(values.seed, '--seed', 0) ?? 0;
  const workers = positiveInt(values.workers, '--workers') ?? defaultWorkers();
  let shard = 0;
  let shards = 1;
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(String(values.shard));
    if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard takes i/n with 1 ≤ i ≤ n, got '${String(values.shard)}'`);
    shard = Number(m[1]) - 1;
    shards = Number(m[2]);
    if (values.output === undefined) throw new UsageError('--shard writes a partial result: give -o part.json');
  }
  return { runs, seed, workers, shard, shards };
}

/** `creditbook portfolio <portfolio.yaml> …` and `creditbook portfolio merge parts…`. */
export async function portfolioCommand(args: string[], io: Io): Promise<number> {
  if (args[0] === 'merge') return mergeCommand(args.slice(1), io);
  const { values, positionals } = parse(args, FLAGS, { min: 1, max: 1 });
  const opts = runOptions(values);
  const { rules, portfolio } = await loadPortfolio(io, String(values.rules ?? 'rules'), positionals[0]!);
  const model = await portfolioModel(rules, portfolio, (values.variant as string[] | undefined) ?? []);
  const customers = customersOf(model) * opts.runs;
  const bar = lateBar(io, `portfolio ${portfolio.id}`, Boolean(values.json));
  let agg;
  try {
    agg = await runAggregates(model, { ...opts, execute: workerPool(customers < IN_THREAD ? 1 : opts.workers), onProgress: (d, t) => bar.update(d, t) });
  } finally {
    bar.stop();
  }
  if (values.output !== undefined) {
    const out = String(values.output);
    const doc = opts.shards > 1 || values.shard !== undefined ? partOf(agg.meta, opts.shard, opts.shards, agg.runs) : renderPortfolio(agg.meta, agg.runs);
    await writeFile(path.resolve(io.cwd, out), JSON.stringify(doc) + '\n');
    if (values.json) json(io, { file: out, portfolio: portfolio.id, shard: opts.shard + 1, shards: opts.shards });
    else io.stdout.write(`wrote ${out}: ${portfolio.id}${values.shard !== undefined ? `, shard ${opts.shard + 1} of ${opts.shards}` : ''}\n`);
    return 0;
  }
  print(io, renderPortfolio(agg.meta, agg.runs), Boolean(values.json), portfolio);
  return 0;
}

function print(io: Io, r: ReturnType<typeof renderPortfolio>, asJson: boolean, p?: Portfolio): void {
  if (asJson) {
    json(io, r);
    return;
  }
  const pools = poolsOf(r);
  io.stdout.write(`${r.portfolio} — ${r.variant ?? 'base'} (${r.currency}), seed ${r.seed}${r.runs > 1 ? `, ${r.runs} runs: P50 per figure` : ''}\n\n`);
  io.stdout.write(renderSheet(portfolioPeriodSheet('Portfolio', r, r.periods, pools, { ledger: true, books: false }), { title: true }));
  io.stdout.write('\n' + renderSheet(portfolioPeriodSheet('Books', r, r.periods, pools, { ledger: false, books: true }), { title: true }));
  if (r.runs > 1)
    io.stdout.write(
      '\n' +
        renderSheet(
          portfolioWorkbook(r, p).sheets.find((s) => s.name === 'Bands')!,
          { title: true },
        ),
    );
}

async function mergeCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, { min: 1, max: 100_000 });
  const parts = [];
  for (const f of positionals) {
    let part: unknown;
    try {
      part = JSON.parse(await readFile(path.resolve(io.cwd, f), 'utf8'));
    } catch (e) {
      throw new InputError(`${f}:1:1: C_PART partial portfolio results do not merge: ${(e as Error).message}`);
    }
    parts.push({ name: f, part });
  }
  const { meta, runs } = mergeParts(parts);
  print(io, renderPortfolio(meta, runs), Boolean(values.json));
  return 0;
}

/** `creditbook compare <portfolio.yaml> [--variant NAME]… [--runs N] [--seed S] [--workers K]`: the base and each variant, with deltas. */
export async function portfolioCompare(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, FLAGS, { min: 1, max: 1 });
  const opts = runOptions(values);
  const { rules, portfolio } = await loadPortfolio(io, String(values.rules ?? 'rules'), positionals[0]!);
  const bar = lateBar(io, `comparing ${portfolio.id}`, Boolean(values.json));
  // One pool for the base and every variant: the workers start once.
  const pool = opts.workers > 1 ? openWorkerPool(opts.workers) : undefined;
  let c;
  try {
    c = await comparePortfolio(rules, portfolio, values.variant as string[] | undefined, {
      ...opts,
      execute: pool?.execute ?? workerPool(1),
      onProgress: (d, t) => bar.update(d, t),
    });
  } finally {
    bar.stop();
    await pool?.destroy();
  }
  if (values.json) json(io, c);
  else {
    io.stdout.write(`${c.portfolio} — ${c.runs.length} runs (${c.currency})\n\n`);
    io.stdout.write(renderSheet(portfolioCompareWorkbook(c).sheets[0]!));
  }
  return 0;
}

/** `creditbook export <portfolio.yaml> -o out.xlsx [--variant NAME]… [--runs N] [--seed S]`: the figures as values (a note says so). */
export async function portfolioExport(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, FLAGS, { min: 1, max: 1 });
  const out = values.output as string | undefined;
  if (!out) throw new UsageError('missing -o out.xlsx');
  if (!/\.xlsx$/i.test(out)) throw new UsageError(`the output must be an .xlsx file: ${out}`);
  const opts = runOptions({ ...values, output: undefined, shard: undefined });
  const { rules, portfolio } = await loadPortfolio(io, String(values.rules ?? 'rules'), positionals[0]!);
  const model = await portfolioModel(rules, portfolio, (values.variant as string[] | undefined) ?? []);
  const agg = await runAggregates(model, { ...opts, execute: workerPool(customersOf(model) * opts.runs < IN_THREAD ? 1 : opts.workers) });
  const r = renderPortfolio(agg.meta, agg.runs);
  const { writeWorkbook } = await import('@creditbook/exporter');
  await writeWorkbook(path.resolve(io.cwd, out), portfolioWorkbook(r, portfolio));
  if (values.json) json(io, { file: out, portfolio: portfolio.id, variant: r.variant, runs: r.runs });
  else io.stdout.write(`wrote ${out}: ${portfolio.id} (${r.variant ?? 'base'}), values (not formulas)\n`);
  return 0;
}
