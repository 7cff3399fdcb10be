import { priceTable, type PriceTable, type RateCard } from '@creditbook/engine';
import { ident, literal, type UsageDb } from './db.ts';

/** How a card dimension is compared with an events column: as a number or as text. */
export type DimensionType = 'DOUBLE' | 'VARCHAR';

/** A card version's price table as it goes into the database: one column per dimension, then credits. */
export interface SqlPriceTable {
  readonly name: string;
  readonly card: RateCard;
  readonly dimensions: readonly { name: string; type: DimensionType }[];
  readonly rows: PriceTable['rows'];
}

/** A dimension is numeric when it is a range or all its values are numbers. */
export function dimensionType(card: RateCard, name: string): DimensionType {
  const d = card.dimensions[name];
  if (!d) return 'VARCHAR';
  if (d.range) return 'DOUBLE';
  return (d.values ?? []).every((v) => typeof v === 'number') ? 'DOUBLE' : 'VARCHAR';
}

/**
 * The compiled price table of a card version: every request its dimensions allow, each dimension
 * given or omitted (NULL), with its credits. Undefined for a card whose request space is continuous
 * or too large to tabulate.
 */
export async function sqlPriceTable(name: string, card: RateCard): Promise<SqlPriceTable | undefined> {
  const table = await priceTable(card);
  if (!table) return undefined;
  return { name, card, dimensions: table.dimensions.map((d) => ({ name: d, type: dimensionType(card, d) })), rows: table.rows };
}

/** The CREATE TABLE statement of a price table: `rq` numbers its rows, the dimensions, then credits. */
export function priceTableDdl(t: SqlPriceTable): string {
  return `CREATE OR REPLACE TEMP TABLE ${ident(t.name)} (${['rq INTEGER', ...t.dimensions.map((d) => `${ident(d.name)} ${d.type}`), 'credits BIGINT'].join(', ')})`;
}

/** Loads a price table into the database (a temporary table). */
export async function loadPriceTable(db: UsageDb, t: SqlPriceTable): Promise<void> {
  await db.run(priceTableDdl(t));
  const appender = await db.connection.createAppender(t.name);
  for (const [i, row] of t.rows.entries()) {
    appender.appendInteger(i + 1);
    row.values.forEach((v, i) => {
      if (v === null) appender.appendNull();
      else if (t.dimensions[i]!.type === 'DOUBLE') appender.appendDouble(Number(v));
      else appender.appendVarchar(String(v));
    });
    appender.appendBigInt(BigInt(row.credits));
    appender.endRow();
  }
  appender.flushSync();
  appender.closeSync();
}

/** CSV text of a price table (header, then rows; an omitted dimension is an empty field). */
export function priceTableCsv(t: SqlPriceTable): string {
  const field = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [['rq', ...t.dimensions.map((d) => d.name), 'credits'].join(',')];
  for (const [i, r] of t.rows.entries()) lines.push([String(i + 1), ...r.values.map(field), String(r.credits)].join(','));
  return lines.join('\n') + '\n';
}

/** The statement that loads a price table's CSV in DuckDB (the emitted SQL's first step). */
export function priceTableFromCsv(t: SqlPriceTable, csvPath: string): string {
  const columns = [`'rq': 'INTEGER'`, ...t.dimensions.map((d) => `${literal(d.name)}: ${literal(d.type)}`), `'credits': 'BIGINT'`].join(', ');
  return `CREATE OR REPLACE TABLE ${ident(t.name)} AS SELECT * FROM read_csv(${literal(csvPath)}, header = true, columns = {${columns}})`;
}
