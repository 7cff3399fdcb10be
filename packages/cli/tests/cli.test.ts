import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run, tempRules } from './support.ts';

describe('creditbook validate', () => {
  it('accepts the bundled rules', async () => {
    const r = await run(repoRoot, 'validate');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: \d+ files/);
  });

  it('reports a broken file as file:line:col: CODE message and exits 1', async () => {
    const dir = tempRules();
    const file = path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml');
    const text = readFileSync(file, 'utf8');
    // Break the formula: an unclosed bracket, on the formula's own line.
    const broken = text.replace(/^credits: (.*)$/m, (_m, f: string) => `credits: "(${f.replace(/^[|>"']+/, '').replace(/"$/, '')}"`);
    expect(broken).not.toBe(text);
    writeFileSync(file, broken);
    const line = broken.split('\n').findIndex((l) => l.startsWith('credits:')) + 1;
    const r = await run(dir, 'validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^rules/rate-cards/kling-consumer/v2\\.yaml:${line}:\\d+: F_COMPILE `, 'm'));
  });

  it('a draft with two bad cells (-40 and 35.5) exits 1 with two problems, each at its cell', async () => {
    const dir = tempRules();
    const lines = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8')
      .replace(/^version: 2$/m, 'version: 3')
      .replace(/^status: published$/m, 'status: draft')
      .split('\n');
    // Line 63 is clip_credits / kling-v1-6 / pro / 5 (`        "5": 35`, the value at column 14);
    // line 68 is clip_credits / kling-v2-1 / std / 10 (`        "10": 40`, the value at column 15).
    lines[62] = lines[62]!.replace(': 35 ', ': 35.5 ');
    lines[67] = lines[67]!.replace(': 40 ', ': -40 ');
    writeFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v3.yaml'), lines.join('\n'));
    const r = await run(dir, 'validate');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^invalid: .* 2 problems$/m);
    const shown = r.stderr.trim().split('\n');
    expect(shown.map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'rules/rate-cards/kling-consumer/v3.yaml:63:14: F_FRACTIONAL',
      'rules/rate-cards/kling-consumer/v3.yaml:68:15: F_NEGATIVE',
    ]);
  });

  it('validate --rules DIR validates that store, not ./rules', async () => {
    const dir = tempRules();
    const file = path.join(dir, 'rules/plans/kling-plans/v1.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^currency: USD$/m, 'currency: dollars'));
    // Run from the repository (whose rules/ are valid) and name the broken store.
    const r = await run(repoRoot, 'validate', '--rules', path.join(dir, 'rules'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('S_SCHEMA');
    expect(r.stdout).toMatch(/^invalid: /m);
  });

  it('reports a schema error with the path inside the document', async () => {
    const dir = tempRules();
    const file = path.join(dir, 'rules/plans/kling-plans/v1.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^currency: USD$/m, 'currency: dollars'));
    const line = text.split('\n').findIndex((l) => l === 'currency: USD') + 1;
    const r = await run(dir, 'validate', 'rules');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`rules/plans/kling-plans/v1.yaml:${line}:11: S_SCHEMA`);
    expect(r.stderr).toContain('(at /currency)');
  });
});

/** A quote of 2.5 Turbo, pro mode, 10 s on the consumer card (the date is given per test). */
const TURBO_PRO_10S = ['quote', '--card', 'kling-consumer', '--model', 'kling-v2-5-turbo', '--mode', 'pro', '--duration', '10'];

describe('creditbook quote', () => {
  // A fixed date: which card version is in force must not depend on the day the tests run.
  it('prices the brief: 2.5 Turbo pro 10 s = 105, 2.1 Master 10 s = 280', async () => {
    const turbo = await run(repoRoot, ...TURBO_PRO_10S, '--on', '2025-10-01', '--json');
    expect(turbo.code).toBe(0);
    const t = JSON.parse(turbo.stdout);
    expect(t.credits).toBe(105);
    expect(t.card.id).toBe('kling-consumer');
    expect(t.trace.length).toBeGreaterThan(0);
    const master = await run(repoRoot, 'quote', '--card', 'kling-consumer', '--model', 'kling-v2-1-master', '--duration', '10', '--on', '2025-10-01', '--json');
    expect(JSON.parse(master.stdout).credits).toBe(280);
  });

  it('uses the card in force on the date: 2.5 Turbo does not exist before its version', async () => {
    const r = await run(repoRoot, ...TURBO_PRO_10S, '--on', '2025-03-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Q_DIMENSION');
  });

  it('prints a readable table without --json', async () => {
    const r = await run(repoRoot, ...TURBO_PRO_10S, '--on', '2025-10-01');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^105 credits/);
    expect(r.stdout).toContain('Step');
  });

  it('treats unknown flags and bad values as usage errors (exit 2)', async () => {
    expect((await run(repoRoot, 'quote', '--card', 'kling-consumer', '--colour', 'red')).code).toBe(2);
    expect((await run(repoRoot, 'quote', '--card', 'kling-consumer', '--on', '2026-02-30', '--model', 'x', '--duration', '5')).code).toBe(2);
    expect((await run(repoRoot, 'quote', '--card', 'kling-consumer', '--model', 'x', '--duration', 'long')).code).toBe(2);
    expect((await run(repoRoot, 'frobnicate')).code).toBe(2);
  });
});

