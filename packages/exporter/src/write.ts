import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { colLetters, toExcel, type Cell, type Column, type Format, type Highlight, type Workbook } from '@creditbook/engine';

/** A sheet to write: its rows may be produced one at a time (a generator), so memory stays flat. */
export interface SheetSource {
  name: string;
  columns: readonly Column[];
  rows: Iterable<Cell[]>;
  frozen?: number;
  frozenColumns?: number;
  /** Pages wide when printed (default 1). */
  pagesWide?: number;
  /** Rows printed, from the top (default all). */
  printRows?: number;
  /** Conditional formats, in A1 ranges of this sheet. */
  highlights?: readonly Highlight[];
}

export interface WriteOptions {
  /** Creation time written to the file; with it, the same input gives the same bytes. */
  created?: Date;
  currency?: string;
  title?: string;
  properties?: Record<string, string>;
}

const FILLS = { input: 'FFFFF7D6', header: 'FF1F3A5F', red: 'FFF8D7DA', amber: 'FFFFE8B3' } as const;

function currencyFormat(currency: string | undefined): string {
  switch (currency ?? 'USD') {
    case 'USD':
      return '"$"#,##0.00';
    case 'EUR':
      return '#,##0.00 "€"';
    case 'GBP':
      return '"£"#,##0.00';
    default:
      return `#,##0.00 "${(currency ?? '').replace(/"/g, '')}"`;
  }
}

function numFmt(fmt: Format | undefined, currency: string | undefined): string | undefined {
  switch (fmt) {
    case 'credits':
      return '#,##0';
    case 'money':
      return currencyFormat(currency);
    case 'ratio':
      return '0.0000';
    case 'percent':
      return '0.0%';
    case 'integer':
      return '0';
    case 'number':
      return '#,##0';
    case 'decimal':
      // A factor or a parameter: as typed (3.5, 1.2, 105), never a bare point ("5.").
      return 'General';
    case 'month':
      return 'mmm yyyy';
    case 'day':
      return 'd mmm yyyy';
    case 'text':
    case 'period':
    case 'date':
      return '@';
    default:
      return undefined;
  }
}

/** Text that a spreadsheet would read as a formula or a command if typed: kept as text. */
export function looksLikeFormula(s: string): boolean {
  return /^[=+\-@\t\r]/.test(s);
}

/**
 * Writes sheets to an .xlsx file with exceljs's streaming writer: each row is committed as soon as
 * it is written. Formula cells carry their cached value; inputs are styled and may be named.
 */
