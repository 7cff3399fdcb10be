import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { runNames, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, tempDir } from './support.ts';

describe('exported workbooks recalculated by LibreOffice', () => {
  it('give the engine’s numbers for every bundled scenario and variant (credits exactly, money to the cent)', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-export-');
    const files: { file: string; runs: Awaited<ReturnType<typeof exportScenario>>['runs'] }[] = [];
    for (const id of rules.ids('Scenario')) {
      const scenario = rules.latest('Scenario', id)!.doc as Scenario;
      expect(runNames(scenario).length).toBeGreaterThan(1);
      const file = path.join(dir, `${id}.xlsx`);
      const { runs } = await exportScenario(rules, scenario, file, { variants: 'all' });
      files.push({ file, runs });
    }
    const recalculated = await recalcInLibreOffice(files.map((f) => f.file));
    for (const [k, { runs }] of files.entries()) {
      const { read, sheets } = await readXlsx(recalculated[k]!);
      expect(mismatches(read, sheets, runs), path.basename(recalculated[k]!)).toEqual([]);
    }
  });

  it('really recalculates: a file whose cached results are wrong comes back right, and the comparison catches the wrong one', async () => {
    const rules = await bundledRules();
    const scenario = rules.latest('Scenario', 'steady-studio')!.doc as Scenario;
    const dir = tempDir('cb-export-wrong-');
    const good = path.join(dir, 'steady.xlsx');
    const { runs } = await exportScenario(rules, scenario, good);
    // Corrupt every cached result of the ledger sheet: <v>n</v> after a formula becomes n + 7.
    const zip = await JSZip.loadAsync(readFileSync(good));
    const wbXml = await zip.file('xl/workbook.xml')!.async('string');
    const ledgerIndex = [...wbXml.matchAll(/<sheet [^>]*name="([^"]+)"/g)].findIndex((m) => m[1] === 'Ledger') + 1;
    const sheetPath = `xl/worksheets/sheet${ledgerIndex}.xml`;
    const xml = await zip.file(sheetPath)!.async('string');
    const wrongXml = xml.replace(/(<f>[^<]*<\/f><v>)(-?[0-9.]+)(<\/v>)/g, (_m, a: string, n: string, b: string) => `${a}${Number(n) + 7}${b}`);
    expect(wrongXml).not.toBe(xml);
    zip.file(sheetPath, wrongXml);
    const wrong = path.join(dir, 'wrong.xlsx');
    writeFileSync(wrong, await zip.generateAsync({ type: 'nodebuffer' }));
    // Read as is, the wrong cached values are caught.
    const asIs = await readXlsx(wrong);
    expect(mismatches(asIs.read, asIs.sheets, runs).length).toBeGreaterThan(0);
    // Recalculated by LibreOffice (fresh profile, always recalculate), they are right again.
    copyFileSync(wrong, path.join(dir, 'wrong-copy.xlsx'));
    const [fixed] = await recalcInLibreOffice([path.join(dir, 'wrong-copy.xlsx')]);
    const back = await readXlsx(fixed!);
    expect(mismatches(back.read, back.sheets, runs)).toEqual([]);
  });
});
