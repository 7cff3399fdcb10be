import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { run, tempRules } from './support.ts';

// kling-consumer v3, a draft: v2.1 pro 10 s 70 -> 84 (+20 %), every other cell as in v2.
function addDraftV3(dir: string): void {
  const v2 = readFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const v3 = v2
    .replace('version: 2', 'version: 3')
    .replace('effective_from: 2025-09-23', 'effective_from: 2026-03-01')
    .replace('status: published', 'status: draft')
    .replace(/ {2}published_by: creditbook\n {2}published_at: .*\n/, '')
    .replace(/("10": )70( +# SECONDARY-AGREE: "Kling 2.1 Pro")/, '$184$2');
  writeFileSync(path.join(dir, 'rules/rate-cards/kling-consumer/v3.yaml'), v3);
}

const EVENTS = `customer,time,model,mode,duration_s,resolution
a,2025-10-01T00:00:00Z,kling-v2-1,pro,10,1080p
a,2025-10-02T00:00:00Z,kling-v2-1,std,5,720p
b,2025-10-03T00:00:00Z,kling-v2-1-master,,10,
`;

describe('creditbook usage and backtest', () => {
  it('imports, refuses a bad file with file:line:col, and backtests two versions', async () => {
    const dir = tempRules();
    addDraftV3(dir);
    writeFileSync(path.join(dir, 'events.csv'), EVENTS);
    writeFileSync(path.join(dir, 'bad.csv'), EVENTS + 'c,2025-10-04,kling-v2-1,pro,x,1080p\n');
    const bad = await run(dir, 'usage', 'import', 'bad.csv', '--db', 'u.duckdb');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("bad.csv:5:5: U_VALUE bad value: duration_s is not a positive number of seconds (got 'x')\n");
    const ok = await run(dir, 'usage', 'import', 'events.csv', '--db', 'u.duckdb', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, rows: 3, already_imported: false });
    const again = await run(dir, 'usage', 'import', 'events.csv', '--db', 'u.duckdb');
    expect(again.stdout).toContain('already imported');

    const bt = await run(dir, 'backtest', '--usage', 'u.duckdb', '--card', 'kling-consumer', '--from', '2', '--to', '3', '--json', '--per-customer');
    expect(bt.stderr).toBe('');
    const r = JSON.parse(bt.stdout);
    // a: 70 + 20 = 90 -> 84 + 20 = 104, +14 = +15.56 %; b: 280 -> 280
    expect(r.totals).toEqual({
      events: 3,
      customers: 2,
      unpriced_events: 0,
      reached_customers: 2,
      reached_events: 3,
      credits_from: 370,
      credits_to: 384,
      delta: 14,
      delta_pct: 3.78,
    });
    expect(r.customers.map((c: { customer: string; delta_pct: number }) => [c.customer, c.delta_pct])).toEqual([
      ['a', 15.56],
      ['b', 0],
    ]);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['card', 'from', 'to', 'totals', 'distribution', 'most_affected', 'unpriced']));
    const table = await run(dir, 'backtest', '--usage', 'u.duckdb', '--card', 'kling-consumer', '--from', '2', '--to', '3');
    expect(table.stdout).toContain('credits v2 370, v3 384, delta 14 (+3.78%)');
  });

  it('--customers replays the wallets and gives their books under each version', async () => {
    const dir = tempRules();
    addDraftV3(dir);
    writeFileSync(path.join(dir, 'events.csv'), EVENTS);
    writeFileSync(path.join(dir, 'customers.csv'), 'customer,plan,billing,start\na,standard,monthly,2025-10\nb,standard,monthly,2025-10\n');
    await run(dir, 'usage', 'import', 'events.csv', '--db', 'u.duckdb');
    const args = ['backtest', '--usage', 'u.duckdb', '--card', 'kling-consumer', '--from', '2', '--to', '3', '--customers', 'customers.csv'];
    const bt = await run(dir, ...args, '--json');
    expect(bt.stderr).toBe('');
    const w = JSON.parse(bt.stdout).wallets;
    // One month (2025-10), each a Standard lot of 660 credits for 10.00; kling-validity: proportional, b = 5 %,
    // recognised 10 x used / 627, usage 10 x used / 660, each rounded half up to the cent.
    // a v2 uses 70 + 20 = 90: 1.4354 -> 1.44, usage 1.3636 -> 1.36; v3 uses 84 + 20 = 104: 1.6587 -> 1.66, usage 1.5758 -> 1.58.
    // b uses 280 under both: 4.4657 -> 4.47, usage 4.2424 -> 4.24.
    // v2: revenue 1.44 + 4.47 = 5.91, usage 5.60, breakage 0.31, deferred 20 - 5.91 = 14.09; v3: 6.13, 5.82, 0.31, 13.87.
    expect(w.books.from).toMatchObject({ billings: '20.00', revenue: '5.91', revenue_usage: '5.60', revenue_breakage: '0.31', deferred_closing: '14.09' });
    expect(w.books.to).toMatchObject({ billings: '20.00', revenue: '6.13', revenue_usage: '5.82', revenue_breakage: '0.31', deferred_closing: '13.87' });
    expect(w.books.delta).toEqual({
      billings: '0.00',
      revenue: '0.22',
      revenue_usage: '0.22',
      revenue_breakage: '0.00',
      deferred_peak: '-0.22',
      deferred_closing: '-0.22',
    });
    const table = (await run(dir, ...args)).stdout;
    expect(table).toContain('== Books of the replayed wallets (USD) ==');
    expect(table).toMatch(/delta +0\.00 +0\.22 +0\.22 +0\.00 +-0\.22 +-0\.22/);
  });

  it('--emit-sql writes price tables and SQL that give the command’s numbers when run in DuckDB', async () => {
    const dir = tempRules();
    addDraftV3(dir);
    writeFileSync(path.join(dir, 'events.csv'), EVENTS);
    await run(dir, 'usage', 'import', 'events.csv', '--db', 'u.duckdb');
    const bt = await run(dir, 'backtest', '--usage', 'u.duckdb', '--card', 'kling-consumer', '--from', '2', '--to', '3', '--json', '--emit-sql', 'sql');
    const r = JSON.parse(bt.stdout);
    const out = path.join(dir, 'sql');
    const script = readFileSync(path.join(out, 'backtest.sql'), 'utf8');
    // The script on its own, in a database that has only the events.
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`SET file_search_path = '${out}'`);
    await c.run(`ATTACH '${path.join(dir, 'u.duckdb')}' AS u (READ_ONLY)`);
    await c.run(`CREATE TABLE events AS SELECT * FROM u.events`);
    await c.run(script);
    const one = async (q: string) =>
      Object.fromEntries(Object.entries((await c.runAndReadAll(q)).getRowObjectsJS()[0]!).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
    expect(await one('SELECT * FROM totals')).toEqual(r.totals);
    expect(await one('SELECT * FROM distribution')).toEqual(r.distribution);
    c.closeSync();
    db.closeSync();
  });

  it('usage sample writes the same files for the same seed', async () => {
    const dir = tempRules();
    const a = await run(dir, 'usage', 'sample', '-o', 'a.csv', '--customers-file', 'ca.csv', '--customers', '6', '--seed', '7');
    await run(dir, 'usage', 'sample', '-o', 'b.csv', '--customers-file', 'cb.csv', '--customers', '6', '--seed', '7');
    expect(a.code).toBe(0);
    expect(readFileSync(path.join(dir, 'a.csv'), 'utf8')).toBe(readFileSync(path.join(dir, 'b.csv'), 'utf8'));
    expect(readFileSync(path.join(dir, 'ca.csv'), 'utf8').split('\n')[0]).toBe('customer,plan,billing,start');
    const imported = await run(dir, 'usage', 'import', 'a.csv', '--db', 's.duckdb');
    expect(imported.code).toBe(0);
  });
});
