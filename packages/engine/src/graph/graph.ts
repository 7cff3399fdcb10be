import { evaluate, forEachRead } from '../workbook/formula.ts';
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

/** A growable list of 32-bit integers (a graph of a million formulas holds its edges in a few typed arrays). */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

// What a node is: a cell holding a value (only read), a formula cell, or a range read by formulas as one
// node however many cells read it (a column a thousand formulas sum costs a thousand edges, not a million).
const VALUE = 0;
const FORMULA = 1;
const RANGE = 2;

/**
 * Nodes are numbered densely: every formula cell, every cell a formula reads, every range read; edges
 * are kept as offsets into typed arrays, not as maps of lists. The graph keeps what reads each node
 * (compressed rows); what each node reads is needed only while the graph is made, and let go then.
 */
interface Graph {
  ix: Index;
  nodes: number;
  kind: Uint8Array;
  /** A cell node's sheet (index), row and column. */
  sheetOf: Int32Array;
  rowOf: Int32Array;
  colOf: Int32Array;
  /** Per sheet and row, the node of each cell (-1: none): see `nodeAt`. */
  slots: (Int32Array | undefined)[][];
  /** What reads node n: `readers[readerStart[n] .. readerStart[n + 1])`. */
  readerStart: Int32Array;
  readers: Int32Array;
  /** Formula cells in evaluation order. */
  sorted: Int32Array;
  cycles: number[][];
  /** Formula cells never placed in order (on or behind a cycle). */
  unplaced: number[];
}

