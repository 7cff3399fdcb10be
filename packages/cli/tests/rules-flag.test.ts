import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run, tempRules } from './support.ts';

/**
 * Every command that reads rules honours `--rules DIR`: run from the repository (whose own rules/
 * are valid), each command is pointed at a copy. With the copy broken it fails naming the copy's
 * file; with the copy intact it succeeds. (`validate --rules` once validated ./rules instead.)
 */
function stores(): { broken: string; clean: string; brokenFile: string } {
  const broken = path.join(tempRules(), 'rules');
  const brokenFile = path.join(broken, 'plans/kling-plans/v1.yaml');
  writeFileSync(brokenFile, readFileSync(brokenFile, 'utf8').replace(/^currency: USD$/m, 'currency: dollars'));
  return { broken, clean: path.join(tempRules(), 'rules'), brokenFile };
}

const out = mkdtempSync(path.join(tmpdir(), 'creditbook-rules-flag-'));
const scenario = (store: string) => path.join(store, 'scenarios/agency-campaigns.yaml');

/** Each command's arguments, given the store it is pointed at. */
const COMMANDS: [string, (store: string) => string[]][] = [
  ['validate', () => ['validate']],
  ['manifest', () => ['manifest']],
  ['quote', () => ['quote', '--card', 'kling-consumer', '--model', 'kling-v2-5-turbo', '--mode', 'pro', '--duration', '10']],
  ['forecast', (s) => ['forecast', scenario(s)]],
  ['compare', (s) => ['compare', scenario(s)]],
  ['books', (s) => ['books', scenario(s)]],
  ['export', (s) => ['export', scenario(s), '-o', path.join(out, `${path.basename(path.dirname(s))}.xlsx`)]],
  ['platforms', (s) => ['platforms', scenario(s)]],
  ['portfolio', (s) => ['portfolio', path.join(s, 'portfolios/kling-customer-base.yaml'), '--workers', '1']],
  [
    'usage sample',
    (s) => [
      'usage',
      'sample',
      '-o',
      path.join(out, `${path.basename(path.dirname(s))}-events.csv`),
      '--customers-file',
      path.join(out, `${path.basename(path.dirname(s))}-customers.csv`),
      '--customers',
      '2',
    ],
  ],
];

describe('--rules DIR, for every command that reads rules', () => {
  const { broken, clean, brokenFile } = stores();
  for (const [name, args] of COMMANDS) {
    it(`${name} --rules DIR reads that store, not ./rules`, async () => {
      const bad = await run(repoRoot, ...args(broken), '--rules', broken);
      expect(bad.code, bad.stderr).toBe(1);
      expect(bad.stderr).toContain(`${brokenFile}:`);
      expect(bad.stderr).toContain('S_SCHEMA');
      const good = await run(repoRoot, ...args(clean), '--rules', clean);
      expect(good.code, good.stderr).toBe(0);
    });
  }

  it('backtest --rules DIR reads that store, not ./rules', async () => {
    const events = path.join(out, 'backtest-events.csv');
    const db = path.join(out, 'backtest.duckdb');
    expect(
      (await run(repoRoot, 'usage', 'sample', '-o', events, '--customers-file', path.join(out, 'backtest-customers.csv'), '--customers', '2', '--rules', clean))
        .code,
    ).toBe(0);
    expect((await run(repoRoot, 'usage', 'import', events, '--db', db)).code).toBe(0);
    const args = ['backtest', '--usage', db, '--card', 'kling-consumer', '--from', '1', '--to', '2'];
    const bad = await run(repoRoot, ...args, '--rules', broken);
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain(`${brokenFile}:`);
    const good = await run(repoRoot, ...args, '--rules', clean);
    expect(good.code, good.stderr).toBe(0);
  });
});
