import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import ExcelJS from 'exceljs';
import pidusage from 'pidusage';
import { exportScenario, writeSheets } from '@creditbook/exporter';
import {
  compare,
  compileCard,
  compileFormula,
  compileTable,
  evaluateFormula,
  forecast,
  loadStore,
  sweep,
  WhatIf,
  type RuleSet,
  type Scenario,
  type Cell,
  type Column,
  type SweepRun,
  type Totals,
  f,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { alternate, median, percentile, rate, time } from './measure.ts';
import { buildSpreadsheetLedger, ledgerShape, sweepScales, type SpreadsheetLedger, type SpreadsheetTotals } from './spreadsheet-ledger.ts';
import { variantsOf, withLinePrice } from './sweep.ts';

/** One measured contender: its median over the rounds. */
export interface Contender {
  name: string;
  median: number;
  unit: string;
  samples: number[];
}

/** A section of the report: contenders side by side, the ratio that matters and its goal. */
export interface Section {
  id: string;
  title: string;
  contenders: Contender[];
  ratios: { name: string; value: number; goal: string; met: boolean }[];
  notes: string[];
}

export interface Options {
  rounds: number;
  variants: number;
  horizon: number;
  rulesDir: string;
}

export async function loadBundled(rulesDir: string): Promise<RuleSet> {
  const { rules, errors } = await loadStore(new DirectoryStore(path.resolve(rulesDir)));
  if (errors.length) throw new Error(`the rules do not load: ${errors[0]!.message}`);
  return rules;
}

/** 1. Quotes per second: the compiled card, per-call JSONata, and a hand-written lookup of the same prices. */
export async function quotesSection(rules: RuleSet, o: Options): Promise<Section> {
  const card = rules.inForce('RateCard', 'kling-consumer', '2026-01-01')?.doc;
  if (!card) throw new Error('the benchmark needs the bundled kling-consumer card');
  const table = await compileTable(card);
  if (!table) throw new Error('kling-consumer does not compile to a table');
  const requests = [
    { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: 10 },
    { model: 'kling-v2-1-master', duration_s: 10 },
    { model: 'kling-v1-6', mode: 'std', duration_s: 5 },
    { model: 'kling-v2-1', mode: 'pro', duration_s: 5 },
  ];
  const compiled = compileCard(card);
  const normalized = requests.map((r) => {
    const norm = compiled.normalize(r);
    if (!norm.ok) throw new Error(`request not priceable: ${norm.detail}`);
    return norm.request;
  });
  const modes = normalized.map((r) => String(r['mode']));
  const hand: Record<string, Record<string, Record<string, number>>> = {};
  requests.forEach((r, i) => {
    ((hand[r.model] ??= {})[modes[i]!] ??= {})[String(r.duration_s)] = table.lookup(r)!;
  });
  const formula = compileFormula(card.credits);
  if (!formula.ok) throw new Error('formula does not compile');
  // All three give the same credits for the same requests.
  for (const [i, r] of requests.entries()) {
    const viaFormula = await evaluateFormula(formula.formula, normalized[i], card.parameters ?? {});
    if (!viaFormula.ok || viaFormula.value !== table.lookup(r)) throw new Error(`compiled table and formula disagree on ${JSON.stringify(r)}`);
  }
  let sink = 0;
  const samples = await alternate(o.rounds, [
    ['compiled card', () => rate(2_000_000, (i) => (sink += table.lookup(requests[i & 3]!) ?? 0))],
    [
      'hand-written lookup',
      () =>
        rate(2_000_000, (i) => {
          const r = requests[i & 3]!;
          sink += hand[r.model]![modes[i & 3]!]![String(r.duration_s)]!;
        }),
    ],
    [
      'JSONata per call',
      () =>
        rate(20_000, (i) =>
          evaluateFormula(formula.formula, normalized[i & 3], card.parameters ?? {}).then((x) => {
            if (x.ok) sink += Number(x.value);
          }),
        ),
    ],
  ]);
  if (sink < 0) throw new Error('unreachable');
  const c = contenders(samples, 'quotes/s');
  const by = (n: string) => c.find((x) => x.name === n)!.median;
  const vsJsonata = by('compiled card') / by('JSONata per call');
  const vsHand = by('hand-written lookup') / by('compiled card');
  return {
    id: 'quotes',
    title: 'Quotes per second: kling-consumer',
    contenders: c,
    ratios: [
      { name: 'compiled card vs per-call JSONata', value: vsJsonata, goal: '>= 100x', met: vsJsonata >= 100 },
      { name: 'hand-written lookup vs compiled card', value: vsHand, goal: '<= 2x', met: vsHand <= 2 },
    ],
    notes: ['the compiled card checks the request against the card (unknown or omitted dimensions); the hand-written lookup trusts it'],
  };
}

interface SweepSetup {
  rules: RuleSet;
  scenario: Scenario;
  names: string[];
  model: SpreadsheetLedger;
  master: number;
  build: number;
  /** Median seconds of the engine's sweep run before the spreadsheet model was built. */
  alone: number;
}

export async function sweepSetup(rules: RuleSet, o: Options): Promise<SweepSetup> {
  const base = { ...rules.latest('Scenario', 'agency-campaigns')!.doc, horizon: o.horizon };
  const shape = await ledgerShape(rules, base);
  const scales = sweepScales(o.variants, shape.baseCounts.flat());
  const scenario = variantsOf(base, scales);
  const names = scenario.variants!.map((v) => v.name);
  // The engine alone, before the spreadsheet's heap exists: what a sweep costs without a neighbour.
  const alone: number[] = [];
  for (let r = 0; r < o.rounds + 1; r++) alone.push(await time(() => sweep(rules, scenario, names)));
  let model: SpreadsheetLedger | undefined;
  const build = await time(() => (model = buildSpreadsheetLedger(shape, scales)));
  const master = scenario.demand.findIndex((d) => d.request['model'] === 'kling-v2-1-master');
  return { rules, scenario, names, model: model!, master, build, alone: median(alone.slice(1)) };
}

/** Where the engine's totals and the spreadsheet's differ, if they do (credits exactly, money to the cent). */
function totalsDiffer(name: string, e: Totals, t: SpreadsheetTotals): string | undefined {
  const a = [e.consumed, e.purchased, e.expired, e.spend, e.expired_value].join(' ');
  const b = [t.consumed, t.purchased, t.expired, t.spend.toFixed(2), t.expiredValue.toFixed(2)].join(' ');
  return a === b ? undefined : `${name}: engine ${a}, spreadsheet ${b}`;
}

function sameTotals(runs: readonly SweepRun[], model: SpreadsheetLedger): string | undefined {
  for (const [v, run] of runs.entries()) {
    const d = totalsDiffer(run.name, run.totals, model.totals(v));
    if (d) return d;
  }
  return undefined;
}

/** 2. A global input change (the credits of 2.1 Master) across every variant: the engine's sweep vs HyperFormula recomputing. */
export async function sweepSection(s: SweepSetup, o: Options): Promise<Section> {
  const request = s.scenario.demand[s.master]!.request;
  let round = 0;
  let engineRuns: SweepRun[] = [];
  let engineRound = 0;
  const price = (r: number) => (r % 2 === 0 ? 300 : 280);
  const samples = await alternate(o.rounds, [
    [
      'engine sweep',
      () =>
        time(async () => {
          const changed = withLinePrice(s.rules, 'kling-consumer', request, price(engineRound++));
          engineRuns = await sweep(changed, s.scenario, s.names);
        }),
    ],
    ['HyperFormula recompute', () => time(() => s.model.setLinePrice(s.master, price(round++)))],
  ]);
  const mismatch = sameTotals(engineRuns, s.model);
  if (mismatch) throw new Error(`the engine and the spreadsheet disagree after the global change: ${mismatch}`);
  const c = contenders(samples, 's');
  const ratio = c[1]!.median / c[0]!.median;
  return {
    id: 'sweep',
    title: `${o.variants} variants × ${o.horizon} months of agency-campaigns after a global input change`,
    contenders: c,
    ratios: [{ name: 'HyperFormula time / engine time', value: ratio, goal: '>= 50x', met: ratio >= 50 }],
    notes: [
      `spreadsheet model: ${s.model.formulas.toLocaleString('en-US')} formulas, built in ${s.build.toFixed(2)} s`,
      `results checked equal for all ${o.variants} variants (credits exactly, money to the cent)`,
      `the engine's sweep alone in the process (before the spreadsheet model existed): ${(s.alone * 1e3).toFixed(2)} ms`,
    ],
  };
}

/** 3. One input of one variant changes: the engine's incremental what-if vs HyperFormula's local recalculation. */
export async function whatIfSection(s: SweepSetup, o: Options): Promise<Section> {
  // Back to the bundled prices on both sides.
  s.model.setLinePrice(s.master, 280);
  const whatIf = await WhatIf.open(s.rules, s.scenario);
  const scales = (i: number) => 0.5 + ((i * 7919) % 1000) / 1000 + 0.00037;
  let e = 0;
  let h = 0;
  let lastChanges = 0;
  const samples = await alternate(Math.max(o.rounds, 5) * 10, [
    ['engine what-if', () => time(async () => (lastChanges = (await whatIf.set(`v${(e * 37) % o.variants}`, { demand_scale: scales(e++) })).length))],
    ['HyperFormula local recompute', () => time(() => s.model.setScale((h * 37) % o.variants, scales(h++)))],
  ]);
  // The last variant both changed must agree.
  const v = ((e - 1) * 37) % o.variants;
  const r = whatIf.result(`v${v}`);
  const one = totalsDiffer(`v${v}`, r.totals, s.model.totals(v));
  if (one) throw new Error(`the engine and the spreadsheet disagree after a local change: ${one}`);
  const c = contenders(samples, 's');
  const ratio = c[0]!.median / c[1]!.median;
  return {
    id: 'what-if',
    title: 'One input of one variant changes (its demand scale)',
    contenders: c,
    ratios: [{ name: 'engine time / HyperFormula time', value: ratio, goal: '<= 1.0x', met: ratio <= 1 }],
    notes: [`the engine returns the change set (last one: ${lastChanges} values) from a full forecast of the one run that changed`],
  };
}

function contenders(samples: Map<string, number[]>, unit: string): Contender[] {
  return [...samples].map(([name, xs]) => ({ name, median: median(xs), unit, samples: xs }));
}

/** One row of a scaling table: a size, the time it took and the heap it left in use. */
export interface ScalingRow {
  size: number;
  seconds: number;
  perUnit: number;
  heapMb: number;
}

export interface Scaling {
  id: string;
  title: string;
  unit: string;
  rows: ScalingRow[];
}

async function scale(sizes: readonly number[], rounds: number, run: (size: number) => Promise<unknown>): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  for (const size of sizes) {
    await run(size); // warm
    const xs: number[] = [];
    let kept: unknown;
    for (let r = 0; r < rounds; r++) xs.push(await time(async () => (kept = await run(size))));
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    if (kept === undefined) throw new Error('nothing computed');
    const seconds = median(xs);
    rows.push({ size, seconds, perUnit: seconds / size, heapMb });
  }
  return rows;
}

