import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { books, forecast, loadFiles, recognisedToDate, usageToDate, type Scenario, type StoredFile } from '@creditbook/engine';
import { demoPack, demoScenario } from './support/fixtures.ts';
import { expectBooksInvariants } from './support/books.ts';

const request = fc.constantFrom('{ model: m1, mode: std, duration_s: 5 }', '{ model: m1, mode: pro, duration_s: 10 }', '{ model: m2, duration_s: 10 }');
const rate = fc.constantFrom(undefined, 0, 0.05, 0.2, 0.333, 0.5, 0.9);

const arb = fc.record({
  granularity: fc.constantFrom('month', 'month', 'day'),
  horizon: fc.integer({ min: 1, max: 30 }),
  subscription: fc.constantFrom('basic', null),
  billing: fc.constantFrom('monthly', 'annual'),
  policy: fc.constantFrom('none', 'auto', 'scheduled'),
  lines: fc.array(
    fc.record({ request, count: fc.integer({ min: 0, max: 30 }), burst: fc.integer({ min: 0, max: 200 }), at: fc.integer({ min: 0, max: 29 }) }),
    { maxLength: 3 },
  ),
  grants: fc.array(fc.record({ at: fc.integer({ min: 0, max: 29 }), credits: fc.integer({ min: 0, max: 500 }) }), { maxLength: 2 }),
  months: fc.integer({ min: 1, max: 30 }),
  // Revenue terms of two policy versions (the second from `reestimate` periods in): a re-estimate.
  first: fc.record({ method: fc.constantFrom('at-expiry', 'proportional', null), subscription: rate, top_up: rate }),
  second: fc.option(fc.record({ at: fc.integer({ min: 1, max: 29 }), method: fc.constantFrom('at-expiry', 'proportional'), subscription: rate, top_up: rate })),
  whatIf: fc.constantFrom({}, { method: 'at-expiry' as const }, { breakageRate: '0.25' }, { method: 'proportional' as const }),
});
type Generated = typeof arb extends fc.Arbitrary<infer T> ? T : never;