export async function writeSheets(
  path: string,
  sheets: Iterable<SheetSource> | AsyncIterable<SheetSource>,
  settings: WriteOptions | (() => Promise<WriteOptions>) = {},
): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: createWriteStream(tmp), useStyles: true, useSharedStrings: false });
  let options: WriteOptions = typeof settings === 'function' ? {} : settings;
  let first = true;
  for await (const s of sheets) {
    // Settings may be known only once the first sheet exists (a model computes them as it goes).
    if (first && typeof settings === 'function') options = await settings();
    if (first) describeWorkbook(wb, options);
    first = false;
    // Printed landscape on A4, fitted to the sheet's pages wide (one, unless the model says more)
    // and as many pages tall as it takes; header rows and frozen label columns repeat on every
    // page. The streaming writer writes `fitToPage` (without which Excel ignores fitToWidth) only
    // from the options the sheet is created with.
    const frozenRows = s.frozen ?? 1;
    const ws = wb.addWorksheet(s.name, {
      views: [{ state: 'frozen', ySplit: frozenRows, xSplit: s.frozenColumns ?? 0 }],
      pageSetup: {
        orientation: 'landscape',
        paperSize: 9,
        fitToPage: true,
        fitToWidth: s.pagesWide ?? 1,
        fitToHeight: 0,
        margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
        printTitlesRow: `1:${frozenRows}`,
        ...(s.frozenColumns ? { printTitlesColumn: `A:${colLetters(s.frozenColumns - 1)}` } : {}),
      },
    });
    ws.columns = s.columns.map((c) => ({ key: c.key, width: c.width ?? Math.max(10, Math.min(40, c.title.length + 4)) }));
    let lastCol = 0;
    let r = 0;
    for (const cells of s.rows) {
      const row = ws.getRow(++r);
      let lines = 1;
      lastCol = Math.max(lastCol, cells.length);
      cells.forEach((cell, c) => {
        writeCell(row.getCell(c + 1), cell, s.name, r === 1, s.columns[c]?.fmt, options.currency);
        if (typeof cell.v === 'string' && cell.v.length > 40 && !cell.f)
          lines = Math.max(lines, Math.ceil(cell.v.length / Math.max(8, (s.columns[c]?.width ?? 12) - 2)));
      });
      if (r === 1) row.height = 30;
      else if (lines > 1) {
        row.height = Math.min(120, 15 * lines);
        cells.forEach((_cell, c) => {
          const t = row.getCell(c + 1);
          t.alignment = { ...(t.alignment ?? {}), vertical: 'top' };
        });
      }
      row.commit();
      // exceljs remembers every written formula cell as a possible shared-formula master, for the
      // life of the workbook; this writer never shares formulas, so forget them (else the heap
      // grows with every formula written).
      (ws as unknown as { _formulae: object })._formulae = {};
      // Let the zip stream drain: without a turn of the event loop, committed rows pile up in memory.
      if (r % 2_000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // exceljs puts a '$' before each corner; the rows' '$' are ours (LibreOffice drops a half-absolute area).
    if (r > 0) ws.pageSetup.printArea = `A$1:${colLetters(Math.max(lastCol, s.columns.length, 1) - 1)}$${Math.min(r, s.printRows ?? r)}`;
    for (const h of s.highlights ?? []) {
      ws.addConditionalFormatting({
        ref: h.ref,
        rules: [
          {
            type: 'expression',
            priority: 1,
            formulae: [h.formula],
            style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: FILLS[h.colour] } } },
          },
        ],
      });
    }
    ws.commit();
    await drained(wb);
  }
  if (first) describeWorkbook(wb, typeof settings === 'function' ? await settings() : options);
  await wb.commit();
  if (options.created) await reproducible(tmp, options.created);
  await rename(tmp, path).catch(async (e) => {
    await rm(tmp, { force: true });
    throw e;
  });
}

/**
 * Waits until the zip has taken every committed sheet: exceljs buffers a sheet's XML until the zip
 * reads it, and the zip reads one entry at a time, so without this a workbook of many sheets piles
 * up in memory. (Reads the archiver's task queue; if it is not there, waits one turn.)
 */
async function drained(wb: ExcelJS.stream.xlsx.WorkbookWriter): Promise<void> {
  const zip = (wb as unknown as { zip?: NodeJS.EventEmitter & { _queue?: { length(): number } } }).zip;
  const queue = zip?._queue;
  if (!zip || !queue || typeof queue.length !== 'function') {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return;
  }
  while (queue.length() > 0) await new Promise<void>((resolve) => zip.once('entry', () => resolve()));
}

function describeWorkbook(wb: ExcelJS.stream.xlsx.WorkbookWriter, options: WriteOptions): void {
  const created = options.created ?? new Date();
  wb.creator = 'Creditbook';
  wb.lastModifiedBy = 'Creditbook';
  wb.created = created;
  wb.modified = created;
  if (options.title) wb.title = options.title;
  const props = options.properties ?? {};
  wb.subject = props['scenario'] ? `Credit forecast: ${props['scenario']}` : 'Credit forecast';
  wb.keywords = props['rules'] ?? '';
  wb.description = Object.entries(props)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  wb.company = 'Creditbook';
}

