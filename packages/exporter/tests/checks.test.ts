import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { LEDGER } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, readXlsx, recalcInLibreOffice, tempDir } from './support.ts';

/** The overall check: the last cell of the Summary's header row. */
function overall(wb: ExcelJS.Workbook): unknown {
  const row = wb.getWorksheet('Summary')!.getRow(1);
  const v = row.getCell(row.cellCount).value as unknown;
  return v && typeof v === 'object' && 'result' in v ? v.result : v;
}

describe('the Checks sheet', () => {
  it('says OK as written and after LibreOffice recalculates; a Ledger closing overwritten with a constant turns it ERROR', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-checks-');
    const file = path.join(dir, 'agency.xlsx');
    await exportScenario(rules, rules.latest('Scenario', 'agency-campaigns')!.doc, file);
    const written = await readXlsx(file);
    expect(written.sheets).toContain('Checks');
    expect(overall(written.wb)).toBe('OK');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ledger = wb.getWorksheet('Ledger')!;
    let closing: ExcelJS.Row | undefined;
    for (let r = 3; r <= ledger.rowCount && !closing; r++)
      if (ledger.getRow(r).getCell(LEDGER.line + 1).value === 'Closing balance') closing = ledger.getRow(r);
    // The fourth period's closing becomes a typed number: what it showed, plus 100.
    const cell = closing!.getCell(LEDGER.first + 4);
    const shown = (cell.value as { result: number }).result;
    cell.value = shown + 100;
    const corrupted = path.join(dir, 'corrupted.xlsx');
    await wb.xlsx.writeFile(corrupted);

    const [good, bad] = await recalcInLibreOffice([file, corrupted]);
    expect(overall((await readXlsx(good!)).wb)).toBe('OK');
    expect(overall((await readXlsx(bad!)).wb)).toBe('ERROR');
  });
});
