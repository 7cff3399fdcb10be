import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCard, requestGrid, type RuleSet } from '@creditbook/engine';
import { backtest, importEvents, loadPriceTable, sqlPriceTable, UsageDb } from '@creditbook/usage';
import { alternate, median, peakRss, time } from './measure.ts';
import type { Options, Section } from './sections.ts';

const CARD = 'kling-consumer';
const FROM = 1;
const TO = 2;
/** Events priced one by one through the card formula; the per-event time is extrapolated from them. */
const FORMULA_SAMPLE = 20_000;

/**
 * Fills `events` with n generation events inside DuckDB: 10,000 customers, a year of times, requests
 * drawn from every request v2 of the consumer card allows (v1 cannot price the 2.5 Turbo ones, so
 * the unpriced path runs). No event is one neither version prices: those cost a second scan
 * (the unit tests cover it), as a data error would.
 */
async function fillEvents(db: UsageDb, rules: RuleSet, n: number): Promise<void> {
  const v2 = rules.get('RateCard', CARD, TO)!.doc;
  const compiled = compileCard(v2);
  const requests = requestGrid(v2).filter((r) => compiled.normalize(r).ok);
  const list = `[${requests.map((r) => `{'model': '${String(r['model'])}', 'mode': '${String(r['mode'])}', 'duration_s': ${Number(r['duration_s'])}::DOUBLE, 'resolution': '${String(r['resolution'])}'}`).join(', ')}]`;
  await db.run(`INSERT INTO events
    SELECT 'bench', 'cust-' || lpad(CAST(i % 10000 AS VARCHAR), 5, '0'),
           TIMESTAMP '2025-01-01' + to_seconds(CAST(hash(i) % 31536000 AS BIGINT)),
           r.model, r.mode, r.duration_s, r.resolution, NULL, 1 + CAST(hash(i * 31) % 3 AS BIGINT)
    FROM (SELECT i, ${list}[CAST(hash(i * 7) % ${requests.length} AS BIGINT) + 1] AS r FROM range(${n}) t(i))`);
}

/** DuckDB alone: the same join of both price tables and group-by per customer, written by hand. */
async function duckdbJoin(db: UsageDb): Promise<number> {
  const on = (t: string) => ['model', 'mode', 'duration_s', 'resolution'].map((c) => `${t}.${c} IS NOT DISTINCT FROM e.${c}`).join(' AND ');
  await db.run(`CREATE OR REPLACE TEMP TABLE baseline AS
    SELECT e.customer,
           sum(e."count" * pf.credits) FILTER (WHERE pf.credits IS NOT NULL AND pt.credits IS NOT NULL) AS credits_from,
           sum(e."count" * pt.credits) FILTER (WHERE pf.credits IS NOT NULL AND pt.credits IS NOT NULL) AS credits_to
    FROM events e LEFT JOIN prices_v${FROM} pf ON ${on('pf')} LEFT JOIN prices_v${TO} pt ON ${on('pt')}
    GROUP BY e.customer`);
  const [r] = await db.rows('SELECT sum(credits_to) AS t FROM baseline');
  return Number(r!['t']);
}

/**
 * DuckDB alone with the engine's own trick: the two price tables paired into one first (as the backtest
 * does when both versions have the same dimensions), so each event is joined once; then the group-by.
 */
async function duckdbPairedJoin(db: UsageDb): Promise<number> {
  const dims = ['model', 'mode', 'duration_s', 'resolution'];
  await db.run(`CREATE OR REPLACE TEMP TABLE baseline_pairs AS
    SELECT ${dims.map((c) => `coalesce(pf.${c}, pt.${c}) AS ${c}`).join(', ')},
           CASE WHEN pt.credits IS NOT NULL THEN pf.credits END AS credits_from, CASE WHEN pf.credits IS NOT NULL THEN pt.credits END AS credits_to
    FROM prices_v${FROM} pf FULL OUTER JOIN prices_v${TO} pt ON ${dims.map((c) => `pf.${c} IS NOT DISTINCT FROM pt.${c}`).join(' AND ')}`);
  await db.run(`CREATE OR REPLACE TEMP TABLE baseline AS
    SELECT e.customer, sum(e."count" * p.credits_from) AS credits_from, sum(e."count" * p.credits_to) AS credits_to
    FROM events e LEFT JOIN baseline_pairs p ON ${dims.map((c) => `p.${c} IS NOT DISTINCT FROM e.${c}`).join(' AND ')}
    GROUP BY e.customer`);
  const [r] = await db.rows('SELECT sum(credits_to) AS t FROM baseline');
  return Number(r!['t']);
}

/** The card formula evaluated for each event of a sample, both versions, summed per customer. */
async function perEventFormula(db: UsageDb, rules: RuleSet): Promise<{ seconds: number; sample: number }> {
  const cards = [compileCard(rules.get('RateCard', CARD, FROM)!.doc), compileCard(rules.get('RateCard', CARD, TO)!.doc)];
  const rows = await db.rows(`SELECT customer, model, mode, duration_s, resolution, "count" FROM events LIMIT ${FORMULA_SAMPLE}`);
  const seconds = await time(async () => {
    const sums = new Map<string, [number, number]>();
    for (const r of rows) {
      const request = { model: String(r['model']), mode: String(r['mode']), duration_s: Number(r['duration_s']), resolution: String(r['resolution']) };
      const [a, b] = [await cards[0]!.price(request), await cards[1]!.price(request)];
      if (!a.ok || !b.ok) continue;
      const s = sums.get(String(r['customer'])) ?? [0, 0];
      s[0] += a.credits * Number(r['count']);
      s[1] += b.credits * Number(r['count']);
      sums.set(String(r['customer']), s);
    }
  });
  return { seconds, sample: rows.length };
}

