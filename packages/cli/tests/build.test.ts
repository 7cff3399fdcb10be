import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { infoFile, NATIVE, stampOf, type BuildInfo } from '../scripts/build.mjs';
import { repoRoot, run, tempRules } from './support.ts';

const bin = path.join(repoRoot, 'packages/cli/bin/creditbook.mjs');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string };

function built(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the built CLI (dist/, made by pnpm install and pnpm build)', () => {
  it('is built from the sources as they are now', () => {
    expect(existsSync(infoFile), 'packages/cli/dist is missing: run `pnpm build` (or `pnpm install`)').toBe(true);
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as BuildInfo;
    // Every workspace source the bundle was made from, by content; a new import changes the file that imports it.
    const missing = info.inputs.filter((i) => !i.includes('node_modules/') && !existsSync(path.join(repoRoot, i)));
    expect(missing, 'sources of the build were removed: run `pnpm build`').toEqual([]);
    expect(stampOf(info.inputs) === info.stamp, 'the built CLI is older than its sources: run `pnpm build` (or `pnpm install`)').toBe(true);
    expect(info.version).toBe(pkg.version);
  });

  it('bundles the engine and exporter sources and leaves native modules out', () => {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as BuildInfo;
    expect(info.inputs).toContain('packages/cli/src/main.ts');
    expect(info.inputs.some((i) => i.startsWith('packages/engine/src/'))).toBe(true);
    expect(info.inputs.some((i) => i.startsWith('packages/exporter/src/'))).toBe(true);
    const packageOf = (i: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(i)?.[1];
    expect(info.inputs.filter((i) => NATIVE.some((re) => re.test(packageOf(i) ?? ''))).length).toBe(0);
    expect(info.inputs.filter((i) => i.endsWith('.node'))).toEqual([]);
  });

  it('prints its version', () => {
    expect(execFileSync(process.execPath, [bin, '--version'], { encoding: 'utf8' })).toBe(`creditbook ${pkg.version}\n`);
  });

  it('quotes as the sources do', async () => {
    const args = ['quote', '--card', 'kling-consumer', '--model', 'kling-v2-5-turbo', '--mode', 'pro', '--duration', '10', '--on', '2025-10-01', '--json'];
    const b = built(repoRoot, ...args);
    const s = await run(repoRoot, ...args);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(s.stdout));
    // kling-consumer v2 (in force from 2025-09-23): clip_credits[kling-v2-5-turbo][pro]["10"] = 105.
    expect(JSON.parse(b.stdout)).toMatchObject({ credits: 105, card: { id: 'kling-consumer', version: 2 } });
  });

  it('reports schema problems exactly as the sources do (its validators are compiled ahead of time)', async () => {
    const dir = tempRules();
    const file = path.join(dir, 'rules/plans/kling-plans/v1.yaml');
    // An unknown field and a wrong type: two schema problems, each positioned.
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^id: (.*)$/m, 'id: $1\ncolour: blue')
        .replace(/^version: \d+$/m, 'version: one'),
    );
    const b = built(dir, 'validate');
    const s = await run(dir, 'validate');
    expect(b.code).toBe(1);
    expect(s.code).toBe(1);
    expect(b.stderr).toMatch(/kling-plans\/v1\.yaml:\d+:\d+: S_\w+ .*colour/);
    expect(b.stderr).toBe(s.stderr);
  });

  it('exports a workbook (the exporter is a chunk loaded on demand)', () => {
    const dir = tempRules();
    const r = built(dir, 'export', 'rules/scenarios/steady-studio.yaml', '-o', 'out.xlsx', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'out.xlsx'))).toBe(true);
  });
});

describe('the built CLI and native modules', () => {
  it('imports usage into DuckDB (@duckdb/node-api stays outside the bundle, loaded where it is installed)', () => {
    const dir = tempRules();
    const sample = built(dir, 'usage', 'sample', '-o', 'events.csv', '--customers', '2');
    expect(sample.code, sample.stderr).toBe(0);
    const r = built(dir, 'usage', 'import', 'events.csv', '--db', 'usage.duckdb');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported [\d,]+ events from events\.csv into usage\.duckdb/);
  });
});
