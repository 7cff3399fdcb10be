import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparePlatforms, loadFiles, loadStore, platformsWorkbook, recalculate, setInputs, type StoredFile } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const header = (kind: string, id: string) => `kind: ${kind}
id: ${id}
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
`;

/**
 * Two platforms, three months. A keeps subscription credits 24 months; B resets them at the end of
 * each month and sells top-ups that never expire.
 */
const files: StoredFile[] = [
  {
    path: 'a/card.yaml',
    text:
      header('RateCard', 'a-card') +
      `pool: a
dimensions:
  model: { values: [x] }
  duration_s: { values: [5, 10] }
credits: 2 * duration_s
examples:
  - { request: { model: x, duration_s: 5 }, credits: 10 }
`,
  },
  {
    path: 'a/plans.yaml',
    text:
      header('PlanCatalog', 'a-plans') +
      `currency: USD
subscriptions:
  - { id: basic, pool: a, price_month: "10.00", credits_per_month: 100 }
top_ups:
  - { id: a-pack, pool: a, price: "5.00", credits: 50 }
`,
  },
  {
    path: 'a/validity.yaml',
    text:
      header('ValidityPolicy', 'a-validity') +
      `sources:
  subscription: { validity: { months: 24 }, priority: 1 }
  top_up: { validity: { months: 24 }, priority: 2 }
`,
  },
  {
    path: 'b/card.yaml',
    text:
      header('RateCard', 'b-card') +
      `pool: b
dimensions:
  model: { values: [y] }
  duration_s: { values: [5] }
credits: "10"
examples:
  - { request: { model: y, duration_s: 5 }, credits: 10 }
`,
  },
  {
    path: 'b/plans.yaml',
    text:
      header('PlanCatalog', 'b-plans') +
      `currency: USD
subscriptions:
  - { id: free, pool: b, price_month: "0.00", credits_per_month: 1000 }
  - { id: b-small, pool: b, price_month: "8.00", credits_per_month: 60 }
  - { id: b-big, pool: b, price_month: "20.00", credits_per_month: 200 }
top_ups:
  - { id: b-pack, pool: b, price: "6.00", credits: 60, eligible_tiers: [b-small, b-big] }
`,
  },
  {
    path: 'b/validity.yaml',
    text:
      header('ValidityPolicy', 'b-validity') +
      `sources:
  subscription: { validity: { months: 1 }, priority: 1 }
  top_up: { priority: 2 }
`,
  },
  {
    path: 'map.yaml',
    text:
      header('PlatformMap', 'ab') +
      `reference: a
platforms:
  - { id: a, name: Long validity, catalog: a-plans, validity: a-validity, card: a-card, top_up: a-pack }
  - { id: b, name: Monthly reset, catalog: b-plans, validity: b-validity, card: b-card, top_up: b-pack }
outputs:
  - id: clip
    match: [{ model: x, duration_s: 5 }]
    on: { b: { request: { model: y, duration_s: 5 } } }
  - id: long-clip
    match: [{ duration_s: 10 }]
    on: { b: { unavailable: B makes 5 s clips only } }
`,
  },
  {
    path: 'scenario.yaml',
    text:
      header('Scenario', 'three-months') +
      `start: 2026-01
horizon: 3
plan: { catalog: a-plans, subscription: basic }
rules: { validity: a-validity, cards: { a: a-card } }
demand:
  - id: clips
    request: { model: x, duration_s: 5 }
    count: 2
    profile: { type: burst, bursts: [{ start: 2026-03, periods: 1, count: 18 }] }
  - id: long
    request: { model: x, duration_s: 10 }
    count: 1
purchases: { policy: none }
`,
  },
];

async function setup() {
  const { rules, errors } = await loadFiles(files);
  expect(errors).toEqual([]);
  const scenario = rules.latest('Scenario', 'three-months')!.doc;
  return { rules, scenario, c: await comparePlatforms(rules, scenario) };
}

