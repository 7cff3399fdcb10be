import { describe, expect, it } from 'vitest';
import {
  cellKey,
  dependencyGraph,
  f,
  recalculate,
  setInputs,
  toExcel,
  colLetters,
  shareFilledRight,
  unshifted,
  type Cell,
  type Formula,
  type Workbook,
} from '@creditbook/engine';

const book = (): Workbook => ({
  title: 't',
  properties: {},
  sheets: [
    {
      name: 'Inputs',
      columns: [{ key: 'a', title: 'A' }],
      rows: [[{ v: 'A' }], [{ v: 2, input: true, name: 'price' }], [{ v: 3, input: true }]],
    },
    {
      name: 'Calc',
      columns: [
        { key: 'x', title: 'X' },
        { key: 'y', title: 'Y' },
      ],
      rows: [
        [{ v: 'X' }, { v: 'Y' }],
        [
          { v: null, f: f.mul(f.name('price'), f.ref(2, 0, 'Inputs')) },
          { v: null, f: f.add(f.ref(1, 0), f.num(1)) },
        ],
        [
          { v: null, f: f.fn('SUM', f.range(1, 0, 1, 1)) },
          { v: null, f: f.fn('ROUND', f.div(f.ref(1, 1), f.num(3)), f.num(2)) },
        ],
      ],
    },
  ],
});

