import { ident, literal } from './db.ts';
import type { Reach } from '@creditbook/engine';
import type { SqlPriceTable } from './prices.ts';

/** What a backtest rates: the events of a pool, optionally within calendar months. */
export interface RatingScope {
  pool: string;
  /** Inclusive first and last month (YYYY-MM). */
  between?: { from: string; to: string };
  /** Columns the events table has (fixed and extra). */
  eventColumns: readonly string[];
  /**
   * Whom the proposed version reaches (its `reach`), taking effect at the start of the months rated
   * (or the first event): every customer; customers first seen on or after that start; or, for the
   * others, events from their first monthly renewal (the day they were first seen, plus whole months)
   * on or after it. Events it does not reach keep the current version's price under both.
   */
  reach?: Reach;
}

/** The request columns a backtest groups by: every dimension of either card (model and mode first). */
export function requestColumns(tables: readonly SqlPriceTable[]): string[] {
  const names = new Set<string>(['model', 'mode']);
  for (const t of tables) for (const d of t.dimensions) names.add(d.name);
  return [...names];
}

/** The events' value of a card dimension, typed as the price table has it (NULL when the events have no such column). */
function eventValue(column: string, type: string, scope: RatingScope): string {
  if (!scope.eventColumns.includes(column)) return 'NULL';
  const c = `e.${ident(column)}`;
  if (column === 'duration_s') return type === 'DOUBLE' ? c : `CAST(${c} AS VARCHAR)`;
  return type === 'DOUBLE' ? `TRY_CAST(${c} AS DOUBLE)` : c;
}

function monthStart(month: string): string {
  return `${month}-01`;
}

