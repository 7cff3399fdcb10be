import { dependencies, evaluate } from '../workbook/formula.ts';
import type { Address, Cell, CellValue, Sheet, Workbook } from '../workbook/types.ts';

const key = (sheet: string, row: number, col: number) => `${sheet}!${row}:${col}`;

/** A workbook's formula cells as a dependency graph. */
export interface DependencyGraph {
  /** Formula cells in evaluation order. */
  sorted: string[];
  /** Cells on or behind a reference cycle, each cycle named by its cells. */
  cycles: string[][];
  /** For each cell, the formula cells that read it (directly, or through a range). */
  dependents: Map<string, string[]>;
}

// Inside, a cell is one number (sheet, row, column packed; Excel's limits of 2^20 rows and 2^14
// columns) and a range read by formulas is one node with a negative number, however many cells
// read it: a column that a thousand formulas sum costs a thousand edges, not a million.
const ROW = 2 ** 14;
const SHEET = 2 ** 34;

interface Index {
  sheets: Sheet[];
  bySheet: Map<string, number>;
  names: Map<string, Address>;
}

function index(wb: Workbook): Index {
  const bySheet = new Map<string, number>();
  const names = new Map<string, Address>();
  wb.sheets.forEach((s, k) => {
    bySheet.set(s.name, k);
    s.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        if (cell.name) names.set(cell.name, { sheet: s.name, row: r, col: c });
      }),
    );
  });
  return { sheets: wb.sheets, bySheet, names };
}

const idOf = (sheet: number, row: number, col: number) => sheet * SHEET + row * ROW + col;
function cellOf(ix: Index, id: number): { sheet: Sheet; row: number; col: number; cell: Cell | undefined } {
  const s = Math.floor(id / SHEET);
  const rest = id - s * SHEET;
  const row = Math.floor(rest / ROW);
  const col = rest - row * ROW;
  const sheet = ix.sheets[s]!;
  return { sheet, row, col, cell: sheet.rows[row]?.[col] };
}
function keyOf(ix: Index, id: number): string {
  const c = cellOf(ix, id);
  return key(c.sheet.name, c.row, c.col);
}

interface Graph {
  /** Formula cells in evaluation order. */
  sorted: number[];
  cycles: number[][];
  /** What reads each cell or range node. */
  dependents: Map<number, number[]>;
  /** Formula cells never placed in order (on or behind a cycle). */
  unplaced: number[];
}

function graphOf(ix: Index): Graph {
  const deps = new Map<number, number[]>();
  const dependents = new Map<number, number[]>();
  const link = (from: number, to: number) => {
    const list = dependents.get(from);
    if (list) list.push(to);
    else dependents.set(from, [to]);
  };
  const ranges = new Map<string, number>();
  ix.sheets.forEach((s, sk) =>
    s.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        if (!cell.f) return;
        const id = idOf(sk, r, c);
        const d = dependencies(cell.f, s.name, (n) => ix.names.get(n));
        const reads: number[] = [];
        for (const a of d.cells) {
          const k = ix.bySheet.get(a.sheet);
          if (k !== undefined) reads.push(idOf(k, a.row, a.col));
        }
        for (const rg of d.ranges) {
          const k = ix.bySheet.get(rg.sheet);
          if (k === undefined) continue;
          const rk = `${k}:${rg.r1}:${rg.c1}:${rg.r2}:${rg.c2}`;
          let node = ranges.get(rk);
          if (node === undefined) {
            node = -(ranges.size + 1);
            ranges.set(rk, node);
            // A range node depends on the formula cells inside it; every cell inside it leads to it.
            const inside: number[] = [];
            const sheet = ix.sheets[k]!;
            for (let rr = rg.r1; rr <= rg.r2; rr++) {
              const cells = sheet.rows[rr];
              if (!cells) continue;
              for (let cc = rg.c1; cc <= Math.min(rg.c2, cells.length - 1); cc++) {
                const m = idOf(k, rr, cc);
                link(m, node);
                if (cells[cc]?.f) inside.push(m);
              }
            }
            deps.set(node, inside);
          }
          reads.push(node);
        }
        deps.set(id, reads);
        for (const rd of reads) link(rd, id);
      }),
    ),
  );
  // Kahn's algorithm over formula cells and range nodes.
  const indeg = new Map<number, number>();
  for (const [k, reads] of deps) {
    let n = 0;
    for (const r of reads) if (deps.has(r)) n++;
    indeg.set(k, n);
  }
  const queue: number[] = [];
  for (const [k, d] of indeg) if (d === 0) queue.push(k);
  const sorted: number[] = [];
  for (let qi = 0; qi < queue.length; qi++) {
    const k = queue[qi]!;
    if (k >= 0) sorted.push(k);
    for (const d of dependents.get(k) ?? []) {
      const n = indeg.get(d)! - 1;
      indeg.set(d, n);
      if (n === 0) queue.push(d);
    }
  }
  const left = new Set<number>();
  for (const [k, n] of indeg) if (n > 0) left.add(k);
  const cycles = findCycles(left, deps)
    .map((c) => c.filter((k) => k >= 0))
    .filter((c) => c.length > 0);
  return { sorted, cycles, dependents, unplaced: [...left].filter((k) => k >= 0) };
}

