import path from 'node:path';
import { books, forecast, loadStore, type Scenario } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { describe, expect, it } from 'vitest';
import { documentDiff } from '../lib/impact.ts';

const ROOT = path.resolve(__dirname, '../../..');

describe('the diff impact table: the books of each side', () => {
  it("each scenario's revenue and closing deferred revenue under either card version are the books of that pinned run", async () => {
    const rules = (await loadStore(new DirectoryStore(path.join(ROOT, 'rules')))).rules;
    const diff = await documentDiff(rules, 'RateCard', 'kling-consumer', 1, 2);
    expect(diff).toBeDefined();
    expect(diff!.impact.length).toBeGreaterThanOrEqual(2);
    for (const s of diff!.impact) {
      for (const side of [s.before!, s.after!]) {
        const scenario = rules.latest('Scenario', s.scenario)!.doc;
        const pinned: Scenario = { ...scenario, rules: { ...scenario.rules, pins: { ...(scenario.rules.pins ?? {}), 'kling-consumer': side.version } } };
        const t = books(rules, await forecast(rules, pinned, { variant: null })).totals;
        expect(side.revenue, `${s.scenario} v${side.version} revenue`).toBe(t.revenue);
        expect(side.deferred_closing, `${s.scenario} v${side.version} deferred`).toBe(t.deferred_closing);
        // Revenue never exceeds what was billed; what is not yet revenue is deferred.
        expect(Number(side.revenue) + Number(side.deferred_closing)).toBeCloseTo(Number(side.spend), 2);
      }
    }
  });

  it('a validity policy diff (v1 at expiry, v2 proportional at the assumed rates) moves revenue, never the credits or the spend', async () => {
    const rules = (await loadStore(new DirectoryStore(path.join(ROOT, 'rules')))).rules;
    const diff = await documentDiff(rules, 'ValidityPolicy', 'kling-validity', 1, 2);
    // Every bundled scenario on that policy (the store has grown beyond the first three).
    const onPolicy = rules
      .ids('Scenario')
      .filter((id) => rules.latest('Scenario', id)!.doc.rules.validity === 'kling-validity')
      .sort();
    expect(onPolicy).toEqual(expect.arrayContaining(['agency-campaigns', 'api-integration', 'steady-studio']));
    expect(diff!.impact.map((s) => s.scenario).sort()).toEqual(onPolicy);
    for (const s of diff!.impact) {
      expect(s.after!.consumed).toBe(s.before!.consumed);
      expect(s.after!.spend).toBe(s.before!.spend);
      // Expected breakage recognised ahead of expiry: at least as much revenue by the horizon, less deferred.
      expect(Number(s.after!.revenue)).toBeGreaterThanOrEqual(Number(s.before!.revenue));
      expect((Number(s.after!.revenue) + Number(s.after!.deferred_closing)).toFixed(2)).toBe(
        (Number(s.before!.revenue) + Number(s.before!.deferred_closing)).toFixed(2),
      );
    }
  });
});
