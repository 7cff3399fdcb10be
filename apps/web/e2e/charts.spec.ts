import { expect, test } from '@playwright/test';
import { signIn } from './support.ts';

test("what-if charts: legend, a tooltip with every run's value, a second axis for a run that dwarfs the rest, under the CSP", async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { violations: string[] }).violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await signIn(page, 'viewer', '/what-if');
  await expect(page.getByTestId('totals')).toBeVisible();
  await page.getByTestId('scenario').selectOption('api-integration');
  // The first two variants are on (turbo-migration, monthly-expiry); add the enterprise package.
  await page.getByTestId('variant-enterprise-package').check();
  const balance = page.getByTestId('chart-balance');
  await expect(balance).toHaveAttribute('data-series', '4');
  // Its 60,000-unit package peaks near 536,000 tenths; the others stay under 60,000: its own axis.
  await expect(balance).toHaveAttribute('data-axes', 'split');
  await expect(balance).toHaveAttribute('data-right-axis', 'enterprise-package');
  for (const name of ['base', 'turbo-migration', 'monthly-expiry', 'enterprise-package (right axis)']) {
    await expect(balance.locator('svg text', { hasText: new RegExp(`^${name.replace(/[()]/g, '\\$&')}$`) })).toHaveCount(1);
  }
  // The pointer over the middle of the plot: the tooltip names the month and every run with its value.
  const plot = balance.locator('svg').first();
  await plot.scrollIntoViewIfNeeded();
  const box = (await plot.boundingBox())!;
  await plot.hover({ position: { x: box.width / 2, y: box.height / 2 } });
  await page.mouse.move(box.x + box.width / 2 + 5, box.y + box.height / 2, { steps: 4 });
  const tip = balance.locator('.chart-tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('enterprise-package');
  await expect(tip).toContainText(/\d{4}-\d{2}/);
  await expect(tip).toContainText(/base\s*[\d.,]+K?/);
  // The expired-credits bars: one series per run, patterned as well as coloured.
  await expect(page.getByTestId('chart-expired')).toHaveAttribute('data-series', '4');
  const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
  expect(violations).toEqual([]);
});
