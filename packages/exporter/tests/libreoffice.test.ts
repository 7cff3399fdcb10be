import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { books, revenueMismatches, runNames, type ForecastResult, type Scenario } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, forecasts, mismatches, readXlsx, recalcInLibreOffice, tempDir } from './support.ts';

describe('exported workbooks recalculated by LibreOffice', () => {
  it('give the engine’s numbers for every bundled scenario and variant (credits exactly, money to the cent)', async () => {
    const rules = await bundledRules();
    const dir = tempDir('cb-export-');
    const files: { file: string; runs: ForecastResult[] }[] = [];
    for (const id of rules.ids('Scenario')) {
      const scenario = rules.latest('Scenario', id)!.doc;
      expect(runNames(scenario).length).toBeGreaterThan(1);
      const file = path.join(dir, `${id}.xlsx`);
      await exportScenario(rules, scenario, file, { variants: 'all' });
      files.push({ file, runs: await forecasts(rules, scenario, runNames(scenario)) });
    }
    // Before any recalculation the cached values already are the engine's.
    for (const { file, runs } of files) {
      const { read, sheets } = await readXlsx(file);
      expect(mismatches(read, sheets, runs), `${path.basename(file)} as written`).toEqual([]);
    }
    const recalculated = await recalcInLibreOffice(files.map((f) => f.file));
    for (const [k, { runs }] of files.entries()) {
      const { read, sheets } = await readXlsx(recalculated[k]!);
      expect(mismatches(read, sheets, runs), path.basename(recalculated[k]!)).toEqual([]);
      // And the Revenue sheets are each run's books.
      expect(
        revenueMismatches(
          read,
          sheets,
          runs.map((r) => books(rules, r)),
        ),
        `${path.basename(recalculated[k]!)} Revenue`,
      ).toEqual([]);
    }
  });

  it('really recalculates: a file whose cached results are wrong comes back right, and the comparison catches the wrong one', async () => {
    const rules = await bundledRules();
    const scenario = rules.latest('Scenario', 'steady-studio')!.doc;
    const dir = tempDir('cb-export-wrong-');
    const good = path.join(dir, 'steady.xlsx');
    await exportScenario(rules, scenario, good);
    const runs = await forecasts(rules, scenario, ['base']);
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

  it('give the engine’s numbers for a daily scenario: daily free credits, a grant, scheduled and auto purchases, validity in days and months', async () => {
    const rules = await bundledRules();
    const agency = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const daily: Scenario = {
      ...agency,
      id: 'agency-daily',
      granularity: 'day',
      start: '2025-09-15',
      horizon: 75,
      plan: { catalog: 'kling-plans', subscription: 'standard', billing: 'monthly', daily_free: true },
      // Light every day (daily free credits expire unused), heavy for three days (top-ups bought).
      demand: [
        { id: 'previews', request: { model: 'kling-v2-1', mode: 'std', duration_s: 5 }, count: 2 },
        {
          id: 'hero-shots',
          request: { model: 'kling-v2-1-master', duration_s: 10 },
          count: 0,
          profile: { type: 'burst', bursts: [{ start: '2025-10-10', periods: 3, count: 10 }] },
        },
      ],
      grants: [{ period: '2025-10-01', pool: 'consumer', credits: 500, source: 'promotional' }],
      purchases: { policy: 'auto', pack: 'topup-330', scheduled: [{ period: '2025-09-20', pack: 'topup-330', quantity: 2, every: 30 }] },
      variants: [{ name: 'monthly-expiry', rules: { validity: 'monthly-expiry' } }],
    };
    const runs = await forecasts(rules, daily, ['base', 'monthly-expiry']);
    // The scenario exercises what it claims to.
    expect(runs[0]!.lots.some((l) => l.source === 'daily_free')).toBe(true);
    expect(runs[0]!.totals.purchased).toBeGreaterThan(0);
    expect(runs.some((r) => r.totals.expired > 0)).toBe(true);
    const file = path.join(tempDir('cb-export-daily-'), 'daily.xlsx');
    await exportScenario(rules, daily, file, { variants: 'all' });
    const [recalculated] = await recalcInLibreOffice([file]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, runs)).toEqual([]);
  });
});