describe('creditbook forecast and compare', () => {
  it('forecast --json has the documented shape', async () => {
    const r = await run(repoRoot, 'forecast', 'rules/scenarios/agency-campaigns.yaml', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const f = JSON.parse(r.stdout);
    expect(f.scenario).toBe('agency-campaigns');
    expect(f.currency).toBe('USD');
    const p = f.periods[0];
    for (const k of ['opening', 'granted', 'purchased', 'consumed', 'expired', 'closing', 'demand', 'unmet']) expect(Number.isInteger(p[k])).toBe(true);
    expect(p.period).toMatch(/^\d{4}-\d{2}$/);
    expect(p.spend).toMatch(/^\d+\.\d{2}$/);
    expect(p.expired_value).toMatch(/^\d+\.\d{2}$/);
    const lot = f.lots[0];
    for (const k of ['id', 'pool', 'source', 'amount', 'granted_period', 'last_valid_period', 'consumed', 'expired']) expect(lot).toHaveProperty(k);
    expect(f.totals).toHaveProperty('spend');
  });

  it('forecast --variant runs a variant; an unknown variant is bad input', async () => {
    const r = await run(repoRoot, 'forecast', 'rules/scenarios/agency-campaigns.yaml', '--variant', 'monthly-expiry', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).variant).toBe('monthly-expiry');
    const bad = await run(repoRoot, 'forecast', 'rules/scenarios/agency-campaigns.yaml', '--variant', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('C_VARIANT');
  });

  it('compare --json sets every variant beside the base with deltas', async () => {
    const r = await run(repoRoot, 'compare', 'rules/scenarios/agency-campaigns.yaml', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.runs[0].name).toBe('base');
    expect(c.runs.length).toBeGreaterThanOrEqual(4);
    for (const d of c.deltas) {
      const run = c.runs.find((x: { name: string }) => x.name === d.name);
      expect(d.totals.consumed).toBe(run.totals.consumed - c.runs[0].totals.consumed);
    }
  });

  it('prints aligned tables by default', async () => {
    const r = await run(repoRoot, 'forecast', 'rules/scenarios/steady-studio.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('== Ledger ==');
    const c = await run(repoRoot, 'compare', 'rules/scenarios/steady-studio.yaml');
    expect(c.stdout).toContain('Metric');
  });

  it('a missing scenario file is a usage error', async () => {
    expect((await run(repoRoot, 'forecast', 'rules/scenarios/nope.yaml')).code).toBe(2);
    expect((await run(repoRoot, 'forecast')).code).toBe(2);
  });

  it('forecast of one run is not blocked by another variant’s problem; validate still reports it', async () => {
    const dir = tempRules();
    // A draft copy of steady-studio with a variant that moves every 2.5 Turbo clip to a mode 2.1 Master
    // does not allow: that variant cannot be priced.
    const text = readFileSync(path.join(dir, 'rules/scenarios/steady-studio.yaml'), 'utf8')
      .replace(/^id: steady-studio$/m, 'id: steady-draft')
      .replace(/^status: published$/m, 'status: draft');
    writeFileSync(
      path.join(dir, 'rules/scenarios/steady-draft.yaml'),
      text +
        `  - name: broken
    description: Moves clips to a mode the model does not have.
    migrate:
      - from: { model: kling-v2-5-turbo }
        to: { model: kling-v2-1-master, mode: pro }
        share: 1
`,
    );
    const base = await run(dir, 'forecast', 'rules/scenarios/steady-draft.yaml', '--json');
    expect(base.stderr).toBe('');
    expect(base.code).toBe(0);
    const broken = await run(dir, 'forecast', 'rules/scenarios/steady-draft.yaml', '--variant', 'broken');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/steady-draft\.yaml:\d+:\d+: C_DEMAND .*\[variant broken\]/);
    const validate = await run(dir, 'validate');
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('[variant broken]');
  });

  it('forecast prints expiring_soon as the JSON has it (monthly expiry: what expires as each month closes)', async () => {
    const r = await run(repoRoot, 'forecast', 'rules/scenarios/agency-campaigns.yaml', '--variant', 'monthly-expiry', '--json');
    const f = JSON.parse(r.stdout) as { periods: { expired: number; expiring_soon: number }[] };
    // Pro's 3,000 June credits minus June's 1,720 of demand: 1,280 about to expire, and expiring, as June closes.
    expect(f.periods[0]).toMatchObject({ expired: 1280, expiring_soon: 1280 });
    const table = await run(repoRoot, 'forecast', 'rules/scenarios/agency-campaigns.yaml', '--variant', 'monthly-expiry');
    expect(table.stdout).toMatch(/Expiring soon/);
    expect(table.stdout.split('\n').find((l) => l.startsWith('2025-06'))).toMatch(/1,?280\s*$/);
  });
});

describe('creditbook platforms', () => {
  it("--json gives one cheapest entry per platform with the issue's fields, plus the scenario's own Kling plan", async () => {
    const r = await run(repoRoot, 'platforms', 'rules/scenarios/steady-studio.yaml', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { scenario: string; platforms: Record<string, unknown>[] };
    expect(out.scenario).toBe('steady-studio');
    const cheapest = out.platforms.filter((p) => p['basis'] === 'cheapest');
    expect(cheapest.map((p) => p['platform'])).toEqual(['kling', 'runway', 'luma', 'veo', 'sora', 'pika', 'hailuo']);
    // The scenario names Kling Standard, billed monthly: 12 × $10 plus four scheduled $5 top-ups = $140.00.
    expect(out.platforms[0]).toMatchObject({ platform: 'kling', basis: 'scenario', plan: 'standard', spend: '140.00' });
    for (const p of out.platforms) {
      for (const k of ['platform', 'plan', 'spend', 'expired', 'expired_value', 'unmet', 'cost_per_second', 'utilisation']) expect(p).toHaveProperty(k);
    }
  });

  it('--platform narrows the table; an unknown platform is bad input (exit 1)', async () => {
    const r = await run(repoRoot, 'platforms', 'rules/scenarios/steady-studio.yaml', '--platform', 'runway');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Runway /m);
    expect(r.stdout).not.toMatch(/^Pika /m);
    const bad = await run(repoRoot, 'platforms', 'rules/scenarios/steady-studio.yaml', '--platform', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/C_UNKNOWN_REFERENCE .*platform 'nope' is not in PlatformMap 'video-equivalents'/);
  });
});
