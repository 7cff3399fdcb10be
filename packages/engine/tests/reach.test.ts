import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecast, loadFiles, nextRenewal, reaches, type RateCard, type Reach, type Scenario } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/** The bundled rules plus a published v3 of kling-consumer from 2026-03-01 with the given reach (2.1 pro 10 s 70 -> 84). */
async function rulesWith(reach: Reach) {
  const files = await new DirectoryStore(path.join(ROOT, 'rules')).list();
  const v2 = files.find((f) => f.path === 'rate-cards/kling-consumer/v2.yaml')!.text;
  const v3 = v2
    .replace('version: 2', 'version: 3')
    .replace('effective_from: 2025-09-23', `effective_from: 2026-03-01\nreach: ${reach}`)
    .replace(/("10": )70( +# SECONDARY-AGREE: "Kling 2.1 Pro")/, '$184$2');
  const loaded = await loadFiles([...files.filter((f) => f.path !== 'manifest.json'), { path: 'rate-cards/kling-consumer/v3.yaml', text: v3 }]);
  expect(loaded.errors).toEqual([]);
  return loaded.rules;
}

function scenario(start: string, billing: 'monthly' | 'annual'): Scenario {
  return {
    kind: 'Scenario',
    id: 'reach',
    version: 1,
    effective_from: '2025-01-01',
    status: 'draft',
    audit: { author: 't', saved_at: '2025-01-01T00:00:00Z', note: 'reach' },
    start,
    horizon: 12,
    plan: { catalog: 'kling-plans', subscription: 'pro', billing },
    rules: { validity: 'kling-validity', cards: { consumer: 'kling-consumer' } },
    demand: [{ id: 'pro', request: { model: 'kling-v2-1', mode: 'pro', duration_s: 10 }, count: 1 }],
  };
}

const cardVersions = (r: Awaited<ReturnType<typeof forecast>>) => r.versions.filter((v) => v.kind === 'RateCard').map((v) => [v.version, v.from, v.to]);

describe('the reach of a rate-card version', () => {
  const card = { effective_from: '2026-03-01', reach: 'next_renewal' } as RateCard;
  it('renews monthly or yearly from the day a customer joined', () => {
    expect(nextRenewal({ joined: '2025-06-15', billing: 'annual' }, '2026-03-01')).toBe('2026-06-15');
    expect(nextRenewal({ joined: '2025-06-15', billing: 'monthly' }, '2026-03-01')).toBe('2026-03-15');
    expect(nextRenewal({ joined: '2026-01-31', billing: 'monthly' }, '2026-02-01')).toBe('2026-02-28');
    expect(reaches(card, { joined: '2025-06-15', billing: 'annual' }, '2026-06-14')).toBe(false);
    expect(reaches(card, { joined: '2025-06-15', billing: 'annual' }, '2026-06-15')).toBe(true);
    expect(reaches(card, { joined: '2026-04-01', billing: 'annual' }, '2026-04-01')).toBe(true);
    expect(reaches({ ...card, reach: 'new_customers' }, { joined: '2025-06-15', billing: 'monthly' }, '2030-01-01')).toBe(false);
    expect(reaches({ ...card, reach: 'all' }, { joined: '2025-06-15', billing: 'monthly' }, '2026-03-01')).toBe(true);
  });

  it('forecasts switch cards as the reach says', async () => {
    // all: from its effective month for everyone
    const all = await forecast(await rulesWith('all'), scenario('2026-01', 'monthly'));
    expect(cardVersions(all)).toEqual([
      [2, '2026-01', '2026-02'],
      [3, '2026-03', '2026-12'],
    ]);
    // new customers only: a customer who joined in January keeps v2; one who joins in April gets v3
    const newOnly = await rulesWith('new_customers');
    expect(cardVersions(await forecast(newOnly, scenario('2026-01', 'monthly')))).toEqual([[2, '2026-01', '2026-12']]);
    expect(cardVersions(await forecast(newOnly, scenario('2026-04', 'monthly')))).toEqual([[3, '2026-04', '2027-03']]);
    // next renewal: an annual customer who joined 2025-06-01 renews on 2026-06-01; a monthly one on 2026-03-01
    // (v1 until v2 takes effect on 2025-09-23, whose reach is every customer)
    const renewal = await rulesWith('next_renewal');
    expect(cardVersions(await forecast(renewal, scenario('2025-06', 'annual')))).toEqual([
      [1, '2025-06', '2025-09'],
      [2, '2025-10', '2026-05'],
    ]);
    const annual = await forecast(renewal, { ...scenario('2025-06', 'annual'), horizon: 13 });
    expect(cardVersions(annual)).toEqual([
      [1, '2025-06', '2025-09'],
      [2, '2025-10', '2026-05'],
      [3, '2026-06', '2026-06'],
    ]);
    // 2.1 pro 10 s: 70 credits under v2, 84 under v3
    expect(annual.demand.filter((d) => d.period >= '2026-05').map((d) => [d.period, d.credits])).toEqual([
      ['2026-05', 70],
      ['2026-06', 84],
    ]);
    expect(cardVersions(await forecast(renewal, scenario('2026-01', 'monthly')))).toEqual([
      [2, '2026-01', '2026-02'],
      [3, '2026-03', '2026-12'],
    ]);
  });
});
