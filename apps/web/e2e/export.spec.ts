import ExcelJS from 'exceljs';
import { expect, test } from '@playwright/test';
import { signIn } from './support.ts';

test('export downloads a workbook whose totals are the ones on screen', async ({ page }, info) => {
  await signIn(page, 'viewer', '/what-if');
  await expect(page.getByTestId('totals')).toBeVisible(); // the page's script is running
  await page.getByTestId('scenario').selectOption('steady-studio');
  await expect(page.getByTestId('variant-turbo-migration')).toBeChecked();
  await expect(page.locator('td[data-run="monthly-expiry"][data-key="spend"]')).toBeVisible();
  await expect(page.getByTestId('export')).toBeEnabled();

  const download = page.waitForEvent('download');
  await page.getByTestId('export').click();
  const file = info.outputPath('export.xlsx');
  await (await download).saveAs(file);
  expect((await download).suggestedFilename()).toBe('steady-studio-compare.xlsx');

  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const sheet = book.getWorksheet('Compare');
  expect(sheet).toBeDefined();
  const header = (sheet!.getRow(1).values as unknown[]).slice(1).map(String);
  expect(header).toEqual(['Metric', 'base', 'turbo-migration', 'monthly-expiry', 'Δ turbo-migration', 'Δ monthly-expiry']);
  // Formula cells come back as {formula, result}: the cached value is what Excel shows before recomputing.
  // exceljs reads a formula's cached 0 (`<v>0</v>` in the file) back as no result.
  const cached = (v: unknown) => (typeof v === 'object' && v !== null && 'formula' in v ? ((v as { result?: unknown }).result ?? 0) : v);
  const rows = new Map<string, unknown[]>();
  sheet!.eachRow((row, n) => {
    if (n > 1) rows.set(String(row.getCell(1).value), (row.values as unknown[]).slice(2).map(cached));
  });
  const checks: [string, string][] = [
    ['Credits granted', 'granted'],
    ['Credits purchased', 'purchased'],
    ['Credits consumed', 'consumed'],
    ['Credits expired', 'expired'],
    ['Demand (credits)', 'demand'],
    ['Spend', 'spend'],
    ['Breakage value (expired at cost)', 'expired_value'],
  ];
  for (const [label, key] of checks) {
    const cells = rows.get(label);
    expect(cells, label).toBeDefined();
    for (const [i, run] of ['base', 'turbo-migration', 'monthly-expiry'].entries()) {
      const onScreen = await page.locator(`td[data-run="${run}"][data-key="${key}"]`).getAttribute('data-value');
      // Money as a person reads it, in cents: the file's cached sums are floating point (8.540000000000001).
      const money = key === 'spend' || key === 'expired_value';
      const read = (x: unknown) => (money ? Number(x).toFixed(2) : Number(x));
      expect(read(cells![i]), `${label} ${run}`).toBe(read(onScreen));
    }
  }
  // The live model: every run's own ledger and lots, and the assumptions an analyst may change.
  for (const name of ['Summary', 'Assumptions', 'Ledger · base', 'Ledger · turbo-migration', 'Ledger · monthly-expiry'])
    expect(book.getWorksheet(name), name).toBeDefined();
});
