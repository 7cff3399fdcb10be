import path from 'node:path';
import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { LEDGER } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, readXlsx, tempDir } from './support.ts';

/** Ledger lines (by label) that are hidden in a collapsed outline group, once each (every pool has the same). */
function hiddenLines(ws: ExcelJS.Worksheet): string[] {
  const out = new Set<string>();
  ws.eachRow((row, r) => {
    if (r > 2 && row.hidden && row.outlineLevel === 1) out.add(String(row.getCell(LEDGER.line + 1).value));
  });
  return [...out].sort();
}

/** Titles of the columns hidden in a collapsed outline group. */
function hiddenColumns(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  ws.getRow(1).eachCell((cell, c) => {
    const col = ws.getColumn(c);
    if (col.hidden && col.outlineLevel === 1) out.push(String(cell.value));
  });
  return out.sort();
}

describe('the file keeps what a run cannot use out of the way', () => {
  it('Ledger lines and Lots columns of policies a run does not have are collapsed; a run that has them shows them', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-layout-');
    const file = path.join(dir, 'agency.xlsx');
    await exportScenario(rules, rules.latest('Scenario', 'agency-campaigns')!.doc, file, { variants: 'all' });
    const { wb } = await readXlsx(file);
    // The base buys on a shortfall, after the draws, with no overdraft, and nothing rolls over.
    const base = wb.getWorksheet('Ledger · base')!;
    expect(base.properties.outlineLevelRow).toBe(1);
    expect(hiddenLines(base)).toEqual([
      'Overdraft repaid',
      'Owed before top-ups',
      'Owed on overdraft',
      'Packs bought at start',
      'Rolled over',
      'Served on overdraft',
    ]);
    expect(hiddenColumns(wb.getWorksheet('Lots · base')!)).toEqual(['Bought at start', 'Packs at start', 'Repaid overdraft', 'Rolled from #', 'Rolled over']);
    // threshold-packs-rollover's policy rolls credits over: its Rolled over line and columns are shown.
    const rollover = wb.worksheets.find((w) => w.name.startsWith('Ledger · threshold'))!;
    expect(hiddenLines(rollover)).not.toContain('Rolled over');
    expect(hiddenColumns(wb.worksheets.find((w) => w.name.startsWith('Lots · threshold'))!)).not.toContain('Rolled over');
    // A collapsed line is still a live row: its cells are formulas.
    let row = 0;
    base.eachRow((r, n) => {
      if (!row && r.getCell(LEDGER.line + 1).value === 'Owed on overdraft') row = n;
    });
    expect(base.getRow(row).getCell(LEDGER.first + 1).value).toHaveProperty('formula');
  });

  it('prints the Demand and Revenue about a year of periods to a page, and header rows tall enough for their titles', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-layout-');
    const file = path.join(dir, 'agency.xlsx');
    // agency-campaigns runs 24 months: two pages wide (24 ÷ 12).
    await exportScenario(rules, rules.latest('Scenario', 'agency-campaigns')!.doc, file);
    const { wb } = await readXlsx(file);
    for (const name of ['Demand', 'Revenue']) expect(wb.getWorksheet(name)!.pageSetup.fitToWidth, name).toBe(2);
    expect(wb.getWorksheet('Ledger')!.pageSetup.fitToWidth).toBe(1);
    // 'Paid (0 free, 1 paid)' in a column 9 wide wraps to three lines of 7: 45 points.
    expect(wb.getWorksheet('Lots')!.getRow(1).height).toBe(45);
  });
});
