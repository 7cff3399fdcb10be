import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { loadStore, portfolioModel, runAggregates } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { builtWorkerFile, openWorkerPool } from '@creditbook/cli';
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
    expect(Object.keys(j.periods[0].books)).toEqual([
      'billings',
      'revenue_usage',
      'revenue_breakage',
      'revenue',
      'deferred_opening',
      'deferred_closing',
      'current',
      'non_current',
    ]);
    for (const v of Object.values(j.periods[7].books)) expect(v).toMatch(money);
    expect(Object.keys(j.totals.books)).toEqual(['billings', 'revenue', 'revenue_usage', 'revenue_breakage', 'deferred_closing', 'deferred_peak']);
    // Billings are the cash taken; every month's deferred revenue rolls forward from the last.
    const c = (x: string) => Math.round(Number(x) * 100);
    j.periods.forEach((p: { spend: string; books: Record<string, string> }, i: number) => {
      expect(p.books['billings']).toBe(p.spend);
      expect(c(p.books['deferred_closing']!)).toBe(c(p.books['deferred_opening']!) + c(p.books['billings']!) - c(p.books['revenue']!));
      if (i > 0) expect(p.books['deferred_opening']).toBe(j.periods[i - 1].books.deferred_closing);
    });
    expect(j.totals.books.billings).toBe(j.totals.spend);
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

  it('export writes the figures as values that equal portfolio --json: total and cohort sheets, the bands, the inputs with a note', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'creditbook-portfolio-export-'));
    const out = path.join(dir, 'base.xlsx');
    const args = ['--variant', 'twelve-month-validity', '--runs', '3', '--seed', '4', '--workers', '1'];
    const e = await run(repoRoot, 'export', P, '-o', out, ...args);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const j = JSON.parse((await run(repoRoot, 'portfolio', P, '--json', ...args)).stdout);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'Portfolio (P50)',
      'Bands',
      ...j.cohorts.map((c: { cohort: string }) => `Cohort ${c.cohort} (P50)`.slice(0, 31)),
      'Inputs',
    ]);
    const table = (name: string) => {
      const ws = book.getWorksheet(name)!;
      const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
      return { ws, at: (title: string) => header.indexOf(title) + 1 };
    };
    // Every period of the total and of each cohort: the P50 of each figure, as a value (no formula).
    const check = (
      name: string,
      periods: { period: string; spend: { p50: string }; books: Record<string, { p50: string }>; pools: Record<string, Record<string, { p50: number }>> }[],
    ) => {
      const { ws, at } = table(name);
      expect(ws.rowCount).toBe(periods.length + 1);
      periods.forEach((p, i) => {
        const row = ws.getRow(i + 2);
        expect(row.getCell(1).value).toBe(p.period);
        expect(Number(row.getCell(at('Spend (USD)')).value).toFixed(2)).toBe(p.spend.p50);
        expect(Number(row.getCell(at('Deferred closing (USD)')).value).toFixed(2)).toBe(p.books['deferred_closing']!.p50);
        expect(Number(row.getCell(at('Revenue, breakage (USD)')).value).toFixed(2)).toBe(p.books['revenue_breakage']!.p50);
        expect(Number(row.getCell(at('Deferred non-current (USD)')).value).toFixed(2)).toBe(p.books['non_current']!.p50);
        expect(row.getCell(at('consumer closing')).value).toBe(p.pools['consumer']!['closing']!.p50);
        expect(typeof row.getCell(at('Revenue (USD)')).value).toBe('number');
      });
    };
    check('Portfolio (P50)', j.periods);
    j.cohorts.forEach((c: { cohort: string; periods: Parameters<typeof check>[1] }) => check(`Cohort ${c.cohort} (P50)`.slice(0, 31), c.periods));
    const bands = table('Bands');
    j.periods.forEach((p: { books: Record<string, Record<'p10' | 'p50' | 'p90', string>> }, i: number) => {
      for (const q of ['p10', 'p50', 'p90'] as const)
        expect(Number(bands.ws.getRow(i + 2).getCell(bands.at(`Deferred revenue ${q.toUpperCase()}`)).value).toFixed(2)).toBe(p.books['deferred_closing']![q]);
    });
    const inputs = book.getWorksheet('Inputs')!;
    const note = inputs.getRow(inputs.rowCount).getCell(2).value;
    expect(String(note)).toMatch(/^Values, not formulas/);
    expect(inputs.getRow(2).getCell(1).value).toBe('free-users');
  }, 240_000);

  it('a worker pool kept open runs several models in turn (each sent once to a worker that lacks it) and gives what this thread gives', async () => {
    const { rules } = await loadStore(new DirectoryStore(path.join(repoRoot, 'rules')));
    const doc = rules.latest('Portfolio', 'kling-customer-base')!.doc;
    const pool = openWorkerPool(2, { filename: builtWorkerFile() });
    try {
      for (const variants of [[], ['monthly-expiry'], []]) {
        const model = await portfolioModel(rules, doc, variants);
        const here = await runAggregates(model, { seed: 5, chunk: 2_000 });
        const there = await runAggregates(model, { seed: 5, chunk: 2_000, execute: pool.execute });
        expect(there).toEqual(here);
      }
    } finally {
      await pool.destroy();
    }
  }, 240_000);

  it('runs its worker threads from the built CLI too (dist/portfolio-worker.mjs)', () => {
    const bin = path.join(repoRoot, 'packages', 'cli', 'dist', 'creditbook.mjs');
    const r = spawnSync(process.execPath, [bin, 'portfolio', P, '--json', '--workers', '2', '--runs', '2'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).runs).toBe(2);
  }, 120_000);
});
