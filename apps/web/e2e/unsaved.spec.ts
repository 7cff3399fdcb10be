import { expect, test } from '@playwright/test';
import { settled, signIn } from './support.ts';

test('leaving the editor with unsaved changes asks first, and the edit survives a reload until discarded', async ({ page }) => {
  await signIn(page, 'editor', '/rules/rate-card/kling-consumer/edit');
  await settled(page);
  const cell = page.getByTestId('cell-clip_credits-kling-v1-6-pro-10');
  const before = await cell.inputValue();
  const edited = String(Number(before) + 1);
  await cell.fill(edited);
  await cell.press('Enter');
  await settled(page);

  // A link inside the app asks; staying keeps the edit.
  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.type());
    void d.dismiss();
  });
  await page.getByRole('link', { name: 'Rules', exact: true }).first().click();
  await expect.poll(() => asked).toEqual(['confirm']);
  await expect(page).toHaveURL(/\/edit$/);
  await expect(cell).toHaveValue(edited);

  // A reload asks too (the browser's own prompt); after it the edit is back, kept in this browser.
  page.once('dialog', (d) => {
    asked.push(d.type());
    void d.accept();
  });
  await page.reload();
  await expect.poll(() => asked).toEqual(['confirm', 'beforeunload']);
  await expect(page.getByTestId('restored-draft')).toBeVisible();
  await expect(page.getByTestId('cell-clip_credits-kling-v1-6-pro-10')).toHaveValue(edited);

  // Discarded, it is gone for good.
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('discard-draft').click();
  await expect(page.getByTestId('cell-clip_credits-kling-v1-6-pro-10')).toHaveValue(before);
  await expect(page.getByTestId('restored-draft')).toHaveCount(0);
  expect(await page.evaluate(() => Object.keys(window.localStorage).filter((k) => k.startsWith('creditbook:draft:')))).toEqual([]);
  await page.reload();
  await expect(page.getByTestId('restored-draft')).toHaveCount(0);
  await expect(page.getByTestId('cell-clip_credits-kling-v1-6-pro-10')).toHaveValue(before);
});