/** How time grows with horizon, lots and variants, for docs/performance.md. */
export async function scalingSection(rules: RuleSet, o: Options): Promise<Scaling[]> {
  const agency = rules.latest('Scenario', 'agency-campaigns')!.doc;
  const rounds = Math.max(5, o.rounds);
  const horizon = await scale([12, 24, 48, 96, 120], rounds, (h) => forecast(rules, { ...agency, horizon: h }));
  // Daily periods, each granting a day of free credits and buying two top-ups: three lots a day.
  const lotsScenario = (lots: number): Scenario => ({
    ...agency,
    start: '2025-10-01',
    granularity: 'day',
    horizon: Math.max(1, Math.round(lots / 3)),
    plan: { ...agency.plan, daily_free: true },
    purchases: {
      policy: 'scheduled',
      scheduled: [
        { period: '2025-10-01', pack: 'topup-330', quantity: 1, every: 1 },
        { period: '2025-10-01', pack: 'topup-330', quantity: 2, every: 1 },
      ],
    },
    demand: agency.demand.map((d) => ({ ...d, profile: { type: 'steady' } })),
    variants: [],
  });
  const lots = await scale([10, 100, 1_000, 10_000], rounds, async (n) => {
    const r = await forecast(rules, lotsScenario(n));
    return r.lots.length;
  });
  const variants = await scale([1, 10, 100, 1_000, 10_000], rounds, (n) => {
    const s = variantsOf(
      { ...agency, horizon: 36 },
      Array.from({ length: n }, (_, i) => 0.2 + (1.6 * i) / Math.max(1, n)),
    );
    return sweep(
      rules,
      s,
      s.variants!.map((v) => v.name),
    );
  });
  return [
    { id: 'horizon', title: 'Forecast of agency-campaigns (full ledger, lots and demand rows) by horizon', unit: 'period', rows: horizon },
    { id: 'lots', title: 'Forecast with N lots (daily periods, three lots a day)', unit: 'lot', rows: lots },
    { id: 'variants', title: 'Sweep of agency-campaigns over 36 months by number of variants', unit: 'variant', rows: variants },
  ];
}

