import { expect, test } from '@playwright/test';
import { settled, signIn } from './support.ts';

test('the "Not saved" banner clears once the problem is fixed, and text the checker cannot read is a shown problem, not a vanished editor', async ({
  page,
}) => {
  await signIn(page, 'editor', '/rules/rate-card/kling-api/edit');
  await settled(page);
  const formula = await page.getByTestId('formula').inputValue();
  await page.getByTestId('formula').fill(formula.replace(/\)\s*$/, ''));
  await page.getByTestId('apply-formula').click();
  await settled(page);
  await page.getByTestId('save-draft').click();
  await expect(page.getByText('Not saved: the edit has problems.')).toBeVisible();
  await page.getByTestId('formula').fill(formula);
  await page.getByTestId('apply-formula').click();
  await settled(page);
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await expect(page.getByText('Not saved: the edit has problems.')).toHaveCount(0);

  // A paste of 5,000 nested brackets into the source.
  const deep = `kind: RateCard\nid: kling-api\nparameters:\n  x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
  await page.getByTestId('yaml-editor').evaluate((el, text) => {
    const v = (el as HTMLElement & { editorView: { state: { doc: { length: number } }; dispatch(t: unknown): void } }).editorView;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  }, deep);
  await settled(page);
  await expect(page.getByTestId('yaml-editor')).toBeVisible();
  await expect(page.getByTestId('problem').first()).toBeVisible();
  await expect(page.getByTestId('validation-status')).toContainText('problem');
});

test('an unknown address is a branded 404 with a way back, and the app has a favicon', async ({ page }) => {
  await signIn(page, 'viewer', '/rules');
  const res = await page.goto('/rules/rate-card/no-such-card');
  expect(res?.status()).toBe(404);
  await expect(page.getByTestId('not-found')).toContainText('Page not found');
  await expect(page.getByTestId('user-role')).toHaveText('viewer');
  await page.getByTestId('back-to-rules').click();
  await page.waitForURL('**/rules');
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  expect(icon).toBeTruthy();
  const got = await page.request.get(icon!);
  expect(got.status()).toBe(200);
  expect(got.headers()['content-type']).toContain('image/svg+xml');
});

test("a what-if's problems are shown with their place: the request field it names, or the rule file's line and column", async ({ page }) => {
  // The answers of /api/compare for a bad custom variant and for a store with a broken rule file, in the API's shape.
  const errors = [
    { code: 'H_BAD_INPUT', severity: 'error', message: 'bad input: must be >= 0', path: '/custom/0/demand_scale' },
    {
      code: 'R_SCHEMA',
      severity: 'error',
      message: 'schema: /plan must be string',
      path: '/plan',
      formatted: 'scenarios/agency-campaigns.yaml:4:7: R_SCHEMA schema: /plan must be string',
    },
  ];
  await page.route('**/api/compare', (route) => route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ errors }) }));
  await signIn(page, 'viewer', '/what-if');
  const shown = page.getByTestId('whatif-errors');
  await expect(shown).toBeVisible();
  await expect(shown.locator(':scope > div').first()).toHaveText('H_BAD_INPUT bad input: must be >= 0 (at /custom/0/demand_scale)');
  await expect(shown.locator(':scope > div').nth(1)).toHaveText('scenarios/agency-campaigns.yaml:4:7: R_SCHEMA schema: /plan must be string');
});
