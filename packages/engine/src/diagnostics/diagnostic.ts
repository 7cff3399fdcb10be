import { type Code, messageFor } from './codes.ts';

export type Severity = 'error' | 'warning';

/** One authoring or evaluation problem, positioned in its source file. */
export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  /** File path as the store names it ('' when there is none). */
  readonly file: string;
  /** [start, end) character offsets in the file. */
  readonly pos: readonly [number, number];
  /** 1-based line and column of pos[0]. */
  readonly line: number;
  readonly col: number;
  /** Path inside the document, e.g. /parameters/clip_credits/kling-v2-1. */
  readonly path: string;
  /** The forecast period a problem arises in (a forecast's problems only). */
  readonly period?: string;
  /** The run of a scenario (`base` or a variant's name) a problem arises in. */
  readonly run?: string;
}

export interface DiagnosticInput {
  code: Code;
  detail: string;
  file?: string;
  pos?: readonly [number, number];
  path?: string;
  severity?: Severity;
  /** The file text, used to compute line and column from pos. */
  source?: string;
  period?: string;
  run?: string;
  /** Line and column when they are known without the text (a row and field of a large data file). */
  at?: { line: number; col: number };
}

/** Builds a diagnostic; line and column are computed from the source text. */
export function diagnostic(input: DiagnosticInput): Diagnostic {
  const pos = input.pos ?? [0, 0];
  const { line, col } = input.at ?? (input.source === undefined ? { line: 1, col: 1 } : lineCol(input.source, pos[0]));
  return {
    code: input.code,
    severity: input.severity ?? 'error',
    message: messageFor(input.code, input.detail),
    file: input.file ?? '',
    pos,
    line,
    col,
    path: input.path ?? '',
    ...(input.period === undefined ? {} : { period: input.period }),
    ...(input.run === undefined ? {} : { run: input.run }),
  };
}

/** 1-based line and column of an offset. */
export function lineCol(source: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(offset, 0), source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: end - lineStart + 1 };
}

/** `file:line:col: CODE message (at path)` — the one way problems are printed. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file === '' ? '' : `${d.file}:${d.line}:${d.col}: `;
  const at = d.path === '' ? '' : ` (at ${d.path})`;
  const sev = d.severity === 'warning' ? 'warning ' : '';
  return `${where}${sev}${d.code} ${d.message}${at}`;
}

/** The source line of a diagnostic with a caret under the column. */
export function codeFrame(source: string, d: Diagnostic): string {
  const lines = source.split('\n');
  const text = lines[d.line - 1] ?? '';
  const width = Math.max(1, Math.min(d.pos[1] - d.pos[0], text.length - d.col + 1));
  return `${String(d.line).padStart(5)} | ${text}\n      | ${' '.repeat(d.col - 1)}${'^'.repeat(width)}`;
}

/** Thrown only for API misuse and for results that cannot exist (e.g. an unknown card in a quote). */
export class CreditbookError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'CreditbookError';
    this.diagnostics = diagnostics;
  }
  get code(): Code | undefined {
    return this.diagnostics[0]?.code;
  }
}
