import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  books,
  combineBooks,
  forecast,
  loadFiles,
  loadStore,
  mergeParts,
  partOf,
  portfolioModel,
  renderPortfolio,
  runAggregates,
  runPortfolio,
  type PortfolioResult,
  type StoredFile,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { demoPack, demoScenario, demoPortfolio, checkPortfolio, repoRules } from './support/fixtures.ts';

/** A validity policy whose subscription credits last 14 months, booked proportionally at an expected breakage of 50 %. */
const longValidity: StoredFile = {
  path: 'long-validity.yaml',
  text: `kind: ValidityPolicy
id: long-validity
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
sources:
  subscription: { validity: { months: 14 }, priority: 2 }
  top_up: { validity: { months: 12 }, priority: 3 }
burn_order: [last_valid_period, priority, granted_period, lot_id]
revenue:
  method: proportional
  breakage: { subscription: 0.5 }
`,
};

/** The demo template: Basic, 100 credits for 10.00 a month (valid 2 months under demo-validity, at expiry); 3 clips of 10 credits a month. */
const TEMPLATE = `start: 2025-01
horizon: 3
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - { id: clips, request: { model: m1, mode: std, duration_s: 5 }, count: 3 }
variants:
  - { name: long, rules: { validity: long-validity } }
  - { name: annual, plan: { billing: annual } }
  - { name: topups, purchases: { policy: auto, pack: pack-50 }, demand_scale: 5 }
`;

async function run(body: string, options: { seed?: number; runs?: number } = {}) {
  const l = await loadFiles([...demoPack(), longValidity, demoScenario(TEMPLATE), demoPortfolio(body)]);
  expect(l.errors).toEqual([]);
  const r = await runPortfolio(await portfolioModel(l.rules, l.rules.latest('Portfolio', 'demo-base')!.doc), options);
  return { rules: l.rules, r };
}

const booksOf = (r: Pick<PortfolioResult, 'periods'>) => r.periods.map((p) => ({ period: p.period, ...p.books }));

/** Adds the books of each customer's own forecast (`books` on the scenario started in the month they join), all pools together, per period. */
async function customersBooks(rules: Awaited<ReturnType<typeof run>>['rules'], customers: { start: string; horizon: number; variant: string | null }[]) {
  const s = rules.latest('Scenario', 'demo')!.doc;
  const results = [];
  for (const c of customers) results.push(books(rules, await forecast(rules, { ...s, start: c.start, horizon: c.horizon }, { variant: c.variant })));
  const combined = combineBooks(results);
  const cents = (x: string) => Math.round(Number(x) * 100);
  const byPeriod = new Map<string, Record<string, number>>();
  for (const row of combined.periods) {
    const have = byPeriod.get(row.period) ?? {};
    for (const k of ['billings', 'revenue_usage', 'revenue_breakage', 'revenue', 'deferred_opening', 'deferred_closing', 'current', 'non_current'] as const)
      have[k] = (have[k] ?? 0) + cents(row[k]);
    byPeriod.set(row.period, have);
  }
  return byPeriod;
}

