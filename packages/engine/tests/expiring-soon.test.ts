import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecast, loadStore, runNames, type ForecastResult, type RuleSet } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');

async function bundled(): Promise<RuleSet> {
  const { rules, errors } = await loadStore(new DirectoryStore(rulesDir));
  expect(errors).toEqual([]);
  return rules;
}

/**
 * expiring_soon by its definition, from the lots alone: at the close of period t, what is left
 * after the draws of t (amount − draws up to t) in lots granted by t whose last valid period is
 * t or t + 1.
 */
function byDefinition(r: ForecastResult, period: string, pool: string): number {
  const periods = [...new Set(r.periods.map((p) => p.period))];
  const t = periods.indexOf(period);
  const next = periods[t + 1] ?? '9999-99';
  let n = 0;
  for (const l of r.lots) {
    if (l.pool !== pool || l.granted_period > period) continue;
    if (l.last_valid_period === 'never' || (l.last_valid_period !== period && l.last_valid_period !== next)) continue;
    if (l.last_valid_period < period) continue;
    n += l.amount - l.draws.filter((d) => d.period <= period).reduce((a, d) => a + d.credits, 0);
  }
  return n;
}

describe('expiring_soon: credits whose last valid period is this one or the next, as each period closes', () => {
  it('agrees with its definition in every period of every bundled scenario and variant', async () => {
    const rules = await bundled();
    let checked = 0;
    for (const id of rules.ids('Scenario')) {
      const scenario = rules.latest('Scenario', id)!.doc;
      for (const name of runNames(scenario)) {
        const r = await forecast(rules, scenario, { variant: name });
        for (const p of r.periods) {
          expect(p.expiring_soon, `${id}/${name} ${p.pool} ${p.period}`).toBe(byDefinition(r, p.period, p.pool));
          // What expires at the close is part of what was about to expire.
          expect(p.expiring_soon).toBeGreaterThanOrEqual(p.expired);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('shows the credits that do expire under monthly expiry (agency-campaigns)', async () => {
    const rules = await bundled();
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const r = await forecast(rules, scenario, { variant: 'monthly-expiry' });
    // June 2025: Pro grants 3,000 credits valid for June only. Demand: 30 previews × 20 + 8 pro shots
    // × 70 + 2 hero shots × 280 = 600 + 560 + 560 = 1,720. 3,000 − 1,720 = 1,280 left as June closes,
    // and they expire then: about to expire 1,280, expired 1,280.
    expect(r.periods[0]).toMatchObject({ period: '2025-06', consumed: 1720, expired: 1280, expiring_soon: 1280 });
    // Every month the subscription lot expires as the month closes, and top-ups (24 months) are not
    // near their end: what is about to expire is exactly what expires, 24,320 credits over the horizon.
    expect(r.periods.every((p) => p.expiring_soon === p.expired)).toBe(true);
    expect(r.periods.reduce((a, p) => a + p.expiring_soon, 0)).toBe(24320);
    expect(r.totals.expired).toBe(24320);
  });

  it('does not count credits that are not near their end (api-integration, January 2026)', async () => {
    const rules = await bundled();
    const scenario = rules.latest('Scenario', 'api-integration')!.doc;
    const r = await forecast(rules, scenario);
    // January's 10k package (100,000 tenths) is valid January–March (90 days = 3 months): as January
    // closes its 35,800 left are two periods from their end, not about to expire.
    expect(r.periods[0]).toMatchObject({ period: '2026-01', closing: 35800, expiring_soon: 0 });
    // As February closes, March is the next period: what is left of it is about to expire.
    expect(r.periods[1]!.expiring_soon).toBe(byDefinition(r, '2026-02', 'api'));
  });
});