describe('workbook formulas', () => {
  it('render as Excel text with sheet prefixes only across sheets', () => {
    expect(toExcel(f.mul(f.name('price'), f.ref(2, 0, 'Inputs')), 'Calc')).toBe('price*Inputs!A3');
    expect(toExcel(f.sub(f.ref(0, 0), f.sub(f.ref(0, 1), f.ref(0, 2))), 'S')).toBe('A1-(B1-C1)');
    expect(toExcel(f.mul(f.add(f.ref(0, 0), f.ref(0, 1)), f.num(2)), 'S')).toBe('(A1+B1)*2');
    expect(toExcel(f.ref(0, 0, 'Rate card'), 'S')).toBe("'Rate card'!A1");
    expect(toExcel(f.str('say "hi"'), 'S')).toBe('"say ""hi"""');
    expect(colLetters(0)).toBe('A');
    expect(colLetters(25)).toBe('Z');
    expect(colLetters(26)).toBe('AA');
    expect(colLetters(701)).toBe('ZZ');
  });

  it('evaluate in dependency order', () => {
    const wb = book();
    recalculate(wb);
    const calc = wb.sheets[1]!.rows;
    expect(calc[1]![0]!.v).toBe(6);
    expect(calc[1]![1]!.v).toBe(7);
    expect(calc[2]![0]!.v).toBe(13);
    expect(calc[2]![1]!.v).toBe(2.33);
  });

  it('recompute only the dependents of a changed input and return the change set', () => {
    const wb = book();
    recalculate(wb);
    const changed = setInputs(wb, [{ sheet: 'Inputs', row: 2, col: 0, value: 4 }]);
    expect([...changed].sort()).toEqual(
      [cellKey('Calc', 1, 0), cellKey('Calc', 1, 1), cellKey('Calc', 2, 0), cellKey('Calc', 2, 1), cellKey('Inputs', 2, 0)].sort(),
    );
    expect(wb.sheets[1]!.rows[2]![0]!.v).toBe(17);
    // An input nothing reads changes only itself.
    const none = setInputs(wb, [{ sheet: 'Inputs', row: 0, col: 0, value: 'Price' }]);
    expect([...none]).toEqual([cellKey('Inputs', 0, 0)]);
  });

  it('report a reference cycle by naming its cells, as an error value', () => {
    const wb: Workbook = {
      title: 'c',
      properties: {},
      sheets: [
        { name: 'S', columns: [], rows: [[{ v: null, f: f.ref(0, 1) }, { v: null, f: f.add(f.ref(0, 2), f.num(1)) }, { v: null, f: f.ref(0, 0) }, { v: 1 }]] },
      ],
    };
    const g = dependencyGraph(wb);
    expect(g.cycles).toHaveLength(1);
    expect([...g.cycles[0]!].sort()).toEqual(['S!0:0', 'S!0:1', 'S!0:2']);
    recalculate(wb);
    expect(wb.sheets[0]!.rows[0]!.map((c) => c.v)).toEqual(['#CYCLE!', '#CYCLE!', '#CYCLE!', 1]);
  });

  it('turn division by zero into an error value that flows to dependents', () => {
    const wb: Workbook = {
      title: 'd',
      properties: {},
      sheets: [{ name: 'S', columns: [], rows: [[{ v: 0 }, { v: null, f: f.div(f.num(1), f.ref(0, 0)) }, { v: null, f: f.add(f.ref(0, 1), f.num(1)) }]] }],
    };
    recalculate(wb);
    expect(wb.sheets[0]!.rows[0]!.map((c) => c.v)).toEqual([0, '#DIV/0!', '#DIV/0!']);
  });

  it('SUMIF takes a value or a comparison written as text, as Excel does', () => {
    const wb: Workbook = {
      title: 't',
      properties: {},
      sheets: [
        {
          name: 'S',
          columns: [
            { key: 'a', title: 'A' },
            { key: 'b', title: 'B' },
          ],
          rows: [
            [{ v: 'A' }, { v: 'B' }],
            [{ v: 1 }, { v: 10 }],
            [{ v: 3 }, { v: 20 }],
            [{ v: 5 }, { v: 40 }],
            [
              { v: null, f: f.fn('SUMIF', f.range(1, 0, 3, 0), f.str('<=3'), f.range(1, 1, 3, 1)) },
              { v: null, f: f.fn('SUMIF', f.range(1, 0, 3, 0), f.num(5), f.range(1, 1, 3, 1)) },
            ],
            [
              { v: null, f: f.fn('SUMIF', f.range(1, 0, 3, 0), f.str('>1'), f.range(1, 1, 3, 1)) },
              { v: null, f: f.fn('SUMIF', f.range(1, 0, 3, 0), f.str('<>3'), f.range(1, 1, 3, 1)) },
            ],
          ],
        },
      ],
    };
    recalculate(wb);
    const row = (r: number) => wb.sheets[0]!.rows[r]!.map((c) => c.v);
    expect(row(4)).toEqual([30, 40]);
    expect(row(5)).toEqual([60, 50]);
  });

  it('a formula filled right is one tree shared by the row: it reads, computes and renders as each cell written out', () => {
    // Row 0 holds 1, 2, 3; row 1 is `=A1*10+$A1` filled right over three columns, written once.
    const of: Formula = f.add(f.mul(f.ref(0, 0), f.num(10)), f.fixed(0, 0, { col: true }));
    const row: Cell[] = [0, 1, 2].map((dc) => ({ v: null, f: dc === 0 ? of : { t: 'shift', of, dc } }));
    const wb: Workbook = { title: 's', properties: {}, sheets: [{ name: 'S', columns: [], rows: [[{ v: 1 }, { v: 2 }, { v: 3 }], row] }] };
    expect(row.map((c) => toExcel(c.f!, 'S'))).toEqual(['A1*10+$A1', 'B1*10+$A1', 'C1*10+$A1']);
    expect(toExcel(unshifted(row[2]!.f!), 'S')).toBe('C1*10+$A1');
    recalculate(wb);
    // 1×10+1, 2×10+1, 3×10+1.
    expect(row.map((c) => c.v)).toEqual([11, 21, 31]);
    // B1 is read by the middle cell only (and A1 by all three, through the fixed column).
    expect(dependencyGraph(wb).dependents.get(cellKey('S', 0, 1))).toEqual([cellKey('S', 1, 1)]);
    expect([...setInputs(wb, [{ sheet: 'S', row: 0, col: 1, value: 5 }])].sort()).toEqual([cellKey('S', 0, 1), cellKey('S', 1, 1)].sort());
    // 5×10+1.
    expect(row[1]!.v).toBe(51);
  });

  it('shares the cells of a row that are one formula filled right, and only those', () => {
    // SUM(A1:B1) filled right by one column is SUM(B1:C1); the third cell reads another row, so it keeps its own tree.
    const cells: Cell[] = [
      { v: null, f: f.fn('SUM', f.range(0, 0, 0, 1)) },
      { v: null, f: f.fn('SUM', f.range(0, 1, 0, 2)) },
      { v: null, f: f.fn('SUM', f.range(1, 2, 1, 3)) },
    ];
    const texts = cells.map((c) => toExcel(c.f!, 'S'));
    shareFilledRight(cells);
    expect(cells.map((c) => c.f!.t)).toEqual(['fn', 'shift', 'fn']);
    expect(cells.map((c) => toExcel(c.f!, 'S'))).toEqual(texts);
  });
});
