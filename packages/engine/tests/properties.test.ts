import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { forecast, loadFiles, sweep, type Scenario, type StoredFile, type Totals } from '@creditbook/engine';
import { demoPack, demoScenario } from './support/fixtures.ts';
import { expectInvariants } from './support/invariants.ts';

const request = fc.constantFrom('{ model: m1, mode: std, duration_s: 5 }', '{ model: m1, mode: pro, duration_s: 10 }', '{ model: m2, duration_s: 10 }');

const scenarioArb = fc.record({
  horizon: fc.integer({ min: 1, max: 30 }),
  subscription: fc.constantFrom('basic', null),
  billing: fc.constantFrom('monthly', 'annual'),
  policy: fc.constantFrom('none', 'auto', 'scheduled'),
  lines: fc.array(
    fc.record({ request, count: fc.integer({ min: 0, max: 40 }), burst: fc.integer({ min: 0, max: 200 }), at: fc.integer({ min: 0, max: 29 }) }),
    { minLength: 0, maxLength: 4 },
  ),
  grants: fc.array(fc.record({ at: fc.integer({ min: 0, max: 29 }), credits: fc.integer({ min: 0, max: 500 }) }), { maxLength: 3 }),
  months: fc.integer({ min: 1, max: 30 }),
});

const month = (i: number) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

type Generated = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function toYaml(s: Generated): string {
  const lines = s.lines
    .map(
      (l, i) => `  - id: line-${i}
    request: ${l.request}
    count: ${l.count}
    profile: { type: burst, bursts: [ { start: ${month(l.at)}, periods: 2, count: ${l.burst} } ] }`,
    )
    .join('\n');
  return `start: 2025-01
horizon: ${s.horizon}
plan: { catalog: demo-plans${s.subscription ? `, subscription: ${s.subscription}` : ''}, billing: ${s.billing} }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:${lines ? '\n' + lines : ' []'}
purchases: { policy: ${s.policy}, pack: pack-50, scheduled: [ { period: 2025-02, pack: pack-50, quantity: 2, every: 3 } ] }
grants:${s.grants.length ? '\n' + s.grants.map((g) => `  - { period: ${month(g.at)}, pool: consumer, credits: ${g.credits} }`).join('\n') : ' []'}
`;
}

function validityPolicy(months: number): StoredFile {
  return {
    path: '_base/validity.yaml',
    text: `kind: ValidityPolicy
id: demo-validity
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
sources:
  subscription: { validity: { months: ${months} }, priority: 2 }
  top_up: { validity: { months: 12 }, priority: 3 }
  promotional: { validity: { days: 40 }, priority: 1 }
`,
  };
}

describe('ledger properties', () => {
  it('every invariant holds for random scenarios', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const files = [...demoPack().filter((f) => !f.path.endsWith('validity.yaml')), validityPolicy(s.months), demoScenario(toYaml(s))];
        const loaded = await loadFiles(files);
        expect(loaded.errors).toEqual([]);
        const scenario = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
        const r = await forecast(loaded.rules, scenario);
        expectInvariants(r);
        if (s.policy === 'auto' && s.subscription) expect(r.totals.unmet).toBe(0);
      }),
      { numRuns: 150, seed: 20261125 },
    );
  });

  it('results do not depend on the order documents are listed in', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.integer({ min: 0, max: 1000 }), async (s, seed) => {
        const files = [...demoPack(), demoScenario(toYaml(s))];
        const shuffled = [...files].sort((a, b) => ((a.path.length * 31 + seed) % 7) - ((b.path.length * 31 + seed) % 7)).reverse();
        const run = async (list: StoredFile[]) => {
          const loaded = await loadFiles(list);
          const scenario = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
          return forecast(loaded.rules, scenario);
        };
        expect(await run(shuffled)).toEqual(await run(files));
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  it('a sweep gives the totals of a full forecast, and ratios are the exact decimal ones', async () => {
    const half = (n: Decimal.Value, d: Decimal.Value) =>
      new Decimal(d).isZero() ? null : new Decimal(n).div(d).toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
    const expectRatios = (t: Totals, seconds: number) => {
      expect(t.utilisation).toBe(half(t.consumed, t.granted + t.purchased) ?? '0.0000');
      expect(t.cost_per_credit).toBe(half(t.spend, t.consumed));
      expect(t.cost_per_second).toBe(half(t.spend, seconds));
    };
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.double({ min: 0, max: 5, noNaN: true }), async (s, scale) => {
        const files = [...demoPack().filter((f) => !f.path.endsWith('validity.yaml')), validityPolicy(s.months), demoScenario(toYaml(s))];
        const loaded = await loadFiles(files);
        const base = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
        const scenario: Scenario = {
          ...base,
          variants: [
            { name: 'scaled', demand_scale: scale },
            { name: 'annual', plan: { billing: 'annual' } },
          ],
        };
        const runs = await sweep(loaded.rules, scenario, ['base', 'scaled', 'annual']);
        for (const run of runs) {
          const full = await forecast(loaded.rules, scenario, { variant: run.name });
          expect(run.totals).toEqual(full.totals);
          expectRatios(full.totals, full.totals.output_seconds);
        }
      }),
      { numRuns: 80, seed: 424242 },
    );
  });
});