/** Builds the dependency graph; a cycle is reported, never thrown. */
export function dependencyGraph(wb: Workbook): DependencyGraph {
  const ix = index(wb);
  const g = graphOf(ix);
  const dependents = new Map<string, string[]>();
  const readers = (id: number, out: Set<number>) => {
    for (const d of g.dependents.get(id) ?? []) {
      if (d < 0) readers(d, out);
      else out.add(d);
    }
  };
  for (const id of g.dependents.keys()) {
    if (id < 0) continue;
    const out = new Set<number>();
    readers(id, out);
    dependents.set(
      keyOf(ix, id),
      [...out].map((d) => keyOf(ix, d)),
    );
  }
  return { sorted: g.sorted.map((id) => keyOf(ix, id)), cycles: g.cycles.map((c) => c.map((id) => keyOf(ix, id))), dependents };
}

function findCycles(left: Set<number>, deps: Map<number, number[]>): number[][] {
  const cycles: number[][] = [];
  const done = new Set<number>();
  for (const start of left) {
    if (done.has(start)) continue;
    const path: number[] = [];
    const onPath = new Map<number, number>();
    let k: number | undefined = start;
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

function recalc(ix: Index, graph: Pick<Graph, 'sorted' | 'cycles' | 'unplaced'>, only?: ReadonlySet<number>): { changed: Set<string>; cycles: string[][] } {
  const lookup = (sheet: string, row: number, col: number): CellValue => {
    const k = ix.bySheet.get(sheet);
    return k === undefined ? null : (ix.sheets[k]!.rows[row]?.[col]?.v ?? null);
  };
  // A range's values are read once: in dependency order every cell inside it is final before any reader runs.
  const seen = new Map<string, CellValue[]>();
  const range = (sheet: string, r1: number, c1: number, r2: number, c2: number): CellValue[] => {
    const rk = `${sheet}\u0000${r1}:${c1}:${r2}:${c2}`;
    const known = seen.get(rk);
    if (known) return known;
    const k = ix.bySheet.get(sheet);
    const out: CellValue[] = [];
    seen.set(rk, out);
    const rows = k === undefined ? [] : ix.sheets[k]!.rows;
    for (let r = r1; r <= r2; r++) {
      const cells = rows[r];
      for (let c = c1; c <= c2; c++) out.push(cells?.[c]?.v ?? null);
    }
    return out;
  };
  const names = (n: string) => ix.names.get(n);
  const changed = new Set<string>();
  for (const id of graph.sorted) {
    if (only && !only.has(id)) continue;
    const { sheet, cell } = cellOf(ix, id);
    const v = evaluate(cell!.f!, sheet.name, lookup, names, range);
    if (v !== cell!.v) {
      cell!.v = v;
      changed.add(keyOf(ix, id));
    }
  }
  // Cells on a cycle, and every formula cell that reads one (never placed in order), are #CYCLE!.
  const onCycle = new Set(graph.cycles.flat());
  for (const id of graph.unplaced) {
    if (only && !only.has(id) && !onCycle.has(id)) continue;
    const { cell } = cellOf(ix, id);
    if (cell!.v !== '#CYCLE!') changed.add(keyOf(ix, id));
    cell!.v = '#CYCLE!';
  }
  return { changed, cycles: graph.cycles.map((c) => c.map((id) => keyOf(ix, id))) };
}

/** Evaluates every formula cell in dependency order, writing values into the workbook. Returns the cells whose value changed. */
export function recalculate(wb: Workbook): { changed: Set<string>; cycles: string[][] } {
  const ix = index(wb);
  // Only the order is needed: the edges can go before the evaluation starts.
  const { sorted, cycles, unplaced } = graphOf(ix);
  return recalc(ix, { sorted, cycles, unplaced });
}

/** Sets input cells and recomputes only their dependents; returns the set of cells that changed (inputs included). */
export function setInputs(wb: Workbook, edits: readonly (Address & { value: CellValue })[]): Set<string> {
  const ix = index(wb);
  const graph = graphOf(ix);
  const dirty = new Set<number>();
  const changed = new Set<string>();
  const stack: number[] = [];
  for (const e of edits) {
    const k = ix.bySheet.get(e.sheet);
    const cell = k === undefined ? undefined : ix.sheets[k]!.rows[e.row]?.[e.col];
    if (!cell || k === undefined) continue;
    if (cell.v !== e.value) changed.add(key(e.sheet, e.row, e.col));
    cell.v = e.value;
    stack.push(idOf(k, e.row, e.col));
  }
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const d of graph.dependents.get(id) ?? []) {
      if (!dirty.has(d)) {
        dirty.add(d);
        stack.push(d);
      }
    }
  }
  const result = recalc(ix, graph, dirty);
  for (const c of result.changed) changed.add(c);
  return changed;
}

/** The key of a cell in change sets: `Sheet!row:col` (0-based). */
export const cellKey = key;