const label = (s: Generated, i: number) => {
  if (s.granularity === 'month') return `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  const d = new Date(Date.UTC(2025, 0, 1 + i));
  return d.toISOString().slice(0, 10);
};

function scenarioYaml(s: Generated): string {
  const lines = s.lines
    .map(
      (l, i) =>
        `  - { id: line-${i}, request: ${l.request}, count: ${l.count}, profile: { type: burst, bursts: [ { start: ${label(s, l.at)}, periods: 2, count: ${l.burst} } ] } }`,
    )
    .join('\n');
  return `start: ${s.granularity === 'month' ? '2025-01' : '2025-01-01'}
granularity: ${s.granularity}
horizon: ${s.horizon}
plan: { catalog: demo-plans${s.subscription ? `, subscription: ${s.subscription}` : ''}, billing: ${s.billing} }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:${lines ? '\n' + lines : ' []'}
purchases: { policy: ${s.policy}, pack: pack-50, scheduled: [ { period: ${label(s, 1)}, pack: pack-50, quantity: 2, every: 3 } ] }
grants:${s.grants.length ? '\n' + s.grants.map((g) => `  - { period: ${label(s, g.at)}, pool: consumer, credits: ${g.credits} }`).join('\n') : ' []'}
`;
}

function revenue(t: { method: string | null; subscription: number | undefined; top_up: number | undefined }): string {
  if (t.method === null) return '';
  const rates = [t.subscription === undefined ? '' : `subscription: ${t.subscription}`, t.top_up === undefined ? '' : `top_up: ${t.top_up}`].filter(Boolean);
  return `revenue: { method: ${t.method}${t.method === 'proportional' && rates.length ? `, breakage: { ${rates.join(', ')} }` : ''} }\n`;
}

function policies(s: Generated): StoredFile[] {
  const doc = (version: number, from: string, terms: string) => ({
    path: `_base/validity-v${version}.yaml`,
    text: `kind: ValidityPolicy
id: demo-validity
version: ${version}
effective_from: ${from}
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
sources:
  subscription: { validity: { months: ${s.months} }, priority: 2 }
  top_up: { validity: { months: 12 }, priority: 3 }
  promotional: { validity: { days: 40 }, priority: 1 }
${terms}`,
  });
  const out = [doc(1, '2025-01-01', revenue(s.first))];
  if (s.second) {
    const at = label(s, s.second.at);
    out.push(doc(2, at.length === 7 ? `${at}-01` : at, revenue(s.second)));
  }
  return out;
}

describe('books properties', () => {
  it('the rollforward holds to the cent in every pool and period of random scenarios, terms, re-estimates and what-ifs', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (s) => {
        const files = [...demoPack().filter((f) => !f.path.endsWith('validity.yaml')), ...policies(s), demoScenario(scenarioYaml(s))];
        const loaded = await loadFiles(files);
        expect(loaded.errors).toEqual([]);
        const scenario = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
        const f = await forecast(loaded.rules, scenario);
        const b = books(loaded.rules, f, s.whatIf);
        expectBooksInvariants(b, f);
        // Without the journal (as a comparison asks), the same figures and no journal lines.
        const figures = books(loaded.rules, f, { ...s.whatIf, journal: false });
        expect(figures.journal).toEqual([]);
        expect({ ...figures, journal: b.journal }).toEqual(b);
        // At expiry, breakage is only ever booked when credits expire, and never negative.
        if (
          s.whatIf.method === 'at-expiry' ||
          (!s.whatIf.breakageRate && s.whatIf.method === undefined && s.first.method !== 'proportional' && s.second?.method !== 'proportional')
        ) {
          expect(b.method).toBe('at-expiry');
          for (const row of b.periods) expect(row.revenue_breakage.startsWith('-'), `${row.period} breakage ≥ 0 at expiry`).toBe(false);
        }
      }),
      { numRuns: 150, seed: 20261201 },
    );
  });
});

describe('recognised to date in whole cents: exact rational rounding, half up', () => {
  // The definition, in exact decimals: min(price, price × used ÷ (credits × (1 − b))) and
  // price × used ÷ credits, each rounded half up to the cent.
  const byDefinition = (price: number, used: number, credits: number, rate: string) => ({
    recognised: Decimal.min(
      price,
      new Decimal(price).times(used).div(new Decimal(1).minus(rate).times(credits)).toDecimalPlaces(0, Decimal.ROUND_HALF_UP),
    ).toNumber(),
    usage: new Decimal(price).times(used).div(credits).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber(),
  });
  const rates = fc.oneof(
    fc.constantFrom('0', '0.1', '0.15', '0.25', '0.333', '0.5', '0.999'),
    fc.integer({ min: 0, max: 9_999 }).map((n) => (n / 10_000).toString()),
  );

  it('equals the decimal definition for prices, credits and rates of any size', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 2 ** 40 })),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        rates,
        (price, credits, share, rate) => {
          const used = Math.floor(credits * share);
          const want = byDefinition(price, used, credits, rate);
          expect(recognisedToDate(price, used, credits, rate, false)).toBe(used === 0 ? 0 : want.recognised);
          expect(usageToDate(price, used, credits)).toBe(want.usage);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('rounds a half cent up: 1 cent for half of a 1-cent lot of 2 credits, 2 cents for 1.5', () => {
    // 1 × 1 ÷ 2 = 0.5 → 1; 3 × 1 ÷ 2 = 1.5 → 2; at rate 0.5: 1 × 1 ÷ (2 × 0.5) = 1 (the whole price).
    expect(usageToDate(1, 1, 2)).toBe(1);
    expect(usageToDate(3, 1, 2)).toBe(2);
    expect(recognisedToDate(1, 1, 2, '0.5', false)).toBe(1);
    // 1,000 cents, 3 of 7 credits used, b = 0.25: 1000 × 3 ÷ 5.25 = 571.43 → 571.
    expect(recognisedToDate(1000, 3, 7, '0.25', false)).toBe(571);
  });
});