describe('the books of a portfolio', () => {
  it('at expiry, with joins in two months and a customer who leaves: hand-computed, and equal to the books of each customer forecast on its own', async () => {
    // Each customer: 100 credits for 10.00 a month, valid 2 months (last valid the next month); uses 30 a month, soonest-expiring lot first.
    // A customer who joins in January and stays: Jan billed 10.00, usage 30 × 0.10 = 3.00, deferred 7.00;
    //   Feb billed 10.00, usage 3.00 (the January lot, used 60), the January lot expires with 40 left: breakage 4.00, deferred 10.00;
    //   Mar billed 10.00, usage 3.00 (the February lot), the February lot expires with 70 left: breakage 7.00, deferred 10.00.
    // Joining in February: Feb billed 10.00, usage 3.00, deferred 7.00; Mar billed 10.00, usage 3.00, breakage 4.00, deferred 10.00.
    // Leaving at the end of January: Jan billed 10.00, usage 3.00, deferred 7.00; Feb nothing used, the lot expires: breakage 7.00, deferred 0.00.
    const { rules, r } = await run(
      'start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: stay, scenario: demo, joins: [2, 1] }\n  - { id: leave, scenario: demo, joins: [1], retention: [0] }\n',
    );
    // Jan: billings 3 × 10.00 = 30.00; usage 3 × 3.00 = 9.00; deferred 3 × 7.00 = 21.00 (all current: every lot expires within 12 months).
    // Feb: billings 30.00 (two staying, one new); usage 3 × 3.00 = 9.00; breakage 2 × 4.00 + 7.00 = 15.00; revenue 24.00;
    //      deferred 21.00 + 30.00 − 24.00 = 27.00 (= 2 × 10.00 + 7.00).
    // Mar: billings 30.00; usage 9.00; breakage 2 × 7.00 + 4.00 = 18.00; revenue 27.00; deferred 27.00 + 30.00 − 27.00 = 30.00.
    expect(booksOf(r)).toEqual([
      {
        period: '2025-01',
        billings: '30.00',
        revenue_usage: '9.00',
        revenue_breakage: '0.00',
        revenue: '9.00',
        deferred_opening: '0.00',
        deferred_closing: '21.00',
        current: '21.00',
        non_current: '0.00',
      },
      {
        period: '2025-02',
        billings: '30.00',
        revenue_usage: '9.00',
        revenue_breakage: '15.00',
        revenue: '24.00',
        deferred_opening: '21.00',
        deferred_closing: '27.00',
        current: '27.00',
        non_current: '0.00',
      },
      {
        period: '2025-03',
        billings: '30.00',
        revenue_usage: '9.00',
        revenue_breakage: '18.00',
        revenue: '27.00',
        deferred_opening: '27.00',
        deferred_closing: '30.00',
        current: '30.00',
        non_current: '0.00',
      },
    ]);
    // 90.00 billed = 60.00 revenue (27.00 usage + 33.00 breakage) + 30.00 still deferred; the peak is the last month.
    expect(r.totals.books).toEqual({
      billings: '90.00',
      revenue: '60.00',
      revenue_usage: '27.00',
      revenue_breakage: '33.00',
      deferred_closing: '30.00',
      deferred_peak: '30.00',
    });
    // The cohort that leaves: its January lot stays on the books until it expires in February.
    expect(r.cohorts[1]!.periods.map((p) => [p.books.billings, p.books.revenue_breakage, p.books.deferred_closing])).toEqual([
      ['10.00', '0.00', '7.00'],
      ['0.00', '7.00', '0.00'],
      ['0.00', '0.00', '0.00'],
    ]);
    // The staying cohort is the sum of its customers' own books: two forecasts from January, one from February.
    const own = await customersBooks(rules, [
      { start: '2025-01', horizon: 3, variant: null },
      { start: '2025-01', horizon: 3, variant: null },
      { start: '2025-02', horizon: 2, variant: null },
    ]);
    for (const p of r.cohorts[0]!.periods) {
      const want = own.get(p.period)!;
      for (const [k, v] of Object.entries(want))
        expect(Math.round(Number((p.books as unknown as Record<string, string>)[k]) * 100), `${p.period} ${k}`).toBe(v);
    }
  });

  it('proportional at 50 % expected breakage, 14-month credits: breakage ahead of expiry, its reversal, current and non-current (hand-computed)', async () => {
    // One customer from January on the long variant; each lot is 10.00 for 100 credits, last valid 13 months after its grant, so it
    // is non-current in the month it is granted and current from the next (12 months or fewer to go). Each used credit releases
    // 10.00 ÷ (100 × 0.5) = 0.20 until the lot's 10.00 is recognised; usage is 0.10 a credit, breakage the rest.
    // Jan: lot A used 30: recognised 6.00 (usage 3.00, breakage 3.00); deferred 4.00, non-current.
    // Feb: lot B billed 10.00 (non-current); A used 60: recognised min(10.00, 12.00) = 10.00: +4.00 (usage 3.00, breakage 1.00);
    //      deferred 10.00 (B, non-current; A, current now, is fully recognised).
    // Mar: lot C billed 10.00 (non-current); A used 90: recognised stays 10.00, usage 9.00: usage +3.00, breakage −3.00 (the breakage
    //      booked ahead is reversed as usage takes its place), revenue 0.00; deferred 20.00: B 10.00 current, C 10.00 non-current.
    const { rules, r } = await run('start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: c, scenario: demo, variant: long, joins: [1] }\n');
    expect(booksOf(r).map((b) => [b.billings, b.revenue_usage, b.revenue_breakage, b.revenue, b.deferred_closing, b.current, b.non_current])).toEqual([
      ['10.00', '3.00', '3.00', '6.00', '4.00', '0.00', '4.00'],
      ['10.00', '3.00', '1.00', '4.00', '10.00', '0.00', '10.00'],
      ['10.00', '3.00', '-3.00', '0.00', '20.00', '10.00', '10.00'],
    ]);
    const own = await customersBooks(rules, [{ start: '2025-01', horizon: 3, variant: 'long' }]);
    for (const p of r.periods) {
      for (const [k, v] of Object.entries(own.get(p.period)!))
        expect(Math.round(Number((p.books as unknown as Record<string, string>)[k]) * 100), `${p.period} ${k}`).toBe(v);
    }
  });

  it('an annual plan: the year billed up front, its months shared to the cent; a customer who leaves lets the unused months lapse (hand-computed)', async () => {
    // Basic at 96.00 a year: monthly shares round(9,600 × k ÷ 12) − round(9,600 × (k − 1) ÷ 12) = 8.00 each.
    // Staying from January, 3 months: billed 96.00 in January; each month 30 of 100 credits used (0.08 a credit: 2.40 usage);
    //   Jan deferred 96.00 − 2.40 = 93.60; Feb usage 2.40 + breakage of the January lot's 40 left, 8.00 − 4.80 = 3.20;
    //   Mar usage 2.40 + the February lot's 70 left, 8.00 − 2.40 = 5.60; deferred 96.00 − 3 × 2.40 − 3.20 − 5.60 = 80.00
    //   (the March lot, 8.00, and nine months past the horizon, 72.00).
    // Leaving at the end of January: billed 96.00, usage 2.40; the eleven months never granted (88.00) lapse as breakage in
    //   January; the January lot's 70 credits left (5.60) expire in February.
    const { r } = await run(
      'start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: stay, scenario: demo, variant: annual, joins: [1] }\n  - { id: leave, scenario: demo, variant: annual, joins: [1], retention: [0] }\n',
    );
    expect(r.cohorts[0]!.periods.map((p) => [p.books.billings, p.books.revenue_usage, p.books.revenue_breakage, p.books.deferred_closing])).toEqual([
      ['96.00', '2.40', '0.00', '93.60'],
      ['0.00', '2.40', '3.20', '88.00'],
      ['0.00', '2.40', '5.60', '80.00'],
    ]);
    expect(r.cohorts[1]!.periods.map((p) => [p.books.billings, p.books.revenue_usage, p.books.revenue_breakage, p.books.deferred_closing])).toEqual([
      ['96.00', '2.40', '88.00', '5.60'],
      ['0.00', '0.00', '5.60', '0.00'],
      ['0.00', '0.00', '0.00', '0.00'],
    ]);
  });

  it("N identical customers are N × the template's books, on every bundled template (cents exact)", async () => {
    const loaded = await loadStore(new DirectoryStore(repoRules));
    for (const id of ['agency-campaigns', 'api-integration', 'steady-studio', 'standard-hobbyist', 'premier-studio']) {
      // Every variant of the template, and a what-if of a one-month rollover of unused subscription credits (a rolled lot is still the lot paid for).
      const own = loaded.rules.latest('Scenario', id)!.doc;
      const s = { ...own, variants: [...(own.variants ?? []), { name: 'rollover', rules: { validity: 'monthly-rollover' } }] };
      const rules = loaded.rules.with([{ ...loaded.rules.latest('Scenario', id)!, doc: s }]);
      for (const variant of [null, ...s.variants.map((v) => v.name)]) {
        const N = 7;
        const p = checkPortfolio(s, [{ id: 'n', scenario: id, joins: [N], ...(variant ? { variant } : {}) }]);
        const r = await runPortfolio(await portfolioModel(rules, p));
        const mine = combineBooks([books(rules, await forecast(rules, s, { variant }))]);
        const cents = (x: string) => Math.round(Number(x) * 100);
        for (const period of r.periods) {
          const rows = mine.periods.filter((x) => x.period === period.period);
          for (const k of ['billings', 'revenue_usage', 'revenue_breakage', 'deferred_closing', 'current', 'non_current'] as const) {
            const want = rows.reduce((a, x) => a + cents(x[k]), 0);
            expect(cents(period.books[k] as string), `${id} ${variant ?? 'base'} ${period.period} ${k}`).toBe(N * want);
          }
        }
      }
    }
  }, 120_000);

  it('the books merge by addition: shards and any split of the customers give the single run, and the rollforward holds (random portfolios)', async () => {
    const cohortArb = fc.record({
      joins: fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 5 }),
      churn: fc.constantFrom(0, 0.2, 0.6),
      variant: fc.constantFrom('', 'long', 'annual', 'topups'),
      spread: fc.constantFrom('none', '{ distribution: lognormal, sigma: 0.7 }', '{ distribution: gamma, shape: 0.6 }'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(cohortArb, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        async (cohorts, seed, shards, chunk) => {
          const body = `start: 2025-01\nhorizon: 5\ncohorts:\n${cohorts
            .map(
              (c, i) =>
                `  - { id: c${i}, scenario: demo, ${c.variant ? `variant: ${c.variant}, ` : ''}joins: [${c.joins.join(', ')}], churn: ${c.churn}, spread: ${c.spread} }`,
            )
            .join('\n')}\n`;
          const l = await loadFiles([...demoPack(), longValidity, demoScenario(TEMPLATE), demoPortfolio(body)]);
          expect(l.errors).toEqual([]);
          const model = await portfolioModel(l.rules, l.rules.latest('Portfolio', 'demo-base')!.doc);
          const single = await runPortfolio(model, { seed, runs: 2 });
          const split = await runAggregates(model, { seed, runs: 2, chunk });
          expect(renderPortfolio(split.meta, split.runs)).toEqual(single);
          const parts = [];
          for (let i = 0; i < shards; i++) {
            const a = await runAggregates(model, { seed, runs: 2, shard: i, shards });
            parts.push({ name: `part-${i}.json`, part: JSON.parse(JSON.stringify(partOf(a.meta, i, shards, a.runs))) });
          }
          const merged = mergeParts(parts);
          expect(renderPortfolio(merged.meta, merged.runs)).toEqual(single);
          // Each run on its own: opening + billings − revenue = closing, current + non-current = closing, never negative.
          const one = await runPortfolio(model, { seed });
          const cents = (x: unknown) => Math.round(Number(x) * 100);
          for (const sub of [one, ...one.cohorts]) {
            let opening = 0;
            for (const p of sub.periods) {
              const b = p.books;
              expect(cents(b.deferred_opening)).toBe(opening);
              expect(cents(b.deferred_closing)).toBe(opening + cents(b.billings) - cents(b.revenue));
              expect(cents(b.current) + cents(b.non_current)).toBe(cents(b.deferred_closing));
              expect(cents(b.revenue)).toBe(cents(b.revenue_usage) + cents(b.revenue_breakage));
              expect(cents(b.current)).toBeGreaterThanOrEqual(0);
              expect(cents(b.non_current)).toBeGreaterThanOrEqual(0);
              expect(cents(b.billings)).toBe(cents(p.spend));
              opening = cents(b.deferred_closing);
            }
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 180_000);

  it('with runs, every books figure is a P10 ≤ P50 ≤ P90 band, reproducible by seed', async () => {
    const body =
      'start: 2025-01\nhorizon: 3\ncohorts:\n  - { id: c, scenario: demo, variant: long, joins: [200, 100], churn: 0.3, spread: { distribution: lognormal, sigma: 1 } }\n';
    const a = (await run(body, { seed: 3, runs: 7 })).r;
    const b = (await run(body, { seed: 3, runs: 7 })).r;
    expect(b).toEqual(a);
    for (const p of a.periods) {
      for (const f of Object.values(p.books)) {
        const band = f as { p10: string; p50: string; p90: string };
        expect(Number(band.p10)).toBeLessThanOrEqual(Number(band.p50));
        expect(Number(band.p50)).toBeLessThanOrEqual(Number(band.p90));
      }
    }
    const rev = a.totals.books.revenue as { p10: string; p90: string };
    expect(Number(rev.p10)).toBeLessThan(Number(rev.p90));
  });
});
