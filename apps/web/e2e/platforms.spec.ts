import ExcelJS from 'exceljs';
import { expect, test } from '@playwright/test';
import { signIn } from './support.ts';

test('the what-if page shows the Platforms view: every platform priced, unservable lines named, charts drawn, and its workbook holds the figures on screen', async ({
  page,
}, info) => {
  await signIn(page, 'viewer', '/what-if'); // agency-campaigns is the page's default scenario
  const view = page.getByTestId('platforms');
  await expect(view.getByTestId('platforms-table')).toBeVisible();
  // Kling on the scenario's plan and on its cheapest plan, then one cheapest row per other platform.
  const rows = view.locator('tbody tr');
  await expect(rows).toHaveCount(8);
  await expect(rows.nth(0)).toHaveAttribute('data-basis', 'scenario');
  for (const p of ['runway', 'luma', 'veo', 'sora', 'pika', 'hailuo'])
    await expect(view.locator(`tr[data-platform="${p}"][data-basis="cheapest"]`)).toHaveCount(1);
  // Sora has no 1080p price: those seconds are unservable, not free.
  const soraUnservable = await view.locator('tr[data-platform="sora"] td[data-key="unservable_seconds"]').getAttribute('data-value');
  expect(Number(soraUnservable)).toBeGreaterThan(0);
  await expect(view.getByTestId('platforms-unservable')).toContainText('OpenAI Sora cannot serve');
  await expect(view.getByTestId('chart-platforms-spend')).toBeVisible();
  await expect(view.getByTestId('chart-platforms-cumulative')).toBeVisible();

  await view.getByTestId('platforms-scenario').selectOption('steady-studio');
  await expect(view.locator('tr[data-platform="kling"][data-basis="scenario"] td[data-key="spend"]')).toHaveAttribute('data-value', '140.00');

  const download = page.waitForEvent('download');
  await view.getByTestId('platforms-export').click();
  const file = info.outputPath('platforms.xlsx');
  await (await download).saveAs(file);
  expect((await download).suggestedFilename()).toBe('steady-studio-platforms.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const sheet = book.getWorksheet('Platforms')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const spendCol = header.indexOf('Spend') + 1;
  const onScreen = await view.locator('tbody tr td[data-key="spend"]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-value')));
  expect(sheet.rowCount - 1).toBe(onScreen.length);
  onScreen.forEach((v, i) => expect(Number(sheet.getRow(i + 2).getCell(spendCol).value).toFixed(2)).toBe(v));
});
