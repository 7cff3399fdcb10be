import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { exportScenario } from '../src/index.ts';
import { bundledRules, tempDir } from './support.ts';

const run = promisify(execFile);

/** Pages of a PDF file (its page objects). */
function pages(pdf: Buffer): number {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

describe('the workbook prints', () => {
  it('each run’s Ledger (24 months, every run of agency-campaigns) prints on one page: one page wide, landscape', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-pdf-');
    const file = path.join(dir, 'agency.xlsx');
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    await exportScenario(rules, scenario, file, { variants: 'all' });
    // The base and each variant: one Ledger sheet each.
    const runs = 1 + (scenario.variants ?? []).length;
    expect(runs).toBeGreaterThanOrEqual(5);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ledgers = wb.worksheets.filter((w) => w.name.startsWith('Ledger'));
    expect(ledgers.length).toBe(runs);
    // Print only the Ledgers (hidden sheets are not printed): one sheet of about 20 rows per run, fitted to the page width, is one page per run.
    for (const w of wb.worksheets) if (!w.name.startsWith('Ledger')) w.state = 'hidden';
    // exceljs reads a print area back without its rows' '$' and writes it half absolute, which LibreOffice drops (then it
    // prints the working rows below the Ledger's lines too, such as a run's pack-choice blocks): put them back, as write.ts does.
    for (const w of ledgers) {
      const area = w.pageSetup.printArea;
      if (area) w.pageSetup.printArea = area.replace(/\$?([A-Z]+)\$?(\d+)/g, '$1$$$2');
    }
    wb.views = [{ x: 0, y: 0, width: 10000, height: 20000, firstSheet: 0, activeTab: wb.worksheets.indexOf(ledgers[0]!), visibility: 'visible' }];
    const only = path.join(dir, 'ledgers.xlsx');
    await wb.xlsx.writeFile(only);
    const profile = tempDir('cb-pdf-profile-');
    await run('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--convert-to', 'pdf', '--outdir', dir, only], {
      timeout: 300_000,
    });
    const pdf = readFileSync(path.join(dir, 'ledgers.pdf'));
    expect(pages(pdf)).toBe(runs);
    // Landscape A4: the media box is wider than tall (842 × 595 points).
    const box = /\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/.exec(pdf.toString('latin1'));
    expect(Number(box![1])).toBeGreaterThan(Number(box![2]));
  });
});