/** `fixed`: sheets whose values are final; their formula cells are read as values, never evaluated again. */
function graphOf(ix: Index, fixed?: ReadonlySet<Sheet>): Graph {
  const kind = new Ints();
  const sheetOf = new Ints();
  const rowOf = new Ints();
  const colOf = new Ints();
  // Per sheet and row, the node of each cell (-1: none yet), made when the row is first needed.
  const slots: (Int32Array | undefined)[][] = ix.sheets.map(() => []);
  const slotRow = (k: number, r: number): Int32Array | undefined => {
    let row = slots[k]![r];
    if (!row) {
      const cells = ix.sheets[k]!.rows[r];
      if (!cells) return undefined;
      row = new Int32Array(cells.length).fill(-1);
      slots[k]![r] = row;
    }
    return row;
  };
  // What each node reads, as edges in one list: node n's are `reads[readFrom[n] .. readTo[n])` (a cell holding a value reads nothing).
  const reads = new Ints();
  const readFrom = new Ints();
  const readTo = new Ints();
  const node = (what: number, k: number, r: number, c: number): number => {
    kind.push(what);
    sheetOf.push(k);
    rowOf.push(r);
    colOf.push(c);
    readFrom.push(0);
    readTo.push(0);
    return kind.length - 1;
  };
  /** The node of an existing cell, made when first seen; -1 for a cell that does not exist. */
  const cellNode = (k: number, r: number, c: number): number => {
    const row = slotRow(k, r);
    if (!row || c < 0 || c >= row.length) return -1;
    const n = row[c]!;
    return n >= 0 ? n : (row[c] = node(VALUE, k, r, c));
  };
  // Formula cells first, so their nodes are numbered in sheet order.
  ix.sheets.forEach((s, k) => {
    if (fixed?.has(s)) return;
    s.rows.forEach((row, r) =>
      row.forEach((cell, c) => {
        if (cell.f) slotRow(k, r)![c] = node(FORMULA, k, r, c);
      }),
    );
  });
  const formulas = kind.length;
  const ranges = new Map<string, number>();
  const names = (n: string) => ix.names.get(n);
  // Ranges first read by the formula being listed: their cells are listed after its reads, so that each node's reads stay together.
  const fresh: { m: number; k: number; r1: number; c1: number; r2: number; c2: number }[] = [];
  for (let n = 0; n < formulas; n++) {
    const k = sheetOf.data[n]!;
    const sheet = ix.sheets[k]!;
    readFrom.data[n] = reads.length;
    forEachRead(
      sheet.rows[rowOf.data[n]!]![colOf.data[n]!]!.f!,
      sheet.name,
      names,
      (name, row, col) => {
        const sk = ix.bySheet.get(name);
        const m = sk === undefined ? -1 : cellNode(sk, row, col);
        if (m >= 0) reads.push(m);
      },
      (name, r1, c1, r2, c2) => {
        const sk = ix.bySheet.get(name);
        if (sk === undefined) return;
        const rk = `${sk}:${r1}:${c1}:${r2}:${c2}`;
        let m = ranges.get(rk);
        if (m === undefined) {
          m = node(RANGE, sk, r1, c1);
          ranges.set(rk, m);
          fresh.push({ m, k: sk, r1, c1, r2, c2 });
        }
        reads.push(m);
      },
    );
    readTo.data[n] = reads.length;
    // A range reads every cell inside it.
    for (const x of fresh) {
      readFrom.data[x.m] = reads.length;
      const rows = ix.sheets[x.k]!.rows;
      for (let rr = x.r1; rr <= x.r2; rr++) {
        const cells = rows[rr];
        if (!cells) continue;
        for (let cc = x.c1; cc <= Math.min(x.c2, cells.length - 1); cc++) reads.push(cellNode(x.k, rr, cc));
      }
      readTo.data[x.m] = reads.length;
    }
    fresh.length = 0;
  }
  const nodes = kind.length;
  const kinds = kind.data.subarray(0, nodes);
  const edges = reads.data;
  const from = readFrom.data;
  const to = readTo.data;
  // What reads each node: the edges turned round (a counting sort by the node read).
  const readerStart = new Int32Array(nodes + 1);
  for (let n = 0; n < nodes; n++) for (let e = from[n]!; e < to[n]!; e++) readerStart[edges[e]! + 1]!++;
  for (let n = 0; n < nodes; n++) readerStart[n + 1]! += readerStart[n]!;
  const readers = new Int32Array(reads.length);
  {
    const fill = readerStart.slice(0, nodes);
    for (let n = 0; n < nodes; n++) for (let e = from[n]!; e < to[n]!; e++) readers[fill[edges[e]!]!++] = n;
  }
  // Kahn's algorithm over formula cells and range nodes (cells holding values are known already).
  const indeg = new Int32Array(nodes);
  for (let n = 0; n < nodes; n++) for (let e = from[n]!; e < to[n]!; e++) if (kinds[edges[e]!] !== VALUE) indeg[n]!++;
  const queue = new Int32Array(nodes);
  let tail = 0;
  for (let n = 0; n < nodes; n++) if (kinds[n] !== VALUE && indeg[n] === 0) queue[tail++] = n;
  const sorted = new Int32Array(formulas);
  let placed = 0;
  for (let head = 0; head < tail; head++) {
    const n = queue[head]!;
    if (kinds[n] === FORMULA) sorted[placed++] = n;
    for (let e = readerStart[n]!; e < readerStart[n + 1]!; e++) {
      const d = readers[e]!;
      if (--indeg[d]! === 0) queue[tail++] = d;
    }
  }
  const left = new Set<number>();
  for (let n = 0; n < nodes; n++) if (indeg[n]! > 0) left.add(n);
  const cycles = findCycles(left, (n) => edges.subarray(from[n], to[n]))
    .map((c) => c.filter((n) => kinds[n] === FORMULA))
    .filter((c) => c.length > 0);
  return {
    ix,
    nodes,
    kind: new Uint8Array(kinds),
    sheetOf: sheetOf.data.subarray(0, nodes),
    rowOf: rowOf.data.subarray(0, nodes),
    colOf: colOf.data.subarray(0, nodes),
    slots,
    readerStart,
    readers,
    sorted: sorted.subarray(0, placed),
    cycles,
    unplaced: [...left].filter((n) => kinds[n] === FORMULA),
  };
}

/** The node of a cell, or -1. (Not a closure of graphOf: that would keep its edge lists alive as long as the graph.) */
const nodeAt = (g: Graph, k: number, r: number, c: number) => g.slots[k]?.[r]?.[c] ?? -1;
const keyOf = (g: Graph, n: number) => key(g.ix.sheets[g.sheetOf[n]!]!.name, g.rowOf[n]!, g.colOf[n]!);
const cellOf = (g: Graph, n: number): Cell => g.ix.sheets[g.sheetOf[n]!]!.rows[g.rowOf[n]!]![g.colOf[n]!]!;