describe('comparePlatforms: the hand-computed case (two platforms, three months, one with monthly reset)', () => {
  it('A (24-month validity) matches the hand computation', async () => {
    const { c } = await setup();
    expect(c.platforms.map((r) => `${r.platform}/${r.basis}/${r.plan}`)).toEqual(['a/scenario/basic', 'a/cheapest/basic', 'b/cheapest/b-small']);
    const a = c.platforms[1]!;
    // Demand (credits = 2 × seconds): clips 2 × 10 a month plus 18 more in March; long 1 × 20 a month.
    //   Jan 20 + 20 = 40, Feb 40, Mar 200 + 20 = 220: 300 credits. Seconds 20 + 20 + 110 = 150.
    // Grants 100 a month valid 24 months, soonest expiry first:
    //   Jan lot1 100 - 40 = 60; Feb lot1 60 - 40 = 20 (lot2 100 untouched); Mar lot1 20, lot2 100, lot3 100 = 220: all gone.
    // Spend 3 × $10 = $30.00; nothing expires, nothing unmet, no top-up bought.
    expect(a).toMatchObject({
      spend: '30.00',
      granted: 300,
      purchased: 0,
      consumed: 300,
      demand: 300,
      expired: 0,
      expired_value: '0.00',
      unmet: 0,
      demand_seconds: 150,
      served_seconds: '150.00',
      unmet_seconds: '0.00',
      unservable_seconds: 0,
      covers: true,
      cost_per_second: '0.2000', // 30 / 150
      utilisation: '1.0000', // 300 / 300
      top_up: 'a-pack',
    });
    expect(a.series.map((p) => p.closing)).toEqual([60, 120, 0]); // 100-40; 60+100-40; 120+100-220
    expect(a.deltas).toMatchObject({ spend: '0.00', expired_value: '0.00', cost_per_second: '0.0000' });
  });

  it('B (monthly reset, top-ups that never expire) matches the hand computation', async () => {
    const { c } = await setup();
    const b = c.platforms[2]!;
    // B serves the 5 s clips only (10 credits each): Jan 20, Feb 20, Mar 200; the 10 s line (30 s) is unservable.
    // b-small ($8, 60 credits reset monthly, b-pack 60 credits for $6 that never expire):
    //   Jan: 60 - 20 = 40 expire, at 8/60 a credit = $5.33; Feb the same;
    //   Mar: 60 drawn, 140 short -> ceil(140/60) = 3 packs (180 credits, $18), 40 left that never expire.
    //   Spend 8 + 8 + 8 + 18 = $42.00; expired 80 credits worth 5.33 + 5.33 = $10.66.
    // b-big ($20, 200 credits): Jan and Feb 180 expire each ($18.00 each); spend $60.00 -> dearer.
    // Free is priced at zero, so it is not a candidate (no tiers listed: only tiers priced above zero).
    expect(b).toMatchObject({
      plan: 'b-small',
      billing: 'monthly',
      top_up: 'b-pack',
      covers: true,
      spend: '42.00',
      granted: 180,
      purchased: 180,
      consumed: 240,
      demand: 240,
      expired: 80,
      expired_value: '10.66',
      unmet: 0,
      demand_seconds: 150,
      served_seconds: '120.00',
      unmet_seconds: '0.00',
      unservable_seconds: 30,
      cost_per_second: '0.3500', // 42 / 120
      utilisation: '0.6667', // 240 / 360
    });
    expect(b.unservable).toEqual([{ line: 'long', output: 'long-clip', reason: 'B makes 5 s clips only', seconds: 30 }]);
    expect(b.candidates).toEqual([
      { plan: 'b-small', billing: 'monthly', spend: '42.00', unmet: 0, covers: true },
      { plan: 'b-big', billing: 'monthly', spend: '60.00', unmet: 0, covers: true },
    ]);
    expect(b.series.map((p) => [p.period, p.expired, p.expired_value, p.spend])).toEqual([
      ['2026-01', 40, '5.33', '8.00'],
      ['2026-02', 40, '5.33', '8.00'],
      ['2026-03', 0, '0.00', '26.00'],
    ]);
    // Against A's cheapest run: 42 - 30, 10.66 - 0, 0.35 - 0.20, 120 - 150, 0.6667 - 1.
    expect(b.deltas).toEqual({
      vs: 'a (cheapest)',
      spend: '12.00',
      expired_value: '10.66',
      cost_per_second: '0.1500',
      served_seconds: '-30.00',
      utilisation: '-0.3333',
    });
  });

  it('a demand line a platform cannot serve is listed with its seconds and never priced: no candidate of B has demand for it', async () => {
    const { c } = await setup();
    const b = c.platforms[2]!;
    // 240 credits of demand are the 5 s clips alone (a priced 10 s line would add 30 s of demand at some price).
    expect(b.demand).toBe(240);
    expect(Number(b.served_seconds) + Number(b.unmet_seconds) + b.unservable_seconds).toBe(b.demand_seconds);
  });

  it('the workbook recomputes cost per served second and the deltas from its own cells, and follows an edited spend', async () => {
    const { c } = await setup();
    const wb = platformsWorkbook(c);
    const sheet = wb.sheets[0]!;
    const col = (key: string) => sheet.columns.findIndex((x) => x.key === key);
    const keys = ['cost_per_second', 'delta_spend', 'delta_expired_value', 'delta_cost_per_second'];
    const before = sheet.rows.map((r) => r.map((cell) => cell.v));
    const { cycles } = recalculate(wb);
    expect(cycles).toEqual([]);
    for (let row = 1; row < sheet.rows.length; row++) {
      for (const key of keys) expect(Number(sheet.rows[row]![col(key)]!.v)).toBeCloseTo(Number(before[row]![col(key)]), 4);
    }
    // B's spend edited to $54: cost per served second 54 / 120 = 0.45, delta 54 - 30 = 24, delta per second 0.45 - 0.20 = 0.25.
    setInputs(wb, [{ sheet: sheet.name, row: 3, col: col('spend'), value: 54 }]);
    expect(sheet.rows[3]![col('cost_per_second')]!.v).toBe(0.45);
    expect(sheet.rows[3]![col('delta_spend')]!.v).toBe(24);
    expect(Number(sheet.rows[3]![col('delta_cost_per_second')]!.v)).toBeCloseTo(0.25, 10);
  });

  it('--platform narrows the runs; the reference stays for the deltas; an unknown platform is refused', async () => {
    const { rules, scenario } = await setup();
    const only = await comparePlatforms(rules, scenario, { platforms: ['b'] });
    expect(only.platforms.map((r) => r.platform)).toEqual(['a', 'a', 'b']);
    await expect(comparePlatforms(rules, scenario, { platforms: ['c'] })).rejects.toThrow(/platform 'c' is not in PlatformMap 'ab'/);
  });
});

describe('comparePlatforms on the bundled packs', () => {
  const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');
  it('gives one cheapest entry per platform of the map, and Sora and Hailuo show the 1080p lines as unservable, not free', async () => {
    const { rules, errors } = await loadStore(new DirectoryStore(rulesDir));
    expect(errors).toEqual([]);
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const c = await comparePlatforms(rules, scenario);
    const cheapest = c.platforms.filter((r) => r.basis === 'cheapest');
    expect(cheapest.map((r) => r.platform)).toEqual(['kling', 'runway', 'luma', 'veo', 'sora', 'pika', 'hailuo']);
    for (const p of ['sora', 'hailuo']) {
      const run = cheapest.find((r) => r.platform === p)!;
      expect(run.unservable.map((u) => u.line).sort()).toEqual(['hero-shots', 'pro-shots']);
      expect(run.unservable_seconds).toBeGreaterThan(0);
    }
    for (const run of c.platforms) {
      for (const k of ['platform', 'plan', 'spend', 'expired', 'expired_value', 'unmet', 'cost_per_second', 'utilisation'] as const)
        expect(run).toHaveProperty(k);
    }
  });
});
