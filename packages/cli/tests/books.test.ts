import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from './support.ts';

const header = (kind: string, id: string) => `kind: ${kind}
id: ${id}
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
`;

/** A store holding the worked example: 1,000 credits for 1,000.00, valid 3 months, used 200 / 400 / 100; no revenue terms. */
function workedExample(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'creditbook-books-'));
  const rules = path.join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(path.join(rules, 'card.yaml'), `${header('RateCard', 'card')}pool: consumer\ndimensions:\n  model: { values: [m] }\ncredits: "100"\n`);
  writeFileSync(
    path.join(rules, 'plans.yaml'),
    `${header('PlanCatalog', 'plans')}currency: USD\ntop_ups:\n  - { id: pack-1000, pool: consumer, price: "1000.00", credits: 1000 }\n`,
  );
  writeFileSync(path.join(rules, 'validity.yaml'), `${header('ValidityPolicy', 'validity')}sources:\n  top_up: { validity: { months: 3 }, priority: 1 }\n`);
  writeFileSync(
    path.join(rules, 's.yaml'),
    `${header('Scenario', 's')}start: 2025-01
horizon: 3
plan: { catalog: plans }
rules: { validity: validity, cards: { consumer: card } }
demand:
  - { id: d, request: { model: m }, count: 0, profile: { type: burst, bursts: [ { start: 2025-01, periods: 1, count: 2 }, { start: 2025-02, periods: 1, count: 4 }, { start: 2025-03, periods: 1, count: 1 } ] } }
purchases: { policy: scheduled, scheduled: [ { period: 2025-01, pack: pack-1000 } ] }
`,
  );
  return dir;
}

const money = /^-?\d+\.\d{2}$/;

