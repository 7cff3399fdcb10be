import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, tempRules } from './support.ts';

// The sources, started as a user's shell would (tsx), on a pseudo-terminal or through pipes.
const dev = path.join(repoRoot, 'packages/cli/bin/creditbook-dev.mjs');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the CLI on a pseudo-terminal (util-linux `script`): what the terminal showed, stdout and stderr together. */
function onTerminal(cwd: string, ...args: string[]): { code: number | null; screen: string } {
  const command = [process.execPath, dev, ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { ...process.env, TERM: 'xterm-256color', COLUMNS: '160' } });
  return { code: r.status, screen: r.stdout };
}

function piped(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [dev, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// agency-campaigns has the base and four variants (turbo-migration, monthly-expiry, premier-tier,
// annual-billing): 5 runs, each forecast twice by the export (totals, then sheets) = 10 forecasts.
const EXPORT = ['export', 'rules/scenarios/agency-campaigns.yaml', '-o', 'out.xlsx', '--all-variants', '--created', '2026-01-31T12:00:00Z'];

describe('progress bars', () => {
  it('export of many variants shows counts and an ETA on a terminal', () => {
    const t = onTerminal(tempRules(), ...EXPORT);
    expect(t.code).toBe(0);
    expect(t.screen).toMatch(/exporting agency-campaigns \[[^\]]*\] \d+% \| \d+\/12 forecasts \| \S+ elapsed, ETA \S+/);
    expect(t.screen).toContain(
      'wrote out.xlsx: agency-campaigns, base, turbo-migration, monthly-expiry, premier-tier, annual-billing, threshold-packs-rollover',
    );
  });

  it('export draws nothing through a pipe, and nothing on a terminal with --json', () => {
    const p = piped(tempRules(), ...EXPORT);
    expect(p.code).toBe(0);
    expect(p.stderr).toBe('');
    const t = onTerminal(tempRules(), ...EXPORT, '--json');
    expect(t.code).toBe(0);
    expect(t.screen).not.toMatch(/forecasts|ETA/);
    expect(t.screen.includes('\u001b[')).toBe(false); // no terminal control sequences at all
    expect(JSON.parse(t.screen)).toMatchObject({ file: 'out.xlsx', scenario: 'agency-campaigns' });
  });

  it('validate of a store counts its files on a terminal, and prints only the verdict through a pipe', () => {
    const dir = tempRules();
    const count = (d: string): number =>
      readdirSync(d, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? count(path.join(d, e.name)) : /\.ya?ml$/.test(e.name) ? 1 : 0), 0);
    const files = count(path.join(dir, 'rules'));
    const t = onTerminal(dir, 'validate');
    expect(t.code).toBe(0);
    expect(t.screen).toContain(`${files}/${files} files`);
    expect(t.screen).toMatch(/validating \[.*ETA/);
    const p = piped(dir, 'validate');
    expect(p.code).toBe(0);
    expect(p.stderr).toBe('');
    expect(p.stdout).toBe(`valid: ${files} files, ${files} documents, 0 problems\n`);
  });
});
