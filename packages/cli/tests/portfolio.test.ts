import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run } from './support.ts';

const P = 'rules/portfolios/kling-customer-base.yaml';
const money = /^-?\d+\.\d{2}$/;

describe('creditbook portfolio', () => {
  it('--json has the documented shape; without --runs one run with seed 0', async () => {
    const r = await run(repoRoot, 'portfolio', P, '--json', '--workers', '1');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(['portfolio', 'portfolio_version', 'variant', 'currency', 'seed', 'runs', 'periods', 'totals', 'cohorts']);
    expect(j).toMatchObject({ portfolio: 'kling-customer-base', currency: 'USD', seed: 0, runs: 1, variant: null });
    expect(j.periods).toHaveLength(24);
    expect(j.periods[0].period).toBe('2025-06');
    expect(j.periods[0].spend).toMatch(money);
    expect(Object.keys(j.periods[0].pools)).toEqual(['consumer', 'api']);
    expect(j.cohorts.map((c: { cohort: string }) => c.cohort)).toEqual([
      'free-users',
      'standard-hobbyists',
      'pro-agencies',
      'premier-studios',
      'api-integrators',
    ]);
    // The cohorts add up to the total, figure by figure.
    const sum = (k: 'new' | 'active') => j.cohorts.reduce((a: number, c: { periods: Record<string, number>[] }) => a + c.periods[5]![k]!, 0);
    expect(sum('active')).toBe(j.periods[5].active);
    expect(sum('new')).toBe(j.periods[5].new);
  }, 120_000);

  it('--runs gives a P10 / P50 / P90 band for every figure, reproducible by seed and the same with 1 or 2 worker threads', async () => {
    const a = await run(repoRoot, 'portfolio', P, '--json', '--runs', '3', '--seed', '11', '--workers', '1');
    const b = await run(repoRoot, 'portfolio', P, '--json', '--runs', '3', '--seed', '11', '--workers', '2');
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.periods[3].spend).toEqual({ p10: expect.stringMatching(money), p50: expect.stringMatching(money), p90: expect.stringMatching(money) });
    expect(j.totals.pools.consumer.consumed.p10).toBeLessThanOrEqual(j.totals.pools.consumer.consumed.p90);
  }, 240_000);

  it('--shard i/n -o part.json, then portfolio merge, prints exactly what the unsharded run prints', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'creditbook-portfolio-'));
    const whole = await run(repoRoot, 'portfolio', P, '--variant', 'monthly-expiry', '--runs', '2', '--workers', '1');
    const parts = [];
    for (const i of [1, 2]) {
      const out = path.join(dir, `part-${i}.json`);
      const r = await run(repoRoot, 'portfolio', P, '--variant', 'monthly-expiry', '--runs', '2', '--workers', '1', '--shard', `${i}/2`, '-o', out);
      expect(r.code).toBe(0);
      expect(JSON.parse(readFileSync(out, 'utf8')).format).toBe('creditbook-portfolio-part');
      parts.push(out);
    }
    const merged = await run(repoRoot, 'portfolio', 'merge', ...parts.reverse());
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(whole.stdout);
    const missing = await run(repoRoot, 'portfolio', 'merge', parts[0]!);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/part-2\.json:1:1: C_PART .*shard 1 of 2 missing/);
  }, 240_000);

  it('compare gives the base and every variant with deltas; bad flags are usage errors', async () => {
    const c = await run(repoRoot, 'compare', P, '--json', '--workers', '1', '--variant', 'monthly-expiry');
    expect(c.code).toBe(0);
    const j = JSON.parse(c.stdout);
    expect(j.runs.map((r: { name: string }) => r.name)).toEqual(['base', 'monthly-expiry']);
    const [base, v] = j.runs;
    expect(v.delta.expired_value).toBe((Number(v.result.totals.expired_value) - Number(base.result.totals.expired_value)).toFixed(2));
    expect((await run(repoRoot, 'portfolio', P, '--runs', '0')).code).toBe(2);
    expect((await run(repoRoot, 'portfolio', P, '--shard', '3/2', '-o', 'x.json')).code).toBe(2);
    const unknown = await run(repoRoot, 'portfolio', P, '--variant', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/C_VARIANT/);
  }, 240_000);

  it('runs its worker threads from the built CLI too (dist/portfolio-worker.mjs)', () => {
    const bin = path.join(repoRoot, 'packages', 'cli', 'dist', 'creditbook.mjs');
    const r = spawnSync(process.execPath, [bin, 'portfolio', P, '--json', '--workers', '2', '--runs', '2'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).runs).toBe(2);
  }, 120_000);
});
