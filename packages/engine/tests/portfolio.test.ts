import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  forecast,
  loadFiles,
  loadStore,
  mergeParts,
  partOf,
  portfolioModel,
  renderPortfolio,
  runAggregates,
  runPortfolio,
  type StoredFile,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { demoPack, demoScenario, demoPortfolio, checkPortfolio, repoRules } from './support/fixtures.ts';

/** The demo pack, a template of 3 generations of 10 credits a month on Basic (100 credits for $10.00, valid 2 months), and a portfolio. */
async function load(
  portfolio: string,
  template = 'start: 2025-01\nhorizon: 3\nplan: { catalog: demo-plans, subscription: basic }\nrules: { validity: demo-validity, cards: { consumer: demo-card } }\ndemand:\n  - { id: clips, request: { model: m1, mode: std, duration_s: 5 }, count: 3 }\n',
) {
  const loaded = await loadFiles([...demoPack(), demoScenario(template), demoPortfolio(portfolio)]);
  return loaded;
}

const portfolioOf = (l: Awaited<ReturnType<typeof load>>) => l.rules.latest('Portfolio', 'demo-base')!.doc;

describe('portfolio', () => {
  it('churned customers stop receiving and using credits; what they hold expires on its own clock (hand-computed)', async () => {
    // 10 customers join in 2025-01; retention [0]: every one leaves at the end of its first month.
    // 2025-01: granted 10 × 100 = 1,000, consumed 10 × 3 × 10 = 300, closing 700, spend 10 × 10.00 = 100.00.
    // 2025-02: nothing granted or used; the January lots (valid 2 months, last valid 2025-02) expire:
    //          expired 700, at cost 700 × 10.00 / 100 = 70.00; closing 0. 2025-03: nothing.
    const l = await load('start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: c, scenario: demo, joins: [10], retention: [0] }\n');
    expect(l.errors).toEqual([]);
    const r = await runPortfolio(await portfolioModel(l.rules, portfolioOf(l)));
    const rows = r.periods.map((p) => ({
      period: p.period,
      new: p.new,
      active: p.active,
      churned: p.churned,
      spend: p.spend,
      value: p.expired_value,
      ...(p.pools['consumer'] as object),
    }));
    expect(rows[0]).toMatchObject({
      period: '2025-01',
      new: 10,
      active: 10,
      churned: 10,
      spend: '100.00',
      value: '0.00',
      granted: 1000,
      consumed: 300,
      expired: 0,
      closing: 700,
      demand: 300,
    });
    expect(rows[1]).toMatchObject({
      period: '2025-02',
      new: 0,
      active: 0,
      churned: 0,
      spend: '0.00',
      value: '70.00',
      granted: 0,
      consumed: 0,
      demand: 0,
      expired: 700,
      closing: 0,
    });
    expect(rows[2]).toMatchObject({ granted: 0, consumed: 0, expired: 0, closing: 0 });
    expect(r.totals).toMatchObject({ customers: 10, churned: 10, spend: '100.00', expired_value: '70.00' });
  });

  it("a customer's ledger starts when they join, the template's dates offset to it (hand-computed)", async () => {
    // 4 customers join in 2025-02 and never leave; the template starts 2025-01, so their first month is its first.
    // 2025-02: granted 400, consumed 120, closing 280, spend 40.00.
    // 2025-03: granted 400; the February lots go first (last valid 2025-03): 70 − 30 = 40 each left and expire:
    //          expired 160, at cost 4 × 40 × 0.10 = 16.00; closing 4 × 100 = 400; spend 40.00.
    const l = await load('start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: c, scenario: demo, joins: [0, 4] }\n');
    const r = await runPortfolio(await portfolioModel(l.rules, portfolioOf(l)));
    expect(r.periods[0]).toMatchObject({ new: 0, active: 0, spend: '0.00', pools: { consumer: { granted: 0, closing: 0 } } });
    expect(r.periods[1]).toMatchObject({
      new: 4,
      active: 4,
      churned: 0,
      spend: '40.00',
      pools: { consumer: { granted: 400, consumed: 120, expired: 0, closing: 280 } },
    });
    expect(r.periods[2]).toMatchObject({
      new: 0,
      active: 4,
      spend: '40.00',
      expired_value: '16.00',
      pools: { consumer: { granted: 400, consumed: 120, expired: 160, closing: 400 } },
    });
  });

  it("N identical customers who join in one period and never churn are N × the template's forecast, exactly", async () => {
    const loaded = await loadStore(new DirectoryStore(repoRules));
    for (const id of ['agency-campaigns', 'api-integration', 'steady-studio', 'standard-hobbyist']) {
      const s = loaded.rules.latest('Scenario', id)!.doc;
      const N = 37;
      const p = checkPortfolio(s, [{ id: 'n', scenario: id, joins: [N] }]);
      const r = await runPortfolio(await portfolioModel(loaded.rules, p));
      const f = await forecast(loaded.rules, s);
      for (const row of f.periods) {
        const t = r.periods.find((x) => x.period === row.period)!;
        const pool = t.pools[row.pool]!;
        for (const k of ['granted', 'purchased', 'consumed', 'expired', 'closing', 'unmet', 'demand', 'expiring_soon'] as const)
          expect(pool[k], `${id} ${row.period} ${k}`).toBe(N * row[k]);
      }
      const byPeriod = (field: 'spend' | 'expired_value', period: string) =>
        f.periods.filter((x) => x.period === period).reduce((a, x) => a + Math.round(Number(x[field]) * 100), 0);
      for (const t of r.periods) {
        expect(Math.round(Number(t.spend) * 100), `${id} ${t.period} spend`).toBe(N * byPeriod('spend', t.period));
        expect(Math.round(Number(t.expired_value) * 100), `${id} ${t.period} expired value`).toBe(N * byPeriod('expired_value', t.period));
        expect(t.active).toBe(N);
      }
    }
  });

  it('merge(shards) equals the single run exactly, and results do not depend on how customers are split (random portfolios)', async () => {
    const cohortArb = fc.record({
      joins: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
      churn: fc.constantFrom(0, 0.1, 0.5),
      spread: fc.constantFrom('none', '{ distribution: lognormal, sigma: 0.7 }', '{ distribution: gamma, shape: 0.6 }', '{ distribution: gamma, shape: 3 }'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(cohortArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 3 }),
        async (cohorts, seed, shards, chunk, runs) => {
          const body = `start: 2025-01\nhorizon: 6\ncohorts:\n${cohorts.map((c, i) => `  - { id: c${i}, scenario: demo, joins: [${c.joins.join(', ')}], churn: ${c.churn}, spread: ${c.spread} }`).join('\n')}\n`;
          const l = await load(body);
          expect(l.errors).toEqual([]);
          const model = await portfolioModel(l.rules, portfolioOf(l));
          const single = await runPortfolio(model, { seed, runs });
          // Another split of the same customers into tasks (as another number of workers would make), in reverse order.
          const other = await runAggregates(model, {
            seed,
            runs,
            chunk,
            execute: async (m, tasks, onDone) => {
              const { runTask } = await import('@creditbook/engine');
              const out = [...tasks].reverse().map((t) => (onDone(t), runTask(m, t)));
              return out.reverse();
            },
          });
          expect(renderPortfolio(other.meta, other.runs)).toEqual(single);
          const parts = [];
          for (let i = 0; i < shards; i++) {
            const a = await runAggregates(model, { seed, runs, shard: i, shards });
            parts.push({ name: `part-${i}.json`, part: JSON.parse(JSON.stringify(partOf(a.meta, i, shards, a.runs))) });
          }
          const merged = mergeParts(parts.reverse());
          expect(renderPortfolio(merged.meta, merged.runs)).toEqual(single);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('customers with the same lifetime and demand run once, weighted: the same figures as each customer in a task of its own (bundled templates, spread and churn)', async () => {
    // With a chunk of 1 every task holds one customer, so nothing is grouped; the default chunk groups
    // the customers of a join period whose scaled demand rounds to the same generations.
    const loaded = await loadStore(new DirectoryStore(repoRules));
    for (const id of ['agency-campaigns', 'api-integration', 'standard-hobbyist']) {
      const s = loaded.rules.latest('Scenario', id)!.doc;
      for (const spread of [
        { distribution: 'lognormal', sigma: 0.5 },
        { distribution: 'gamma', shape: 0.8 },
      ] as const) {
        const p = checkPortfolio(s, [{ id: 'n', scenario: id, joins: [400, 0, 150], churn: 0.1, spread }], 12);
        const model = await portfolioModel(loaded.rules, p);
        const grouped = await runPortfolio(model, { seed: 7 });
        const oneByOne = await runPortfolio(model, { seed: 7, chunk: 1 });
        expect(grouped, `${id} ${spread.distribution}`).toEqual(oneByOne);
        expect(grouped.totals.customers).toBe(550);
      }
    }
  }, 60_000);

  it('is reproducible by seed; with runs every figure is a P10 ≤ P50 ≤ P90 band; another seed gives other draws', async () => {
    const l = await load(
      'start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: c, scenario: demo, joins: [300, 200], churn: 0.3, spread: { distribution: lognormal, sigma: 1 } }\n',
    );
    const model = await portfolioModel(l.rules, portfolioOf(l));
    const a = await runPortfolio(model, { seed: 7, runs: 9 });
    const b = await runPortfolio(model, { seed: 7, runs: 9 });
    expect(b).toEqual(a);
    const c = await runPortfolio(model, { seed: 8, runs: 9 });
    expect(c.periods).not.toEqual(a.periods);
    const consumed = a.periods[1]!.pools['consumer']!.consumed as { p10: number; p50: number; p90: number };
    expect(consumed.p10).toBeLessThanOrEqual(consumed.p50);
    expect(consumed.p50).toBeLessThanOrEqual(consumed.p90);
    expect(consumed.p10).toBeLessThan(consumed.p90);
    expect(a.periods[0]!.period).toBe('2025-01');
    const spend = a.totals.spend as { p10: string; p50: string; p90: string };
    expect(Number(spend.p10)).toBeLessThanOrEqual(Number(spend.p90));
    // Run r uses seed + r: the second run of seed 7 is the first of seed 8.
    const one = await runAggregates(model, { seed: 7, runs: 2 });
    const eight = await runAggregates(model, { seed: 8, runs: 1 });
    expect(Array.from(one.runs[1]![0]!.ledger)).toEqual(Array.from(eight.runs[0]![0]!.ledger));
  });

  it('reports bad portfolios as positioned problems', async () => {
    // Line 11 is the first cohort (10 header lines); "nowhere" starts at column 24 (after "  - { id: c, scenario: ").
    const l = await load(
      'start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: c, scenario: nowhere, joins: [1] }\n  - { id: d, scenario: demo, joins: [1], churn: 0.1, retention: [0.5] }\n',
    );
    const codes = l.errors.map((e) => `${e.code} ${e.line}:${e.col} ${e.path}`);
    expect(codes).toContain('C_UNKNOWN_REFERENCE 11:24 /cohorts/0/scenario');
    expect(codes.some((c) => c.startsWith('C_PORTFOLIO 12:') && c.endsWith('/cohorts/1/retention'))).toBe(true);
    const bad = await load('start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: e, scenario: demo, joins: [1], spread: { distribution: gamma } }\n');
    expect(bad.errors.some((e) => e.code === 'S_SCHEMA' && e.line === 11 && e.path.startsWith('/cohorts/0/spread'))).toBe(true);
  });

  it("a rate-card version's reach: all, new customers only, or existing ones from their next renewal (hand-computed)", async () => {
    // demo-card v2 from 2025-02-01 prices the template's clip (m1 std 5 s) at 20 credits instead of 10; 3 clips a month.
    const v2 = (reach: string): StoredFile => ({
      path: '_base/card-v2.yaml',
      text: demoPack()[0]!
        .text.replace('version: 1', 'version: 2')
        .replace('effective_from: 2025-01-01', `effective_from: 2025-02-01\nreach: ${reach}`)
        .replace('std: { "5": 10', 'std: { "5": 20'),
    });
    const template = `start: 2025-01\nhorizon: 3\nplan: { catalog: demo-plans, subscription: basic }\nrules: { validity: demo-validity, cards: { consumer: demo-card } }\ndemand:\n  - { id: clips, request: { model: m1, mode: std, duration_s: 5 }, count: 3 }\nvariants:\n  - { name: annual, plan: { billing: annual } }\n`;
    const demand = async (reach: string) => {
      const l = await loadFiles([
        ...demoPack(),
        v2(reach),
        demoScenario(template),
        demoPortfolio(
          'start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: monthly, scenario: demo, joins: [1, 1] }\n  - { id: annual, scenario: demo, variant: annual, joins: [1] }\n',
        ),
      ]);
      expect(l.errors).toEqual([]);
      const r = await runPortfolio(await portfolioModel(l.rules, portfolioOf(l)));
      return r.cohorts.map((c) => c.periods.map((p) => p.pools['consumer']!.demand));
    };
    // all: everyone pays 20 a clip from February. Monthly cohort: Jan 30 (one customer), Feb and Mar 2 × 60 = 120; annual: 30, 60, 60.
    expect(await demand('all')).toEqual([
      [30, 120, 120],
      [30, 60, 60],
    ]);
    // new_customers: only the customer who joins in February (on or after 2025-02-01) pays 20; those of January keep v1.
    // Monthly: Jan 30, Feb 30 + 60 = 90, Mar 90; annual: 30 throughout.
    expect(await demand('new_customers')).toEqual([
      [30, 90, 90],
      [30, 30, 30],
    ]);
    // next_renewal: the January monthly customer renews on 2025-02-01 and pays 20 from then (30, 60, 60), the February one is new (60, 60):
    // monthly 30, 120, 120; the annual customer renews on 2026-01-01, past the horizon: 30 throughout.
    expect(await demand('next_renewal')).toEqual([
      [30, 120, 120],
      [30, 30, 30],
    ]);
  });
});