/** Builds the dependency graph; a cycle is reported, never thrown. */
export function dependencyGraph(wb: Workbook): DependencyGraph {
  const g = graphOf(index(wb));
  const dependents = new Map<string, string[]>();
  // The formula cells reading a node, through ranges.
  const readersOf = (n: number, out: Set<number>) => {
    for (let e = g.readerStart[n]!; e < g.readerStart[n + 1]!; e++) {
      const d = g.readers[e]!;
      if (g.kind[d] === RANGE) readersOf(d, out);
      else out.add(d);
    }
  };
  for (let n = 0; n < g.nodes; n++) {
    if (g.kind[n] === RANGE || g.readerStart[n] === g.readerStart[n + 1]) continue;
    const out = new Set<number>();
    readersOf(n, out);
    dependents.set(
      keyOf(g, n),
      [...out].map((d) => keyOf(g, d)),
    );
  }
  return { sorted: [...g.sorted].map((n) => keyOf(g, n)), cycles: g.cycles.map((c) => c.map((n) => keyOf(g, n))), dependents };
}

function findCycles(left: Set<number>, reads: (n: number) => Int32Array): number[][] {
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
      k = reads(k).find((d) => left.has(d) && !done.has(d));
    }
    path.forEach((p) => done.add(p));
  }
  return cycles;
}

/**
 * Evaluates the formula cells in order (only those in `only`, when given), writing their values into
 * the workbook; with `changes`, returns the cells whose value changed (a set of keys per cell costs
 * memory a whole-model computation does not need).
 */
function recalc(g: Graph, only: Uint8Array | undefined, changes: boolean): { changed: Set<string>; cycles: string[][] } {
  const ix = g.ix;
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
  for (const n of g.sorted) {
    if (only && !only[n]) continue;
    const cell = cellOf(g, n);
    const v = evaluate(cell.f!, ix.sheets[g.sheetOf[n]!]!.name, lookup, names, range);
    if (v !== cell.v) {
      cell.v = v;
      if (changes) changed.add(keyOf(g, n));
    }
  }
  // Cells on a cycle, and every formula cell that reads one (never placed in order), are #CYCLE!.
  const onCycle = new Set(g.cycles.flat());
  for (const n of g.unplaced) {
    if (only && !only[n] && !onCycle.has(n)) continue;
    const cell = cellOf(g, n);
    if (cell.v !== '#CYCLE!' && changes) changed.add(keyOf(g, n));
    cell.v = '#CYCLE!';
  }
  return { changed, cycles: g.cycles.map((c) => c.map((n) => keyOf(g, n))) };
}

/** Evaluates every formula cell in dependency order, writing values into the workbook. Returns the cells whose value changed. */
export function recalculate(wb: Workbook): { changed: Set<string>; cycles: string[][] } {
  return recalc(graphOf(index(wb)), undefined, true);
}

/**
 * Evaluates every formula cell in dependency order, writing values into the sheets (a model's cached
 * values). The formulas of `fixed` sheets (computed already) are not evaluated again: their cells are
 * read as values, so a sheet computed after them costs a graph of its own formulas only.
 */
export function computeSheets(sheets: Sheet[], fixed: readonly Sheet[] = []): void {
  recalc(graphOf(index({ title: '', properties: {}, sheets }), new Set(fixed)), undefined, false);
}

/** Sets input cells and recomputes only their dependents; returns the set of cells that changed (inputs included). */
export function setInputs(wb: Workbook, edits: readonly (Address & { value: CellValue })[]): Set<string> {
  const ix = index(wb);
  const g = graphOf(ix);
  const dirty = new Uint8Array(g.nodes);
  const changed = new Set<string>();
  const stack: number[] = [];
  for (const e of edits) {
    const k = ix.bySheet.get(e.sheet);
    const cell = k === undefined ? undefined : ix.sheets[k]!.rows[e.row]?.[e.col];
    if (!cell || k === undefined) continue;
    if (cell.v !== e.value) changed.add(key(e.sheet, e.row, e.col));
    cell.v = e.value;
    const n = nodeAt(g, k, e.row, e.col);
    if (n >= 0) stack.push(n);
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (let e = g.readerStart[n]!; e < g.readerStart[n + 1]!; e++) {
      const d = g.readers[e]!;
      if (!dirty[d]) {
        dirty[d] = 1;
        stack.push(d);
      }
    }
  }
  const result = recalc(g, dirty, true);
  for (const c of result.changed) changed.add(c);
  return changed;
}

/** The key of a cell in change sets: `Sheet!row:col` (0-based). */
export const cellKey = key;
