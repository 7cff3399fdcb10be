import path from 'node:path';
import { expect, test } from '@playwright/test';
import { RULES, cli, signIn } from './support.ts';

test('a what-if with two variants shows exactly the numbers of creditbook compare --json', async ({ page }) => {
  await signIn(page, 'viewer', '/what-if');
  await expect(page.getByTestId('scenario')).toHaveValue('agency-campaigns');
  await expect(page.getByTestId('totals')).toBeVisible();

  // Two variants: turbo-migration (on by default) and premier-tier instead of monthly-expiry.
  const compared = page.waitForResponse((r) => r.url().endsWith('/api/compare') && r.request().postDataJSON()?.variants?.includes('premier-tier'));
  await page.getByTestId('variant-monthly-expiry').uncheck();
  await page.getByTestId('variant-premier-tier').check();
  const api = await (await compared).json();
  await expect(page.locator('[data-testid=totals] thead th')).toHaveCount(1 + 3 + 2);

  const run = cli([
    'compare',
    path.join(RULES, 'scenarios/agency-campaigns.yaml'),
    '--rules',
    RULES,
    '--variant',
    'turbo-migration',
    '--variant',
    'premier-tier',
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  const expected = JSON.parse(run.stdout);
  expect(api).toEqual(expected);

  expect(expected.runs.map((r: { name: string }) => r.name)).toEqual(['base', 'turbo-migration', 'premier-tier']);
  for (const r of expected.runs as { name: string; totals: Record<string, unknown> }[]) {
    for (const [key, value] of Object.entries(r.totals)) {
      await expect(page.locator(`[data-testid=totals] td[data-run="${r.name}"][data-key="${key}"]`)).toHaveAttribute('data-value', String(value ?? ''));
    }
  }
  for (const d of expected.deltas as { name: string; totals: Record<string, unknown> }[]) {
    for (const [key, value] of Object.entries(d.totals)) {
      await expect(page.locator(`[data-testid=totals] td[data-delta="${d.name}"][data-key="${key}"]`)).toHaveAttribute('data-value', String(value ?? ''));
    }
  }
  // What a person reads: grouped credits and two-place money.
  const base = expected.runs[0].totals;
  await expect(page.locator('td[data-run=base][data-key=consumed]')).toHaveText(Number(base.consumed).toLocaleString('en-US'));
  await expect(page.locator('td[data-run=base][data-key=spend]')).toHaveText(
    Number(base.spend).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  );
  await expect(page.getByTestId('chart-balance')).toHaveAttribute('data-series', '3');
  // A drawn line (the first path is a horizontal grid line, zero pixels high, which Playwright counts as hidden).
  await expect(page.getByTestId('chart-balance').locator('svg path').filter({ visible: true }).first()).toBeVisible();
});

test('the threshold top-up, several-pack and rollover variant compares beside the base, with the numbers of creditbook compare', async ({ page }) => {
  await signIn(page, 'viewer', '/what-if');
  await expect(page.getByTestId('totals')).toBeVisible();
  const compared = page.waitForResponse((r) => r.url().endsWith('/api/compare') && r.request().postDataJSON()?.variants?.includes('threshold-packs-rollover'));
  await page.getByTestId('variant-turbo-migration').uncheck();
  await page.getByTestId('variant-threshold-packs-rollover').check();
  const api = await (await compared).json();
  const run = cli([
    'compare',
    path.join(RULES, 'scenarios/agency-campaigns.yaml'),
    '--rules',
    RULES,
    '--variant',
    'monthly-expiry',
    '--variant',
    'threshold-packs-rollover',
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  const expected = JSON.parse(run.stdout);
  expect(api).toEqual(expected);
  const policies = expected.runs.find((r: { name: string }) => r.name === 'threshold-packs-rollover').totals;
  await expect(page.locator('[data-testid=totals] td[data-run="threshold-packs-rollover"][data-key="purchased"]')).toHaveAttribute(
    'data-value',
    String(policies.purchased),
  );
  await expect(page.locator('[data-testid=totals] td[data-delta="threshold-packs-rollover"][data-key="spend"]')).toBeVisible();
});

test("a variant adjusted on the page runs beside the scenario's own", async ({ page }) => {
  await signIn(page, 'viewer', '/what-if');
  await expect(page.getByTestId('totals')).toBeVisible();
  await page.getByTestId('adjust-variant').selectOption('turbo-migration');
  const custom = page.getByTestId('custom-variant');
  await expect(custom.getByTestId('custom-name')).toHaveValue('turbo-migration-adjusted');
  await expect(custom.getByTestId('custom-from')).toHaveValue('kling-v2-1-master');
  await expect(custom.getByTestId('custom-share')).toHaveValue('80');
  const compared = page.waitForResponse(
    (r) => r.url().endsWith('/api/compare') && JSON.stringify(r.request().postDataJSON()?.custom ?? []).includes('"share":0.5'),
  );
  await custom.getByTestId('custom-share').fill('50');
  const result = await (await compared).json();
  expect(result.runs.map((r: { name: string }) => r.name)).toEqual(['base', 'turbo-migration', 'monthly-expiry', 'turbo-migration-adjusted']);
  const consumed = (name: string) => result.runs.find((r: { name: string }) => r.name === name).totals.consumed as number;
  // Half the hero shots on 2.5 Turbo: fewer credits than all on Master, more than 80% moved.
  expect(consumed('turbo-migration-adjusted')).toBeLessThan(consumed('base'));
  expect(consumed('turbo-migration-adjusted')).toBeGreaterThan(consumed('turbo-migration'));
  await expect(page.locator('td[data-run="turbo-migration-adjusted"][data-key="consumed"]')).toHaveAttribute(
    'data-value',
    String(consumed('turbo-migration-adjusted')),
  );
});

test('a run with demand no card can price is marked invalid: no deltas, no green, its problems shown plainly', async ({ page }) => {
  // A shared link to a variant that moves all of kling-v2-1 to kling-v2-1-master in mode std (Master has one mode: single).
  const custom = [{ name: 'master-std', migrateFrom: 'kling-v2-1', migrateTo: 'kling-v2-1-master', migrateMode: 'std', share: '100' }];
  await signIn(page, 'viewer', '/what-if');
  await page.goto(`/what-if?scenario=agency-campaigns&variant=turbo-migration&custom=${encodeURIComponent(JSON.stringify(custom))}`);
  await expect(page.getByTestId('whatif-status')).toHaveText('1 run invalid: demand not priced');
  await expect(page.locator('[data-testid=totals] th[data-run=master-std]')).toHaveAttribute('data-invalid', 'true');
  await expect(page.getByTestId('invalid-master-std')).toContainText('master-std is not a valid run');
  await expect(page.getByTestId('invalid-master-std')).toContainText('kling-v2-1-master');
  // No delta and no colour for the invalid run; the valid variant keeps its deltas.
  for (const key of ['demand', 'spend', 'unmet']) {
    const cell = page.locator(`[data-testid=totals] td[data-delta=master-std][data-key=${key}]`);
    await expect(cell).toHaveText('—');
    await expect(cell).not.toHaveClass(/\b(pos|neg)\b/);
  }
  await expect(page.locator('[data-testid=totals] td[data-delta=turbo-migration][data-key=demand]')).not.toHaveText('—');
  // The form says what is wrong, and offers only Master's own mode.
  const form = page.getByTestId('custom-variant');
  await expect(form.getByTestId('custom-not-allowed')).toHaveText('mode std is not allowed for kling-v2-1-master');
  await expect(form.getByTestId('custom-mode').locator('option')).toHaveText(['as the moved demand', 'single', 'std (not allowed)']);
  await form.getByTestId('custom-mode').selectOption('single');
  await expect(form.getByTestId('custom-not-allowed')).toHaveCount(0);
  await expect(page.getByTestId('whatif-status')).toHaveText('Up to date');
  await expect(page.getByTestId('invalid-runs')).toHaveCount(0);
  // The state is in the URL: a reload keeps the made-up variant.
  await expect.poll(() => new URL(page.url()).searchParams.get('custom') ?? '').toContain('master-std');
  await page.reload();
  await expect(page.getByTestId('custom-variant').getByTestId('custom-name')).toHaveValue('master-std');
  await expect(page.getByTestId('variant-turbo-migration')).toBeChecked();
  await expect(page.getByTestId('variant-monthly-expiry')).not.toBeChecked();
});

test('the variant builder offers only the modes, durations and resolutions the chosen model allows', async ({ page }) => {
  await signIn(page, 'viewer', '/what-if');
  await page.getByTestId('add-variant').click();
  const form = page.getByTestId('custom-variant');
  await form.getByTestId('custom-from').selectOption('kling-v2-1');
  await form.getByTestId('custom-to').selectOption('kling-v2-5-turbo');
  await form.getByTestId('custom-mode').selectOption('pro');
  // Pro renders 1080p only: set, since the moved demand's own resolution might not be.
  await expect(form.getByTestId('custom-resolution').locator('option')).toHaveText(['as the moved demand', '1080p']);
  await expect(form.getByTestId('custom-resolution')).toHaveValue('1080p');
  // Switching to Master replaces the mode it lacks by its one mode.
  await form.getByTestId('custom-to').selectOption('kling-v2-1-master');
  await expect(form.getByTestId('custom-mode')).toHaveValue('single');
  await expect(form.getByTestId('custom-mode').locator('option')).toHaveText(['as the moved demand', 'single']);
  await expect(form.getByTestId('custom-duration').locator('option')).toHaveText(['as the moved demand', '5 s', '10 s']);
});
