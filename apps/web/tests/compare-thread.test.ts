import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '@creditbook/engine';
import { computeAnswer } from '../lib/compare-run.ts';
import { closeCompareThread, compareOnThread, compareThreadState, type RuleSource } from '../lib/compare-thread.ts';
import { resetEnv } from '../lib/env.ts';
import { loadRules } from '../lib/store.ts';
import { useRulesCopy } from './support/rules-copy.ts';

useRulesCopy('thread');
let source: RuleSource;
let scenario: Scenario;

beforeAll(async () => {
  const store = await loadRules();
  expect(store.result.errors).toEqual([]);
  source = { rules: store.result.rules, files: store.files, manifest: store.manifest };
  const base = store.result.rules.latest('Scenario', 'agency-campaigns')!.doc;
  // Two named variants and one made up on the spot (its demand scaled), as the what-if page sends them.
  scenario = { ...base, variants: [...(base.variants ?? []), { name: 'busier', description: 'A fifth more clips.', demand_scale: 1.2 }] };
});
afterAll(() => closeCompareThread());

const names = ['turbo-migration', 'threshold-packs-rollover', 'busier'];

describe('the compare thread', () => {
  it('answers a what-if with the bytes and entity tag the server thread computes', async () => {
    const before = compareThreadState().answered;
    const there = await compareOnThread(source, scenario, names);
    expect(compareThreadState()).toEqual({ running: true, answered: before + 1 });
    const here = await computeAnswer(source.rules, scenario, names);
    if (!there.ok || !here.ok) throw new Error('the comparison failed');
    expect(Buffer.from(there.value.body).equals(Buffer.from(here.value.body))).toBe(true);
    expect(there.value.etag).toBe(here.value.etag);
    const runs = (JSON.parse(Buffer.from(there.value.body).toString('utf8')) as { runs: { name: string }[] }).runs.map((r) => r.name);
    expect(runs).toEqual(['base', ...names]);
  });

  it('sends back the problems of a what-if that cannot run, as the server thread finds them', async () => {
    const there = await compareOnThread(source, scenario, ['no-such-variant']);
    const here = await computeAnswer(source.rules, scenario, ['no-such-variant']);
    expect(there.ok).toBe(false);
    expect(there).toEqual(here);
  });

  it('loses nothing when it stops: the comparisons it had are computed in the server thread, and the next one starts a new thread', async () => {
    const pending = compareOnThread(source, scenario, names);
    await closeCompareThread();
    const here = await computeAnswer(source.rules, scenario, names);
    const got = await pending;
    if (!got.ok || !here.ok) throw new Error('the comparison failed');
    expect(got.value.etag).toBe(here.value.etag);
    expect(compareThreadState().running).toBe(false);
    const again = await compareOnThread(source, scenario, ['turbo-migration']);
    expect(again.ok).toBe(true);
    expect(compareThreadState().running).toBe(true);
  });

  it('turned off (CREDITBOOK_COMPARE_THREAD=off), the server thread computes every comparison', async () => {
    await closeCompareThread();
    process.env['CREDITBOOK_COMPARE_THREAD'] = 'off';
    resetEnv();
    try {
      const before = compareThreadState().answered;
      const got = await compareOnThread(source, scenario, ['turbo-migration']);
      expect(got.ok).toBe(true);
      expect(compareThreadState()).toEqual({ running: false, answered: before });
    } finally {
      delete process.env['CREDITBOOK_COMPARE_THREAD'];
      resetEnv();
    }
  });
});
