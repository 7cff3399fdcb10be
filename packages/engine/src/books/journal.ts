import type { JournalLine } from './types.ts';

/** The journal's columns, in CSV order. */
export const JOURNAL_COLUMNS: readonly (keyof JournalLine)[] = [
  'entry',
  'date',
  'period',
  'account',
  'debit',
  'credit',
  'currency',
  'pool',
  'lot',
  'source',
  'rules',
  'memo',
];

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The journal as CSV, one line per debit or credit, with a header row (CRLF line ends, RFC 4180). */
export function journalCsv(lines: readonly JournalLine[]): string {
  const rows = [JOURNAL_COLUMNS.join(','), ...lines.map((l) => JOURNAL_COLUMNS.map((c) => field(String(l[c]))).join(','))];
  return rows.join('\r\n') + '\r\n';
}