describe('creditbook books', () => {
  it('--json has the documented shape, money as two-place strings (bundled agency-campaigns)', async () => {
    const r = await run(repoRoot, 'books', 'rules/scenarios/agency-campaigns.yaml', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    for (const k of ['scenario', 'variant', 'currency', 'method', 'periods', 'totals', 'journal']) expect(b).toHaveProperty(k);
    expect(b.scenario).toBe('agency-campaigns');
    expect(b.variant).toBeNull();
    expect(b.currency).toBe('USD');
    expect(b.method).toBe('proportional');
    const p = b.periods[0];
    for (const k of ['billings', 'revenue_usage', 'revenue_breakage', 'deferred_opening', 'deferred_closing', 'current', 'non_current'])
      expect(p[k]).toMatch(money);
    expect(p.period).toMatch(/^\d{4}-\d{2}$/);
    expect(typeof p.pool).toBe('string');
    expect(Number.isInteger(p.credits_outstanding)).toBe(true);
    for (const k of ['billings', 'revenue', 'revenue_usage', 'revenue_breakage', 'deferred_closing', 'deferred_peak']) expect(b.totals[k]).toMatch(money);
    const j = b.journal[0];
    for (const k of ['period', 'account', 'debit', 'credit', 'lot', 'memo']) expect(j).toHaveProperty(k);
    expect(j.debit).toMatch(money);
    expect(j.credit).toMatch(money);
  });

  it('the flags override the method and rate of a store without revenue terms (the worked example both ways)', async () => {
    const dir = workedExample();
    const figures = async (...flags: string[]) => {
      const r = await run(dir, 'books', 'rules/s.yaml', '--json', ...flags);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const b = JSON.parse(r.stdout);
      return { method: b.method, rows: b.periods.map((p: Record<string, string>) => [p['revenue_usage'], p['revenue_breakage'], p['deferred_closing']]) };
    };
    // No revenue terms: at expiry. 200 / 400 / 400 (breakage 0 / 0 / 300), deferred 800 / 400 / 0.
    expect(await figures()).toEqual({
      method: 'at-expiry',
      rows: [
        ['200.00', '0.00', '800.00'],
        ['400.00', '0.00', '400.00'],
        ['100.00', '300.00', '0.00'],
      ],
    });
    // b = 20 %: 250 / 500 / 250 = usage 200 / 400 / 100 + breakage 50 / 100 / 150; deferred 750 / 250 / 0.
    const proportional = {
      method: 'proportional',
      rows: [
        ['200.00', '50.00', '750.00'],
        ['400.00', '100.00', '250.00'],
        ['100.00', '150.00', '0.00'],
      ],
    };
    expect(await figures('--breakage-rate', '0.2')).toEqual(proportional);
    expect(await figures('--method', 'proportional', '--breakage-rate', '0.2')).toEqual(proportional);
  });

  it('--csv writes the journal: a header, balanced entries, traced to lot and rule versions', async () => {
    const dir = workedExample();
    const r = await run(dir, 'books', 'rules/s.yaml', '--breakage-rate', '0.2', '--csv', 'journal.csv');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote journal.csv: 14 journal lines');
    const lines = readFileSync(path.join(dir, 'journal.csv'), 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('entry,date,period,account,debit,credit,currency,pool,lot,source,rules,memo');
    expect(lines).toHaveLength(15);
    expect(lines[1]).toBe('J00001,2025-01-31,2025-01,Cash,1000.00,0.00,USD,consumer,L0001,top_up,PlanCatalog plans v1,"1000 credits, pack-1000 (top_up)"');
    expect(lines).toContain(
      'J00003,2025-01-31,2025-01,Revenue - breakage,0.00,50.00,USD,consumer,L0001,top_up,PlanCatalog plans v1; what-if --breakage-rate 0.2,expected breakage 0.2',
    );
  });

  it('prints the books as tables by default', async () => {
    const r = await run(repoRoot, 'books', 'rules/scenarios/steady-studio.yaml', '--variant', 'monthly-expiry');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^steady-studio — monthly-expiry \(USD\), proportional: ValidityPolicy monthly-expiry v2 from 2026-01/);
    expect(r.stdout).toContain('== Books ==');
    expect(r.stdout).toContain('== Deferred revenue ==');
    expect(r.stdout).toContain('Peak deferred revenue');
  });

  it('bad flags are usage errors (exit 2); an unknown variant is bad input (exit 1)', async () => {
    const s = 'rules/scenarios/steady-studio.yaml';
    expect((await run(repoRoot, 'books', s, '--method', 'remote')).code).toBe(2);
    expect((await run(repoRoot, 'books', s, '--breakage-rate', '1')).code).toBe(2);
    expect((await run(repoRoot, 'books', s, '--breakage-rate', '-0.1')).code).toBe(2);
    expect((await run(repoRoot, 'books', s, '--breakage-rate', 'lots')).code).toBe(2);
    const both = await run(repoRoot, 'books', s, '--method', 'at-expiry', '--breakage-rate', '0.2');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--breakage-rate needs the proportional method');
    expect((await run(repoRoot, 'books')).code).toBe(2);
    const bad = await run(repoRoot, 'books', s, '--variant', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('C_VARIANT');
  });
});

describe('creditbook compare: the books per run', () => {
  it('--json gives each run its books totals and each delta their differences', async () => {
    const r = await run(repoRoot, 'compare', 'rules/scenarios/agency-campaigns.yaml', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    for (const run_ of c.runs) for (const k of ['revenue', 'revenue_breakage', 'deferred_peak', 'deferred_closing']) expect(run_.books[k]).toMatch(money);
    const base = c.runs[0].books;
    for (const d of c.deltas) {
      const other = c.runs.find((x: { name: string }) => x.name === d.name).books;
      for (const k of ['revenue', 'revenue_breakage', 'deferred_peak', 'deferred_closing'])
        expect(Number(d.books[k])).toBeCloseTo(Number(other[k]) - Number(base[k]), 2);
    }
    // The books of a run are those `books` gives for it.
    const single = JSON.parse((await run(repoRoot, 'books', 'rules/scenarios/agency-campaigns.yaml', '--variant', 'monthly-expiry', '--json')).stdout);
    const me = c.runs.find((x: { name: string }) => x.name === 'monthly-expiry').books;
    expect(me.revenue).toBe(single.totals.revenue);
    expect(me.deferred_peak).toBe(single.totals.deferred_peak);
  });

  it('the table has the books rows', async () => {
    const r = await run(repoRoot, 'compare', 'rules/scenarios/steady-studio.yaml');
    for (const label of ['Revenue', 'Revenue from breakage', 'Peak deferred revenue', 'Closing deferred revenue'])
      expect(r.stdout).toMatch(new RegExp(`^${label} `, 'm'));
  });
});
