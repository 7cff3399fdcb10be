import type { Cell, Format, Sheet } from '@creditbook/engine';

const group = (n: number, places = 0) => n.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });

/** A cell as the table shows it. */
export function show(cell: Cell | undefined, fmt: Format | undefined): string {
  const v = cell?.v ?? null;
  if (v === null || v === undefined) return '';
  if (typeof v !== 'number') return String(v);
  switch (cell?.fmt ?? fmt) {
    case 'credits':
    case 'integer':
      return group(v);
    case 'money':
      return group(v, 2);
    case 'percent':
      return `${(v * 100).toFixed(1)}%`;
    case 'ratio':
      return v.toFixed(4);
    default:
      return String(v);
  }
}

/** Renders a sheet as an aligned text table: text left, numbers right. */
export function renderSheet(sheet: Sheet, options: { title?: boolean } = {}): string {
  const body = sheet.rows.slice(1).map((row) => sheet.columns.map((c, i) => show(row[i], c.fmt)));
  const head = sheet.columns.map((c) => c.title);
  const numeric = sheet.columns.map((_, i) => sheet.rows.slice(1).some((r) => typeof r[i]?.v === 'number'));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  if (options.title) out.unshift(`== ${sheet.name} ==`);
  return out.join('\n') + '\n';
}
