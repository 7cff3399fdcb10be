import fc from 'fast-check';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { books, buildModel, forecast, loadFiles, modelMismatches, recalculate, revenueMismatches, type Scenario, type StoredFile } from '@creditbook/engine';
import { demoScenario } from './support/fixtures.ts';
import { expectInvariants } from './support/invariants.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Properties of the newer ledger policies on random scenarios: threshold and target top-ups (checked
 * at the period end or start), caps on packs and on monthly spend, several pack sizes, rollover (a
 * share, a cap, a number of rollovers, or a reset), per-grant priority and end of validity, and an
 * overdraft. Every ledger invariant holds; what is owed never passes the limit and is only repaid from
 * what was owed; the caps are respected; and the workbook model, every formula recomputed, gives the
 * engine's ledger, lots and books.
 */
const card: StoredFile = {
  path: '_base/card.yaml',
  text: readFileSync(path.join(import.meta.dirname, 'cases', '_base', 'card.yaml'), 'utf8'),
};
const PACKS = { 'pack-50': { credits: 50, price: 5 }, 'pack-120': { credits: 120, price: 10 }, 'pack-300': { credits: 300, price: 22 } } as const;
const catalog: StoredFile = {
  path: 'plans.yaml',
  text: `kind: PlanCatalog
id: prop-plans
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
currency: USD
subscriptions:
  - { id: basic, pool: consumer, price_month: "10.00", price_year: "96.00", credits_per_month: 100 }
top_ups:
${Object.entries(PACKS)
  .map(([id, p]) => `  - { id: ${id}, pool: consumer, price: "${p.price}.00", credits: ${p.credits} }`)
  .join('\n')}
`,
};

const month = (i: number) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
const request = fc.constantFrom('{ model: m1, mode: std, duration_s: 5 }', '{ model: m1, mode: pro, duration_s: 10 }', '{ model: m2, duration_s: 10 }');

const arb = fc.record({
  horizon: fc.integer({ min: 1, max: 12 }),
  subscription: fc.boolean(),
  validity: fc.integer({ min: 1, max: 3 }),
  rollover: fc.option(
    fc.record({
      share: fc.constantFrom(0.25, 0.5, 1),
      cap: fc.option(fc.constantFrom(0, 40, 500), { nil: undefined }),
      times: fc.integer({ min: 1, max: 2 }),
    }),
    { nil: undefined },
  ),
  overdraft: fc.option(fc.constantFrom(30, 200, 1000), { nil: undefined }),
  burn: fc.constantFrom('default', 'priority-first', 'cost-basis'),
  auto: fc.boolean(),
  packs: fc.subarray(['pack-120', 'pack-300'] as const),
  threshold: fc.option(fc.record({ threshold: fc.integer({ min: 0, max: 400 }), extra: fc.integer({ min: 0, max: 400 }), start: fc.boolean() }), {
    nil: undefined,
  }),
  maxPacks: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  spendLimit: fc.option(fc.constantFrom(10, 25, 60), { nil: undefined }),
  lines: fc.array(fc.record({ request, count: fc.integer({ min: 0, max: 15 }), burst: fc.integer({ min: 0, max: 60 }), at: fc.integer({ min: 0, max: 11 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
  grants: fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: 11 }),
      credits: fc.integer({ min: 1, max: 300 }),
      priority: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      ends: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    }),
    { maxLength: 2 },
  ),
});
type Generated = typeof arb extends fc.Arbitrary<infer T> ? T : never;

