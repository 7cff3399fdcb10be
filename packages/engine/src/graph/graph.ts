import { dependencies, evaluate } from '../workbook/formula.ts';
import type { Address, Cell, CellValue, Sheet, Workbook } from '../workbook/types.ts';

const key = (sheet: string, row: number, col: number) => `${sheet}!${row}:${col}`;
const rangeKey = (r: { sheet: string; r1: number; c1: number; r2: number; c2: number }) => `${r.sheet}!${r.r1}:${r.c1}:${r.r2}:${r.c2}#`;

/** A workbook's formula cells as a dependency graph. */
export interface DependencyGraph {
  /** Formula cells in evaluation order. */
  sorted: string[];
  /** Cells on or behind a reference cycle, each cycle named by its cells. */
  cycles: string[][];
  /**
   * For each cell, what reads it: formula cells, and ranges (keys ending in `#`) whose readers are
   * in turn listed under the range's key. A range is one node however many cells read it, so a
   * column that a thousand formulas sum costs a thousand edges, not a million.
   */
  dependents: Map<string, string[]>;
}

interface Index {
  sheets: Map<string, Sheet>;
  names: Map<string, Address>;
}

function index(wb: Workbook): Index {
  const sheets = new Map<string, Sheet>();
  const names = new Map<string, Address>();
  for (const s of wb.sheets) {
    sheets.set(s.name, s);
    s.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        if (cell.name) names.set(cell.name, { sheet: s.name, row: r, col: c });
      }),
    );
  }
  return { sheets, names };
}

function cellAt(ix: Index, sheet: string, row: number, col: number): Cell | undefined {
  return ix.sheets.get(sheet)?.rows[row]?.[col];
}

function parseKey(k: string): Address {
  const bang = k.lastIndexOf('!');
  const [row, col] = k.slice(bang + 1).split(':');
  return { sheet: k.slice(0, bang), row: Number(row), col: Number(col) };
}

function graphOf(wb: Workbook, ix: Index): DependencyGraph & { deps: Map<string, string[]> } {
  const deps = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = dependents.get(from);
    if (list) list.push(to);
    else dependents.set(from, [to]);
  };
  const ranges = new Map<string, string[]>();
  for (const s of wb.sheets) {
    s.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        if (!cell.f) return;
        const k = key(s.name, r, c);
        const d = dependencies(cell.f, s.name, (n) => ix.names.get(n));
        const reads: string[] = d.cells.map((a) => key(a.sheet, a.row, a.col));
        for (const rg of d.ranges) {
          const rk = rangeKey(rg);
          if (!ranges.has(rk)) {
            // A range node depends on the formula cells inside it; every cell inside it leads to it.
            const inside: string[] = [];
            const sheet = ix.sheets.get(rg.sheet);
            for (let rr = rg.r1; rr <= rg.r2; rr++) {
              const cells = sheet?.rows[rr];
              if (!cells) continue;
              for (let cc = rg.c1; cc <= Math.min(rg.c2, cells.length - 1); cc++) {
                const mk = key(rg.sheet, rr, cc);
                link(mk, rk);
                if (cells[cc]?.f) inside.push(mk);
              }
            }
            ranges.set(rk, inside);
          }
          reads.push(rk);
        }
        deps.set(k, reads);
        for (const rd of reads) link(rd, k);
      }),
    );
  }
  for (const [rk, inside] of ranges) deps.set(rk, inside);
  // Kahn's algorithm over formula cells and range nodes.
  const indeg = new Map<string, number>();
  for (const [k, reads] of deps) {
    let n = 0;
    for (const r of reads) if (deps.has(r)) n++;
    indeg.set(k, n);
  }
  const queue: string[] = [];
  for (const [k, d] of indeg) if (d === 0) queue.push(k);
  const sorted: string[] = [];
  const placed = new Set<string>();
  for (let qi = 0; qi < queue.length; qi++) {
    const k = queue[qi]!;
    placed.add(k);
    if (!k.endsWith('#')) sorted.push(k);
    for (const d of dependents.get(k) ?? []) {
      const n = (indeg.get(d) ?? 0) - 1;
      indeg.set(d, n);
      if (n === 0) queue.push(d);
    }
  }
  const left = new Set([...deps.keys()].filter((k) => !placed.has(k)));
  const cycles = findCycles(left, deps).map((c) => c.filter((k) => !k.endsWith('#'))).filter((c) => c.length > 0);
  return { sorted, cycles, dependents, deps };
}

/** Builds the dependency graph; a cycle is reported, never thrown. */
export function dependencyGraph(wb: Workbook): DependencyGraph {
  const { sorted, cycles, dependents } = graphOf(wb, index(wb));
  return { sorted, cycles, dependents };
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

function recalc(wb: Workbook, ix: Index, graph: DependencyGraph & { deps: Map<string, string[]> }, only?: ReadonlySet<string>): { changed: Set<string>; cycles: string[][] } {
  const lookup = (sheet: string, row: number, col: number): CellValue => cellAt(ix, sheet, row, col)?.v ?? null;
  const names = (n: string) => ix.names.get(n);
  const changed = new Set<string>();
  const placed = new Set<string>();
  for (const k of graph.sorted) {
    placed.add(k);
    if (only && !only.has(k)) continue;
    const a = parseKey(k);
    const cell = cellAt(ix, a.sheet, a.row, a.col)!;
    const v = evaluate(cell.f!, a.sheet, lookup, names);
    if (v !== cell.v) {
      cell.v = v;
      changed.add(k);
    }
  }
  // Cells on a cycle, and every formula cell that reads one (never placed in order), are #CYCLE!.
  const onCycle = new Set(graph.cycles.flat());
  for (const k of graph.deps.keys()) {
    if (k.endsWith('#') || placed.has(k) || (only && !only.has(k) && !onCycle.has(k))) continue;
    const a = parseKey(k);
    const cell = cellAt(ix, a.sheet, a.row, a.col)!;
    if (cell.v !== '#CYCLE!') changed.add(k);
    cell.v = '#CYCLE!';
  }
  return { changed, cycles: graph.cycles };
}

/** Evaluates every formula cell in dependency order, writing values into the workbook. Returns the cells whose value changed. */
export function recalculate(wb: Workbook, only?: ReadonlySet<string>): { changed: Set<string>; cycles: string[][] } {
  const ix = index(wb);
  return recalc(wb, ix, graphOf(wb, ix), only);
}

/** Sets input cells and recomputes only their dependents; returns the set of cells that changed (inputs included). */
export function setInputs(wb: Workbook, edits: readonly (Address & { value: CellValue })[]): Set<string> {
  const ix = index(wb);
  const graph = graphOf(wb, ix);
  const dirty = new Set<string>();
  const changed = new Set<string>();
  const stack: string[] = [];
  for (const e of edits) {
    const cell = cellAt(ix, e.sheet, e.row, e.col);
    if (!cell) continue;
    const k = key(e.sheet, e.row, e.col);
    if (cell.v !== e.value) changed.add(k);
    cell.v = e.value;
    stack.push(k);
  }
  while (stack.length > 0) {
    const k = stack.pop()!;
    for (const d of graph.dependents.get(k) ?? []) {
      if (!dirty.has(d)) {
        dirty.add(d);
        stack.push(d);
      }
    }
  }
  const result = recalc(wb, ix, graph, dirty);
  for (const c of result.changed) changed.add(c);
  return changed;
}

/** The key of a cell in change sets: `Sheet!row:col` (0-based). */
export const cellKey = key;
