import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, run, tempRules } from './support.ts';

describe('creditbook manifest and tamper evidence', () => {
  it('the committed rules/manifest.json is what `creditbook manifest` writes for the bundled rules', async () => {
    const dir = tempRules();
    rmSync(path.join(dir, 'rules/manifest.json'));
    const r = await run(dir, 'manifest');
    expect(r.code).toBe(0);
    const committed = Object.keys((JSON.parse(readFileSync(path.join(repoRoot, 'rules/manifest.json'), 'utf8')) as { published: object }).published).length;
    expect(committed).toBeGreaterThanOrEqual(28); // the Kling pack (9), six platform packs (18) and the platform map
    expect(r.stdout).toBe(`wrote rules/manifest.json: ${committed} published files\n`);
    expect(readFileSync(path.join(dir, 'rules/manifest.json'), 'utf8')).toBe(readFileSync(path.join(repoRoot, 'rules/manifest.json'), 'utf8'));
  });

  it('validate reports a published file changed by hand as R_TAMPERED at its line 1 col 1', async () => {
    const dir = tempRules();
    const file = path.join(dir, 'rules/rate-cards/kling-api/v1.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: edited outside the app'));
    const r = await run(dir, 'validate');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rules\/rate-cards\/kling-api\/v1\.yaml:1:1: R_TAMPERED /m);
  });

  it('quote refuses a tampered store instead of pricing from it', async () => {
    const dir = tempRules();
    const file = path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n');
    const r = await run(dir, 'quote', '--card', 'kling-consumer', '--model', 'kling-v2-1-master', '--duration', '10', '--on', '2026-01-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('rules/rate-cards/kling-consumer/v2.yaml:1:1: R_TAMPERED');
  });

  it('validate with an explicit store folder checks that folder’s manifest', async () => {
    const dir = tempRules();
    const manifest = path.join(dir, 'rules/manifest.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"scenarios/steady-studio.yaml"', '"scenarios/gone.yaml"'));
    const r = await run(dir, 'validate', 'rules');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rules\/manifest\.json:\d+:5: R_TAMPERED .*rules\/scenarios\/gone\.yaml is listed as published but is missing/m);
    expect(r.stderr).toContain('rules/scenarios/steady-studio.yaml:1:1: R_TAMPERED');
  });

  it('manifest refuses a store with problems (it would bless them) and exits 1', async () => {
    const dir = tempRules();
    writeFileSync(path.join(dir, 'rules/plans/kling-plans/v1.yaml'), 'kind: PlanCatalog\nid: [\n');
    const before = readFileSync(path.join(dir, 'rules/manifest.json'), 'utf8');
    const r = await run(dir, 'manifest');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^rules\/plans\/kling-plans\/v1\.yaml:\d+:\d+: Y_SYNTAX/m);
    expect(readFileSync(path.join(dir, 'rules/manifest.json'), 'utf8')).toBe(before);
  });
});
