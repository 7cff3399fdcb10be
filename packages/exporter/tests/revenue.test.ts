import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { books, forecast, revenueMismatches } from '@creditbook/engine';
import { exportScenario } from '../src/index.ts';
import { bundledRules, mismatches, readXlsx, recalcInLibreOffice, setInput, tempDir, withPolicy } from './support.ts';

describe('the Revenue sheet is live', () => {
  it('as written it holds the engine’s books; after an analyst edits the expected breakage rate and a validity, LibreOffice recomputes the books of the edited policy', async () => {
    const rules = await bundledRules();
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const dir = tempDir('cb-revenue-');
    const file = path.join(dir, 'agency.xlsx');
    await exportScenario(rules, scenario, file);
    const before = await forecast(rules, scenario);
    const booksBefore = books(rules, before);
    const asWritten = await readXlsx(file);
    expect(revenueMismatches(asWritten.read, asWritten.sheets, [booksBefore])).toEqual([]);

    // The analyst's edits: subscription breakage 5 % -> 30 %, subscription credits valid 3 months instead of 24.
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    setInput(wb, 'Expected breakage rate: subscription (ValidityPolicy kling-validity v2)', 'base', 0.3);
    setInput(wb, 'Validity of subscription credits (months)', 'base', 3);
    const edited = path.join(dir, 'agency-edited.xlsx');
    await wb.xlsx.writeFile(edited);

    // The same edits in the rules.
    const editedRules = withPolicy(rules, 'kling-validity', (p) => ({
      ...p,
      sources: { ...p.sources, subscription: { ...p.sources.subscription!, validity: { months: 3 } } },
      revenue: { ...p.revenue!, breakage: { ...p.revenue!.breakage, subscription: 0.3 } },
    }));
    const expected = await forecast(editedRules, scenario);
    const booksExpected = books(editedRules, expected);
    // The edits matter to the books: credits now expire inside the horizon, and breakage is booked earlier.
    expect(expected.totals.expired).toBeGreaterThan(before.totals.expired);
    expect(booksExpected.periods[0]!.revenue_breakage).not.toBe(booksBefore.periods[0]!.revenue_breakage);

    const [recalculated] = await recalcInLibreOffice([edited]);
    const { read, sheets } = await readXlsx(recalculated!);
    expect(mismatches(read, sheets, [expected])).toEqual([]);
    expect(revenueMismatches(read, sheets, [booksExpected])).toEqual([]);
    expect(revenueMismatches(read, sheets, [booksBefore]).length).toBeGreaterThan(0);
  });
});
