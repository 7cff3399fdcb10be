import path from 'node:path';
import { expect, test } from '@playwright/test';
import { RULES, cli, signIn } from './support.ts';

test('the portfolio page shows bands, cohorts and a variant side by side, with the numbers of creditbook compare --json', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page, 'viewer', '/portfolio');
  await expect(page.getByTestId('portfolio-select')).toHaveValue('kling-customer-base');
  await expect(page.getByTestId('portfolio-totals')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('chart-spend')).toHaveAttribute('data-series', '3');
  await expect(page.getByTestId('chart-breakage')).toBeVisible();
  // The books: deferred revenue, revenue and breakage revenue, each with its P10 / P50 / P90.
  for (const chart of ['chart-deferred', 'chart-revenue', 'chart-breakage-revenue']) await expect(page.getByTestId(chart)).toHaveAttribute('data-series', '3');
  await expect(page.getByTestId('portfolio-totals')).toContainText('Deferred revenue at the end');
  await expect(page.locator('[data-testid=portfolio-cohorts] tbody tr')).toHaveCount(5);

  const answered = page.waitForResponse((r) => r.url().includes('/api/portfolio') && r.url().includes('variant=twelve-month-validity'), { timeout: 120_000 });
  await page.getByTestId('variant-twelve-month-validity').check();
  const api = await (await answered).json();
  await expect(page.getByTestId('chart-spend')).toHaveAttribute('data-series', '6', { timeout: 60_000 });
  await expect(page.getByTestId('chart-deferred')).toHaveAttribute('data-series', '6');
  await expect(page.getByTestId('delta-twelve-month-validity').first()).toBeVisible();

  const run = cli([
    'compare',
    path.join(RULES, 'portfolios/kling-customer-base.yaml'),
    '--rules',
    RULES,
    '--variant',
    'twelve-month-validity',
    '--runs',
    '5',
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  expect(api).toEqual(JSON.parse(run.stdout));
});
