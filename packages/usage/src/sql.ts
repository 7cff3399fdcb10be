import { ident, literal } from './db.ts';
import type { SqlPriceTable } from './prices.ts';

/** What a backtest rates: the events of a pool, optionally within calendar months. */
export interface RatingScope {
  pool: string;
  /** Inclusive first and last month (YYYY-MM). */
  between?: { from: string; to: string };
  /** Columns the events table has (fixed and extra). */
  eventColumns: readonly string[];
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

/**
 * The statements of a backtest, in order. Each creates one table; the last five are the results.
 * The command runs exactly these; `--emit-sql` writes them out (after the price tables' loads),
 * so a warehouse rates events the same way. Percentiles are nearest-rank (percentile_disc).
 */
export function backtestStatements(from: SqlPriceTable, to: SqlPriceTable, scope: RatingScope): { name: string; sql: string }[] {
  const req = requestColumns([from, to]);
  const join = (t: SqlPriceTable, alias: string) =>
    t.dimensions.length === 0 ? 'TRUE' : t.dimensions.map((d) => `${alias}.${ident(d.name)} IS NOT DISTINCT FROM ${eventValue(d.name, d.type, scope)}`).join(' AND ');
  const where = [`(e.pool IS NULL OR e.pool = ${literal(scope.pool)})`];
  if (scope.between) where.push(`e."time" >= TIMESTAMP ${literal(monthStart(scope.between.from))}`, `e."time" < TIMESTAMP ${literal(nextMonthStart(scope.between.to))}`);
  const reqSelect = req.map((c) => `${eventValue(c, c === 'duration_s' ? 'DOUBLE' : 'VARCHAR', scope)} AS ${ident(c)}`);
  const both = 'unit_from IS NOT NULL AND unit_to IS NOT NULL';
  const reqList = req.map(ident).join(', ');
  return [
    {
      name: 'rated',
      sql: `CREATE OR REPLACE TEMP TABLE rated AS
SELECT e.customer, ${reqSelect.join(', ')}, pf.credits AS unit_from, pt.credits AS unit_to,
       count(*) AS events, sum(e."count") AS generations
FROM events e
LEFT JOIN ${ident(from.name)} pf ON ${join(from, 'pf')}
LEFT JOIN ${ident(to.name)} pt ON ${join(to, 'pt')}
WHERE ${where.join(' AND ')}
GROUP BY ALL`,
    },
    {
      name: 'per_customer',
      sql: `CREATE OR REPLACE TEMP TABLE per_customer AS
SELECT customer,
       sum(events) AS events,
       coalesce(sum(unit_from * generations) FILTER (WHERE ${both}), 0) AS credits_from,
       coalesce(sum(unit_to * generations) FILTER (WHERE ${both}), 0) AS credits_to,
       coalesce(sum(events) FILTER (WHERE NOT (${both})), 0) AS unpriced_events
FROM rated GROUP BY customer`,
    },
    {
      name: 'customers',
      sql: `CREATE OR REPLACE TEMP TABLE customers AS
SELECT customer, events, unpriced_events, credits_from, credits_to, credits_to - credits_from AS delta,
       CASE WHEN credits_from > 0 THEN round(100.0 * (credits_to - credits_from) / credits_from, 2) END AS delta_pct
FROM per_customer`,
    },
    {
      name: 'totals',
      sql: `CREATE OR REPLACE TEMP TABLE totals AS
SELECT coalesce(sum(events), 0) AS events, count(*) AS customers, coalesce(sum(unpriced_events), 0) AS unpriced_events,
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
SELECT model, mode, sum(events) AS events,
       sum(unit_from * generations) AS credits_from, sum(unit_to * generations) AS credits_to,
       sum(unit_to * generations) - sum(unit_from * generations) AS delta,
       CASE WHEN sum(unit_from * generations) > 0
            THEN round(100.0 * (sum(unit_to * generations) - sum(unit_from * generations)) / sum(unit_from * generations), 2) END AS delta_pct
FROM rated WHERE ${both} GROUP BY model, mode`,
    },
    {
      name: 'unpriced',
      sql: `CREATE OR REPLACE TEMP TABLE unpriced AS
SELECT ${reqList}, sum(events) AS events, sum(generations) AS generations, count(DISTINCT customer) AS customers,
       bool_or(unit_from IS NULL) AS unpriced_from, bool_or(unit_to IS NULL) AS unpriced_to
FROM rated WHERE NOT (${both}) GROUP BY ${reqList}`,
    },
  ];
}
