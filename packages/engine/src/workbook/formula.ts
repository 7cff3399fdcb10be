import type { Address, CellValue, Formula, FunctionName } from './types.ts';

/** Small builders so sheet code reads like the spreadsheet it makes. */
export const f = {
  num: (v: number): Formula => ({ t: 'num', v }),
  str: (v: string): Formula => ({ t: 'str', v }),
  ref: (row: number, col: number, sheet?: string): Formula => (sheet === undefined ? { t: 'ref', row, col } : { t: 'ref', sheet, row, col }),
  range: (r1: number, c1: number, r2: number, c2: number, sheet?: string): Formula =>
    sheet === undefined ? { t: 'range', r1, c1, r2, c2 } : { t: 'range', sheet, r1, c1, r2, c2 },
  /** A reference that keeps its column (`$B7`) or its row (`B$7`) when the formula is filled right or down. */
  fixed: (row: number, col: number, keep: { row?: boolean; col?: boolean }, sheet?: string): Formula => ({
    t: 'ref',
    row,
    col,
    ...(sheet === undefined ? {} : { sheet }),
    ...(keep.row ? { absRow: true } : {}),
    ...(keep.col ? { absCol: true } : {}),
  }),
  /** A range fixed in place (`$B$2:$B$9`), or in its rows only (`B$2:B$9`: it moves right when filled right). */
  fixedRange: (r1: number, c1: number, r2: number, c2: number, keep: { row?: boolean; col?: boolean }, sheet?: string): Formula => ({
    t: 'range',
    r1,
    c1,
    r2,
    c2,
    ...(sheet === undefined ? {} : { sheet }),
    ...(keep.row ? { absRow: true } : {}),
    ...(keep.col ? { absCol: true } : {}),
  }),
  name: (name: string): Formula => ({ t: 'name', name }),
  add: (...xs: Formula[]): Formula => xs.reduce((a, b) => ({ t: 'op', op: '+', a, b })),
  sub: (a: Formula, b: Formula): Formula => ({ t: 'op', op: '-', a, b }),
  mul: (a: Formula, b: Formula): Formula => ({ t: 'op', op: '*', a, b }),
  div: (a: Formula, b: Formula): Formula => ({ t: 'op', op: '/', a, b }),
  cmp: (op: '>' | '<' | '>=' | '<=' | '=' | '<>', a: Formula, b: Formula): Formula => ({ t: 'op', op, a, b }),
  /** Text concatenation (`&`), e.g. a criterion `"<"&A2`. */
  cat: (a: Formula, b: Formula): Formula => ({ t: 'op', op: '&', a, b }),
  fn: (name: FunctionName, ...args: Formula[]): Formula => ({ t: 'fn', name, args }),
};

