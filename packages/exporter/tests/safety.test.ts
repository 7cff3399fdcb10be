import { readFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { LoadedDocument } from '@creditbook/engine';
import { exportScenario, looksLikeFormula } from '../src/index.ts';
import { bundledRules, readXlsx, tempDir } from './support.ts';

const HOSTILE = ['=HYPERLINK("http://example.invalid","click")', '+SUM(1,2)', '-2+3', '@SUM(A1)', '=1+1'];

describe('text from rules is never a formula', () => {
  it('recognises what a spreadsheet would evaluate', () => {
    for (const s of HOSTILE) expect(looksLikeFormula(s)).toBe(true);
    for (const s of ['kling-v2-1', 'Pro 10 s', '2025-06']) expect(looksLikeFormula(s)).toBe(false);
  });

  for (const title of HOSTILE) {
    it(`a card titled ${JSON.stringify(title)} is written as text`, async () => {
      const rules = await bundledRules();
      const changed: LoadedDocument[] = rules.versions('RateCard', 'kling-consumer').map((d) => ({ ...d, doc: { ...d.doc, title } }));
      const hostile = rules.with(changed);
      const file = path.join(tempDir('cb-safe-'), 'x.xlsx');
      await exportScenario(hostile, hostile.latest('Scenario', 'steady-studio')!.doc, file);
      const { wb } = await readXlsx(file);
      const sheet = wb.getWorksheet('Rate card')!;
      const found: unknown[] = [];
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          if (cell.value === title) found.push(cell.value);
          if (cell.formula && cell.formula.includes(title.slice(1, 6))) found.push({ formula: cell.formula });
        }),
      );
      // steady-studio uses one version of the card: its title appears once, as a string.
      expect(found).toEqual([title]);
      // And in the file itself the title sits in an inline string, never in a formula element.
      const zip = await JSZip.loadAsync(readFileSync(file));
      for (const name of Object.keys(zip.files).filter((n) => n.startsWith('xl/worksheets/sheet'))) {
        const xml = await zip.file(name)!.async('string');
        const escaped = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
        expect(xml.includes(`<f>${escaped}`) || xml.includes(`<f>${title.slice(1)}`)).toBe(false);
      }
    });
  }
});
