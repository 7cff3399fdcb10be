import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { parse, type Options as CsvOptions } from 'csv-parse';
import { diagnostic, type Code, type Diagnostic } from '@creditbook/engine';
import { ident, literal, num, type UsageDb } from './db.ts';

/** Columns an events file must have; `pool` and `count` are optional, any other column is an extra card dimension. */
export const REQUIRED_COLUMNS = ['customer', 'time', 'model', 'mode', 'duration_s', 'resolution'] as const;
const OPTIONAL_COLUMNS = ['pool', 'count'] as const;
const NAME = /^[a-z][a-z0-9_]*$/;
/** Problems reported before the rest are summarised. */
export const MAX_IMPORT_ERRORS = 100;

export interface ImportOptions {
  /** The file name problems are reported against (default: the path given). */
  display?: string;
  /** Called as the file is read: bytes so far and the file's size. */
  onProgress?: (bytes: number, total: number) => void;
}

export type ImportResult =
  { ok: true; import_id: string; file: string; rows: number; already_imported: boolean } | { ok: false; file: string; errors: Diagnostic[] };

/** sha256 of the file's bytes: the import id, so the same file imported twice adds nothing the second time. */
async function fileHash(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Staged {
  /** Column names in file order; position i is column i + 1 of the file. */
  columns: string[];
  rows: number;
  errors: Diagnostic[];
  /** True when the staged rows cannot be checked further (header or syntax problems). */
  final: boolean;
}

const problem = (file: string, code: Code, detail: string, line: number, col: number): Diagnostic => diagnostic({ code, detail, file, at: { line, col } });

/** Header problems: names, duplicates, required columns. */
function checkHeader(file: string, header: string[], lineNo: number): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (!NAME.test(h)) out.push(problem(file, 'U_HEADER', `column '${h}' is not a name (lower case letters, digits, _)`, lineNo, i + 1));
    else if (seen.has(h)) out.push(problem(file, 'U_HEADER', `column '${h}' appears twice`, lineNo, i + 1));
    seen.add(h);
  });
  for (const r of REQUIRED_COLUMNS) {
    if (!seen.has(r))
      out.push(
        problem(
          file,
          'U_HEADER',
          `missing column '${r}' (an events file has ${REQUIRED_COLUMNS.join(', ')}; optional ${OPTIONAL_COLUMNS.join(', ')})`,
          lineNo,
          header.length + 1,
        ),
      );
  }
  return out;
}

