import path from 'node:path';
import { compare, loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { describe, expect, it } from 'vitest';
import { SPLIT_RATIO, splitAxes } from '../components/chart-axes.ts';

const ROOT = path.resolve(__dirname, '../../..');

describe('splitAxes: a second value axis when one run dwarfs the others', () => {
  it('keeps one axis when the peaks are within the ratio of each other', () => {
    // Peaks 100, 40 and 25: 100 / 40 = 2.5 and 40 / 25 = 1.6, both under 5.
    expect(
      splitAxes([
        { name: 'a', values: [0, 100] },
        { name: 'b', values: [40, 10] },
        { name: 'c', values: [25] },
      ]),
    ).toEqual(new Set());
    expect(SPLIT_RATIO).toBe(5);
  });

  it('moves the runs above the widest drop of 5 or more to the right axis', () => {
    // Peaks 600,000 and 500,000, then 50,000 and 10,000: 600/500 = 1.2, 500/50 = 10 (the widest), 50/10 = 5.
    const right = splitAxes([
      { name: 'small', values: [10_000] },
      { name: 'big', values: [600_000, 0] },
      { name: 'mid', values: [50_000] },
      { name: 'also-big', values: [500_000] },
      { name: 'empty', values: [0, 0] },
    ]);
    expect(right).toEqual(new Set(['big', 'also-big']));
  });

  it("puts api-integration's enterprise package on its own axis", async () => {
    const { rules } = await loadStore(new DirectoryStore(path.join(ROOT, 'rules')));
    const scenario = rules.latest('Scenario', 'api-integration')!.doc;
    const c = await compare(rules, scenario, {});
    const closing = c.runs.map((r) => ({ name: r.name, values: r.series.filter((p) => p.pool === 'api').map((p) => p.closing) }));
    // The enterprise package grants 60,000 units (600,000 tenths) in 2026-01; the other runs buy
    // 10,000-unit packs a quarter, and their balances stay under a fifth of that.
    expect(splitAxes(closing)).toEqual(new Set(['enterprise-package']));
  });
});
