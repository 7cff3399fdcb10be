import path from 'node:path';
import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { exportScenario } from '../src/index.ts';
import { bundledRules, readXlsx, tempDir } from './support.ts';

/** The cover's rows as text, column by column (1-based rows as exceljs counts). */
function rowsOf(ws: ExcelJS.Worksheet): string[][] {
  const out: string[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) out.push([1, 2, 3, 4, 5].map((c) => String(ws.getRow(r).getCell(c).value ?? '')));
  return out;
}

describe('the cover sheet', () => {
  it('names the scenario, every run’s description, the rule versions with their effective dates, each input’s source and confidence, and where the overall check is', async () => {
    const rules = await bundledRules();
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const file = path.join(tempDir('cb-cover-'), 'agency.xlsx');
    await exportScenario(rules, scenario, file, { variants: 'all', created: new Date('2026-02-01T09:00:00Z') });
    const { wb, sheets } = await readXlsx(file);
    expect(sheets[0]).toBe('Cover');
    const rows = rowsOf(wb.getWorksheet('Cover')!);
    const find = (a: string) => rows.find((r) => r[0] === a);
    expect(rows[0]![0]).toBe('Agency with three campaign bursts');
    expect(find('Created')![1]).toBe('2026-02-01T09:00:00.000Z');
    expect(find('Description')![1]).toBe(scenario.description);
    for (const v of scenario.variants!) expect(find(v.name)?.[1], v.name).toBe(v.description);
    // Rule versions with their effective dates (kling-consumer v2 from 2025-09-23, in force from 2025-10) and the file's Sources line.
    expect(rows).toContainEqual(['RateCard', 'kling-consumer v2', '2025-09-23', '2025-10 to 2027-05', '']);
    expect(rows.find((r) => r[1] === 'kling-plans v1')![4]).toMatch(/^docs\/sources\.md#kling-consumer-plans/);
    // Sources and confidence, from the comment on the value in its rule file (rules/plans/kling-plans/v1.yaml: price "5.00" # UNCERTAIN: single source).
    const price = rows.find((r) => r[0] === 'Pack topup-330: price' && r[1] === 'base')!;
    expect(price.slice(2)).toEqual(['5', 'uncertain', 'UNCERTAIN: single source ($5 for 330 credits)']);
    const turbo = rows.find((r) => r[0] === 'kling-consumer v2 $clip_credits › kling-v2-5-turbo › pro › 10')!;
    expect(turbo[3]).toBe('uncertain');
    // An input a variant inherits is listed once, under the base; a variant's own price under the variant.
    expect(rows.filter((r) => r[0] === 'Subscription price per month').map((r) => r[1])).toEqual(['base', 'premier-tier', 'threshold-packs-rollover']);
    // The how-to names the Summary cell of the overall check, and that cell says OK.
    const how = rows.map((r) => r[1] ?? '').find((t) => / says OK while every check/.test(t))!;
    const [, sheet, cell] = /^(\w+)!([A-Z]+\d+) says OK/.exec(how)!;
    expect(wb.getWorksheet(sheet)!.getCell(cell!).value).toMatchObject({ result: 'OK' });
  });
});
