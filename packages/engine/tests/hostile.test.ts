import { describe, expect, it } from 'vitest';
import { MAX_FILE_SIZE, dependencyGraph, f, loadFiles, recalculate, type Cell, type Workbook } from '@creditbook/engine';

/** Bad input that is too big or too tangled for a case file: generated here. */
describe('oversized documents', () => {
  it('a 10 MB document is Y_TOO_LARGE at 1:1 and is never parsed', async () => {
    const line = 'title: ' + 'x'.repeat(1000) + '\n';
    const text = 'kind: RateCard\n' + line.repeat(Math.ceil((10 * 1024 * 1024) / line.length));
    expect(text.length).toBeGreaterThan(10 * 1024 * 1024);
    const result = await loadFiles([
      { path: 'huge.yaml', text },
      { path: 'bomb.yaml', text: `a: &a [${'x,'.repeat(50)}x]\nb: [${'*a,'.repeat(200)}*a]\n` },
    ]);
    expect(result.errors.map((e) => [e.code, e.file, e.line, e.col])).toEqual([
      ['Y_ALIAS_LIMIT', 'bomb.yaml', 1, 1],
      ['Y_TOO_LARGE', 'huge.yaml', 1, 1],
    ]);
    expect(result.errors[1]!.message).toContain(String(text.length));
    expect(result.rules.documents).toHaveLength(0);
  });

  it('one character over the limit is too large, at the limit is parsed', async () => {
    const pad = (n: number) => 'kind: Nope\n#' + 'x'.repeat(n - 13) + '\n';
    expect(pad(MAX_FILE_SIZE).length).toBe(MAX_FILE_SIZE);
    const at = await loadFiles([{ path: 'a.yaml', text: pad(MAX_FILE_SIZE) }]);
    expect(at.errors.map((e) => e.code)).toEqual(['S_UNKNOWN_KIND']);
    const over = await loadFiles([{ path: 'a.yaml', text: pad(MAX_FILE_SIZE + 1) }]);
    expect(over.errors.map((e) => e.code)).toEqual(['Y_TOO_LARGE']);
  });
});

const sheet = (name: string, rows: Cell[][]) => ({ name, columns: [], rows });
const book = (...sheets: ReturnType<typeof sheet>[]): Workbook => ({ title: 't', properties: {}, sheets });
const sorted = (cycles: string[][]) => cycles.map((c) => [...c].sort()).sort();

describe('workbook reference cycles', () => {
  it('a cell that reads itself is a cycle of one', () => {
    const wb = book(sheet('S', [[{ v: 1 }, { v: null, f: f.add(f.ref(0, 1), f.num(1)) }]]));
    expect(dependencyGraph(wb).cycles).toEqual([['S!0:1']]);
    recalculate(wb);
    expect(wb.sheets[0]!.rows[0]!.map((c) => c.v)).toEqual([1, '#CYCLE!']);
  });

  it('a SUM over a range that contains its own cell', () => {
    const wb = book(sheet('S', [[{ v: 1 }, { v: 2 }, { v: null, f: f.fn('SUM', f.range(0, 0, 0, 2)) }]]));
    expect(dependencyGraph(wb).cycles).toEqual([['S!0:2']]);
  });

  it('a cycle across sheets through a defined name names every cell on it', () => {
    const wb = book(
      sheet('Inputs', [[{ v: null, name: 'rate', f: f.mul(f.ref(0, 0, 'Calc'), f.num(2)) }]]),
      sheet('Calc', [
        [
          { v: null, f: f.add(f.ref(0, 1), f.num(1)) },
          { v: null, f: f.name('rate') },
        ],
      ]),
    );
    expect(sorted(dependencyGraph(wb).cycles)).toEqual([['Calc!0:0', 'Calc!0:1', 'Inputs!0:0']]);
  });

  it('two separate cycles are reported separately; cells outside them still evaluate', () => {
    const wb = book(
      sheet('S', [
        [{ v: null, f: f.ref(0, 1) }, { v: null, f: f.ref(0, 0) }, { v: 5 }, { v: null, f: f.mul(f.ref(0, 2), f.num(2)) }],
        [
          { v: null, f: f.ref(1, 1) },
          { v: null, f: f.ref(1, 2) },
          { v: null, f: f.ref(1, 0) },
        ],
      ]),
    );
    const g = dependencyGraph(wb);
    expect(sorted(g.cycles)).toEqual([
      ['S!0:0', 'S!0:1'],
      ['S!1:0', 'S!1:1', 'S!1:2'],
    ]);
    recalculate(wb);
    expect(wb.sheets[0]!.rows[0]![3]!.v).toBe(10);
  });

  it('a cell that reads a cycle gets the cycle error too, but is not named as part of the cycle', () => {
    const wb = book(
      sheet('S', [
        [
          { v: null, f: f.ref(0, 1) },
          { v: null, f: f.ref(0, 0) },
          { v: null, f: f.add(f.ref(0, 0), f.num(1)) },
          { v: null, f: f.ref(0, 2) },
        ],
      ]),
    );
    const g = dependencyGraph(wb);
    expect(sorted(g.cycles)).toEqual([['S!0:0', 'S!0:1']]);
    recalculate(wb);
    expect(wb.sheets[0]!.rows[0]!.map((c) => c.v)).toEqual(['#CYCLE!', '#CYCLE!', '#CYCLE!', '#CYCLE!']);
  });

  it('a cycle of 20,000 cells is found without exhausting the stack', () => {
    const n = 20_000;
    const row: Cell[] = Array.from({ length: n }, (_, i) => ({ v: null, f: f.add(f.ref(0, (i + 1) % n), f.num(1)) }));
    const g = dependencyGraph(book(sheet('S', [row])));
    expect(g.cycles).toHaveLength(1);
    expect(g.cycles[0]).toHaveLength(n);
    expect(g.sorted).toHaveLength(0);
  });
});