async function createStaging(db: UsageDb, columns: readonly string[]): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE staging (line INTEGER, ${columns.map((c) => `${ident(c)} VARCHAR`).join(', ')})`);
}

/** Parses a CSV file (streamed) into the staging table, every value as text with its line. */
async function stageCsv(db: UsageDb, path: string, file: string, size: number, onProgress?: ImportOptions['onProgress']): Promise<Staged> {
  const errors: Diagnostic[] = [];
  let columns: string[] | undefined;
  let syntax = false;
  let appender: Awaited<ReturnType<UsageDb['connection']['createAppender']>> | undefined;
  let rows = 0;
  const stream = createReadStream(path);
  let bytes = 0;
  let shown = 0;
  stream.on('data', (chunk) => {
    bytes += chunk.length;
    if (onProgress && bytes - shown >= 1 << 20) {
      shown = bytes;
      onProgress(bytes, size);
    }
  });
  const csvOptions = {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Keep the line each record ends on: problems are reported at it.
    on_record: (record: string[], context: { lines: number }) => ({ record, line: context.lines }),
  } as unknown as CsvOptions;
  const parser = stream.pipe(parse(csvOptions));
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; line: number }>) {
      const { record, line } = item;
      if (!columns) {
        columns = record.map((h) => h.trim());
        errors.push(...checkHeader(file, columns, line));
        if (errors.length > 0) break;
        await createStaging(db, columns);
        appender = await db.connection.createAppender('staging');
        continue;
      }
      if (record.length !== columns.length) {
        const col = Math.min(record.length, columns.length) + 1;
        errors.push(problem(file, 'U_FIELDS', `${record.length} fields, the header has ${columns.length}`, line, col));
        if (errors.length > MAX_IMPORT_ERRORS) break;
        continue;
      }
      // Well-formed rows are staged even after a bad one, so their values are checked too.
      appender!.appendInteger(line);
      for (const v of record) {
        if (v === '') appender!.appendNull();
        else appender!.appendVarchar(v);
      }
      appender!.endRow();
      rows++;
    }
  } catch (e) {
    const err = e as { code?: string; message: string; lines?: number; column?: number | string };
    const col = typeof err.column === 'number' ? err.column + 1 : 1;
    errors.push(problem(file, 'U_CSV', err.message.replace(/^Invalid [^:]*: /, ''), err.lines ?? 1, col));
    syntax = true;
  } finally {
    stream.destroy();
    appender?.closeSync();
  }
  if (!columns && errors.length === 0) errors.push(problem(file, 'U_HEADER', 'the file is empty (no header line)', 1, 1));
  onProgress?.(size, size);
  // Header problems and syntax errors stop there; rows of the wrong length are reported with the bad values.
  const final = syntax || !appender;
  return { columns: columns ?? [], rows, errors, final };
}

/** The header record of a CSV file and its line (csv-parse reads only as far as it). */
async function readHeader(path: string, file: string): Promise<{ columns: string[]; line: number } | { errors: Diagnostic[] }> {
  const stream = createReadStream(path);
  const parser = stream.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (record: string[], ctx: { lines: number }) => ({ record, line: ctx.lines }),
    } as unknown as CsvOptions),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; line: number }>) {
      const columns = item.record.map((h) => h.trim());
      const errors = checkHeader(file, columns, item.line);
      return errors.length > 0 ? { errors } : { columns, line: item.line };
    }
  } catch (e) {
    const err = e as { message: string; lines?: number };
    return { errors: [problem(file, 'U_CSV', err.message.replace(/^Invalid [^:]*: /, ''), err.lines ?? 1, 1)] };
  } finally {
    stream.destroy();
  }
  return { errors: [problem(file, 'U_HEADER', 'the file is empty (no header line)', 1, 1)] };
}

/**
 * The fast path for a clean file, in one pass: DuckDB's own CSV reader feeds the insert, and a row
 * that fails a check raises an error inside the statement, which rolls the transaction back. Then
 * (false) the file is read again by `stageCsv`, which knows every record's line, to say where.
 */
async function insertCsvFast(
  db: UsageDb,
  path: string,
  file: string,
  importId: string,
  columns: readonly string[],
  size: number,
  onProgress: ImportOptions['onProgress'],
): Promise<number | undefined> {
  const types = `{${columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`;
  const read = `read_csv(${literal(path)}, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = true, columns = ${types})`;
  const text = `(SELECT ${columns.map((c) => `NULLIF(${ident(c)}, '') AS ${ident(c)}`).join(', ')} FROM ${read})`;
  const guard = `CASE WHEN ${checks(columns)
    .map((k) => `(${k.bad})`)
    .join(' OR ')} THEN error('a row fails a check') ELSE TRUE END`;
  try {
    return await insertEvents(db, importId, file, columns, `${text} WHERE ${guard}`, undefined, onProgress && ((f) => onProgress(f * size, size)));
  } catch {
    return undefined;
  }
}

/**
 * Inserts the rows of `source` (every column text, named as the file's) into the events table and
 * records the import, in one transaction; returns the rows inserted.
 */
async function insertEvents(
  db: UsageDb,
  importId: string,
  file: string,
  columns: readonly string[],
  source: string,
  rows: number | undefined,
  onProgress?: (fraction: number) => void,
): Promise<number> {
  const extras = columns.filter((c) => !(REQUIRED_COLUMNS as readonly string[]).includes(c) && !(OPTIONAL_COLUMNS as readonly string[]).includes(c));
  const has = (c: string) => columns.includes(c);
  return db.transaction(async () => {
    for (const x of extras) await db.run(`ALTER TABLE events ADD COLUMN IF NOT EXISTS ${ident(x)} VARCHAR`);
    const target = ['import_id', 'customer', 'time', 'model', 'mode', 'duration_s', 'resolution', 'pool', 'count', ...extras];
    const values = [
      literal(importId),
      ident('customer'),
      `CAST(CAST("time" AS TIMESTAMPTZ) AS TIMESTAMP)`,
      ident('model'),
      ident('mode'),
      'CAST(duration_s AS DOUBLE)',
      ident('resolution'),
      has('pool') ? ident('pool') : 'NULL',
      has('count') ? 'COALESCE(CAST("count" AS BIGINT), 1)' : '1',
      ...extras.map(ident),
    ];
    await db.runWithProgress(`INSERT INTO events (${target.map(ident).join(', ')}) SELECT ${values.join(', ')} FROM ${source}`, onProgress);
    const n = rows ?? num((await db.rows(`SELECT count(*) AS n FROM events WHERE import_id = ?`, [importId]))[0]!['n']);
    await db.run(`INSERT INTO imports VALUES (?, ?, ?, now()::TIMESTAMP)`, [importId, file, n]);
    return n;
  });
}

/** Reads a Parquet file into the staging table; a row's "line" is its 1-based row number. */
async function stageParquet(db: UsageDb, path: string, file: string): Promise<Staged> {
  const source = `read_parquet(${literal(path)}, file_row_number = true)`;
  let described: Record<string, unknown>[];
  try {
    described = await db.rows(`DESCRIBE SELECT * FROM ${source}`);
  } catch (e) {
    return { columns: [], rows: 0, final: true, errors: [problem(file, 'U_CSV', `not a readable Parquet file: ${(e as Error).message.split('\n')[0]}`, 1, 1)] };
  }
  const columns = described.map((d) => String(d['column_name'])).filter((c) => c !== 'file_row_number');
  const errors = checkHeader(file, columns, 1);
  if (errors.length > 0) return { columns, rows: 0, errors, final: true };
  await db.run(
    `CREATE OR REPLACE TEMP TABLE staging AS SELECT CAST(file_row_number + 1 AS INTEGER) AS line, ${columns.map((c) => `NULLIF(CAST(${ident(c)} AS VARCHAR), '') AS ${ident(c)}`).join(', ')} FROM ${source}`,
  );
  const [{ n }] = (await db.rows(`SELECT count(*) AS n FROM staging`)) as [{ n: unknown }];
  return { columns, rows: num(n), errors: [], final: false };
}

/** An ISO 8601 date or date-time, with an optional zone (UTC when absent). */
const ISO_TIME = String.raw`^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$`;

/** One check per column: a condition on the staged text that makes a row bad, and why. */
function checks(columns: readonly string[]): { column: string; bad: string; why: string }[] {
  const c = (name: string) => ident(name);
  const out = [
    { column: 'customer', bad: `${c('customer')} IS NULL`, why: 'customer is empty' },
    {
      column: 'time',
      bad: `${c('time')} IS NULL OR NOT regexp_full_match(${c('time')}, ${literal(ISO_TIME)}) OR TRY_CAST(${c('time')} AS TIMESTAMPTZ) IS NULL`,
      why: 'time is not an ISO 8601 date or date-time (2025-03-14T10:22:00Z)',
    },
    { column: 'model', bad: `${c('model')} IS NULL`, why: 'model is empty' },
    {
      column: 'duration_s',
      bad: `${c('duration_s')} IS NULL OR TRY_CAST(${c('duration_s')} AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(${c('duration_s')} AS DOUBLE)) OR TRY_CAST(${c('duration_s')} AS DOUBLE) <= 0`,
      why: 'duration_s is not a positive number of seconds',
    },
  ];
  if (columns.includes('count')) {
    out.push({
      column: 'count',
      bad: `${c('count')} IS NOT NULL AND (NOT regexp_full_match(${c('count')}, '^[0-9]{1,15}$') OR CAST(${c('count')} AS BIGINT) = 0)`,
      why: 'count is not a positive whole number',
    });
  }
  return out;
}

/** The staged rows' bad values, in file order (line, then column), at most MAX_IMPORT_ERRORS + 1. */
async function validateStaged(db: UsageDb, file: string, columns: readonly string[]): Promise<Diagnostic[]> {
  const parts = checks(columns).map(
    (k) => `SELECT line, ${columns.indexOf(k.column) + 1} AS col, ${literal(k.why)} AS why, ${ident(k.column)} AS value FROM staging WHERE ${k.bad}`,
  );
  const bad = await db.rows(`${parts.join(' UNION ALL ')} ORDER BY line, col LIMIT ${MAX_IMPORT_ERRORS + 1}`);
  return bad.map((b) => {
    const value = b['value'] === null ? '' : ` (got '${String(b['value'])}')`;
    return problem(file, 'U_VALUE', `${String(b['why'])}${value}`, num(b['line']), num(b['col']));
  });
}

/** Caps a problem list, the last line saying how many more there were. */
function capped(errors: Diagnostic[], file: string): Diagnostic[] {
  if (errors.length <= MAX_IMPORT_ERRORS) return errors;
  const last = errors[MAX_IMPORT_ERRORS]!;
  return [...errors.slice(0, MAX_IMPORT_ERRORS), problem(file, 'U_TOO_MANY_ERRORS', `stopped after ${MAX_IMPORT_ERRORS} problems`, last.line, last.col)];
}

/**
 * Imports an events file (CSV, or Parquet by its extension) into the usage database: every row or
 * none. Bad rows are returned as positioned problems (line and column) and leave the database as it
 * was; a file already imported (same bytes) adds nothing.
 */
export async function importEvents(db: UsageDb, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const file = options.display ?? path;
  let size: number;
  try {
    size = (await fs.stat(path)).size;
  } catch {
    return { ok: false, file, errors: [problem(file, 'U_DATABASE', `cannot read ${file}`, 1, 1)] };
  }
  const importId = await fileHash(path);
  const known = await db.rows(`SELECT rows FROM imports WHERE import_id = ?`, [importId]);
  if (known.length > 0) return { ok: true, import_id: importId, file, rows: num(known[0]!['rows']), already_imported: true };

  const parquet = /\.parquet$/i.test(path);
  let staged: Staged;
  try {
    if (parquet) staged = await stageParquet(db, path, file);
    else {
      const header = await readHeader(path, file);
      if ('errors' in header) return { ok: false, file, errors: header.errors };
      const rows = await insertCsvFast(db, path, file, importId, header.columns, size, options.onProgress);
      if (rows !== undefined) return { ok: true, import_id: importId, file, rows, already_imported: false };
      staged = await stageCsv(db, path, file, size, options.onProgress);
    }
    if (staged.final) return { ok: false, file, errors: capped(staged.errors, file) };
    const bad = [...staged.errors, ...(await validateStaged(db, file, staged.columns))].sort((a, b) => a.line - b.line || a.col - b.col);
    if (bad.length > 0) return { ok: false, file, errors: capped(bad, file) };
    const rows = await insertEvents(db, importId, file, staged.columns, 'staging', staged.rows);
    return { ok: true, import_id: importId, file, rows, already_imported: false };
  } finally {
    await db.run('DROP TABLE IF EXISTS staging');
  }
}
