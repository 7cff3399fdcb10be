import path from 'node:path';
import { books, forecast, loadStore, type Scenario } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { describe, expect, it } from 'vitest';
import { cardDiff } from '../lib/impact.ts';

const ROOT = path.resolve(__dirname, '../../..');

describe('the diff impact table: the books of each side', () => {
  it('each scenario\'s revenue and closing deferred revenue under either card version are the books of that pinned run', async () => {
    const rules = (await loadStore(new DirectoryStore(path.join(ROOT, 'rules')))).rules;
    const diff = await cardDiff(rules, 'kling-consumer', 1, 2);
    expect(diff).toBeDefined();
    expect(diff!.impact.length).toBeGreaterThanOrEqual(2);
    for (const s of diff!.impact) {
      for (const side of [s.before!, s.after!]) {
        const scenario = rules.latest('Scenario', s.scenario)!.doc as Scenario;
        const pinned: Scenario = { ...scenario, rules: { ...scenario.rules, pins: { ...(scenario.rules.pins ?? {}), 'kling-consumer': side.version } } };
        const t = books(rules, await forecast(rules, pinned, { variant: null })).totals;
        expect(side.revenue, `${s.scenario} v${side.version} revenue`).toBe(t.revenue);
        expect(side.deferred_closing, `${s.scenario} v${side.version} deferred`).toBe(t.deferred_closing);
        // Revenue never exceeds what was billed; what is not yet revenue is deferred.
        expect(Number(side.revenue) + Number(side.deferred_closing)).toBeCloseTo(Number(side.spend), 2);
      }
    }
  });
});
