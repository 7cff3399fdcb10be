import { parseArgs } from 'node:util';
import { compileCard, compileTable, compileFormula, evaluateFormula, forecast, runNames, type RateCard, type Scenario } from '@creditbook/engine';
import { InputError, UsageError, type Io } from './io.ts';
import { failOn, loadRules } from './rules.ts';

interface Measured {
  name: string;
  median: number;
  unit: string;
}

/** Runs each contender once per round, alternating, and keeps the median rate. */
async function rounds(rounds: number, contenders: [string, () => Promise<number>][]): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(contenders.map(([n]) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of contenders) samples.get(name)!.push(await run());
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return new Map([...samples].map(([n, xs]) => [n, med(xs)]));
}

/** Operations per second of a loop over `n` calls. */
async function rate(n: number, body: (i: number) => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = body(i);
    if (r instanceof Promise) await r;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return n / s;
}

/** `creditbook bench`: throughput measured side by side in one process, with ratios. */
export async function benchCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { json: { type: 'boolean' }, rules: { type: 'string' }, rounds: { type: 'string' } }, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const n = Number(values.rounds ?? 5);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--rounds must be a positive integer');
  const loaded = await loadRules(io.cwd, values.rules ?? 'rules');
  failOn(loaded.errors);
  const card = loaded.rules.inForce('RateCard', 'kling-consumer', '2026-01-01')?.doc as RateCard | undefined;
  if (!card) throw new InputError('bench needs the bundled kling-consumer card');
  const table = await compileTable(card);
  if (!table) throw new InputError('kling-consumer does not compile to a table');
  const requests = [
    { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: 10 },
    { model: 'kling-v2-1-master', duration_s: 10 },
    { model: 'kling-v1-6', mode: 'std', duration_s: 5 },
    { model: 'kling-v2-1', mode: 'pro', duration_s: 5 },
  ];
  // Requests as the formula sees them (omitted dimensions filled), for the per-call and hand-written contenders.
  const compiled = compileCard(card);
  const normalized = requests.map((r) => {
    const norm = compiled.normalize(r);
    if (!norm.ok) throw new InputError(`bench request not priceable: ${norm.detail}`);
    return norm.request;
  });
  const modes = normalized.map((r) => String(r['mode']));
  // The hand-written alternative: a nested object of the same prices.
  const hand: Record<string, Record<string, Record<string, number>>> = {};
  requests.forEach((r, i) => {
    ((hand[r.model] ??= {})[modes[i]!] ??= {})[String(r.duration_s)] = table.lookup(r)!;
  });
  const formula = compileFormula(card.credits);
  if (!formula.ok) throw new InputError('formula does not compile');
  let sink = 0;
  const quotes = await rounds(n, [
    ['compiled table', () => rate(2_000_000, (i) => (sink += table.lookup(requests[i & 3]!) ?? 0))],
    ['hand lookup', () => rate(2_000_000, (i) => { const r = requests[i & 3]!; sink += hand[r.model]![modes[i & 3]!]![String(r.duration_s)]!; })],
    ['jsonata per call', () => rate(20_000, (i) => evaluateFormula(formula.formula, normalized[i & 3], card.parameters ?? {}).then((x) => { if (x.ok) sink += Number(x.value); }))],
  ]);
  // Forecast sweep: every variant of every bundled scenario, repeated.
  const scenarios = loaded.rules.ids('Scenario').map((id) => loaded.rules.latest('Scenario', id)!.doc as Scenario);
  const runs = scenarios.flatMap((s) => runNames(s).map((v) => [s, v] as const));
  const sweep = await rounds(Math.min(n, 3), [['forecasts', () => rate(runs.length * 5, (i) => forecast(loaded.rules, runs[i % runs.length]![0], { variant: runs[i % runs.length]![1] }))]]);
  const results: Measured[] = [
    ...[...quotes].map(([name, median]) => ({ name: `quotes/s ${name}`, median, unit: 'quotes/s' })),
    { name: 'forecasts/s (bundled scenarios and variants)', median: sweep.get('forecasts') ?? 0, unit: 'forecasts/s' },
  ];
  const ratios = {
    compiled_vs_jsonata: (quotes.get('compiled table') ?? 0) / (quotes.get('jsonata per call') ?? 1),
    hand_vs_compiled: (quotes.get('hand lookup') ?? 0) / (quotes.get('compiled table') ?? 1),
  };
  if (sink === -1) io.stderr.write('');
  if (values.json) io.stdout.write(JSON.stringify({ rounds: n, results, ratios }, null, 2) + '\n');
  else {
    for (const r of results) io.stdout.write(`${r.name.padEnd(48)} ${Math.round(r.median).toLocaleString('en-US').padStart(14)}\n`);
    io.stdout.write(`\ncompiled table vs per-call JSONata: ${ratios.compiled_vs_jsonata.toFixed(0)}x faster (goal >= 100x)\n`);
    io.stdout.write(`hand-written lookup vs compiled table: ${ratios.hand_vs_compiled.toFixed(2)}x (goal <= 2x)\n`);
  }
  return 0;
}