/** 6. Backtest rating: Creditbook's backtest vs DuckDB's own join and group-by, and vs the formula per event. */
export async function usageSection(rules: RuleSet, o: Options & { usageEvents: number }): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-usage-'));
  const db = await UsageDb.open(join(dir, 'usage.duckdb'));
  try {
    await fillEvents(db, rules, o.usageEvents);
    for (const v of [FROM, TO]) await loadPriceTable(db, (await sqlPriceTable(`prices_v${v}`, rules.get('RateCard', CARD, v)!.doc))!);
    let checked: string | undefined;
    const samples = await alternate(o.rounds, [
      [
        'Creditbook backtest (v1 vs v2)',
        () =>
          time(async () => {
            const r = await backtest(db, rules, { card: CARD, from: FROM, to: TO });
            if (!r.ok) throw new Error('the benchmark backtest failed');
            checked = String(r.result.totals.credits_to);
          }),
      ],
      [
        'DuckDB join + group by',
        () => time(async () => void (checked = checked === undefined ? undefined : checked === String(await duckdbJoin(db)) ? checked : 'DIFFERENT')),
      ],
      [
        'DuckDB, one join (paired tables)',
        () => time(async () => void (checked = checked === undefined ? undefined : checked === String(await duckdbPairedJoin(db)) ? checked : 'DIFFERENT')),
      ],
    ]);
    const formula = await perEventFormula(db, rules);
    const perEvent = (formula.seconds / formula.sample) * o.usageEvents;
    const ours = median(samples.get('Creditbook backtest (v1 vs v2)')!);
    const theirs = median(samples.get('DuckDB join + group by')!);
    const paired = median(samples.get('DuckDB, one join (paired tables)')!);
    const n = o.usageEvents.toLocaleString('en-US');
    return {
      id: 'usage',
      title: `Backtest: ${n} events rated under two card versions, per customer`,
      contenders: [
        { name: 'Creditbook backtest (v1 vs v2)', median: ours, unit: 's', samples: samples.get('Creditbook backtest (v1 vs v2)')! },
        { name: 'DuckDB join + group by', median: theirs, unit: 's', samples: samples.get('DuckDB join + group by')! },
        { name: 'DuckDB, one join (paired tables)', median: paired, unit: 's', samples: samples.get('DuckDB, one join (paired tables)')! },
        { name: 'card formula per event (extrap.)', median: perEvent, unit: 's', samples: [perEvent] },
      ],
      ratios: [
        { name: 'Creditbook / DuckDB alone', value: ours / theirs, goal: '<= 1.3x', met: ours / theirs <= 1.3 },
        { name: 'formula per event / Creditbook', value: perEvent / ours, goal: '>= 100x', met: perEvent / ours >= 100 },
      ],
      notes: [
        `the per-event formula time is extrapolated from ${formula.sample.toLocaleString('en-US')} events (${((formula.seconds * 1e6) / formula.sample).toFixed(1)} µs per event, both versions) to ${n}`,
        'Creditbook builds both price tables, loads them, pairs them into one (each event is joined once, DuckDB alone joins twice), rates in one scan with two grouping sets (per customer, per pair of price rows) and also computes the distribution, by model and mode, and the unpriced list (v1 cannot price 2.5 Turbo)',
        `against DuckDB alone given the paired price table too (one join, per-customer group-by only): ${(ours / paired).toFixed(2)}x; the rest is the backtest's second grouping set (per pair of price rows, for by model and mode and the unpriced list) and its extra aggregates`,
        'events that neither version can price (none here) would add a second scan to name their requests',
        checked === 'DIFFERENT'
          ? 'RESULTS DIFFER between Creditbook and DuckDB alone'
          : `all three give the same v${TO} credits (${Number(checked).toLocaleString('en-US')})`,
      ],
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 7. Import of an n-row CSV: rows per second and the process's peak RSS (run in a child, so the peak is the import's). */
export async function usageImportSection(rules: RuleSet, o: Options & { usageEvents: number }): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-import-'));
  try {
    const csv = join(dir, 'events.csv');
    {
      const src = await UsageDb.open(':memory:');
      await fillEvents(src, rules, o.usageEvents);
      await src.run(
        `COPY (SELECT customer, strftime("time", '%Y-%m-%dT%H:%M:%SZ') AS "time", model, mode, duration_s, resolution, "count" FROM events) TO '${csv}' (HEADER, DELIMITER ',')`,
      );
      src.close();
    }
    const db = await UsageDb.open(join(dir, 'usage.duckdb'), { memoryLimit: '1GB' });
    try {
      const { result: seconds, peak } = await peakRss(() =>
        time(async () => {
          const r = await importEvents(db, csv);
          if (!r.ok || r.rows !== o.usageEvents) throw new Error(`the benchmark import failed: ${r.ok ? r.rows : r.errors[0]?.message}`);
        }),
      );
      const mb = statSync(csv).size / 2 ** 20;
      return {
        id: 'usage-import',
        title: `Import: a ${o.usageEvents.toLocaleString('en-US')}-row CSV (${mb.toFixed(0)} MB) into DuckDB`,
        contenders: [
          { name: 'creditbook usage import', median: seconds, unit: 's', samples: [seconds] },
          { name: 'rows per second', median: o.usageEvents / seconds, unit: 'rows/s', samples: [o.usageEvents / seconds] },
          { name: 'peak RSS', median: peak / 2 ** 20, unit: 'MB', samples: [peak / 2 ** 20] },
        ],
        ratios: [],
        notes: [
          "one run: DuckDB's CSV reader feeds the checks and the insert in one transaction (a file with problems is read again by csv-parse to name each line); DuckDB memory_limit 1GB; the time includes the sha256 of the file (the import id)",
        ],
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
