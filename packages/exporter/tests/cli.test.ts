import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readXlsx, repoRoot, tempDir } from './support.ts';

const exec = promisify(execFile);
const cli = path.join(repoRoot, 'packages', 'cli', 'bin', 'creditbook.mjs');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [cli, ...args], { cwd: repoRoot });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('creditbook export', () => {
  it('writes one variant, or all of them with a Compare sheet; a fixed creation time gives the same bytes', async () => {
    const dir = tempDir('cb-cli-export-');
    const one = path.join(dir, 'one.xlsx');
    const r = await run('export', 'rules/scenarios/agency-campaigns.yaml', '-o', one, '--variant', 'monthly-expiry', '--created', '2026-01-31T12:00:00Z');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { sheets, wb } = await readXlsx(one);
    expect(sheets).toEqual(['Cover', 'Summary', 'Assumptions', 'Rate card', 'Demand', 'Ledger', 'Lots', 'Revenue', 'Checks']);
    expect(wb.getWorksheet('Summary')!.getRow(1).getCell(2).value).toBe('monthly-expiry');
    expect(wb.created.toISOString()).toBe('2026-01-31T12:00:00.000Z');
    // The cover says when the file was made: the same fixed time.
    const cover = wb.getWorksheet('Cover')!;
    const created = cover.getColumn(1).values.indexOf('Created');
    expect(cover.getRow(created).getCell(2).value).toBe('2026-01-31T12:00:00.000Z');
    const again = path.join(dir, 'again.xlsx');
    await run('export', 'rules/scenarios/agency-campaigns.yaml', '-o', again, '--variant', 'monthly-expiry', '--created', '2026-01-31T12:00:00Z');
    expect(readFileSync(again).equals(readFileSync(one))).toBe(true);

    const all = path.join(dir, 'all.xlsx');
    expect((await run('export', 'rules/scenarios/steady-studio.yaml', '-o', all, '--all-variants')).code).toBe(0);
    const many = await readXlsx(all);
    expect(many.sheets).toContain('Compare');
    expect(many.sheets).toContain('Ledger · turbo-migration');
  });

  it('refuses bad usage (exit 2) and an unknown variant (exit 1)', async () => {
    const dir = tempDir('cb-cli-export-bad-');
    expect((await run('export', 'rules/scenarios/agency-campaigns.yaml')).code).toBe(2);
    expect((await run('export', 'rules/scenarios/agency-campaigns.yaml', '-o', path.join(dir, 'x.csv'))).code).toBe(2);
    expect((await run('export', 'rules/scenarios/agency-campaigns.yaml', '-o', path.join(dir, 'x.xlsx'), '--variant', 'a', '--all-variants')).code).toBe(2);
    expect((await run('export', 'rules/scenarios/agency-campaigns.yaml', '-o', path.join(dir, 'x.xlsx'), '--created', 'yesterday')).code).toBe(2);
    const bad = await run('export', 'rules/scenarios/agency-campaigns.yaml', '-o', path.join(dir, 'x.xlsx'), '--variant', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('C_VARIANT');
  });
});
