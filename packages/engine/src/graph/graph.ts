import { evaluate, references } from '../workbook/formula.ts';
import type { Address, Cell, CellValue, Workbook } from '../workbook/types.ts';

const key = (sheet: string, row: number, col: number) => `${sheet}!${row}:${col}`;

/** A workbook's formula cells as a dependency graph. */
export interface DependencyGraph {
  /** Formula cells in evaluation order. */
  sorted: string[];
  /** Cells on or behind a reference cycle, each cycle named by its cells. */
  cycles: string[][];
  /** For each cell, the formula cells that read it. */
  dependents: Map<string, string[]>;
}

interface Index {
  cells: Map<string, { sheet: string; cell: Cell }>;
  names: Map<string, Address>;
}

function index(wb: Workbook): Index {
  const cells = new Map<string, { sheet: string; cell: Cell }>();
  const names = new Map<string, Address>();
  for (const s of wb.sheets) {
    s.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        cells.set(key(s.name, r, c), { sheet: s.name, cell });
        if (cell.name) names.set(cell.name, { sheet: s.name, row: r, col: c });
      }),
    );
  }
  return { cells, names };
}

/** Builds the dependency graph; a cycle is reported, never thrown. */
export function dependencyGraph(wb: Workbook): DependencyGraph {
  const { cells, names } = index(wb);
  const deps = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  for (const [k, { sheet, cell }] of cells) {
    if (!cell.f) continue;
    const reads = references(cell.f, sheet, (n) => names.get(n)).map((a) => key(a.sheet, a.row, a.col));
    deps.set(k, reads);
    for (const r of reads) {
      const list = dependents.get(r);
      if (list) list.push(k);
      else dependents.set(r, [k]);
    }
  }
  // Kahn's algorithm over formula cells.
  const indeg = new Map<string, number>();
  for (const [k, reads] of deps) indeg.set(k, reads.filter((r) => deps.has(r)).length);
  const queue = [...indeg].filter(([, d]) => d === 0).map(([k]) => k);
  const sorted: string[] = [];
  for (let qi = 0; qi < queue.length; qi++) {
    const k = queue[qi] as string;
    sorted.push(k);
    for (const d of dependents.get(k) ?? []) {
      const n = (indeg.get(d) ?? 0) - 1;
      indeg.set(d, n);
      if (n === 0) queue.push(d);
    }
  }
  const placed = new Set(sorted);
  const left = new Set([...deps.keys()].filter((k) => !placed.has(k)));
  return { sorted, cycles: findCycles(left, deps), dependents };
}

function findCycles(left: Set<string>, deps: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  for (const start of left) {
    if (done.has(start)) continue;
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let k: string | undefined = start;
    while (k !== undefined && !done.has(k)) {
      if (onPath.has(k)) {
        cycles.push(path.slice(onPath.get(k)));
        break;
      }
      onPath.set(k, path.length);
      path.push(k);
      k = (deps.get(k) ?? []).find((d) => left.has(d) && !done.has(d));
    }
    path.forEach((p) => done.add(p));
  }
  return cycles;
}

/** Evaluates every formula cell in dependency order, writing values into the workbook. Returns the cells whose value changed. */
export function recalculate(wb: Workbook, only?: ReadonlySet<string>): { changed: Set<string>; cycles: string[][] } {
  const { cells, names } = index(wb);
  const graph = dependencyGraph(wb);
  const lookup = (sheet: string, row: number, col: number): CellValue => {
    const c = cells.get(key(sheet, row, col));
    return c === undefined ? null : c.cell.v;
  };
  const changed = new Set<string>();
  for (const k of graph.sorted) {
    if (only && !only.has(k)) continue;
    const entry = cells.get(k)!;
    const v = evaluate(entry.cell.f!, entry.sheet, lookup, (n) => names.get(n));
    if (v !== entry.cell.v) {
      entry.cell.v = v;
      changed.add(k);
    }
  }
  for (const cycle of graph.cycles) {
    for (const k of cycle) {
      const entry = cells.get(k)!;
      entry.cell.v = '#CYCLE!';
      changed.add(k);
    }
  }
  return { changed, cycles: graph.cycles };
}

/** Sets input cells and recomputes only their dependents; returns the set of cells that changed (inputs included). */
export function setInputs(wb: Workbook, edits: readonly (Address & { value: CellValue })[]): Set<string> {
  const { cells } = index(wb);
  const graph = dependencyGraph(wb);
  const dirty = new Set<string>();
  const changed = new Set<string>();
  const stack: string[] = [];
  for (const e of edits) {
    const k = key(e.sheet, e.row, e.col);
    const entry = cells.get(k);
    if (!entry) continue;
    if (entry.cell.v !== e.value) changed.add(k);
    entry.cell.v = e.value;
    stack.push(k);
  }
  while (stack.length > 0) {
    const k = stack.pop() as string;
    for (const d of graph.dependents.get(k) ?? []) {
      if (!dirty.has(d)) {
        dirty.add(d);
        stack.push(d);
      }
    }
  }
  const result = recalculate(wb, dirty);
  for (const c of result.changed) changed.add(c);
  return changed;
}

/** The key of a cell in change sets: `Sheet!row:col` (0-based). */
export const cellKey = key;
