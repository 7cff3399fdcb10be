import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { comparePortfolio, loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { describe, expect, it } from 'vitest';
import { portfolioRoute } from '../lib/portfolio.ts';
import type { User } from '../lib/users.ts';
import { getAs, useRulesCopy, viewer } from './support/rules-copy.ts';

let dir: string;

/** A small portfolio of the bundled steady-studio template: 4 studios in January 2026, 2 in February, none leave, over 3 months. */
const SMALL = `kind: Portfolio
id: a-small-base
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
currency: USD
start: 2026-01
horizon: 3
cohorts:
  - { id: studios, scenario: steady-studio, joins: [4, 2] }
variants:
  - { name: monthly-expiry, rules: { validity: monthly-expiry } }
`;

/** Priced in euros while its template is in dollars: the run is refused (C_CURRENCY). */
const EUROS = SMALL.replace('id: a-small-base', 'id: euro-base').replace('currency: USD', 'currency: EUR');

useRulesCopy('portfolio', (d) => {
  dir = d;
  writeFileSync(path.join(dir, 'portfolios', 'a-small-base.yaml'), SMALL);
  writeFileSync(path.join(dir, 'portfolios', 'euro-base.yaml'), EUROS);
});

const get = (url: string, user: User | null = viewer) => getAs(url, user);

describe('GET /api/portfolio', () => {
  it('answers what comparePortfolio (and `creditbook compare <portfolio> --json`) computes: base and variants with deltas, 5 runs by default', async () => {
    expect((await portfolioRoute(await get('/api/portfolio?portfolio=a-small-base', null))).status).toBe(401);
    const res = await portfolioRoute(await get('/api/portfolio?portfolio=a-small-base&variant=monthly-expiry&seed=3'));
    expect(res.status).toBe(200);
    const body = await res.json();
    const { rules } = await loadStore(new DirectoryStore(dir));
    const want = await comparePortfolio(rules, rules.latest('Portfolio', 'a-small-base')!.doc, ['monthly-expiry'], { runs: 5, seed: 3 });
    expect(body).toEqual(JSON.parse(JSON.stringify(want)));
    expect(body.runs.map((r: { name: string }) => r.name)).toEqual(['base', 'monthly-expiry']);
    // No spread and no churn: every run is the same, so each band is one value: 4 customers in January, 4 + 2 = 6 from February.
    const base = body.runs[0].result;
    expect(base.runs).toBe(5);
    expect(base.periods.map((p: { active: { p50: number } }) => p.active)).toEqual([
      { p10: 4, p50: 4, p90: 4 },
      { p10: 6, p50: 6, p90: 6 },
      { p10: 6, p50: 6, p90: 6 },
    ]);
    // The books are in it, each figure banded; the variant's delta is its figure minus the base's.
    const deferred = base.totals.books.deferred_closing;
    expect(deferred.p10).toBe(deferred.p90);
    const v = body.runs[1];
    expect(v.delta.books.revenue.p50).toBe((Number(v.result.totals.books.revenue.p50) - Number(base.totals.books.revenue.p50)).toFixed(2));
    // The same request again is answered from what was remembered, identically.
    const again = await portfolioRoute(await get('/api/portfolio?portfolio=a-small-base&variant=monthly-expiry&seed=3'));
    expect(await again.json()).toEqual(body);
  });

  it('with runs=1 gives plain figures; without a portfolio it runs the first one of the store', async () => {
    const one = await (await portfolioRoute(await get('/api/portfolio?portfolio=a-small-base&runs=1'))).json();
    expect(one.runs).toHaveLength(1);
    expect(one.runs[0].result.periods[0].active).toBe(4);
    expect(typeof one.runs[0].result.periods[0].books.billings).toBe('string');
    const first = await portfolioRoute(await get('/api/portfolio?runs=1'));
    expect(first.status).toBe(200);
    expect((await first.json()).portfolio).toBe('a-small-base');
  });

  it('refuses what it cannot run: 404 for an unknown portfolio, 400 for bad runs, seed or variants, 422 with positioned problems for a run the rules refuse', async () => {
    const status = async (qs: string) => (await portfolioRoute(await get(`/api/portfolio?${qs}`))).status;
    expect(await status('portfolio=nope')).toBe(404);
    expect(await status('portfolio=a-small-base&runs=0')).toBe(400);
    expect(await status('portfolio=a-small-base&runs=21')).toBe(400);
    expect(await status('portfolio=a-small-base&runs=2.5')).toBe(400);
    expect(await status('portfolio=a-small-base&seed=-1')).toBe(400);
    const unknown = await portfolioRoute(await get('/api/portfolio?portfolio=a-small-base&variant=nope'));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0]).toMatchObject({ code: 'H_BAD_INPUT', path: 'variant' });
    expect(await status(`portfolio=a-small-base${'&variant=monthly-expiry'.repeat(9)}`)).toBe(400);
    const euros = await portfolioRoute(await get('/api/portfolio?portfolio=euro-base&runs=1'));
    expect(euros.status).toBe(422);
    const problem = (await euros.json()).errors[0];
    expect(problem.code).toBe('C_CURRENCY');
    expect(problem.formatted).toMatch(/euro-base\.yaml:\d+:\d+: C_CURRENCY/);
  });
});
