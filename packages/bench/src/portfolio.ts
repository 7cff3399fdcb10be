import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { customersOf, inThisThread, portfolioModel, runAggregates, sweep, type Executor, type Portfolio, type RuleSet } from '@creditbook/engine';
import { builtWorkerFile, openWorkerPool } from '@creditbook/cli';
import { median, peakRss, time } from './measure.ts';
import type { Section } from './sections.ts';

const MONTHS = 24;

/** One cohort of `n` agency-campaigns customers who all join in the first month and stay 24 months, demand spread lognormal σ = 0.5. */
function benchPortfolio(n: number): Portfolio {
  return {
    kind: 'Portfolio',
    id: 'bench',
    version: 1,
    effective_from: '2025-01-01',
    status: 'draft',
    audit: { author: 'bench', saved_at: '2025-01-01' },
    currency: 'USD',
    start: '2025-06',
    horizon: MONTHS,
    cohorts: [{ id: 'agencies', scenario: 'agency-campaigns', joins: [n], spread: { distribution: 'lognormal', sigma: 0.5 } }],
  };
}

/**
 * The worker threads run the built worker (dist/portfolio-worker.mjs, plain JavaScript, as the
 * installed CLI does), never TypeScript compiled in each thread. It is built when missing or older
 * than its sources (the CLI's build stamp).
 */
async function ensureBuiltWorker(): Promise<string> {
  const file = fileURLToPath(builtWorkerFile());
  const script = new URL('../../cli/scripts/build.mjs', import.meta.url);
  const build = (await import(script.href)) as {
    infoFile: string;
    stampOf: (inputs: string[]) => string;
    build: () => Promise<unknown>;
  };
  let fresh = false;
  if (existsSync(file) && existsSync(build.infoFile)) {
    const info = JSON.parse(readFileSync(build.infoFile, 'utf8')) as { stamp: string; inputs: string[] };
    try {
      fresh = build.stampOf(info.inputs) === info.stamp;
    } catch {
      fresh = false;
    }
  }
  if (!fresh) await build.build();
  return builtWorkerFile();
}

/** CPU seconds of the whole process (every thread) a body takes. */
async function cpu<T>(body: () => Promise<T>): Promise<{ result: T; cpu: number }> {
  const c0 = process.cpuUsage();
  const result = await body();
  const c = process.cpuUsage(c0);
  return { result, cpu: (c.user + c.system) / 1e6 };
}

async function runOn(rules: RuleSet, n: number, execute: Executor, cpuTimes?: number[]): Promise<number> {
  const model = await portfolioModel(rules, benchPortfolio(n));
  const r = await cpu(() => time(() => runAggregates(model, { execute })));
  cpuTimes?.push(r.cpu);
  return r.result;
}

/**
 * 8. The portfolio: a million customers × 24 months with a demand spread on two worker threads
 * started for the run (wall time, peak RSS, customer-months per second); per ledger-month against
 * the single-scenario sweep; 2 workers against 1 (pools kept across runs); 10 k / 100 k / 1 M customers.
 */