function writeCell(target: ExcelJS.Cell, cell: Cell, sheet: string, isHeader: boolean, columnFmt: Format | undefined, currency: string | undefined): void {
  const fmt = cell.fmt ?? columnFmt;
  if (cell.f) {
    const result = cell.v === null || cell.v === undefined ? undefined : cell.v;
    const formula = toExcel(cell.f, sheet);
    target.value = result === undefined ? { formula } : { formula, result };
  } else if (typeof cell.v === 'string') {
    // Strings are always strings: a rule's note that starts with '=' must never become a formula.
    target.value = cell.v;
    if (looksLikeFormula(cell.v)) target.numFmt = '@';
    if (cell.v.length > 40 && !isHeader) target.alignment = { wrapText: true, vertical: 'top' };
  } else if (cell.v !== null && cell.v !== undefined) {
    target.value = cell.v;
  }
  // Numbers get their format; text is text already (and formula-like text got '@' above).
  // Header dates (the periods of a sheet with time across) keep their date format.
  const nf = (isHeader && typeof cell.v !== 'number') || (typeof cell.v === 'string' && !cell.f) ? undefined : numFmt(fmt, currency);
  if (nf) target.numFmt = nf;
  if (isHeader) {
    target.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    target.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILLS.header } };
    target.alignment = { vertical: 'middle', wrapText: true };
  } else if (cell.heading) {
    target.font = { bold: true, size: 12 };
  } else if (cell.setting) {
    target.font = { italic: true, color: { argb: 'FF6B6B6B' } };
  } else if (cell.input) {
    target.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILLS.input } };
    target.font = { color: { argb: 'FF1F4E9A' } };
    if (typeof cell.v === 'number') {
      // The engine's bounds (whole or decimal, within min and max); by default a number of 0 or more.
      const rule = cell.validation ?? {
        type: fmt === 'integer' || fmt === 'credits' ? ('whole' as const) : ('decimal' as const),
        min: 0,
        message: fmt === 'integer' || fmt === 'credits' ? 'Enter a whole number, 0 or more.' : 'Enter a number, 0 or more.',
      };
      const between = rule.min !== undefined && rule.max !== undefined;
      target.dataValidation = {
        type: rule.type,
        operator: between ? 'between' : rule.max !== undefined ? 'lessThanOrEqual' : 'greaterThanOrEqual',
        formulae: between ? [rule.min!, rule.max!] : [rule.max ?? rule.min ?? 0],
        allowBlank: false,
        showErrorMessage: true,
        errorStyle: 'stop',
        errorTitle: 'Not a valid input',
        error: rule.message,
      };
    }
  }
  if (cell.name) target.name = cell.name;
  if (cell.note) target.note = cell.note;
}

/** Rewrites the zip with every entry dated at the creation time: the same input, the same bytes. */
async function reproducible(path: string, date: Date): Promise<void> {
  const zip = await JSZip.loadAsync(await readFile(path));
  const out = new JSZip();
  const names = Object.keys(zip.files).sort();
  for (const name of names) {
    const entry = zip.files[name]!;
    if (entry.dir) continue;
    out.file(name.replace(/^\//, ''), await entry.async('nodebuffer'), { date, createFolders: false });
  }
  const buf = await out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
  await writeFile(path, buf);
}

/** Writes a Creditbook workbook (its cells' values are the cached results of their formulas). */
export async function writeWorkbook(path: string, wb: Workbook, options: WriteOptions = {}, highlights: Record<string, Highlight[]> = {}): Promise<void> {
  await writeSheets(
    path,
    wb.sheets.map((s) => ({
      name: s.name,
      columns: s.columns,
      rows: s.rows,
      frozen: s.frozen ?? 1,
      ...(s.frozenColumns ? { frozenColumns: s.frozenColumns } : {}),
      ...(s.pagesWide ? { pagesWide: s.pagesWide } : {}),
      ...(s.printRows ? { printRows: s.printRows } : {}),
      highlights: highlights[s.name] ?? s.highlights ?? [],
    })),
    { currency: wb.currency ?? 'USD', title: wb.title, properties: wb.properties, ...options },
  );
}
