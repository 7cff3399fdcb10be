import { describe, expect, it } from 'vitest';
import { forecast, loadFiles, type Scenario } from '@creditbook/engine';
import { demoPack, demoScenario } from './support/fixtures.ts';

const scenarioYaml = `start: 2025-01
horizon: 4
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - id: clips
    request: { model: m1, mode: std, duration_s: 5 }
    count: 5
    profile:
      type: burst
      bursts: [ { start: 2025-02, periods: 1, count: 15 } ]
purchases: { policy: auto, pack: pack-50 }
grants:
  - { period: 2025-01, pool: consumer, credits: 30 }
variants:
  - name: no-topups
    purchases: { policy: none }
  - name: annual
    plan: { billing: annual }
`;

async function load(yaml: string) {
  const result = await loadFiles([...demoPack(), demoScenario(yaml)]);
  const scenario = result.rules.documents.find((d) => d.doc.kind === 'Scenario')?.doc as Scenario;
  return { result, scenario };
}

describe('the ledger, computed by hand', () => {
  const quiet = scenarioYaml;

  it('draws the soonest-expiring lot first, buys the fewest packs, and expires leftovers at cost', async () => {
    // Months: Jan 5 clips, Feb 20, Mar 5, Apr 5 (steady 5 plus a burst of 15 in Feb).
    const { result, scenario } = await load(quiet);
    expect(result.errors).toEqual([]);
    const r = await forecast(result.rules, scenario);
    // Jan: subscription lot 100 (valid Jan-Feb) and promo 30 (valid Jan). Demand 50: promo 30 first
    //      (it expires sooner), then 20 from the subscription. Closing 80. Spend 10.
    // Feb: +100 (valid Feb-Mar). Demand 200: Jan's 80 (expires Feb) then Feb's 100; short 20 ->
    //      one pack of 50 (valid Feb 2025 - Jan 2026), draw 20. Closing 30. Spend 10 + 5.
    // Mar: +100 (valid Mar-Apr). Demand 50 from Feb's lot? It is empty; from Mar's lot (expires
    //      Apr) before the pack (expires Dec): Mar lot 50 left. Closing 30 + 50 = 80.
    // Apr: +100 (valid Apr-May). Demand 50: Mar's lot (expires Apr) 50 -> 0. Closing 30 + 100 = 130.
    expect(
      r.periods.map((p) => [p.period, p.opening, p.granted, p.purchased, p.demand, p.consumed, p.expired, p.closing, p.unmet, p.spend, p.expired_value]),
    ).toEqual([
      ['2025-01', 0, 130, 0, 50, 50, 0, 80, 0, '10.00', '0.00'],
      ['2025-02', 80, 100, 50, 200, 200, 0, 30, 0, '15.00', '0.00'],
      ['2025-03', 30, 100, 0, 50, 50, 0, 80, 0, '10.00', '0.00'],
      ['2025-04', 80, 100, 0, 50, 50, 0, 130, 0, '10.00', '0.00'],
    ]);
    expect(r.totals).toMatchObject({ granted: 430, purchased: 50, consumed: 350, expired: 0, unmet: 0, spend: '45.00' });
    expect(r.lots.map((l) => [l.id, l.source, l.amount, l.last_valid_period, l.consumed, l.remaining])).toEqual([
      ['L0001', 'subscription', 100, '2025-02', 100, 0],
      ['L0002', 'promotional', 30, '2025-01', 30, 0],
      ['L0003', 'subscription', 100, '2025-03', 100, 0],
      ['L0004', 'top_up', 50, '2026-01', 20, 30],
      ['L0005', 'subscription', 100, '2025-04', 100, 0],
      ['L0006', 'subscription', 100, '2025-05', 0, 100],
    ]);
  });

  it('expires what is left at the end of its last valid month, valued at its cost basis', async () => {
    const lowApril = quiet.replace('count: 5\n', 'count: 3\n');
    // Demand: Jan 30, Feb 180, Mar 30, Apr 30.
    // Jan: promo 30 covers all; promo expires empty. Sub lot A (100, Jan-Feb) untouched. Closing 100.
    // Feb: +B (100, Feb-Mar). 180: A 100, B 80. No purchase. Closing 20.
    // Mar: +C (100, Mar-Apr). 30: B 20 (expires Mar), C 10. B 0. Closing 90.
    // Apr: +D (100, Apr-May). 30 from C -> C 60 left, expires end of Apr: 60 x $10/100 = $6.00.
    const { result, scenario } = await load(lowApril);
    const r = await forecast(result.rules, scenario);
    expect(r.periods.map((p) => [p.consumed, p.expired, p.closing, p.expired_value])).toEqual([
      [30, 0, 100, '0.00'],
      [180, 0, 20, '0.00'],
      [30, 0, 90, '0.00'],
      [30, 60, 100, '6.00'],
    ]);
    // Annual billing: $96 once, each monthly lot costs 96/12 = $8 for 100 credits.
    const annual = await forecast(result.rules, scenario, { variant: 'annual' });
    expect(annual.periods.map((p) => p.spend)).toEqual(['96.00', '0.00', '0.00', '0.00']);
    expect(annual.periods[3]?.expired_value).toBe('4.80');
  });

  it('reports uncovered demand as unmet when no purchase is allowed, never a negative balance', async () => {
    const { result, scenario } = await load(quiet);
    const r = await forecast(result.rules, scenario, { variant: 'no-topups' });
    // Feb: 80 + 100 available for 200 -> 20 unmet, closing 0.
    expect(r.periods[1]).toMatchObject({ consumed: 180, unmet: 20, closing: 0, purchased: 0, spend: '10.00' });
    expect(r.totals.unmet).toBe(20);
  });
});
