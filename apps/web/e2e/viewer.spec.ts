import { expect, request, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RULES, signIn } from './support.ts';

test('a viewer browses and quotes but cannot save: no save control, and the API answers 403', async ({ page, baseURL }) => {
  await signIn(page, 'viewer');
  await expect(page.getByTestId('rules-table')).toContainText('Kling AI consumer credits per generation');

  await page.goto('/rules/rate-card/kling-api');
  await expect(page.getByTestId('history')).toBeVisible();
  await expect(page.getByTestId('edit-latest')).toHaveCount(0);

  await page.goto('/rules/rate-card/kling-api/edit');
  await expect(page.getByTestId('read-only')).toBeVisible();
  await expect(page.getByTestId('save-draft')).toHaveCount(0);

  const text = readFileSync(path.join(RULES, 'rate-cards/kling-api/v1.yaml'), 'utf8');
  const save = await page.request.post('/api/versions', { data: { text, base_version: 1, note: 'viewer try' } });
  expect(save.status()).toBe(403);
  expect((await save.json()).errors[0].code).toBe('A_FORBIDDEN');
  const pub = await page.request.post('/api/versions/rate-card/kling-api/1/publish', { data: { effective_from: '2027-01-01' } });
  expect(pub.status()).toBe(403);

  // Viewers quote.
  await page.goto('/quote');
  await expect(page.getByTestId('quote-credits')).toBeVisible(); // the form's script is running
  await page.getByTestId('quote-on').fill('2025-10-01');
  await expect(page.getByTestId('quote-credits')).toHaveText('105');
  await expect(page.getByTestId('quote-trace')).toContainText('kling-consumer v2');

  // Nobody signed in: 401 from the API, the sign-in page from the app.
  const anon = await request.newContext({ baseURL: baseURL! });
  expect((await anon.get('/api/rules')).status()).toBe(401);
  expect((await anon.post('/api/versions', { data: { text, base_version: 1 } })).status()).toBe(401);
  await anon.dispose();
});
