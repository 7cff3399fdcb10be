import { describe, expect, it } from 'vitest';
import { books, booksSummary, compare, forecast, loadFiles, loadStore, RunCache, runNames, type BooksOptions, type Scenario } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { demoPack, demoScenario, repoRules } from './support/fixtures.ts';

/**
 * A comparison's books follow each run's draws in whole cents as its ledger runs (the portfolio's
 * per-lot books, one customer), never built from the lots: the figures must be those of the full
 * books of the run's own forecast.
 */
describe("a comparison's books", () => {
  it('are hand-computed on the demo pack: at expiry, a run and a busier variant, with the peak and its delta', async () => {
    const l = await loadFiles([
      ...demoPack(),
      demoScenario(`start: 2025-01
horizon: 3
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - { id: clips, request: { model: m1, mode: std, duration_s: 5 }, count: 3 }
variants:
  - { name: busy, demand_scale: 2 }
`),
    ]);
    expect(l.errors).toEqual([]);
    const c = await compare(l.rules, l.rules.latest('Scenario', 'demo')!.doc);
    // Basic: 100 credits for 10.00 a month (0.10 a credit), valid 2 months; demo-validity has no revenue terms: at expiry.
    // Base, 3 clips × 10 credits = 30 a month, soonest-expiring lot first:
    //   Jan: billed 10.00; 30 used of the Jan lot: usage 3.00; deferred 10.00 − 3.00 = 7.00.
    //   Feb: billed 10.00; 30 more of the Jan lot (60 used): usage 3.00; it expires with 40 left: breakage 4.00;
    //        deferred: the Feb lot, 10.00.
    //   Mar: billed 10.00; 30 of the Feb lot: usage 3.00; it expires with 70 left: breakage 7.00; deferred: the Mar lot, 10.00.
    //   Totals: billings 30.00, usage 9.00, breakage 11.00, revenue 20.00; peak 10.00, first in Feb (Jan 7.00; Mar is not higher).
    const base = c.runs[0]!.books;
    expect(base).toEqual({
      currency: 'USD',
      method: 'at-expiry',
      billings: '30.00',
      revenue: '20.00',
      revenue_usage: '9.00',
      revenue_breakage: '11.00',
      deferred_peak: '10.00',
      deferred_peak_period: '2025-02',
      deferred_closing: '10.00',
      series: [
        { period: '2025-01', pool: 'consumer', revenue_usage: '3.00', revenue_breakage: '0.00', deferred_closing: '7.00' },
        { period: '2025-02', pool: 'consumer', revenue_usage: '3.00', revenue_breakage: '4.00', deferred_closing: '10.00' },
        { period: '2025-03', pool: 'consumer', revenue_usage: '3.00', revenue_breakage: '7.00', deferred_closing: '10.00' },
      ],
    });
    // Busy, 60 a month:
    //   Jan: 60 of the Jan lot: usage 6.00; deferred 4.00.
    //   Feb: the Jan lot's last 40 (usage 4.00, it expires empty: no breakage) and 20 of the Feb lot (usage 2.00): usage 6.00;
    //        deferred: the Feb lot's 80 unused credits, 8.00.
    //   Mar: 60 of the Feb lot (80 used): usage 6.00; it expires with 20 left: breakage 2.00; deferred: the Mar lot, 10.00.
    //   Totals: billings 30.00, usage 18.00, breakage 2.00, revenue 20.00; peak 10.00 in Mar (4.00, 8.00, 10.00).
    const busy = c.runs[1]!.books;
    expect([busy.revenue_usage, busy.revenue_breakage, busy.revenue, busy.deferred_peak, busy.deferred_peak_period, busy.deferred_closing]).toEqual([
      '18.00',
      '2.00',
      '20.00',
      '10.00',
      '2025-03',
      '10.00',
    ]);
    expect(busy.series.map((s) => s.deferred_closing)).toEqual(['4.00', '8.00', '10.00']);
    // Busy − base: usage 18.00 − 9.00 = 9.00 more, breakage 2.00 − 11.00 = 9.00 less; the rest unchanged.
    expect(c.deltas[0]!.books).toEqual({
      billings: '0.00',
      revenue: '0.00',
      revenue_usage: '9.00',
      revenue_breakage: '-9.00',
      deferred_peak: '0.00',
      deferred_closing: '0.00',
    });
  });

  it('equal the full books of each run on every bundled scenario and variant, under the policy and the what-if methods, cached or not', async () => {
    const loaded = await loadStore(new DirectoryStore(repoRules));
    expect(loaded.errors).toEqual([]);
    const ids = loaded.rules.ids('Scenario');
    expect(ids.length).toBeGreaterThanOrEqual(5);
    for (const id of ids) {
      const own = loaded.rules.latest('Scenario', id)!.doc;
      // Beside its own variants: credits that roll over (a rolled lot is still the lot paid for), annual billing, a demand scale.
      const s: Scenario = {
        ...own,
        variants: [
          ...(own.variants ?? []),
          { name: 'x-rollover', rules: { validity: 'monthly-rollover' } },
          { name: 'x-annual', plan: { billing: 'annual' } },
          { name: 'x-scale', demand_scale: 1.37 },
        ],
      };
      const rules = loaded.rules.with([{ ...loaded.rules.latest('Scenario', id)!, doc: s }]);
      const cache = new RunCache();
      for (const options of [{}, { method: 'at-expiry' }, { breakageRate: '0.3' }] as BooksOptions[]) {
        const c = await compare(rules, s, { books: options });
        expect(await compare(rules, s, { books: options, cache })).toEqual(c);
        for (const [k, name] of runNames(s).entries()) {
          const full = books(rules, await forecast(rules, s, { variant: name }), options);
          expect(c.runs[k]!.books, `${id} ${name} ${JSON.stringify(options)}`).toEqual(booksSummary(full));
        }
      }
    }
  }, 120_000);
});