export async function portfolioSection(rules: RuleSet, o: { rounds: number; customers: number }): Promise<Section> {
  const filename = await ensureBuiltWorker();
  const load = loadavg()[0]!;
  const notes: string[] = [];
  // 1 M customers as the CLI runs them: two worker threads started for the run, the books included.
  const big = await peakRss(async () => {
    const model = await portfolioModel(rules, benchPortfolio(o.customers));
    return cpu(() =>
      time(async () => {
        const pool = openWorkerPool(2, { filename });
        try {
          await runAggregates(model, { execute: pool.execute });
        } finally {
          await pool.destroy();
        }
      }),
    );
  });
  const bigS = big.result.result;
  const bigCpu = big.result.cpu;
  const peak = big.peak;
  const one = openWorkerPool(1, { filename });
  const two = openWorkerPool(2, { filename });
  try {
    // Warm both pools (threads started, code compiled), then measure on them.
    await runOn(rules, 20_000, one.execute);
    await runOn(rules, 20_000, two.execute);
    // Growth with the customer count (2 workers, warm pool).
    const sizes = [10_000, 100_000, o.customers].filter((n, i, a) => a.indexOf(n) === i && n <= o.customers);
    const scale: { n: number; s: number }[] = [];
    for (const n of sizes)
      scale.push({
        n,
        s: n === o.customers ? await runOn(rules, n, two.execute) : median([await runOn(rules, n, two.execute), await runOn(rules, n, two.execute)]),
      });
    const cms = (n: number, s: number) => (n * MONTHS) / s;
    for (const r of scale)
      notes.push(
        `${r.n.toLocaleString('en-US')} customers: ${r.s.toFixed(2)} s, ${Math.round(cms(r.n, r.s)).toLocaleString('en-US')} customer-months/s (2 workers, pool already started), ${((r.s / r.n) * 1e6).toFixed(2)} µs a customer`,
      );
    // 2 workers against 1 on the same customers, alternating, both pools warm.
    // On every customer: since customers of the same demand run once, 200,000 are a fraction of a second of
    // work, too little to weigh two workers against one beside the fixed cost of a run.
    const mid = o.customers;
    const t1: number[] = [];
    const t2: number[] = [];
    const c1: number[] = [];
    const c2: number[] = [];
    for (let r = 0; r < Math.max(2, Math.min(o.rounds, 3)); r++) {
      t1.push(await runOn(rules, mid, one.execute, c1));
      t2.push(await runOn(rules, mid, two.execute, c2));
    }
    const speedup = median(t1) / median(t2);
    // Per ledger-month: the portfolio in this thread against the single-scenario sweep (200 variants of agency-campaigns × 24 months).
    const s = { ...rules.latest('Scenario', 'agency-campaigns')!.doc, horizon: MONTHS };
    const names = Array.from({ length: 200 }, (_, i) => `v${i}`);
    const sv = { ...s, variants: names.map((name, i) => ({ name, demand_scale: 0.5 + i / 200 })) };
    const sweepS = median([await time(() => sweep(rules, sv, names)), await time(() => sweep(rules, sv, names))]);
    const sweepRate = (names.length * MONTHS) / sweepS;
    const inThread = median([await runOn(rules, mid, inThisThread), await runOn(rules, mid, inThisThread)]);
    const oneRate = cms(mid, inThread);
    const overhead = oneRate / sweepRate;
    const model = await portfolioModel(rules, benchPortfolio(o.customers));
    const smallest = scale[0]!;
    const largest = scale[scale.length - 1]!;
    notes.push(
      `${customersOf(model).toLocaleString('en-US')} customers of agency-campaigns joining in 2025-06, 24 months each, demand × lognormal(σ 0.5), ledger and books; wall time with two worker threads started for the run: ${bigS.toFixed(2)} s, CPU time of all threads ${bigCpu.toFixed(2)} s (so ${(bigCpu / 2).toFixed(2)} s of wall on two cores left to it alone); peak RSS of the process (its worker threads included) ${(peak / 2 ** 20).toFixed(0)} MB`,
      `workers run ${fileURLToPath(filename).split('/').slice(-3).join('/')} (built JavaScript); pools are kept across runs`,
      `sweep: ${Math.round(sweepRate).toLocaleString('en-US')} ledger-months/s (each variant is planned and priced again); portfolio in this thread: ${Math.round(oneRate).toLocaleString('en-US')} customer-months/s (one plan per join period, demand scaled per customer, books per lot; customers of a task with the same lifetime and the same demand in whole generations run the ledger once, weighted, so this is not a per-ledger speed)`,
      `1 worker against 2 on ${mid.toLocaleString('en-US')} customers: ${median(t1).toFixed(2)} s vs ${median(t2).toFixed(2)} s wall; CPU time ${median(c1).toFixed(2)} s vs ${median(c2).toFixed(2)} s (the wall ratio is what the cores free for it allow)`,
      `load average when the section started: ${load.toFixed(1)} on ${availableParallelism()} cores shared with other processes: above 2, the other processes take CPU from the workers and every wall time and the 2-vs-1 ratio are distorted`,
    );
    return {
      id: 'portfolio',
      title: `Portfolio: ${o.customers.toLocaleString('en-US')} customers × ${MONTHS} months with a demand spread, on 2 worker threads`,
      contenders: [
        { name: `portfolio ${o.customers.toLocaleString('en-US')} customers`, median: bigS, unit: 's', samples: [bigS] },
        { name: 'customer-months per second', median: cms(o.customers, bigS), unit: 'cm/s', samples: [cms(o.customers, bigS)] },
        { name: 'peak RSS', median: peak / 2 ** 20, unit: 'MB', samples: [peak / 2 ** 20] },
      ],
      ratios: [
        {
          name: `10 s / wall time (${o.customers.toLocaleString('en-US')} customers, workers started for the run)`,
          value: 10 / bigS,
          goal: '>= 1x',
          met: bigS <= 10,
        },
        { name: '1 GB / peak RSS', value: 2 ** 30 / peak, goal: '>= 1x', met: peak <= 2 ** 30 },
        { name: 'portfolio customer-months/s (1 thread) / sweep ledger-months/s', value: overhead, goal: '>= 0.5x', met: overhead >= 0.5 },
        { name: '2 workers / 1 worker speed', value: speedup, goal: '>= 1.7x', met: speedup >= 1.7 },
        {
          name: `time per customer at ${largest.n.toLocaleString('en-US')} / at ${smallest.n.toLocaleString('en-US')}`,
          value: largest.s / largest.n / (smallest.s / smallest.n),
          goal: '<= 1.5x (linear or better: more customers share each distinct demand)',
          met: largest.s / largest.n <= 1.5 * (smallest.s / smallest.n),
        },
      ],
      notes,
    };
  } finally {
    await one.destroy();
    await two.destroy();
  }
}