/** Rows of a ledger-like sheet: 10 columns, 3 of them formulas. */
function* ledgerLikeRows(rows: number): Generator<Cell[]> {
  yield ['Period', 'Pool', 'Opening', 'Granted', 'Purchased', 'Demand', 'Consumed', 'Expired', 'Closing', 'Unmet'].map((v) => ({ v, fmt: 'text' as const }));
  let closing = 0;
  for (let r = 1; r <= rows; r++) {
    const opening = closing;
    const granted = 3000;
    const purchased = (r % 7) * 330;
    const demand = 2500 + (r % 11) * 100;
    const consumed = Math.min(demand, opening + granted + purchased);
    const expired = r % 5 === 0 ? 10 : 0;
    closing = opening + granted + purchased - consumed - expired;
    yield [
      { v: `P${r}`, fmt: 'period' },
      { v: 'consumer', fmt: 'text' },
      r === 1 ? { v: opening, fmt: 'credits' } : { v: opening, f: f.ref(r - 1, 8), fmt: 'credits' },
      { v: granted, fmt: 'credits' },
      { v: purchased, fmt: 'credits' },
      { v: demand, fmt: 'credits' },
      { v: consumed, fmt: 'credits' },
      { v: expired, fmt: 'credits' },
      { v: closing, f: f.sub(f.sub(f.add(f.ref(r, 2), f.ref(r, 3), f.ref(r, 4)), f.ref(r, 6)), f.ref(r, 7)), fmt: 'credits' },
      { v: demand - consumed, f: f.sub(f.ref(r, 5), f.ref(r, 6)), fmt: 'credits' },
    ];
  }
}

