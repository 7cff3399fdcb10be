import { describe, expect, it } from 'vitest';
import { checkScenarioRuns, forecast, loadFiles, type Scenario, type StoredFile } from '@creditbook/engine';
import { demoPack, demoScenario } from './support/fixtures.ts';

/** The demo pack with extra files; the scenario document of the load. */
async function load(body: string, extra: StoredFile[] = []) {
  const result = await loadFiles([...demoPack(), ...extra, demoScenario(body)]);
  expect(result.errors).toEqual([]);
  const scenario = result.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
  return { rules: result.rules, scenario };
}

const head = `start: 2025-01
horizon: 1
plan: { catalog: demo-plans }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
`;
const clip = '{ model: m1, mode: std, duration_s: 5 }'; // 10 credits each

/** The line of the scenario text (1-based) that starts with `prefix`, after the 6 header lines demoScenario adds. */
function lineOf(body: string, prefix: string): number {
  return (
    demoScenario(body)
      .text.split('\n')
      .findIndex((l) => l.trimStart().startsWith(prefix)) + 1
  );
}

describe('ledger defects, each with a hand-computed expectation', () => {
  it('rounds counts × factors exactly in decimal, half up (45 × 0.7 = 31.5 → 32; 50 × 0.29 = 14.5 → 15)', async () => {
    const body = `${head}demand:
  - id: seasonal
    request: ${clip}
    count: 45
    profile: { type: seasonal, factors: [0.7, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }
  - id: scaled
    request: { model: m1, mode: pro, duration_s: 5 }
    count: 50
variants:
  - name: scaled
    demand_scale: 0.29
  - name: moved
    migrate:
      - { from: { mode: std }, to: { mode: pro }, share: 0.7 }
`;
    const { rules, scenario } = await load(body);
    const base = await forecast(rules, scenario);
    // January: 45 × 0.7 = 31.5 generations -> 32 (in floating point 45 * 0.7 = 31.499999999999996 -> 31).
    expect(base.demand.find((d) => d.line === 'seasonal')!.count).toBe(32);
    const scaled = await forecast(rules, scenario, { variant: 'scaled' });
    // 50 × 0.29 = 14.5 -> 15 (floating point: 14.499999999999998 -> 14); 32 × 0.29 = 9.28 -> 9.
    expect(scaled.demand.find((d) => d.line === 'scaled')!.count).toBe(15);
    expect(scaled.demand.find((d) => d.line === 'seasonal')!.count).toBe(9);
    const moved = await forecast(rules, scenario, { variant: 'moved' });
    // 32 seasonal std generations, 0.7 of them move: 22.4 -> 22 moved, 10 stay.
    expect(moved.demand.filter((d) => d.line.startsWith('seasonal')).map((d) => [d.line, d.count])).toEqual([
      ['seasonal', 10],
      ['seasonal>pro', 22],
    ]);
  });

  it('a migration share of 0.7 on 45 generations moves 32 (31.5 rounded half up)', async () => {
    const body = `${head}demand:
  - { id: clips, request: ${clip}, count: 45 }
variants:
  - name: moved
    migrate:
      - { from: { mode: std }, to: { mode: pro }, share: 0.7 }
`;
    const { rules, scenario } = await load(body);
    const r = await forecast(rules, scenario, { variant: 'moved' });
    expect(r.demand.map((d) => [d.line, d.count])).toEqual([
      ['clips', 13],
      ['clips>pro', 32],
    ]);
  });

  it('two migrations of one line each move their share of the line (two 50 % of 50: 25 and 25, nothing left)', async () => {
    const body = `${head}demand:
  - { id: clips, request: ${clip}, count: 50 }
  - { id: odd, request: { model: m1, mode: std, duration_s: 10 }, count: 45 }
variants:
  - name: split
    migrate:
      - { from: { model: m1, mode: std }, to: { mode: pro }, share: 0.5 }
      - { from: { model: m1, mode: std }, to: { model: m2, mode: single }, share: 0.5 }
`;
    const { rules, scenario } = await load(body);
    const r = await forecast(rules, scenario, { variant: 'split' });
    // 50: 25 to pro, 25 to m2 (not 25 then 13 of the 25 left). 45: round(22.5) = 23 to pro, then
    // round(45 × 1.0) − 23 = 22 to m2 (cumulative rounding: the two never move more than the line).
    expect(r.demand.map((d) => [d.line, d.count])).toEqual(
      [
        ['clips', 0],
        ['clips>pro', 25],
        ['clips>m2-single', 25],
        ['odd', 0],
        ['odd>pro', 23],
        ['odd>m2-single', 22],
      ].filter(([, n]) => n !== 0),
    );
    expect(r.problems).toEqual([]);
  });

  it('rejects migrations of one line whose shares add up to more than 1, at the share that overflows', async () => {
    const body = `${head}demand:
  - { id: clips, request: ${clip}, count: 50 }
variants:
  - name: over
    migrate:
      - { from: { mode: std }, to: { mode: pro }, share: 0.6 }
      - { from: { model: m1 }, to: { model: m2, mode: single }, share: 0.5 }
`;
    const { rules } = await load(body);
    const problems = await checkScenarioRuns(rules);
    expect(problems.map((p) => [p.code, p.file, p.line, p.path, p.run])).toEqual([
      ['C_SHARE', 'scenario.yaml', lineOf(body, '- { from: { model: m1 }'), '/variants/0/migrate/1/share', 'over'],
    ]);
  });

  it('values annual lots at what was paid for their year, not at a later catalog price', async () => {
    const plansV2: StoredFile = {
      path: '_base/plans-v2.yaml',
      text: `kind: PlanCatalog
id: demo-plans
version: 2
effective_from: 2025-03-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
currency: USD
subscriptions:
  - { id: basic, pool: consumer, price_month: "12.50", price_year: "120.00", credits_per_month: 100 }
`,
    };
    const body = `start: 2025-01
horizon: 4
plan: { catalog: demo-plans, subscription: basic, billing: annual }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand: []
`;
    const { rules, scenario } = await load(body, [plansV2]);
    const r = await forecast(rules, scenario);
    // The year is paid in January at v1's $96.00: every lot of that year cost 96 / 12 = $8.00 for 100
    // credits. Nothing is used; each lot expires after 2 months: Jan's in Feb, Feb's in Mar, Mar's in Apr.
    // March's lot is granted under v2 ($120 a year) but was paid in January: $8.00, not $10.00.
    expect(r.periods.map((p) => [p.period, p.spend, p.expired, p.expired_value])).toEqual([
      ['2025-01', '96.00', 0, '0.00'],
      ['2025-02', '0.00', 100, '8.00'],
      ['2025-03', '0.00', 100, '8.00'],
      ['2025-04', '0.00', 100, '8.00'],
    ]);
    expect(r.lots.map((l) => l.price)).toEqual(['8.00', '8.00', '8.00', '8.00']);
  });

  it('refuses a scenario currency other than the catalog’s, at the currency field', async () => {
    const body = `currency: EUR
${head}demand: []
`;
    const { rules, scenario } = await load(body);
    const r = await forecast(rules, scenario);
    expect(r.problems.map((p) => [p.code, p.severity, p.line, p.path])).toEqual([['C_CURRENCY', 'error', lineOf(body, 'currency:'), '/currency']]);
    expect(r.currency).toBe('USD');
  });

  it('an annual plan without price_year is priced by the documented fallback with a warning, not refused', async () => {
    const plans: StoredFile = {
      path: '_base/plans.yaml',
      text: `kind: PlanCatalog
id: demo-plans
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
currency: USD
subscriptions:
  - { id: basic, pool: consumer, price_month: "10.00", credits_per_month: 100 }
`,
    };
    const result = await loadFiles([
      ...demoPack().filter((f) => !f.path.endsWith('plans.yaml')),
      plans,
      demoScenario(`start: 2025-01
horizon: 2
plan: { catalog: demo-plans, subscription: basic, billing: annual }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand: []
`),
    ]);
    const scenario = result.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
    const r = await forecast(result.rules, scenario);
    // 12 × $10.00 = $120.00 in January.
    expect(r.periods.map((p) => p.spend)).toEqual(['120.00', '0.00']);
    expect(r.problems.map((p) => [p.code, p.severity, p.path])).toEqual([['C_DEFAULT', 'warning', '/plan/billing']]);
    const checked = await checkScenarioRuns(result.rules);
    expect(checked.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('counts the output seconds actually served: unmet demand is not output', async () => {
    const body = `start: 2025-01
horizon: 2
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - { id: clips, request: ${clip}, count: 5, profile: { type: burst, bursts: [ { start: 2025-02, periods: 1, count: 15 } ] } }
`;
    const { rules, scenario } = await load(body);
    const r = await forecast(rules, scenario);
    // Jan: 5 clips = 50 credits, 25 s; lot A 100 -> 50 left. Feb: 20 clips = 200 credits, 100 s;
    // A 50 + B 100 = 150 consumed, 50 unmet: served 100 × 150 / 200 = 75 s.
    expect(r.periods.map((p) => [p.consumed, p.unmet, p.demand_seconds, p.output_seconds])).toEqual([
      [50, 0, 25, 25],
      [150, 50, 100, 75],
    ]);
    expect(r.totals).toMatchObject({ output_seconds: 100, demand_seconds: 125, spend: '20.00' });
    // $20.00 / 100 s served = 0.2000 (not 20 / 125 = 0.1600, which would fall as demand goes unmet).
    expect(r.totals.cost_per_second).toBe('0.2000');
  });

  it('one broken variant does not block the runs asked for; validation still reports it', async () => {
    const body = `${head}demand:
  - { id: clips, request: ${clip}, count: 5 }
variants:
  - name: broken
    migrate:
      - { from: { model: m1 }, to: { model: m2, mode: std }, share: 1 }
`;
    const { rules } = await load(body);
    const all = await checkScenarioRuns(rules);
    // m2 allows only mode single: the migrated line cannot be priced, in the broken variant only.
    expect(all.map((p) => [p.code, p.run, p.path])).toEqual([['C_DEMAND', 'broken', '/variants/0/migrate/0']]);
    expect(await checkScenarioRuns(rules, undefined, ['base'])).toEqual([]);
  });
});
