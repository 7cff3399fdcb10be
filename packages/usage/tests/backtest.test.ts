import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  backtest,
  changeReach,
  guardrailBreaches,
  guardrailOf,
  importEvents,
  priceTableCsv,
  priceTableFromCsv,
  UsageDb,
  type BacktestResult,
} from '@creditbook/usage';
import { loadFiles, type RuleSet } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { consumerV3, repoRoot, rulesWithV3, tempDir, write } from './support.ts';

// kling-consumer v2 -> v3 (tests/support.ts): v2.1 std 5 s 20 -> 25, v2.1 pro 10 s 70 -> 80, 2.5 Turbo pro 10 s 105 -> 100.
const EVENTS = `customer,time,model,mode,duration_s,resolution,count
a,2025-10-01T00:00:00Z,kling-v2-1,pro,10,1080p,2
a,2025-10-15T12:00:00+02:00,kling-v2-1,std,5,,3
b,2025-11-01T00:00:00Z,kling-v2-1-master,,10,,1
b,2025-11-02,kling-v2-5-turbo,pro,10,1080p,4
c,2025-12-01T00:00:00Z,kling-v2-1,std,5,720p,1
c,2025-12-31T23:59:59Z,kling-v9,pro,5,1080p,1
d,2026-01-05T00:00:00Z,kling-v2-1,pro,10,1080p,1
e,2025-10-03T00:00:00Z,kling-v2-1,pro,10,720p,1
`;

