import { customersOf, portfolioModel, runAggregates, sweep, type Executor, type Portfolio, type RuleSet } from '@creditbook/engine';
import { workerPool } from '@creditbook/cli';
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

async function runOn(rules: RuleSet, n: number, execute: Executor): Promise<number> {
  const model = await portfolioModel(rules, benchPortfolio(n));
  return time(() => runAggregates(model, { execute }));
}

/**
 * 8. The portfolio: a million customers × 24 months with a demand spread on worker threads (wall
 * time, peak RSS, customer-months per second); per ledger-month against the single-scenario sweep;
 * 2 workers against 1; and 10 k / 100 k / 1 M customers.
 */
export async function portfolioSection(rules: RuleSet, o: { rounds: number; customers: number }): Promise<Section> {
  const two = workerPool(2);
  const one = workerPool(1);
  const notes: string[] = [];
  // Scaling (2 workers), the largest last, with its peak RSS.
  const sizes = [10_000, 100_000, o.customers].filter((n, i, a) => a.indexOf(n) === i && n <= o.customers);
  const scale: { n: number; s: number }[] = [];
  let peak = 0;
  for (const n of sizes) {
    if (n === o.customers) {
      const r = await peakRss(() => runOn(rules, n, two));
      peak = r.peak;
      scale.push({ n, s: r.result });
    } else scale.push({ n, s: median([await runOn(rules, n, two), await runOn(rules, n, two)]) });
  }
  const big = scale[scale.length - 1]!;
  const cms = (n: number, s: number) => (n * MONTHS) / s;
  for (const r of scale)
    notes.push(
      `${r.n.toLocaleString('en-US')} customers: ${r.s.toFixed(2)} s, ${Math.round(cms(r.n, r.s)).toLocaleString('en-US')} customer-months/s (2 workers, worker start-up included)`,
    );
  // 2 workers against 1 on the same 200 k customers, alternating.
  const mid = Math.min(200_000, o.customers);
  const t1: number[] = [];
  const t2: number[] = [];
  for (let r = 0; r < Math.max(2, Math.min(o.rounds, 3)); r++) {
    t1.push(await runOn(rules, mid, one));
    t2.push(await runOn(rules, mid, two));
  }
  const speedup = median(t1) / median(t2);
  // Per ledger-month: the portfolio in one thread against the single-scenario sweep (200 variants of agency-campaigns × 24 months).
  const s = { ...rules.latest('Scenario', 'agency-campaigns')!.doc, horizon: MONTHS };
  const names = Array.from({ length: 200 }, (_, i) => `v${i}`);
  const sv = { ...s, variants: names.map((name, i) => ({ name, demand_scale: 0.5 + i / 200 })) };
  const sweepS = median([await time(() => sweep(rules, sv, names)), await time(() => sweep(rules, sv, names))]);
  const sweepRate = (names.length * MONTHS) / sweepS;
  const oneRate = cms(mid, median(t1));
  const overhead = oneRate / sweepRate;
  const model = await portfolioModel(rules, benchPortfolio(o.customers));
  notes.push(
    `${customersOf(model).toLocaleString('en-US')} customers of agency-campaigns joining in 2025-06, 24 months each, demand × lognormal(σ 0.5); peak RSS of the process (its worker threads included) ${(peak / 2 ** 20).toFixed(0)} MB`,
    `sweep: ${Math.round(sweepRate).toLocaleString('en-US')} ledger-months/s (each variant is planned and priced again); portfolio in one thread: ${Math.round(oneRate).toLocaleString('en-US')} customer-months/s (one plan per join period, demand scaled per customer)`,
    `2 workers vs 1 on ${mid.toLocaleString('en-US')} customers: ${median(t1).toFixed(2)} s vs ${median(t2).toFixed(2)} s; this machine has 2 cores shared with other processes, which distort this ratio`,
  );
  return {
    id: 'portfolio',
    title: `Portfolio: ${o.customers.toLocaleString('en-US')} customers × ${MONTHS} months with a demand spread, on 2 worker threads`,
    contenders: [
      { name: `portfolio ${o.customers.toLocaleString('en-US')} customers`, median: big.s, unit: 's', samples: [big.s] },
      { name: 'customer-months per second', median: cms(big.n, big.s), unit: 'cm/s', samples: [cms(big.n, big.s)] },
      { name: 'peak RSS', median: peak / 2 ** 20, unit: 'MB', samples: [peak / 2 ** 20] },
    ],
    ratios: [
      { name: '10 s / wall time (1 M customers)', value: 10 / big.s, goal: '>= 1x', met: big.s <= 10 },
      { name: '1 GB / peak RSS', value: 2 ** 30 / peak, goal: '>= 1x', met: peak <= 2 ** 30 },
      { name: 'portfolio customer-months/s (1 thread) / sweep ledger-months/s', value: overhead, goal: '>= 0.5x', met: overhead >= 0.5 },
      { name: '2 workers / 1 worker speed', value: speedup, goal: '>= 1.7x', met: speedup >= 1.7 },
      {
        name: `time per customer at ${big.n.toLocaleString('en-US')} / at ${scale[0]!.n.toLocaleString('en-US')}`,
        value: big.s / big.n / (scale[0]!.s / scale[0]!.n),
        goal: '~1x (linear)',
        met: big.s / big.n <= 1.5 * (scale[0]!.s / scale[0]!.n),
      },
    ],
    notes,
  };
}