function files(s: Generated): StoredFile[] {
  const r = s.rollover;
  const rollover = r
    ? `, rollover: { share: ${r.share}${r.cap === undefined ? '' : `, max_credits: ${r.cap}`}, max_rollovers: ${r.times}, validity: { months: 1 } }`
    : '';
  const burn =
    s.burn === 'priority-first'
      ? 'burn_order: [priority, last_valid_period, category, granted_period, lot_id]\n'
      : s.burn === 'cost-basis'
        ? 'burn_order: [last_valid_period, cost_basis, priority, granted_period, lot_id]\n'
        : '';
  const policy: StoredFile = {
    path: 'validity.yaml',
    text: `kind: ValidityPolicy
id: prop-validity
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
sources:
  subscription: { validity: { months: ${s.validity} }, priority: 2${rollover} }
  top_up: { validity: { months: 6 }, priority: 3 }
  promotional: { validity: { months: 2 }, priority: 1 }
${burn}${s.overdraft === undefined ? '' : `overdraft: { limit: ${s.overdraft} }\n`}`,
  };
  const t = s.threshold;
  const purchases = s.auto
    ? `{ policy: auto, pack: pack-50${s.packs.length ? `, pack_options: [${s.packs.join(', ')}]` : ''}${
        t ? `, trigger: threshold, threshold: ${t.threshold}, target: ${t.threshold + t.extra}${t.start ? ', check: period_start' : ''}` : ''
      }${s.maxPacks === undefined ? '' : `, max_packs_per_period: ${s.maxPacks}`}${s.spendLimit === undefined ? '' : `, monthly_spend_limit: "${s.spendLimit}.00"`} }`
    : '{ policy: none }';
  const lines = s.lines
    .map(
      (l, i) => `  - id: line-${i}
    request: ${l.request}
    count: ${l.count}
    profile: { type: burst, bursts: [ { start: ${month(l.at)}, periods: 2, count: ${l.burst} } ] }`,
    )
    .join('\n');
  const grants = s.grants
    .map(
      (g) =>
        `  - { period: ${month(g.at)}, pool: consumer, credits: ${g.credits}${g.priority === undefined ? '' : `, priority: ${g.priority}`}${
          g.ends === undefined ? '' : `, expires_at: ${month(g.at + g.ends + 1)}-01`
        } }`,
    )
    .join('\n');
  const scenario = demoScenario(`start: 2025-01
horizon: ${s.horizon}
plan: { catalog: prop-plans${s.subscription ? ', subscription: basic' : ''} }
rules: { validity: prop-validity, cards: { consumer: demo-card } }
demand:
${lines}
purchases: ${purchases}
grants:${grants ? '\n' + grants : ' []'}
`);
  return [card, catalog, policy, scenario];
}

async function runOf(s: Generated) {
  const loaded = await loadFiles(files(s));
  expect(loaded.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.code} ${e.message}`)).toEqual([]);
  const scenario: Scenario = loaded.rules.latest('Scenario', 'demo')!.doc;
  return { rules: loaded.rules, scenario, r: await forecast(loaded.rules, scenario) };
}

describe('ledger policy properties', () => {
  it('invariants, the overdraft limit and the top-up caps hold on random scenarios', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (s) => {
        const { r } = await runOf(s);
        expectInvariants(r);
        const limit = s.overdraft ?? 0;
        let owed = 0;
        for (const p of r.periods) {
          const where = p.period;
          // What is owed never passes the limit; the closing never goes below −limit.
          expect(p.overdraft, `${where} owed ≤ limit`).toBeLessThanOrEqual(limit);
          expect(p.closing, `${where} closing ≥ −limit`).toBeGreaterThanOrEqual(-limit);
          // Owed at the close = owed before − repaid + served on credit; only what was owed is repaid.
          expect(p.settled, `${where} repaid ≤ owed before`).toBeLessThanOrEqual(owed);
          expect(p.overdraft, `${where} owed rolls forward`).toBe(owed - p.settled + p.overdrawn);
          // Demand is unmet only once the overdraft is used up.
          if (p.unmet > 0 && limit > 0) expect(p.overdraft, `${where} unmet only at the limit`).toBe(limit);
          owed = p.overdraft;
          // Auto top-ups within the caps: packs per period (the largest pack at most) and money per month (a monthly calendar).
          const bought = new Decimal(p.spend).minus(s.subscription ? '10.00' : '0');
          if (s.spendLimit !== undefined) expect(bought.lte(s.spendLimit), `${where} spent ${bought.toFixed(2)} ≤ ${s.spendLimit}`).toBe(true);
          if (s.maxPacks !== undefined) expect(p.purchased, `${where} at most ${s.maxPacks} packs`).toBeLessThanOrEqual(s.maxPacks * 300);
          if (!s.auto) expect(p.purchased).toBe(0);
        }
        // Without caps an auto top-up covers every shortfall.
        if (s.auto && s.maxPacks === undefined && s.spendLimit === undefined) expect(r.totals.unmet).toBe(0);
      }),
      { numRuns: 200, seed: 20261201 },
    );
  });

  it('the workbook model, every formula recomputed, gives the engine ledger, lots and books', async () => {
    await fc.assert(
      fc.asyncProperty(arb, async (s) => {
        const { rules, scenario, r } = await runOf(s);
        const wb = await buildModel(rules, scenario, ['base']);
        for (const sh of wb.sheets) for (const row of sh.rows) for (const cell of row) if (cell.f) cell.v = null;
        expect(recalculate(wb).cycles).toEqual([]);
        const bySheet = new Map(wb.sheets.map((x) => [x.name, x]));
        const read = (sheet: string, row: number, col: number) => bySheet.get(sheet)?.rows[row]?.[col]?.v ?? null;
        expect(modelMismatches(read, [...bySheet.keys()], [r])).toEqual([]);
        expect(revenueMismatches(read, [...bySheet.keys()], [books(rules, r)])).toEqual([]);
      }),
      { numRuns: 60, seed: 1201 },
    );
  });
});