/** Column letters of a 0-based column index (0 -> A, 26 -> AA). */
export function colLetters(col: number): string {
  let s = '';
  let n = col + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/** A1 address of a 0-based row and column. */
export function a1(row: number, col: number, absRow = false, absCol = false): string {
  return `${absCol ? '$' : ''}${colLetters(col)}${absRow ? '$' : ''}${row + 1}`;
}

function sheetPrefix(sheet: string | undefined, current: string): string {
  if (sheet === undefined || sheet === current) return '';
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(sheet) ? `${sheet}!` : `'${sheet.replace(/'/g, "''")}'!`;
}

const PRECEDENCE: Record<string, number> = { '=': 1, '<>': 1, '<': 1, '>': 1, '<=': 1, '>=': 1, '&': 1.5, '+': 2, '-': 2, '*': 3, '/': 3 };

/** The Excel text of a formula (without the leading '='), relative to the sheet it sits on. */
export function toExcel(formula: Formula, current: string): string {
  const go = (x: Formula, parent: number, dc: number): string => {
    switch (x.t) {
      case 'num':
        return x.v < 0 ? `(${String(x.v)})` : String(x.v);
      case 'str':
        return `"${x.v.replace(/"/g, '""')}"`;
      case 'ref':
        return sheetPrefix(x.sheet, current) + a1(x.row, x.absCol ? x.col : x.col + dc, x.absRow, x.absCol);
      case 'range': {
        const d = x.absCol ? 0 : dc;
        return `${sheetPrefix(x.sheet, current)}${a1(x.r1, x.c1 + d, x.absRow, x.absCol)}:${a1(x.r2, x.c2 + d, x.absRow, x.absCol)}`;
      }
      case 'name':
        return x.name;
      case 'neg':
        return `-${go(x.a, 4, dc)}`;
      case 'fn':
        return `${x.name}(${x.args.map((a) => go(a, 0, dc)).join(',')})`;
      case 'op': {
        const p = PRECEDENCE[x.op] ?? 0;
        // Right operands of - and / need brackets at equal precedence.
        const text = `${go(x.a, p, dc)}${x.op}${go(x.b, x.op === '-' || x.op === '/' ? p + 0.5 : p, dc)}`;
        return p < parent ? `(${text})` : text;
      }
      case 'shift':
        return go(x.of, parent, dc + x.dc);
    }
  };
  return go(formula, 0, 0);
}

/** A formula with its fill-right shifts applied: a tree of plain references (for code that walks formulas). */
export function unshifted(x: Formula, dc = 0): Formula {
  switch (x.t) {
    case 'ref':
      return dc === 0 || x.absCol ? x : { ...x, col: x.col + dc };
    case 'range':
      return dc === 0 || x.absCol ? x : { ...x, c1: x.c1 + dc, c2: x.c2 + dc };
    case 'op':
      return { ...x, a: unshifted(x.a, dc), b: unshifted(x.b, dc) };
    case 'neg':
      return { ...x, a: unshifted(x.a, dc) };
    case 'fn':
      return { ...x, args: x.args.map((a) => unshifted(a, dc)) };
    case 'shift':
      return unshifted(x.of, dc + x.dc);
    default:
      return x;
  }
}

/** True when `x` is `of` filled right by `dc` columns (compared without building either). */
export function isShiftOf(x: Formula, of: Formula, dc: number): boolean {
  if (x.t !== of.t) return false;
  switch (x.t) {
    case 'num':
    case 'str':
      return x.v === (of as typeof x).v;
    case 'name':
      return x.name === (of as typeof x).name;
    case 'ref': {
      const o = of as typeof x;
      return x.sheet === o.sheet && x.row === o.row && x.absRow === o.absRow && x.absCol === o.absCol && x.col === (o.absCol ? o.col : o.col + dc);
    }
    case 'range': {
      const o = of as typeof x;
      const d = o.absCol ? 0 : dc;
      return x.sheet === o.sheet && x.r1 === o.r1 && x.r2 === o.r2 && x.absRow === o.absRow && x.absCol === o.absCol && x.c1 === o.c1 + d && x.c2 === o.c2 + d;
    }
    case 'op': {
      const o = of as typeof x;
      return x.op === o.op && isShiftOf(x.a, o.a, dc) && isShiftOf(x.b, o.b, dc);
    }
    case 'neg':
      return isShiftOf(x.a, (of as typeof x).a, dc);
    case 'fn': {
      const o = of as typeof x;
      return x.name === o.name && x.args.length === o.args.length && x.args.every((a, k) => isShiftOf(a, o.args[k]!, dc));
    }
    case 'shift':
      return false;
  }
}

/** A formula and its copies filled right, `n` cells in all: one tree, each copy a `shift` of it. */
export function filledRight(of: Formula, n: number): Formula[] {
  return Array.from({ length: n }, (_, i): Formula => (i === 0 ? of : { t: 'shift', of, dc: i }));
}

/**
 * Shares the formula of cells that are one formula filled right (row `cells`, in place): each such
 * cell's formula becomes a `shift` of an earlier cell's, so the row keeps one formula tree per kind
 * of cell (a row whose periods have several columns, such as the Lots', has one per column of a
 * period). What the cells compute and how they are written does not change.
 */
export function shareFilledRight(cells: { f?: Formula }[]): void {
  // The latest few formulas of the row, each with its column: a cell's formula is tried against them.
  const seen: { of: Formula; at: number }[] = [];
  cells.forEach((cell, c) => {
    const x = cell.f;
    if (!x || x.t === 'shift') return;
    const hit = seen.find((s) => isShiftOf(x, s.of, c - s.at));
    if (hit) cell.f = { t: 'shift', of: hit.of, dc: c - hit.at };
    else {
      seen.unshift({ of: x, at: c });
      if (seen.length > 8) seen.pop();
    }
  });
}

/**
 * Calls `cell` for each single cell a formula reads and `range` for each range, kept whole (a graph
 * need not expand it per reader); no arrays are made, so a graph of many formulas costs no garbage here.
 */
export function forEachRead(
  formula: Formula,
  current: string,
  names: (n: string) => Address | undefined,
  cell: (sheet: string, row: number, col: number) => void,
  range: (sheet: string, r1: number, c1: number, r2: number, c2: number) => void,
): void {
  const go = (x: Formula, dc: number): void => {
    switch (x.t) {
      case 'ref':
        cell(x.sheet ?? current, x.row, x.absCol ? x.col : x.col + dc);
        return;
      case 'range': {
        const d = x.absCol ? 0 : dc;
        range(x.sheet ?? current, Math.min(x.r1, x.r2), Math.min(x.c1, x.c2) + d, Math.max(x.r1, x.r2), Math.max(x.c1, x.c2) + d);
        return;
      }
      case 'name': {
        const a = names(x.name);
        if (a) cell(a.sheet, a.row, a.col);
        return;
      }
      case 'op':
        go(x.a, dc);
        go(x.b, dc);
        return;
      case 'neg':
        go(x.a, dc);
        return;
      case 'fn':
        for (const a of x.args) go(a, dc);
        return;
      case 'shift':
        go(x.of, dc + x.dc);
        return;
      default:
        return;
    }
  };
  go(formula, 0);
}

/** What a formula reads: single cells, and ranges kept whole (a graph need not expand them per reader). */
export function dependencies(
  formula: Formula,
  current: string,
  names: (n: string) => Address | undefined,
): { cells: Address[]; ranges: { sheet: string; r1: number; c1: number; r2: number; c2: number }[] } {
  const cells: Address[] = [];
  const ranges: { sheet: string; r1: number; c1: number; r2: number; c2: number }[] = [];
  forEachRead(
    formula,
    current,
    names,
    (sheet, row, col) => cells.push({ sheet, row, col }),
    (sheet, r1, c1, r2, c2) => ranges.push({ sheet, r1, c1, r2, c2 }),
  );
  return { cells, ranges };
}

export type Lookup = (sheet: string, row: number, col: number) => CellValue;
type V = CellValue | CellValue[];

const ERRORS = new Set(['#CYCLE!', '#DIV/0!', '#REF!', '#VALUE!', '#NUM!']);
export function isError(v: unknown): boolean {
  return typeof v === 'string' && ERRORS.has(v);
}

function num(v: CellValue): number | string {
  if (isError(v)) return v as string;
  if (v === null || v === '') return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  const n = Number(v);
  return Number.isFinite(n) ? n : '#VALUE!';
}

/** A value as text for `&`: numbers as Excel prints them in general format. */
function text(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return String(v);
}

/** Excel's ROUND: half away from zero, computed on the decimal text to avoid 1.005 -> 1.00. */
export function excelRound(x: number, digits: number): number {
  const sign = x < 0 ? -1 : 1;
  const text = String(Math.abs(x));
  // Shift on the decimal text (1.005e2, not 1.005 × 100); text already in exponent form is shifted by multiplying.
  const shifted = /e/i.test(text) ? Math.abs(x) * 10 ** digits : Number(`${text}e${digits}`);
  return (sign * Math.round(shifted + 1e-9)) / 10 ** digits;
}

/**
 * A SUMIF criterion as Excel reads it: a value (equal to it), or a comparison written as text
 * (`"<=14"`, `">3"`, `"<>0"`) against a number.
 */
function criterion(crit: CellValue): (v: CellValue) => boolean {
  const m = typeof crit === 'string' ? /^(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)$/.exec(crit) : null;
  if (!m) {
    if (typeof crit === 'number') return (v) => v === crit || (typeof v === 'string' && v !== '' && Number(v) === crit);
    // Text against text: `"<>purchase"` (anything else, blanks included), `"=free"` or plain `"free"`.
    const t = typeof crit === 'string' ? /^(<>|=)?(.*)$/s.exec(crit)! : undefined;
    const want = String(t ? t[2] : (crit ?? '')).toLowerCase();
    const same = (v: CellValue) => String(v ?? '').toLowerCase() === want;
    return t?.[1] === '<>' ? (v) => !same(v) : same;
  }
  const n = Number(m[2]);
  const op = m[1];
  return (v) => {
    if (typeof v !== 'number') return op === '<>';
    switch (op) {
      case '<=':
        return v <= n;
      case '>=':
        return v >= n;
      case '<':
        return v < n;
      case '>':
        return v > n;
      case '<>':
        return v !== n;
      default:
        return v === n;
    }
  };
}

/** Evaluates a formula with the values of the cells it reads; errors are values. */
export function evaluate(
  formula: Formula,
  current: string,
  lookup: Lookup,
  names: (n: string) => Address | undefined,
  rangeValues?: (sheet: string, r1: number, c1: number, r2: number, c2: number) => CellValue[],
): CellValue {
  const flat = (v: V): CellValue[] => (Array.isArray(v) ? v : [v]);
  const scalar = (v: V): CellValue => (Array.isArray(v) ? (v[0] ?? null) : v);
  // The columns a `shift` moves relative references by, while its formula is evaluated.
  let dc = 0;
  const go = (x: Formula): V => {
    switch (x.t) {
      case 'num':
        return x.v;
      case 'str':
        return x.v;
      case 'ref':
        return lookup(x.sheet ?? current, x.row, x.absCol ? x.col : x.col + dc);
      case 'range': {
        const d = x.absCol ? 0 : dc;
        const r1 = Math.min(x.r1, x.r2);
        const r2 = Math.max(x.r1, x.r2);
        const c1 = Math.min(x.c1, x.c2) + d;
        const c2 = Math.max(x.c1, x.c2) + d;
        if (rangeValues) return rangeValues(x.sheet ?? current, r1, c1, r2, c2);
        const out: CellValue[] = [];
        for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) out.push(lookup(x.sheet ?? current, r, c));
        return out;
      }
      case 'shift': {
        const outer = dc;
        dc += x.dc;
        try {
          return go(x.of);
        } finally {
          dc = outer;
        }
      }
      case 'name': {
        const a = names(x.name);
        return a ? lookup(a.sheet, a.row, a.col) : '#REF!';
      }
      case 'neg': {
        const a = num(scalar(go(x.a)));
        return typeof a === 'string' ? a : -a;
      }
      case 'op': {
        const a = scalar(go(x.a));
        const b = scalar(go(x.b));
        if (isError(a)) return a;
        if (isError(b)) return b;
        if (x.op === '&') return text(a) + text(b);
        if (x.op === '=' || x.op === '<>') {
          const eq = typeof a === 'string' || typeof b === 'string' ? String(a ?? '').toLowerCase() === String(b ?? '').toLowerCase() : num(a) === num(b);
          return x.op === '=' ? eq : !eq;
        }
        const na = num(a);
        const nb = num(b);
        if (typeof na === 'string') return na;
        if (typeof nb === 'string') return nb;
        switch (x.op) {
          case '+':
            return na + nb;
          case '-':
            return na - nb;
          case '*':
            return na * nb;
          case '/':
            return nb === 0 ? '#DIV/0!' : na / nb;
          case '>':
            return na > nb;
          case '<':
            return na < nb;
          case '>=':
            return na >= nb;
          case '<=':
            return na <= nb;
        }
        return '#VALUE!';
      }
      case 'fn':
        return call(x.name, x.args);
    }
  };
  const numbers = (args: Formula[]): number[] | string => {
    const out: number[] = [];
    for (const a of args) {
      const v = go(a);
      for (const c of flat(v)) {
        if (isError(c)) return c as string;
        // Like Excel, ranges skip text and blanks; direct arguments count.
        if (typeof c === 'number') out.push(c);
        else if (!Array.isArray(v) && typeof c === 'boolean') out.push(c ? 1 : 0);
      }
    }
    return out;
  };
  const call = (name: FunctionName, args: Formula[]): V => {
    switch (name) {
      case 'SUM': {
        const ns = numbers(args);
        return typeof ns === 'string' ? ns : ns.reduce((a, b) => a + b, 0);
      }
      case 'MIN':
      case 'MAX': {
        const ns = numbers(args);
        if (typeof ns === 'string') return ns;
        if (ns.length === 0) return 0;
        return name === 'MIN' ? Math.min(...ns) : Math.max(...ns);
      }
      case 'IF': {
        const c = num(scalar(go(args[0]!)));
        if (typeof c === 'string') return c;
        return c !== 0 ? scalar(go(args[1]!)) : args[2] ? scalar(go(args[2])) : false;
      }
      case 'ABS': {
        const x = num(scalar(go(args[0]!)));
        return typeof x === 'string' ? x : Math.abs(x);
      }
      case 'IFERROR': {
        const v = scalar(go(args[0]!));
        return isError(v) ? scalar(go(args[1]!)) : v;
      }
      case 'AND':
      case 'OR': {
        const ns = numbers(args);
        if (typeof ns === 'string') return ns;
        return name === 'AND' ? ns.every((n) => n !== 0) : ns.some((n) => n !== 0);
      }
      case 'ROUND':
      case 'ROUNDUP':
      case 'ROUNDDOWN': {
        const x = num(scalar(go(args[0]!)));
        const d = num(scalar(go(args[1]!)));
        if (typeof x === 'string') return x;
        if (typeof d === 'string') return d;
        if (name === 'ROUND') return excelRound(x, d);
        const m = 10 ** d;
        const r = Math.abs(x) * m;
        if (name === 'ROUNDDOWN') return (Math.sign(x) * Math.floor(r + 1e-9)) / m;
        const up = Math.ceil(r - 1e-9);
        return (Math.sign(x) * up) / m;
      }
      case 'MOD': {
        // As Excel: the remainder has the divisor's sign (MOD(-1, 3) = 2); a divisor of 0 is #DIV/0!.
        const x = num(scalar(go(args[0]!)));
        const d = num(scalar(go(args[1]!)));
        if (typeof x === 'string') return x;
        if (typeof d === 'string') return d;
        return d === 0 ? '#DIV/0!' : x - d * Math.floor(x / d);
      }
      case 'SUMPRODUCT': {
        const arrays = args.map((a) => flat(go(a)));
        const len = arrays[0]?.length ?? 0;
        let total = 0;
        for (let i = 0; i < len; i++) {
          let p = 1;
          for (const arr of arrays) {
            const v = arr[i] ?? null;
            if (isError(v)) return v;
            p *= typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : 0;
          }
          total += p;
        }
        return total;
      }
      case 'SUMIF': {
        const range = flat(go(args[0]!));
        const crit = scalar(go(args[1]!));
        const sums = args[2] ? flat(go(args[2])) : range;
        const matches = criterion(crit);
        let total = 0;
        range.forEach((v, i) => {
          if (matches(v)) {
            const s = sums[i];
            if (typeof s === 'number') total += s;
          }
        });
        return total;
      }
      case 'SUMIFS':
      case 'COUNTIFS': {
        // SUMIFS(sum_range, range1, criterion1, …); COUNTIFS(range1, criterion1, …).
        const first = name === 'SUMIFS' ? 1 : 0;
        const sums = name === 'SUMIFS' ? flat(go(args[0]!)) : undefined;
        const tests: { values: CellValue[]; ok: (v: CellValue) => boolean }[] = [];
        for (let k = first; k + 1 < args.length; k += 2) {
          const crit = scalar(go(args[k + 1]!));
          if (isError(crit)) return crit;
          tests.push({ values: flat(go(args[k]!)), ok: criterion(crit) });
        }
        const n = sums ? sums.length : (tests[0]?.values.length ?? 0);
        let total = 0;
        for (let i = 0; i < n; i++) {
          let hit = true;
          for (const t of tests) {
            if (!t.ok(t.values[i] ?? null)) {
              hit = false;
              break;
            }
          }
          if (!hit) continue;
          if (!sums) total++;
          else {
            const s = sums[i];
            if (isError(s)) return s as CellValue;
            if (typeof s === 'number') total += s;
          }
        }
        return total;
      }
      case 'INDEX': {
        const arr = flat(go(args[0]!));
        const i = num(scalar(go(args[1]!)));
        if (typeof i === 'string') return i;
        return arr[i - 1] ?? '#REF!';
      }
      case 'MATCH': {
        const needle = scalar(go(args[0]!));
        const hay = flat(go(args[1]!));
        const idx = hay.findIndex((h) => String(h) === String(needle));
        return idx < 0 ? '#REF!' : idx + 1;
      }
    }
  };
  // A formula never yields a blank: `=A1` of an empty cell is 0, as in Excel.
  const out = scalar(go(formula));
  return out === null ? 0 : out;
}
