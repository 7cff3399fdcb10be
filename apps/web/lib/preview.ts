import {
  documentPath,
  formatDiagnostic,
  loadFiles,
  parseRuleFile,
  type CardPricing,
  type Diagnostic,
  type Kind,
  type RateCard,
  type StoredFile,
} from '@creditbook/engine';
import type { LoadedStore } from './store.ts';

/** A diagnostic with its CLI rendering (`file:line:col: CODE message`). */
export type ShownDiagnostic = Diagnostic & { formatted: string };

/** One priced cell of a card's grid. */
export interface GridCell {
  request: Record<string, string | number>;
  credits: number | null;
  /** Why the cell cannot be priced (a formula problem), when it cannot. */
  problem: string | null;
}

/** A card's evaluated price grid as a pivot: rows by the other dimensions, columns by one dimension. */
export interface PriceGrid {
  unit: string;
  scale: number;
  columnDimension: string;
  columns: (string | number)[];
  rowDimensions: string[];
  rows: { key: (string | number)[]; cells: (GridCell | null)[] }[];
}

export interface ExampleResult {
  request: Record<string, string | number>;
  expected: number;
  actual: number | null;
  pass: boolean;
  problem: string | null;
  note: string | null;
}

/** What the editor shows while a person edits: the loader's problems, the grid and the card's examples. */
export interface Preview {
  file: string;
  kind: Kind | null;
  id: string | null;
  errors: ShownDiagnostic[];
  warnings: ShownDiagnostic[];
  grid: PriceGrid | null;
  examples: ExampleResult[];
}

const shown = (d: Diagnostic): ShownDiagnostic => ({ ...d, formatted: formatDiagnostic(d) });

/** The path a draft saved from this text would take (what errors are reported against). */
export function draftPath(text: string, baseVersion: number): { file: string; kind: Kind | null; id: string | null } {
  const parsed = parseRuleFile('edit.yaml', text);
  const data = (parsed.data ?? {}) as Record<string, unknown>;
  const kind = typeof data['kind'] === 'string' ? (data['kind'] as Kind) : null;
  const id = typeof data['id'] === 'string' ? data['id'] : null;
  if (kind && id) {
    try {
      return { file: documentPath(kind, id, baseVersion + 1), kind, id };
    } catch {
      // An invalid id or kind: report against a neutral name.
    }
  }
  return { file: 'edit.yaml', kind, id };
}

/**
 * Validates edited text with the engine's loader, against the rest of the store, exactly as saving it
 * would (and as `creditbook validate` reports it): same codes, same lines and columns.
 */
export async function previewEdit(store: LoadedStore, text: string, baseVersion: number): Promise<Preview> {
  const { file, kind, id } = draftPath(text, baseVersion);
  const siblings = new Set(kind && id ? store.result.rules.versions(kind, id).map((v) => v.source.file) : []);
  const files: StoredFile[] = [...store.files.filter((f) => !siblings.has(f.path) && f.path !== file), { path: file, text }];
  const loaded = await loadFiles(files);
  // The edit still carries its base's version number and dates until it is saved: those two are not its problems.
  const mine = (list: Diagnostic[]) => list.filter((e) => e.file === file && e.code !== 'R_DUPLICATE_VERSION' && e.code !== 'R_EFFECTIVE_ORDER');
  const doc = loaded.rules.documents.find((d) => d.source.file === file)?.doc;
  const card = doc?.kind === 'RateCard' ? doc : undefined;
  // The grid and the examples are what the load priced: nothing is evaluated twice.
  const pricing = loaded.pricing.get(file);
  return {
    file,
    kind,
    id,
    errors: mine(loaded.errors).map(shown),
    warnings: mine(loaded.warnings).map(shown),
    grid: card ? evaluatedGrid(card, pricing) : null,
    examples: examplesOf(pricing),
  };
}

/** The column dimension of a pivot: duration when the card has one, else its last dimension. */
function columnDimension(card: RateCard): string {
  const names = Object.keys(card.dimensions);
  return names.includes('duration_s') ? 'duration_s' : (names[names.length - 1] ?? '');
}

/** A card's priced grid (as the loader priced it, every request it allows) laid out as a pivot. */
export function evaluatedGrid(card: RateCard, pricing: CardPricing | undefined): PriceGrid {
  const colDim = columnDimension(card);
  const rowDims = Object.keys(card.dimensions).filter((d) => d !== colDim);
  const columns: (string | number)[] = [];
  const rows = new Map<string, { key: (string | number)[]; cells: Map<string, GridCell> }>();
  for (const { request: r, priced: p } of pricing?.cells ?? []) {
    const col = r[colDim] as string | number;
    if (!columns.some((c) => String(c) === String(col))) columns.push(col);
    const key = rowDims.map((d) => r[d] as string | number);
    const k = JSON.stringify(key);
    const row = rows.get(k) ?? { key, cells: new Map<string, GridCell>() };
    row.cells.set(String(col), { request: r, credits: p.ok ? p.credits : null, problem: p.ok ? null : `${p.code} ${p.detail}` });
    rows.set(k, row);
  }
  // Range values arrive endpoints first; a person reads them in order.
  if (columns.every((c) => typeof c === 'number')) columns.sort((a, b) => a - b);
  return {
    unit: card.unit?.name ?? 'credits',
    scale: card.unit?.scale ?? 1,
    columnDimension: colDim,
    columns,
    rowDimensions: rowDims,
    rows: [...rows.values()].map((row) => ({ key: row.key, cells: columns.map((c) => row.cells.get(String(c)) ?? null) })),
  };
}

/** A card's own examples as the loader ran them: expected against what the formula gives. */
export function examplesOf(pricing: CardPricing | undefined): ExampleResult[] {
  return (pricing?.examples ?? []).map(({ request, expected, note, priced: p }) => ({
    request,
    expected,
    actual: p.ok ? p.credits : null,
    pass: p.ok && p.credits === expected,
    problem: p.ok ? null : `${p.code} ${p.detail}`,
    note,
  }));
}