function nextMonthStart(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** Whether two price tables have the same dimensions (names and types, in order): they pair into one table. */
function samePriceDimensions(a: SqlPriceTable, b: SqlPriceTable): boolean {
  return a.dimensions.length === b.dimensions.length && a.dimensions.every((d, i) => d.name === b.dimensions[i]!.name && d.type === b.dimensions[i]!.type);
}

/** The name of the paired price table of two versions (see `ratingParts`). */
export const PRICE_PAIRS = 'price_pairs';

/**
 * What every rating statement shares: the events joined to both price tables, whether an event is
 * reached, the first-seen table reach needs, and the columns of a rated event: the price rows
 * (`rq_from`, `rq_to`), the credits under each version, and those credits when both versions price
 * the event (`both_from`, `both_to`; NULL otherwise), which is what the sums count.
 *
 * When both versions have the same dimensions (the usual case) their price tables are first paired
 * into one (`price_pairs`, a full outer join of two small tables on every dimension), so each event
 * is joined once rather than twice; otherwise each table is joined on its own dimensions.
 */
function ratingParts(from: SqlPriceTable, to: SqlPriceTable, scope: RatingScope) {
  const join = (t: SqlPriceTable, alias: string) =>
    t.dimensions.length === 0
      ? 'TRUE'
      : t.dimensions.map((d) => `${alias}.${ident(d.name)} IS NOT DISTINCT FROM ${eventValue(d.name, d.type, scope)}`).join(' AND ');
  const where = [`(e.pool IS NULL OR e.pool = ${literal(scope.pool)})`];
  if (scope.between)
    where.push(`e."time" >= TIMESTAMP ${literal(monthStart(scope.between.from))}`, `e."time" < TIMESTAMP ${literal(nextMonthStart(scope.between.to))}`);
  const reach = scope.reach ?? 'all';
  // Every event is reached: no flag per event (the common case costs nothing extra).
  const all = reach === 'all';
  const paired = samePriceDimensions(from, to);
  const prelude: { name: string; sql: string }[] = [];
  if (paired) {
    const dims = from.dimensions.map((d) => ident(d.name));
    prelude.push({
      name: PRICE_PAIRS,
      sql: `CREATE OR REPLACE TEMP TABLE ${PRICE_PAIRS} AS
SELECT ${dims.map((d) => `coalesce(pf.${d}, pt.${d}) AS ${d}`).join(', ')},
       pf.rq AS rq_from, pt.rq AS rq_to, pf.credits AS credits_from, pt.credits AS credits_to,
       CASE WHEN pt.credits IS NOT NULL THEN pf.credits END AS both_from, CASE WHEN pf.credits IS NOT NULL THEN pt.credits END AS both_to
FROM ${ident(from.name)} pf FULL OUTER JOIN ${ident(to.name)} pt ON ${dims.length === 0 ? 'TRUE' : dims.map((d) => `pf.${d} IS NOT DISTINCT FROM pt.${d}`).join(' AND ')}`,
    });
  }
  const col = paired
    ? { rqFrom: 'p.rq_from', rqTo: 'p.rq_to', creditsFrom: 'p.credits_from', creditsTo: 'p.credits_to', bothFrom: 'p.both_from', bothTo: 'p.both_to' }
    : {
        rqFrom: 'pf.rq',
        rqTo: 'pt.rq',
        creditsFrom: 'pf.credits',
        creditsTo: 'pt.credits',
        bothFrom: 'CASE WHEN pt.credits IS NOT NULL THEN pf.credits END',
        bothTo: 'CASE WHEN pf.credits IS NOT NULL THEN pt.credits END',
      };
  const prices = paired
    ? `LEFT JOIN ${PRICE_PAIRS} p ON ${join(from, 'p')}`
    : `LEFT JOIN ${ident(from.name)} pf ON ${join(from, 'pf')}
LEFT JOIN ${ident(to.name)} pt ON ${join(to, 'pt')}`;
  const joined = `FROM events e
${prices}${all ? '' : '\nLEFT JOIN first_seen fs ON fs.customer = e.customer'}
WHERE ${where.join(' AND ')}`;
  const renewal = `fs.joined + to_months(date_sub('month', fs.joined, fs.start) + CASE WHEN fs.joined + to_months(date_sub('month', fs.joined, fs.start)) < fs.start THEN 1 ELSE 0 END)`;
  const reached = all ? 'TRUE' : reach === 'new_customers' ? '(fs.joined >= fs.start)' : `(fs.joined >= fs.start OR e."time" >= ${renewal})`;
  // Reach 'all' needs no first-seen table: an empty one (no scan of the events for their first time).
  const start = all
    ? 'CAST(NULL AS TIMESTAMP)'
    : scope.between
      ? `TIMESTAMP ${literal(monthStart(scope.between.from))}`
      : `(SELECT min(e."time") FROM events e WHERE ${where.join(' AND ')})`;
  const firstSeen = {
    name: 'first_seen',
    sql: `CREATE OR REPLACE TEMP TABLE first_seen AS
SELECT customer, min("time") AS joined, ${start} AS start FROM events e WHERE ${all ? 'FALSE' : '(e.pool IS NULL OR e.pool = ' + literal(scope.pool) + ')'} GROUP BY customer`,
  };
  return { all, joined, reached, firstSeen, prelude, col };
}

/**
 * The statements that measure whom a change reaches: of the customers, events and generations rated,
 * those whose price differs between the versions (priced differently, or by one version only) and that
 * the proposed version reaches. The last creates `change_reach`, one row.
 */
export function changeReachStatements(from: SqlPriceTable, to: SqlPriceTable, scope: RatingScope): { name: string; sql: string }[] {
  const { joined, reached, firstSeen, prelude, col } = ratingParts(from, to, scope);
  return [
    ...prelude,
    firstSeen,
    {
      name: 'change_reach',
      sql: `CREATE OR REPLACE TEMP TABLE change_reach AS
SELECT count(DISTINCT customer) AS customers, count(DISTINCT customer) FILTER (WHERE changed) AS changed_customers,
       count(*) AS events, count(*) FILTER (WHERE changed) AS changed_events,
       coalesce(sum(n), 0) AS generations, coalesce(sum(n) FILTER (WHERE changed), 0) AS changed_generations
FROM (SELECT e.customer, e."count" AS n, ${reached} AND ${col.creditsFrom} IS DISTINCT FROM ${col.creditsTo} AS changed
      ${joined.replaceAll('\n', '\n      ')}) j`,
    },
  ];
}

/**
 * The statements of a backtest, in order. Each creates one table; the last five are the results.
 * The command runs exactly these; `--emit-sql` writes them out (after the price tables' loads),
 * so a warehouse rates events the same way. Percentiles are nearest-rank (percentile_disc).
 *
 * One scan rates everything: the events joined to both price tables and aggregated with two grouping
 * sets, per customer and per pair of price rows (by model and mode, and what one version cannot
 * price, come from those rows). Events neither version prices need a second scan to name their
 * requests; `unpriced_by_neither` is that scan, and the command runs it only when there are any.
 */
export function backtestStatements(from: SqlPriceTable, to: SqlPriceTable, scope: RatingScope): { name: string; sql: string }[] {
  const req = requestColumns([from, to]);
  const { all, joined, reached, firstSeen, prelude, col } = ratingParts(from, to, scope);
  // A request column of an event a version cannot price: from the other version's row (the same values
  // by the join), or from the event when neither prices it.
  const typed = (c: string, x: string) => `CAST(${x} AS ${c === 'duration_s' ? 'DOUBLE' : 'VARCHAR'})`;
  const has = (t: SqlPriceTable, c: string) => t.dimensions.some((d) => d.name === c);
  const fromRow = (c: string) => {
    const a = has(from, c) ? typed(c, `pf.${ident(c)}`) : 'NULL';
    const b = has(to, c) ? typed(c, `pt.${ident(c)}`) : 'NULL';
    return `CASE WHEN r.rq_to IS NOT NULL THEN ${b} ELSE ${a} END AS ${ident(c)}`;
  };
  // by model and mode: from the `from` table's row (every event there is priced by it), else the `to` table's
  const dim = (c: string) => (has(from, c) ? `pf.${ident(c)}` : has(to, c) ? `pt.${ident(c)}` : 'NULL');
  // Reached or not, an event's credits under `to`: a reached event's own, else `from`'s (no change).
  const unitTo = all ? col.creditsTo : `CASE WHEN ${reached} THEN ${col.creditsTo} ELSE ${col.creditsFrom} END`;
  return [
    ...prelude,
    firstSeen,
    {
      name: 'rated',
      // Sums count only events both versions price: `both_*` (or `x + 0 * y`, NULL when either price is).
      sql: `CREATE OR REPLACE TEMP TABLE rated AS
SELECT GROUPING(customer) = 0 AS by_customer, customer, rq_from, rq_to, ${all ? 'TRUE AS reached' : 'reached'},
       count(*) AS events, sum(n) AS generations,
       ${
         all
           ? `coalesce(sum(n * both_from), 0) AS credits_from,
       coalesce(sum(n * both_to), 0) AS credits_to,
       count(*) - count(both_from) AS unpriced_events,
       count(*) AS reached_events`
           : `coalesce(sum(n * unit_from + 0 * unit_to), 0) AS credits_from,
       coalesce(sum(n * unit_to + 0 * unit_from), 0) AS credits_to,
       count(*) - count(unit_from + unit_to) AS unpriced_events,
       count(*) FILTER (WHERE reached) AS reached_events`
       }
FROM (SELECT e.customer, e."count" AS n, ${col.rqFrom} AS rq_from, ${col.rqTo} AS rq_to, ${
        all ? `${col.bothFrom} AS both_from, ${col.bothTo} AS both_to` : `${reached} AS reached, ${col.creditsFrom} AS unit_from, ${unitTo} AS unit_to`
      }
      ${joined.replaceAll('\n', '\n      ')}) j
GROUP BY GROUPING SETS ((customer), (rq_from, rq_to${all ? '' : ', reached'}))`,
    },
    {
      name: 'unpriced_by_neither',
      sql: `CREATE OR REPLACE TEMP TABLE unpriced_by_neither AS
SELECT ${req.map((c) => `${eventValue(c, c === 'duration_s' ? 'DOUBLE' : 'VARCHAR', scope)} AS ${ident(c)}`).join(', ')}, count(*) AS events, sum(e."count") AS generations
${joined} AND ${col.rqFrom} IS NULL AND ${col.rqTo} IS NULL
GROUP BY ALL`,
    },
    {
      name: 'customers',
      sql: `CREATE OR REPLACE TEMP TABLE customers AS
SELECT customer, events, unpriced_events, reached_events > 0 AS reached, credits_from, credits_to, credits_to - credits_from AS delta,
       CASE WHEN credits_from > 0 THEN round(100.0 * (credits_to - credits_from) / credits_from, 2) END AS delta_pct
FROM rated WHERE by_customer`,
    },
    {
      name: 'totals',
      sql: `CREATE OR REPLACE TEMP TABLE totals AS
SELECT coalesce(sum(events), 0) AS events, count(*) AS customers, coalesce(sum(unpriced_events), 0) AS unpriced_events,
       count(*) FILTER (WHERE reached) AS reached_customers, (SELECT coalesce(sum(reached_events), 0) FROM rated WHERE by_customer) AS reached_events,
       coalesce(sum(credits_from), 0) AS credits_from, coalesce(sum(credits_to), 0) AS credits_to,
       coalesce(sum(credits_to), 0) - coalesce(sum(credits_from), 0) AS delta,
       CASE WHEN sum(credits_from) > 0 THEN round(100.0 * (sum(credits_to) - sum(credits_from)) / sum(credits_from), 2) END AS delta_pct
FROM customers`,
    },
    {
      name: 'distribution',
      sql: `CREATE OR REPLACE TEMP TABLE distribution AS
SELECT count(delta_pct) AS customers,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY delta_pct) AS p50,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY delta_pct) AS p90,
       percentile_disc(0.95) WITHIN GROUP (ORDER BY delta_pct) AS p95,
       percentile_disc(0.99) WITHIN GROUP (ORDER BY delta_pct) AS p99,
       max(delta_pct) AS max
FROM customers WHERE delta_pct IS NOT NULL`,
    },
    {
      name: 'by_model_mode',
      sql: `CREATE OR REPLACE TEMP TABLE by_model_mode AS
SELECT ${dim('model')} AS model, ${dim('mode')} AS mode, sum(r.events) AS events,
       sum(r.credits_from) AS credits_from, sum(r.credits_to) AS credits_to, sum(r.credits_to) - sum(r.credits_from) AS delta,
       CASE WHEN sum(r.credits_from) > 0 THEN round(100.0 * (sum(r.credits_to) - sum(r.credits_from)) / sum(r.credits_from), 2) END AS delta_pct
FROM rated r JOIN ${ident(from.name)} pf ON pf.rq = r.rq_from LEFT JOIN ${ident(to.name)} pt ON pt.rq = r.rq_to
WHERE NOT r.by_customer AND (r.rq_to IS NOT NULL OR NOT r.reached)
GROUP BY ALL`,
    },
    {
      name: 'unpriced',
      sql: `CREATE OR REPLACE TEMP TABLE unpriced AS
SELECT ${req.map(fromRow).join(', ')}, r.events, r.generations, r.rq_from IS NULL AS unpriced_from, r.reached AND r.rq_to IS NULL AS unpriced_to
FROM rated r LEFT JOIN ${ident(from.name)} pf ON pf.rq = r.rq_from LEFT JOIN ${ident(to.name)} pt ON pt.rq = r.rq_to
WHERE NOT r.by_customer AND NOT (r.rq_from IS NULL AND r.rq_to IS NULL) AND (r.rq_from IS NULL OR (r.reached AND r.rq_to IS NULL))
UNION ALL
SELECT ${req.map(ident).join(', ')}, events, generations, TRUE, TRUE FROM unpriced_by_neither`,
    },
  ];
}
