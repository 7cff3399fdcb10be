import { describe, expect, it } from 'vitest';
import { forecast, loadFiles, WhatIf, type Scenario } from '@creditbook/engine';
import { demoPack, demoScenario } from './support/fixtures.ts';

const scenarioYaml = `start: 2025-01
horizon: 6
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - { id: clips, request: { model: m1, mode: pro, duration_s: 10 }, count: 1 }
purchases: { policy: auto, pack: pack-50 }
variants:
  - { name: busy, demand_scale: 2 }
  - { name: quiet, demand_scale: 0 }
`;

async function open() {
  const loaded = await loadFiles([...demoPack(), demoScenario(scenarioYaml)]);
  expect(loaded.errors).toEqual([]);
  const scenario = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
  return { rules: loaded.rules, scenario, model: await WhatIf.open(loaded.rules, scenario) };
}

describe('incremental what-if', () => {
  it('recomputes the one run whose input changed and returns exactly the values that changed', async () => {
    const { rules, scenario, model } = await open();
    const quietBefore = model.result('quiet');
    const changes = await model.set('busy', { demand_scale: 3 });
    // Only the changed run appears in the change set, and the other runs are the same objects.
    expect(new Set(changes.map((c) => c.run))).toEqual(new Set(['busy']));
    expect(model.result('quiet')).toBe(quietBefore);
    // The new result is what a full forecast of the edited scenario gives.
    const edited: Scenario = {
      ...scenario,
      variants: [
        { name: 'busy', demand_scale: 3 },
        { name: 'quiet', demand_scale: 0 },
      ],
    };
    const expected = await forecast(rules, edited, { variant: 'busy' });
    expect(model.result('busy')).toEqual(expected);
    // 3 × 70 credits a month instead of 2 × 70: demand changes in every period and in the totals.
    expect(changes).toContainEqual({ run: 'busy', at: 'totals.demand', before: 6 * 140, after: 6 * 210 });
    expect(changes.filter((c) => c.at.endsWith('.demand') && c.at.startsWith('periods.'))).toHaveLength(6);
    // Nothing unchanged is reported.
    for (const c of changes) expect(c.before).not.toEqual(c.after);
  });

  it('an unchanged input changes nothing; an unknown run is an error naming the variants', async () => {
    const { model } = await open();
    expect(await model.set('quiet', { demand_scale: 0 })).toEqual([]);
    await expect(model.set('nope', { demand_scale: 1 })).rejects.toThrow(/C_VARIANT|busy, quiet/);
  });
});

describe('comparisons with a run cache', () => {
  it('recompute only the variant whose definition changed, and equal a comparison made from scratch', async () => {
    const { rules, scenario } = await open();
    const { RunCache, compare } = await import('@creditbook/engine');
    const cache = new RunCache();
    const first = await compare(rules, scenario, { cache });
    expect(cache.forecasts).toBe(3);
    // The same comparison again: nothing recomputed.
    expect(await compare(rules, scenario, { cache })).toEqual(first);
    expect(cache.forecasts).toBe(3);
    // One variant edited: one forecast, and the result is what a fresh comparison gives.
    const edited: Scenario = {
      ...scenario,
      variants: [
        { name: 'busy', demand_scale: 3 },
        { name: 'quiet', demand_scale: 0 },
      ],
    };
    const again = await compare(rules, edited, { cache });
    expect(cache.forecasts).toBe(4);
    expect(again).toEqual(await compare(rules, edited));
    // A variant renamed but defined as before is reused under its new name.
    const renamed: Scenario = {
      ...edited,
      variants: [
        { name: 'very-busy', demand_scale: 3 },
        { name: 'quiet', demand_scale: 0 },
      ],
    };
    const r = await compare(rules, renamed, { cache });
    expect(cache.forecasts).toBe(4);
    expect(r.runs.map((x) => x.name)).toEqual(['base', 'very-busy', 'quiet']);
    expect(r).toEqual(await compare(rules, renamed));
  });
});