describe('backtest of a small usage file, by hand', () => {
  let rules: RuleSet;
  let db: UsageDb;
  let result: BacktestResult;
  beforeEach(async () => {
    rules = await rulesWithV3();
    db = await UsageDb.open(':memory:');
    const imported = await importEvents(db, write(tempDir(), 'events.csv', EVENTS));
    expect(imported).toMatchObject({ ok: true, rows: 8 });
    const outcome = await backtest(db, rules, { card: 'kling-consumer', from: 2, to: 3, between: { from: '2025-10', to: '2025-12' }, perCustomer: true });
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
    result = outcome.result;
  });
  afterEach(() => db.close());

  it('prices each customer under both versions', () => {
    // d's only event is in 2026-01, outside 2025-10..2025-12.
    // a: v2 = 70 x 2 + 20 x 3 = 200 (resolution omitted: std fills 720p); v3 = 80 x 2 + 25 x 3 = 235; +35 = +17.50 %
    // b: v2 = 280 x 1 + 105 x 4 = 700 (Master: mode and resolution filled); v3 = 280 + 100 x 4 = 680; -20 = -2.857 % -> -2.86
    // c: v2 = 20 (kling-v9 is no model of either version: unpriced, not counted); v3 = 25; +5 = +25.00 %
    // e: pro at 720p breaks the card's constraint (pro renders 1080p): unpriced, 0 and 0, no % change
    expect(result.customers).toEqual([
      { customer: 'a', events: 2, unpriced_events: 0, reached: true, credits_from: 200, credits_to: 235, delta: 35, delta_pct: 17.5 },
      { customer: 'b', events: 2, unpriced_events: 0, reached: true, credits_from: 700, credits_to: 680, delta: -20, delta_pct: -2.86 },
      { customer: 'c', events: 2, unpriced_events: 1, reached: true, credits_from: 20, credits_to: 25, delta: 5, delta_pct: 25 },
      { customer: 'e', events: 1, unpriced_events: 1, reached: true, credits_from: 0, credits_to: 0, delta: 0, delta_pct: null },
    ]);
  });

  it('totals, distribution and most affected', () => {
    // events 2 + 2 + 2 + 1 = 7, 2 unpriced; v2 200 + 700 + 20 = 920; v3 235 + 680 + 25 = 940; +20 = 2.1739 % -> 2.17
    expect(result.totals).toEqual({
      events: 7,
      customers: 4,
      unpriced_events: 2,
      reached_customers: 4,
      reached_events: 7,
      credits_from: 920,
      credits_to: 940,
      delta: 20,
      delta_pct: 2.17,
    });
    // sorted changes [-2.86, 17.5, 25]; nearest rank ceil(q x 3): p50 -> 2nd = 17.5, p90/p95/p99 -> 3rd = 25
    expect(result.distribution).toEqual({ customers: 3, p50: 17.5, p90: 25, p95: 25, p99: 25, max: 25 });
    // by |delta|: a 35, b 20, c 5 (e did not change)
    expect(result.most_affected.map((c) => c.customer)).toEqual(['a', 'b', 'c']);
  });

  it('the publish guardrail: the stricter limit of both versions, and the limits this backtest is over', () => {
    // in force: p95 10 %, total 5 %; draft: p95 30 % (looser: ignored), largest 20 %
    const guardrail = guardrailOf([
      { guardrail: { p95_increase_pct: 10, total_increase_pct: 5 } },
      { guardrail: { p95_increase_pct: 30, max_increase_pct: 20 } },
    ]);
    expect(guardrail).toEqual({ p95_increase_pct: 10, max_increase_pct: 20, total_increase_pct: 5 });
    expect(guardrailOf([{}, {}])).toBeUndefined();
    // p95 25 > 10 and largest 25 > 20 are over; the total +2.17 % is within 5 %
    expect(guardrailBreaches(guardrail!, result)).toEqual([
      { limit: 'p95_increase_pct', value: 25, max: 10, text: 'p95 per-customer change +25.00% over 10%' },
      { limit: 'max_increase_pct', value: 25, max: 20, text: 'largest per-customer change +25.00% over 20%' },
    ]);
    // at the limit is not over it: p95 25 with a 25 % limit
    expect(guardrailBreaches({ p95_increase_pct: 25, total_increase_pct: 2 }, result).map((b) => b.limit)).toEqual(['total_increase_pct']);
  });

  it('by model and mode', () => {
    expect(result.by_model_mode).toEqual([
      // a's 2 x 70 -> 2 x 80 (e's pro 720p event is unpriced)
      { model: 'kling-v2-1', mode: 'pro', events: 1, credits_from: 140, credits_to: 160, delta: 20, delta_pct: 14.29 },
      // a's 3 x 20 and c's 1 x 20 = 80 -> 3 x 25 + 25 = 100
      { model: 'kling-v2-1', mode: 'std', events: 2, credits_from: 80, credits_to: 100, delta: 20, delta_pct: 25 },
      // the events gave no mode: the card filled it
      { model: 'kling-v2-1-master', mode: null, events: 1, credits_from: 280, credits_to: 280, delta: 0, delta_pct: 0 },
      // 4 x 105 = 420 -> 4 x 100 = 400: -4.7619 % -> -4.76
      { model: 'kling-v2-5-turbo', mode: 'pro', events: 1, credits_from: 420, credits_to: 400, delta: -20, delta_pct: -4.76 },
    ]);
  });

  it('lists what a version cannot price, with the card’s reason, and never prices it as zero', () => {
    expect(result.unpriced.map((u) => ({ request: u.request, events: u.events, versions: u.problems.map((p) => [p.version, p.code]) }))).toEqual([
      {
        request: { model: 'kling-v2-1', mode: 'pro', duration_s: 10, resolution: '720p' },
        events: 1,
        versions: [
          [2, 'Q_DIMENSION'],
          [3, 'Q_DIMENSION'],
        ],
      },
      {
        request: { model: 'kling-v9', mode: 'pro', duration_s: 5, resolution: '1080p' },
        events: 1,
        versions: [
          [2, 'Q_DIMENSION'],
          [3, 'Q_DIMENSION'],
        ],
      },
    ]);
    expect(result.unpriced[0]!.problems[0]!.message).toContain('resolution');
  });

  it('counts events the old version cannot price (a model it does not have) as unpriced', async () => {
    const outcome = await backtest(db, rules, { card: 'kling-consumer', from: 1, to: 3, between: { from: '2025-10', to: '2025-12' } });
    if (!outcome.ok) throw new Error('backtest failed');
    // v1 has no 2.5 Turbo: b's turbo event is unpriced under v1 (and so out of both sums); v1 = v2 on every other cell
    // b: 280 -> 280; totals v1 200 + 280 + 20 = 500, v3 235 + 280 + 25 = 540
    expect(outcome.result.totals).toMatchObject({ unpriced_events: 3, credits_from: 500, credits_to: 540, delta: 40 });
    const turbo = outcome.result.unpriced.find((u) => u.request['model'] === 'kling-v2-5-turbo')!;
    expect(turbo.problems.map((p) => p.version)).toEqual([1]);
  });

  it('the proposed version reaches whom its rule says', async () => {
    // x was first seen on 2025-10-10, before the months rated (from 2025-11-01): an existing customer; y is new.
    // Monthly renewals of x: 2025-11-10, so x's 11-05 event is before its next renewal and 11-20 after.
    // 2.1 pro 10 s: v2 70, v3 80.
    const small = await UsageDb.open(':memory:');
    await importEvents(
      small,
      write(
        tempDir(),
        'reach.csv',
        `customer,time,model,mode,duration_s,resolution
x,2025-10-10T00:00:00Z,kling-v2-1,pro,10,1080p
x,2025-11-05T00:00:00Z,kling-v2-1,pro,10,1080p
x,2025-11-20T00:00:00Z,kling-v2-1,pro,10,1080p
y,2025-11-15T00:00:00Z,kling-v2-1,pro,10,1080p
`,
      ),
    );
    const run = async (reach: string) => {
      const r = await backtest(small, await rulesWithV3(reach), {
        card: 'kling-consumer',
        from: 2,
        to: 3,
        between: { from: '2025-11', to: '2025-12' },
        perCustomer: true,
      });
      if (!r.ok) throw new Error('backtest failed');
      return r.result;
    };
    // every customer: x 70 + 70 -> 80 + 80, y 70 -> 80; 210 -> 240
    expect((await run('all')).totals).toMatchObject({ reached_customers: 2, reached_events: 3, credits_from: 210, credits_to: 240 });
    // new customers only: x keeps v2 (140 -> 140), y 70 -> 80; 210 -> 220
    const fresh = await run('new_customers');
    expect(fresh.reach).toBe('new_customers');
    expect(fresh.totals).toMatchObject({ reached_customers: 1, reached_events: 1, credits_from: 210, credits_to: 220, delta: 10 });
    expect(fresh.customers!.map((c) => [c.customer, c.reached, c.credits_to])).toEqual([
      ['x', false, 140],
      ['y', true, 80],
    ]);
    // from the next renewal: x's 11-20 event only (140 -> 150, +7.14 %), y 70 -> 80; 210 -> 230
    const renewal = await run('next_renewal');
    expect(renewal.totals).toMatchObject({ reached_customers: 2, reached_events: 2, credits_from: 210, credits_to: 230, delta: 20 });
    expect(renewal.customers!.map((c) => [c.customer, c.credits_to, c.delta_pct])).toEqual([
      ['x', 150, 7.14],
      ['y', 80, 14.29],
    ]);
    small.close();
  });

  it('versions with different dimensions are joined each on their own (no paired price table), with the same numbers', async () => {
    // v3 with an extra dimension the formula ignores (watermark, default off): the events have no such column, so each
    // matches v3's rows that omit it, at the same prices as before; the totals are those computed by hand above (920 -> 940).
    const files = await new DirectoryStore(path.join(repoRoot, 'rules')).list();
    const v2 = files.find((f) => f.path === 'rate-cards/kling-consumer/v2.yaml')!;
    const v3 = consumerV3(v2.text).replace('dimensions:\n', 'dimensions:\n  watermark:\n    values: [off, on]\n    default: off\n');
    const loaded = await loadFiles([...files, { path: 'rate-cards/kling-consumer/v3.yaml', text: v3 }]);
    expect(loaded.errors).toEqual([]);
    const outcome = await backtest(db, loaded.rules, { card: 'kling-consumer', from: 2, to: 3, between: { from: '2025-10', to: '2025-12' } });
    if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
    expect(outcome.statements.map((s) => s.name)).not.toContain('price_pairs');
    expect(outcome.result.totals).toEqual(result.totals);
    expect(outcome.result.distribution).toEqual(result.distribution);
    expect(outcome.result.by_model_mode).toEqual(result.by_model_mode);
    // and the usual case pairs the two price tables first
    const same = await backtest(db, rules, { card: 'kling-consumer', from: 2, to: 3 });
    expect(same.ok && same.statements.map((s) => s.name)[0]).toBe('price_pairs');
  });

  it('the share of customers and of volume a change reaches', async () => {
    const r = await changeReach(db, rules, { card: 'kling-consumer', from: 2, to: 3, between: { from: '2025-10', to: '2025-12' } });
    if (!r.ok) throw new Error('change reach failed');
    // Changed cells: 2.1 std 5 s, 2.1 pro 10 s, Turbo pro 10 s. Rated: a, b, c, e (d is in 2026-01).
    // a: pro 10 s x 2 and std 5 s x 3, both changed; b: Master x 1 unchanged, Turbo pro 10 s x 4 changed;
    // c: std 5 s x 1 changed, kling-v9 x 1 priced by neither (no change); e: pro 720p x 1 priced by neither.
    // customers 3 of 4 = 75 %; events 2 + 1 + 1 = 4 of 7; generations 2 + 3 + 4 + 1 = 10 of 5 + 5 + 2 + 1 = 13 = 76.923 % -> 76.92
    expect(r.result).toEqual({
      card: 'kling-consumer',
      from: 2,
      to: 3,
      reach: 'all',
      customers: 4,
      events: 7,
      generations: 13,
      changed_customers: 3,
      changed_events: 4,
      changed_generations: 10,
      customers_pct: 75,
      generations_pct: 76.92,
    });
  });

  it("the share a change reaches respects the version's reach", async () => {
    // Rated: 2025-10 (start 2025-10-01). x was first seen on 2025-09-15 (existing; next renewal 2025-10-15), y on 2025-10-06 (new).
    // Events rated: x 10-05 pro x 2, x 10-20 pro x 1, y 10-06 pro x 3, y 10-07 Master x 1 (unchanged): 7 generations.
    const small = await UsageDb.open(':memory:');
    await importEvents(
      small,
      write(
        tempDir(),
        'reach.csv',
        `customer,time,model,mode,duration_s,resolution,count
x,2025-09-15T00:00:00Z,kling-v2-1,pro,10,1080p,1
x,2025-10-05T00:00:00Z,kling-v2-1,pro,10,1080p,2
x,2025-10-20T00:00:00Z,kling-v2-1,pro,10,1080p,1
y,2025-10-06T00:00:00Z,kling-v2-1,pro,10,1080p,3
y,2025-10-07T00:00:00Z,kling-v2-1-master,,10,,1
`,
      ),
    );
    const run = async (reach: string) => {
      const r = await changeReach(small, await rulesWithV3(reach), { card: 'kling-consumer', from: 2, to: 3, between: { from: '2025-10', to: '2025-10' } });
      if (!r.ok) throw new Error('change reach failed');
      const { changed_customers, changed_events, changed_generations, customers_pct, generations_pct } = r.result;
      return [changed_customers, changed_events, changed_generations, customers_pct, generations_pct];
    };
    // all: x (2 + 1) and y's pro 3 changed: 2 of 2 customers, 3 events, 6 of 7 generations = 85.714 % -> 85.71
    expect(await run('all')).toEqual([2, 3, 6, 100, 85.71]);
    // new customers only: y's pro 3: 1 of 2 = 50 %, 3 of 7 = 42.857 % -> 42.86
    expect(await run('new_customers')).toEqual([1, 1, 3, 50, 42.86]);
    // from the next renewal: x's 10-20 event (after 10-15) and y's pro: 2 customers, 1 + 3 = 4 of 7 = 57.143 % -> 57.14
    expect(await run('next_renewal')).toEqual([2, 2, 4, 100, 57.14]);
    small.close();
  });

  it('the emitted SQL, run on its own in DuckDB with the price tables as CSV, gives the same numbers', async () => {
    const outcome = await backtest(db, rules, { card: 'kling-consumer', from: 2, to: 3, between: { from: '2025-10', to: '2025-12' }, perCustomer: true });
    if (!outcome.ok) throw new Error('backtest failed');
    const dir = tempDir();
    const { from, to } = outcome.tables;
    write(dir, 'from.csv', priceTableCsv(from));
    write(dir, 'to.csv', priceTableCsv(to));
    const sql = [priceTableFromCsv(from, 'from.csv'), priceTableFromCsv(to, 'to.csv'), ...outcome.statements.map((s) => s.sql)];
    // A separate database with only the events in it, as a warehouse would have.
    const other = await DuckDBInstance.create(':memory:');
    const c = await other.connect();
    await c.run(`SET file_search_path = '${dir}'`);
    const events = write(dir, 'events.csv', EVENTS);
    const types = `{'customer': 'VARCHAR', 'time': 'TIMESTAMPTZ', 'model': 'VARCHAR', 'mode': 'VARCHAR', 'duration_s': 'DOUBLE', 'resolution': 'VARCHAR', 'count': 'BIGINT'}`;
    await c.run(`CREATE TABLE events AS SELECT * FROM read_csv('${events}', header = true, columns = ${types})`);
    await c.run(`ALTER TABLE events ADD COLUMN pool VARCHAR`);
    for (const s of sql) await c.run(s);
    const rows = async (q: string) =>
      (await c.runAndReadAll(q))
        .getRowObjectsJS()
        .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
    expect((await rows('SELECT * FROM totals'))[0]).toEqual(outcome.result.totals);
    expect((await rows('SELECT * FROM distribution'))[0]).toEqual(outcome.result.distribution);
    expect(await rows('SELECT * FROM customers ORDER BY customer')).toEqual(outcome.result.customers);
    c.closeSync();
    other.closeSync();
    expect(readFileSync(path.join(dir, 'from.csv'), 'utf8').split('\n')[0]).toBe('rq,model,mode,duration_s,resolution,credits');
  });
});