/** The same rows written with exceljs's streaming writer directly: formula text by hand, no model. */
async function rawExceljs(path: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet('Ledger', { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
  ws.columns = Array.from({ length: 10 }, () => ({ width: 12 }));
  let n = 0;
  for (const cells of ledgerLikeRows(rows)) {
    n++;
    const row = ws.getRow(n);
    cells.forEach((cell, c) => {
      const target = row.getCell(c + 1);
      if (n > 1 && (c === 2 || c === 8 || c === 9) && cell.f) {
        const formula = c === 2 ? `I${n - 1}` : c === 8 ? `C${n}+D${n}+E${n}-G${n}-H${n}` : `F${n}-G${n}`;
        target.value = { formula, result: cell.v as number };
      } else target.value = cell.v;
      if (n > 1 && c >= 2) target.numFmt = '#,##0';
    });
    row.commit();
    if (n % 2_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  ws.commit();
  await wb.commit();
}

/** 4. A large export: Creditbook's writer (formula model, styles, safety) vs raw exceljs streaming of the same cells. */
export async function exportSection(o: Options & { exportRows: number }): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-export-'));
  const rows = o.exportRows;
  try {
    const samples = await alternate(Math.max(2, Math.min(o.rounds, 3)), [
      [
        'Creditbook streaming export',
        () => time(() => writeSheets(join(dir, 'creditbook.xlsx'), [{ name: 'Ledger', columns: LEDGER_COLUMNS, rows: ledgerLikeRows(rows) }])),
      ],
      ['raw exceljs streaming', () => time(() => rawExceljs(join(dir, 'raw.xlsx'), rows))],
    ]);
    const c = contenders(samples, 's');
    const ratio = c[0]!.median / c[1]!.median;
    const peak = process.resourceUsage().maxRSS / 1024;
    return {
      id: 'export',
      title: `Export of ${(rows * 10).toLocaleString('en-US')} cells (${rows.toLocaleString('en-US')} rows × 10 columns, 3 formulas a row)`,
      contenders: c,
      ratios: [
        { name: 'Creditbook time / raw exceljs time', value: ratio, goal: '<= 1.2x', met: ratio <= 1.2 },
        { name: 'peak RSS of the process, both contenders (MB)', value: peak, goal: '<= 450', met: peak <= 450 },
      ],
      notes: [
        `files: ${(statSync(join(dir, 'creditbook.xlsx')).size / 2 ** 20).toFixed(1)} MB (Creditbook), ${(statSync(join(dir, 'raw.xlsx')).size / 2 ** 20).toFixed(1)} MB (raw)`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 4b. The live model of a long scenario: agency-campaigns over 120 months with every variant, the
 * engine's model (lot grids with a live burn order) written by the exporter. Run alone in a child
 * Node, so the peak memory is the export's own.
 */
export async function modelExportSection(rules: RuleSet, o: Options): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-model-'));
  const agency = rules.latest('Scenario', 'agency-campaigns')!.doc;
  const scenario: Scenario = { ...agency, horizon: 120 };
  try {
    const name = 'agency-campaigns, 120 months, all variants';
    const run = () => time(() => exportScenario(rules, scenario, join(dir, 'agency-120.xlsx'), { variants: 'all' }));
    // One round is one export, cold, as `creditbook export` runs it; more are alternated after a warm-up.
    const samples = o.rounds === 1 ? new Map([[name, [await run()]]]) : await alternate(Math.min(o.rounds, 2), [[name, run]]);
    const c = contenders(samples, 's');
    const peak = process.resourceUsage().maxRSS / 1024;
    return {
      id: 'model-export',
      title: `Live model export: agency-campaigns, 120 months, ${(agency.variants ?? []).length + 1} runs`,
      contenders: c,
      ratios: [modelExportPeak(peak)],
      notes: [`file: ${(statSync(join(dir, 'agency-120.xlsx')).size / 2 ** 20).toFixed(1)} MB`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The model export's memory goal: the peak RSS of a process that exports the model. */
const modelExportPeak = (mb: number) => ({ name: 'peak RSS of the process (MB)', value: mb, goal: '<= 450', met: mb <= 450 });

/**
 * The model export measured in several processes, one export each (as `creditbook export` runs
 * one): their times together, the highest peak. Several exports in one process climb (the C
 * allocator's arenas keep what was freed; docs/export.md), which is not the memory of one export.
 */
export function mergeModelExports(parts: readonly Section[]): Section {
  const first = parts[0]!;
  const samples = parts.flatMap((p) => p.contenders[0]!.samples);
  return {
    ...first,
    contenders: [{ ...first.contenders[0]!, samples, median: median(samples) }],
    ratios: [modelExportPeak(Math.max(...parts.map((p) => p.ratios[0]!.value)))],
    notes: [
      ...first.notes,
      `${parts.length} Node processes, one export each, as creditbook export runs it (the peak is the highest of them; several exports in one process climb higher, see docs/export.md)`,
    ],
  };
}

const LEDGER_COLUMNS: Column[] = ['Period', 'Pool', 'Opening', 'Granted', 'Purchased', 'Demand', 'Consumed', 'Expired', 'Closing', 'Unmet'].map((t, i) => ({
  key: `c${i}`,
  title: t,
  width: 12,
  ...(i >= 2 ? { fmt: 'credits' as const } : {}),
}));

/** True when the web app's build is newer than every source it is built from. */
function buildIsFresh(repoRoot: string, stamp: string): boolean {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  const newer = (dir: string): boolean => {
    if (!existsSync(dir)) return false;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory() ? newer(full) : statSync(full).mtimeMs > built) return true;
    }
    return false;
  };
  const sources = ['apps/web/app', 'apps/web/lib', 'apps/web/components', 'packages/engine/src', 'packages/exporter/src'];
  const config = join(repoRoot, 'apps/web/next.config.ts');
  if (existsSync(config) && statSync(config).mtimeMs > built) return false;
  return !sources.some((d) => newer(join(repoRoot, d)));
}

/** A TCP port free on 127.0.0.1 now (the kernel's pick): no fixed port to collide with. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the built web app on a temporary copy of the rules; returns its URL and a stop function. */
export async function startWebApp(repoRoot: string, port: number): Promise<{ url: string; pid: number; stop: () => void }> {
  const app = join(repoRoot, 'apps', 'web');
  if (!buildIsFresh(repoRoot, join(app, '.next', 'BUILD_ID'))) {
    const built = spawnSync('pnpm', ['--filter', '@creditbook/web', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
    if (built.status !== 0) throw new Error('next build failed');
  }
  const rules = mkdtempSync(join(tmpdir(), 'cb-bench-rules-'));
  cpSync(join(repoRoot, 'rules'), rules, { recursive: true });
  const next = createRequire(join(app, 'package.json')).resolve('next/dist/bin/next');
  // Its own process group: `next start` runs the server in a child process, and both must stop.
  const child = spawn(process.execPath, [next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: app,
    detached: true,
    stdio: 'ignore',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      CREDITBOOK_RULES_DIR: rules,
      CREDITBOOK_SESSION_SECRET: 'bench-session-secret-0123456789abcdefghijklmnop',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    rmSync(rules, { recursive: true, force: true });
  };
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/login`)).ok) return { url, pid: child.pid!, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  stop();
  throw new Error('the web app did not start');
}

/** What a load's call answers: its status and a body to read to the end (fetch's `Response` is one). */
export interface Answer {
  readonly ok: boolean;
  readonly status: number;
  arrayBuffer(): Promise<ArrayBuffer | Buffer>;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One request over node:http on a keep-alive pool, its body read whole. The load generator runs on
 * the same two cores as the server: its own work per answer is small and barely grows with the
 * body, where fetch reads a body through web streams (a chunk transferred at each step), which
 * charges a large answer's route with the client's CPU rather than the server's.
 */
export function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 300, status, arrayBuffer: () => Promise.resolve(body) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Runs `count` requests from `clients` concurrent loops; the latencies in milliseconds. */
export async function loadOnce(clients: number, count: number, call: () => Promise<Answer>) {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        next++;
        const t0 = process.hrtime.bigint();
        const r = await call();
        await r.arrayBuffer();
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (!r.ok && r.status !== 304) errors++;
      }
    }),
  );
  return { latencies, errors, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

type Load = { p50: number; p95: number; p99: number; errors: number; count: number; rate: number; cpuPerRequest: number | undefined };

/** The CPU time (user and system, ms) a process has used so far; undefined where it cannot be read. */
async function cpuOf(pid: number): Promise<number | undefined> {
  try {
    return (await pidusage(pid)).ctime;
  } catch {
    return undefined;
  }
}

/**
 * Each named load in turn, `rounds` times, `count / rounds` requests a turn: the loads share the
 * machine's drift alike (a ratio between them means something on a busy machine). Every load is
 * warmed first (a turn of `warm` requests, not counted: the route's code loaded and compiled), and
 * the order of the turns rotates from round to round, so no load always follows the same one (and
 * the garbage it left). Percentiles over all of a load's requests. With `server` (its process id),
 * the server's CPU time per request of each load, taken around each turn: a figure the machine's
 * drift (other work, stolen time) moves much less than a latency.
 */
async function loads<K extends string>(
  rounds: number,
  clients: number,
  plan: Record<K, { count: number; call: () => Promise<Answer> }>,
  server?: number,
  warm = 4 * clients,
): Promise<Record<K, Load>> {
  const keys = Object.keys(plan) as K[];
  type Acc = { latencies: number[]; errors: number; seconds: number; cpu: number | undefined };
  // No server to read: no CPU time.
  const cpu = server === undefined ? undefined : 0;
  const acc = Object.fromEntries(keys.map((k): [K, Acc] => [k, { latencies: [], errors: 0, seconds: 0, cpu }])) as Record<K, Acc>;
  for (const k of keys) await loadOnce(clients, warm, plan[k].call);
  for (let r = 0; r < rounds; r++) {
    for (const k of [...keys.slice(r % keys.length), ...keys.slice(0, r % keys.length)]) {
      const before = server === undefined ? undefined : await cpuOf(server);
      const part = await loadOnce(clients, Math.ceil(plan[k].count / rounds), plan[k].call);
      const after = server === undefined ? undefined : await cpuOf(server);
      const a = acc[k];
      a.latencies.push(...part.latencies);
      a.errors += part.errors;
      a.seconds += part.seconds;
      a.cpu = a.cpu === undefined || before === undefined || after === undefined ? undefined : a.cpu + (after - before);
    }
  }
  const out = {} as Record<K, Load>;
  for (const k of keys) {
    const all = acc[k].latencies;
    const pct = (p: number) => percentile(all, p);
    const used = acc[k].cpu;
    out[k] = {
      p50: pct(50),
      p95: pct(95),
      p99: pct(99),
      errors: acc[k].errors,
      count: all.length,
      rate: all.length / acc[k].seconds,
      cpuPerRequest: used === undefined ? undefined : used / all.length,
    };
  }
  return out;
}

/**
 * The API's loads take turns this many times: short turns (a few hundred requests, about a second
 * each), so that the machine's drift over seconds (other work, time stolen by the host) falls on
 * every load alike; a multiple of the four loads, so each comes first, second, third and last
 * equally often.
 */
const ROUNDS = 16;

/** 5. `/api/compare` for the bundled scenario with 4 variants, 16 clients at once on loopback. */
export async function apiSection(rules: RuleSet, o: Options & { repoRoot: string; requests: number }): Promise<Section> {
  const server = await startWebApp(o.repoRoot, await freePort());
  try {
    const origin = { origin: server.url, 'sec-fetch-site': 'same-origin' };
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...origin },
      body: JSON.stringify({ email: 'viewer@creditbook.local', password: 'creditbook-viewer' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    if (!login.ok || !cookie) throw new Error(`sign-in failed: ${login.status}`);
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const variants = (scenario.variants ?? []).slice(0, 4).map((v) => v.name);
    // The bundled what-if is a query: GET, as a browser or a dashboard asks it.
    const query = `scenario=agency-campaigns${variants.map((v) => `&variant=${encodeURIComponent(v)}`).join('')}`;
    const call = () => request(`${server.url}/api/compare?${query}`, { headers: { cookie } });
    // The answer is the engine's comparison (the CLI's `compare --json`).
    const first = await fetch(`${server.url}/api/compare?${query}`, { headers: { cookie } });
    const got = (await first.json()) as { runs: { name: string; totals: Totals }[] };
    const want = await compare(rules, scenario, { variants });
    if (JSON.stringify(got.runs.map((r) => r.totals)) !== JSON.stringify(want.runs.map((r) => r.totals))) throw new Error('the API and the engine disagree');
    for (let i = 0; i < 50; i++) await (await call()).arrayBuffer(); // warm
    const clients = 16;
    // The same what-if from a client that holds the answer (a browser revalidating): If-None-Match, 304.
    const etag = first.headers.get('etag') ?? '';
    if (!etag || (await fetch(`${server.url}/api/compare?${query}`, { headers: { cookie, 'if-none-match': etag } })).status !== 304)
      throw new Error('the remembered what-if has no working ETag');
    // A new what-if every request (the four variants, each changed, POSTed): every variant forecast.
    let n = 0;
    const freshCall = () => {
      const k = n++;
      // Each variant made new (its demand scaled by a factor no request used before), so nothing is reused.
      const custom = (scenario.variants ?? []).slice(0, 4).map((v) => ({ ...v, name: `${v.name}-${k}`, demand_scale: 1 + (k + 1) / 100_000 }));
      return request(`${server.url}/api/compare`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, ...origin },
        body: JSON.stringify({ scenario: 'agency-campaigns', variants: [], custom }),
      });
    };
    // The floor: the same load on the cheapest signed-in route (the session check and Next.js alone).
    const { same, revalidated, fresh, floor } = await loads(
      ROUNDS,
      clients,
      {
        same: { count: o.requests, call },
        revalidated: { count: o.requests, call: () => request(`${server.url}/api/compare?${query}`, { headers: { cookie, 'if-none-match': etag } }) },
        fresh: { count: Math.min(o.requests, 2_000), call: freshCall },
        floor: { count: o.requests, call: () => request(`${server.url}/api/auth/me`, { headers: { cookie } }) },
      },
      server.pid,
    );
    const cpu = (l: Load) => (l.cpuPerRequest === undefined ? 'not readable here' : `${l.cpuPerRequest.toFixed(2)} ms`);
    const ms = (x: number) => x / 1e3;
    return {
      id: 'api',
      title: `/api/compare: agency-campaigns with ${variants.length} variants, ${clients} clients (next start, loopback)`,
      contenders: [
        { name: 'p50, the same what-if', median: ms(same.p50), unit: 's', samples: [] },
        { name: 'p95, the same what-if', median: ms(same.p95), unit: 's', samples: [] },
        { name: 'p99, the same what-if', median: ms(same.p99), unit: 's', samples: [] },
        { name: 'p50, the same what-if, 304', median: ms(revalidated.p50), unit: 's', samples: [] },
        { name: 'p95, the same what-if, 304', median: ms(revalidated.p95), unit: 's', samples: [] },
        { name: 'p50, a new what-if each time', median: ms(fresh.p50), unit: 's', samples: [] },
        { name: 'p95, a new what-if each time', median: ms(fresh.p95), unit: 's', samples: [] },
        { name: 'p99, a new what-if each time', median: ms(fresh.p99), unit: 's', samples: [] },
        { name: 'p50, GET /api/auth/me (floor)', median: ms(floor.p50), unit: 's', samples: [] },
        { name: 'p95, GET /api/auth/me (floor)', median: ms(floor.p95), unit: 's', samples: [] },
      ],
      ratios: [
        {
          name: 'p95 of the same what-if (200 from memory) / p95 of the floor',
          value: same.p95 / floor.p95,
          goal: '<= 1.25x',
          met: same.p95 / floor.p95 <= 1.25,
        },
        {
          name: 'p95 of the same what-if (If-None-Match, 304) / p95 of the floor',
          value: revalidated.p95 / floor.p95,
          goal: '<= 1.25x',
          met: revalidated.p95 / floor.p95 <= 1.25,
        },
        { name: 'p95 of a new what-if each time / p95 of the floor', value: fresh.p95 / floor.p95, goal: '<= 2x', met: fresh.p95 / floor.p95 <= 2 },
      ],
      notes: [
        `the same what-if (GET): ${o.requests} requests, ${same.rate.toFixed(0)}/s, ${same.errors} errors (a comparison already computed for an unchanged store is answered from memory)`,
        `the same what-if with If-None-Match: ${revalidated.count} requests, ${revalidated.rate.toFixed(0)}/s, ${revalidated.errors} errors (304, no body: the answer's ETag is kept with its serialized bytes)`,
        `a new what-if each time (POST, four changed variants): ${fresh.count} requests, ${fresh.rate.toFixed(0)}/s, ${fresh.errors} errors (every variant forecast; the unchanged base run is reused)`,
        `the load generator (node:http, keep-alive) runs on the same 2 cores as the server; GET /api/auth/me (the sign-in check only, ${floor.rate.toFixed(0)}/s) is the floor of Next.js itself under this load`,
        `the server's CPU time per request: the same what-if ${cpu(same)} (200), ${cpu(revalidated)} (304); a new what-if ${cpu(fresh)}; the floor ${cpu(floor)}`,
        "responses checked equal to the engine's comparison",
        `the four loads run in turn, ${ROUNDS} rounds each (each warmed first, the order rotating from round to round), so drift in the machine falls on all of them alike`,
      ],
    };
  } finally {
    server.stop();
  }
}
