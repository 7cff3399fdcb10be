import ExcelJS from 'exceljs';
import type { Format, Workbook } from '@creditbook/engine';

const NUM_FMT: Partial<Record<Format, string>> = {
  credits: '#,##0',
  integer: '#,##0',
  money: '#,##0.00',
  ratio: '0.0000',
  percent: '0.00%',
  number: '0.######',
};

/**
 * Writes an engine workbook as .xlsx, values only (the cached value of every formula cell).
 * A stand-in until the project's exporter writes live formulas; sheets, columns and values are the engine's.
 */
export async function workbookToXlsx(wb: Workbook): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Creditbook';
  book.title = wb.title;
  book.created = new Date(0);
  book.modified = new Date(0);
  book.keywords = Object.entries(wb.properties)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
  for (const s of wb.sheets) {
    const ws = book.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: s.frozen ?? 1 }] });
    ws.columns = s.columns.map((c) => ({ key: c.key, width: c.width ?? Math.max(12, c.title.length + 2) }));
    s.rows.forEach((row, r) => {
      const out = ws.getRow(r + 1);
      row.forEach((cell, c) => {
        const target = out.getCell(c + 1);
        target.value = cell.v;
        const fmt = cell.fmt ?? s.columns[c]?.fmt;
        const numFmt = fmt ? NUM_FMT[fmt] : undefined;
        if (r > 0 && numFmt && typeof cell.v === 'number') target.numFmt = numFmt;
        if (cell.note) target.note = cell.note;
      });
      if (r === 0) out.font = { bold: true };
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
