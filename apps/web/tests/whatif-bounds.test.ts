import { beforeAll, describe, expect, it } from 'vitest';
import * as api from '../lib/routes.ts';
import { answerCacheStats, MAX_VARIANTS_PER_REQUEST, parseWhatIf, resetAnswerCache } from '../lib/whatif.ts';
import { cookieOf, useRulesCopy, viewer } from './support/rules-copy.ts';

let cookie: string;

useRulesCopy('bounds');
beforeAll(async () => {
  cookie = await cookieOf(viewer);
});

const post = (body: unknown) =>
  api.compareRoute(
    new Request('http://localhost/api/compare', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );
const scaled = (i: number) => ({ name: `scaled-${i}`, demand_scale: 1 + i / 100 });

describe('a what-if is bounded in variants, and remembered answers in bytes', () => {
  it(`at most ${MAX_VARIANTS_PER_REQUEST} custom and ${MAX_VARIANTS_PER_REQUEST} named variants: one more is a 400 at the first one too many, before anything runs`, async () => {
    const custom = Array.from({ length: MAX_VARIANTS_PER_REQUEST + 1 }, (_, i) => scaled(i));
    const res = await post({ scenario: 'agency-campaigns', variants: [], custom });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { code: string; path: string }[] }).errors.map((e) => [e.code, e.path])).toEqual([['H_BAD_INPUT', '/custom/50']]);
    const named = parseWhatIf({ scenario: 'agency-campaigns', variants: Array.from({ length: 51 }, (_, i) => `v${i}`) });
    expect(named.ok ? [] : named.errors.map((e) => e.path)).toEqual(['/variants/50']);
    expect(parseWhatIf({ scenario: 'agency-campaigns', custom: custom.slice(0, 50) }).ok).toBe(true);
  });

  it('the answer cache holds bytes up to its bound: older answers are forgotten, never more than the bound is kept', async () => {
    resetAnswerCache();
    expect((await post({ scenario: 'agency-campaigns', variants: [], custom: [scaled(0)] })).status).toBe(200);
    const one = answerCacheStats();
    expect(one.entries).toBe(1);
    // Room for two answers of about this weight, not three.
    const bound = Math.floor(2.5 * one.bytes);
    resetAnswerCache(bound);
    for (let i = 1; i <= 5; i++) {
      expect((await post({ scenario: 'agency-campaigns', variants: [], custom: [scaled(i)] })).status).toBe(200);
      const now = answerCacheStats();
      expect(now.bytes).toBeLessThanOrEqual(bound);
      expect(now.maxBytes).toBe(bound);
    }
    expect(answerCacheStats().entries).toBe(2);
    resetAnswerCache();
  });
});
