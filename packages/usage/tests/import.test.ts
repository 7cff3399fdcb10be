import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importEvents, MAX_IMPORT_ERRORS, UsageDb } from '@creditbook/usage';
import { formatDiagnostic } from '@creditbook/engine';
import { tempDir, write } from './support.ts';

const HEADER = 'customer,time,model,mode,duration_s,resolution,count';
const GOOD = `${HEADER}
acme,2025-03-01T10:00:00Z,kling-v2-1,pro,10,1080p,2
acme,2025-03-02,kling-v2-1-master,,10,,
`;

async function counts(db: UsageDb): Promise<{ events: number; imports: number }> {
  const [r] = await db.rows('SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM imports) AS imports');
  return { events: Number(r!['events']), imports: Number(r!['imports']) };
}

describe('usage import', () => {
  let db: UsageDb;
  let dir: string;
  beforeEach(async () => {
    dir = tempDir();
    db = await UsageDb.open(`${dir}/usage.duckdb`);
  });
  afterEach(() => db.close());

  it('loads every row, with count 1 when the field is empty', async () => {
    const r = await importEvents(db, write(dir, 'good.csv', GOOD));
    expect(r).toMatchObject({ ok: true, rows: 2, already_imported: false });
    const rows = await db.rows(
      `SELECT customer, strftime("time", '%Y-%m-%d %H:%M') AS t, model, mode, duration_s, resolution, "count" FROM events ORDER BY "time"`,
    );
    expect(rows).toEqual([
      { customer: 'acme', t: '2025-03-01 10:00', model: 'kling-v2-1', mode: 'pro', duration_s: 10, resolution: '1080p', count: 2n },
      { customer: 'acme', t: '2025-03-02 00:00', model: 'kling-v2-1-master', mode: null, duration_s: 10, resolution: null, count: 1n },
    ]);
  });

  it('re-importing the same file adds nothing', async () => {
    const file = write(dir, 'good.csv', GOOD);
    const first = await importEvents(db, file);
    const second = await importEvents(db, file);
    expect(second).toMatchObject({ ok: true, already_imported: true, rows: 2 });
    expect(first.ok && second.ok && first.import_id === second.import_id).toBe(true);
    expect(await counts(db)).toEqual({ events: 2, imports: 1 });
  });

  it('rejects bad rows with their line and column and leaves the database as it was', async () => {
    await importEvents(db, write(dir, 'good.csv', GOOD));
    const before = await counts(db);
    const bad = `${HEADER}
acme,2025-03-01T10:00:00Z,kling-v2-1,pro,10,1080p,1
acme,2025-03-01T10:00:00Z,kling-v2-1,pro,ten,1080p,1
,2025-13-02T10:00:00Z,kling-v2-1-master,,10,,1
beta,2025-10-02,kling-v2-5-turbo,pro,5,1080p
beta,2025-10-02,kling-v2-5-turbo,pro,-5,1080p,0
beta,2025-10-02,kling-v2-5-turbo,pro,5,1080p,1
`;
    const r = await importEvents(db, write(dir, 'bad.csv', bad), { display: 'bad.csv' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // line 3 col 5 duration_s 'ten'; line 4 col 1 empty customer, col 2 month 13; line 5 has 6 fields (the 7th is missing);
    // line 6 col 5 negative duration, col 7 a count of 0
    expect(r.errors.map((e) => [e.code, e.line, e.col])).toEqual([
      ['U_VALUE', 3, 5],
      ['U_VALUE', 4, 1],
      ['U_VALUE', 4, 2],
      ['U_FIELDS', 5, 7],
      ['U_VALUE', 6, 5],
      ['U_VALUE', 6, 7],
    ]);
    expect(formatDiagnostic(r.errors[0]!)).toBe("bad.csv:3:5: U_VALUE bad value: duration_s is not a positive number of seconds (got 'ten')");
    expect(await counts(db)).toEqual(before);
  });

  it('rejects a row whose only fault no cast would notice (a zero count)', async () => {
    const r = await importEvents(db, write(dir, 'zero.csv', `${HEADER}\nacme,2025-03-01T10:00:00Z,kling-v2-1,pro,10,1080p,0\n`));
    expect(!r.ok && r.errors.map((e) => [e.code, e.line, e.col])).toEqual([['U_VALUE', 2, 7]]);
    expect(await counts(db)).toEqual({ events: 0, imports: 0 });
  });

  it('names a missing column, an unclosed quote and an empty file', async () => {
    const missing = await importEvents(db, write(dir, 'm.csv', 'customer,time,model,mode,duration_s\nacme,2025-01-01,kling-v2-1,pro,5\n'));
    expect(!missing.ok && missing.errors.map((e) => [e.code, e.line, e.col, e.message.includes("'resolution'")])).toEqual([['U_HEADER', 1, 6, true]]);
    const quote = await importEvents(db, write(dir, 'q.csv', `${HEADER}\nacme,2025-01-01,kling-v2-1,pro,5,720p,1\n"acme,2025-01-01,kling-v2-1,pro,5,720p,1\n`));
    expect(!quote.ok && quote.errors.map((e) => [e.code, e.line])).toEqual([['U_CSV', 3]]);
    const empty = await importEvents(db, write(dir, 'e.csv', ''));
    expect(!empty.ok && empty.errors.map((e) => e.code)).toEqual(['U_HEADER']);
    expect(await counts(db)).toEqual({ events: 0, imports: 0 });
  });

  it('stops listing after a hundred problems', async () => {
    const rows = Array.from({ length: 150 }, () => 'acme,yesterday,kling-v2-1,pro,5,720p,1').join('\n');
    const r = await importEvents(db, write(dir, 'many.csv', `${HEADER}\n${rows}\n`));
    expect(!r.ok && r.errors.length).toBe(MAX_IMPORT_ERRORS + 1);
    expect(!r.ok && r.errors.at(-1)!.code).toBe('U_TOO_MANY_ERRORS');
  });

  it('keeps extra card dimensions as columns and imports Parquet by row number', async () => {
    const csv = write(dir, 'api.csv', `${HEADER},pool,audio\nacme,2026-01-01T00:00:00Z,kling-v3,pro,8,,1,api,native\n`);
    expect(await importEvents(db, csv)).toMatchObject({ ok: true, rows: 1 });
    expect(await db.extraColumns()).toEqual(['audio']);
    const parquet = `${dir}/events.parquet`;
    await db.run(`COPY (SELECT * FROM (VALUES ('p1', '2026-02-01T00:00:00Z', 'kling-v3', 'std', '7', NULL, '2', 'api', 'voice'),
                                             ('p2', '2026-02-02T00:00:00Z', 'kling-v3', 'std', '0', NULL, '1', 'api', 'none'))
                   t(customer, "time", model, mode, duration_s, resolution, "count", pool, audio)) TO '${parquet}' (FORMAT parquet)`);
    const bad = await importEvents(db, parquet);
    // row 2 has a zero duration (column 5)
    expect(!bad.ok && bad.errors.map((e) => [e.code, e.line, e.col])).toEqual([['U_VALUE', 2, 5]]);
    await db.run(
      `COPY (SELECT 'p1' AS customer, TIMESTAMP '2026-02-01 00:00:00' AS "time", 'kling-v3' AS model, 'std' AS mode, 7.0 AS duration_s, NULL AS resolution, 2 AS "count", 'api' AS pool, 'voice' AS audio) TO '${parquet}' (FORMAT parquet)`,
    );
    expect(await importEvents(db, parquet)).toMatchObject({ ok: true, rows: 1 });
    expect(await db.rows(`SELECT customer, audio, "count" FROM events ORDER BY customer`)).toEqual([
      { customer: 'acme', audio: 'native', count: 1n },
      { customer: 'p1', audio: 'voice', count: 2n },
    ]);
  });
});
