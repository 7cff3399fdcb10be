import { expect, test } from '@playwright/test';
import { editorText, settled, signIn } from './support.ts';

test('a plan catalog is edited in a form; its draft shows the changed price and its impact on every scenario that uses it', async ({ page }) => {
  await signIn(page, 'editor', '/rules/plan-catalog/kling-plans/edit');
  await settled(page);
  const pro = page.getByTestId('field-subscriptions-2-price_month');
  await expect(pro).toHaveValue('37.00');
  await pro.fill('abc');
  await pro.press('Enter');
  await expect(page.getByTestId('field-problem')).toContainText('is not a number');
  await pro.fill('40');
  await pro.press('Enter');
  await expect(page.getByTestId('field-problem')).toHaveCount(0);
  // Written in place, as a quoted decimal with its comment kept.
  await expect.poll(() => editorText(page)).toMatch(/price_month: "40\.00" +# SECONDARY-AGREE/);
  await settled(page);
  await page.getByTestId('save-note').fill('Pro to $40');
  await page.getByTestId('save-draft').click();
  await page.waitForURL(/\/rules\/plan-catalog\/kling-plans\/v\/\d+$/);
  const panel = page.getByTestId('publish-panel');
  const change = panel.locator('[data-testid=field-change][data-path="subscriptions[pro].price_month"]');
  await expect(change.getByTestId('old')).toHaveText('37.00');
  await expect(change.getByTestId('new')).toHaveText('40.00');
  // (40 − 37) / 37 = 8.11 %.
  await expect(change.getByTestId('pct')).toHaveText('+8.11%');
  // agency-campaigns pays for Pro monthly for its 24 months: 24 × 3.00 = 72.00 more.
  await expect(panel.getByTestId('impact-agency-campaigns').getByTestId('spend-delta')).toHaveText('+72.00');
  await expect(panel.getByTestId('impact-steady-studio').getByTestId('spend-delta')).toHaveText('0.00');
});

test('a validity policy is edited in a form, and its diff names the changed validity', async ({ page }) => {
  await signIn(page, 'editor', '/rules/validity-policy/kling-validity/edit');
  await settled(page);
  const topUp = page.getByTestId('field-sources-top_up-validity-months');
  await expect(topUp).toHaveValue('24');
  await topUp.fill('12');
  await topUp.press('Enter');
  await expect.poll(() => editorText(page)).toMatch(/top_up:\n\s+validity: \{ months: 12 \}/);
  await settled(page);
  await page.getByTestId('save-draft').click();
  await page.waitForURL(/\/rules\/validity-policy\/kling-validity\/v\/\d+$/);
  const change = page.getByTestId('publish-panel').locator('[data-testid=field-change][data-path="sources.top_up.validity.months"]');
  await expect(change.getByTestId('old')).toHaveText('24');
  await expect(change.getByTestId('new')).toHaveText('12');
  await expect(change.getByTestId('pct')).toHaveText('-50.00%');
  await expect(page.getByTestId('publish-panel').getByTestId('impact')).toBeVisible();
});
