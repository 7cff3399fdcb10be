import { expect, test } from '@playwright/test';
import { editorText, settled, signIn } from './support.ts';

test('two editors edit the same version: the second save is a conflict and keeps its text', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await signIn(a, 'editor', '/rules/rate-card/kling-api/edit');
  await signIn(b, 'editor', '/rules/rate-card/kling-api/edit');
  await settled(a);
  await settled(b);
  await expect(a.getByTestId('save-draft')).toHaveText('Save draft v2');
  await expect(b.getByTestId('save-draft')).toHaveText('Save draft v2');

  const cellA = a.getByTestId('cell-clip_units-kling-v1-6-std-5');
  await cellA.fill('2.2');
  await cellA.press('Enter');
  await settled(a);
  await a.getByTestId('save-draft').click();
  await a.waitForURL('**/rules/rate-card/kling-api/v/2');

  const cellB = b.getByTestId('cell-clip_units-kling-v1-6-pro-10');
  await cellB.fill('6.5');
  await cellB.press('Enter');
  await b.getByTestId('save-note').fill('V1.6 Pro 10 s at 6.5 units');
  await settled(b);
  await b.getByTestId('save-draft').click();
  await expect(b.getByTestId('conflict')).toBeVisible();
  await expect(b.getByTestId('conflict')).toContainText('Your text is kept');
  // Nothing lost: B's edit and note are still there, and A's version is saved as A left it.
  await expect(b).toHaveURL(/\/edit$/);
  await expect(b.getByTestId('cell-clip_units-kling-v1-6-pro-10')).toHaveValue('6.5');
  expect(await editorText(b)).toContain('pro: { "5": 3.5, "10": 6.5 }');
  await expect(b.getByTestId('save-note')).toHaveValue('V1.6 Pro 10 s at 6.5 units');
  const v2 = await (await b.request.get('/api/versions/rate-card/kling-api/2')).json();
  expect(v2.document.parameters.clip_units['kling-v1-6'].std['5']).toBe(2.2);

  // B merges: A's cell and B's cell do not overlap, so both are kept, on top of v2.
  await expect(b.getByTestId('merge')).toContainText('nothing overlaps');
  await b.getByTestId('apply-merge').click();
  await expect(b.getByTestId('save-draft')).toHaveText('Save draft v3');
  await expect(b.getByTestId('cell-clip_units-kling-v1-6-std-5')).toHaveValue('2.2');
  await expect(b.getByTestId('cell-clip_units-kling-v1-6-pro-10')).toHaveValue('6.5');
  await settled(b);
  await b.getByTestId('save-draft').click();
  await b.waitForURL('**/rules/rate-card/kling-api/v/3');
  const v3 = await (await b.request.get('/api/versions/rate-card/kling-api/3')).json();
  expect(v3.document.parameters.clip_units['kling-v1-6'].pro['10']).toBe(6.5);
  expect(v3.document.parameters.clip_units['kling-v1-6'].std['5']).toBe(2.2);
  expect(v3.based_on).toBe(2);
});

test('two editors change the same cell: the merge shows both values side by side and keeps the one chosen', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await signIn(a, 'editor', '/rules/rate-card/kling-api/edit');
  await signIn(b, 'editor', '/rules/rate-card/kling-api/edit');
  await settled(a);
  await settled(b);
  const before = await a.getByTestId('cell-clip_units-kling-v1-6-pro-5').inputValue();
  await a.getByTestId('cell-clip_units-kling-v1-6-pro-5').fill('3.6');
  await a.getByTestId('cell-clip_units-kling-v1-6-pro-5').press('Enter');
  await settled(a);
  const saved = a.getByTestId('save-draft');
  const next = Number(/v(\d+)/.exec((await saved.textContent()) ?? '')![1]);
  await saved.click();
  await a.waitForURL(`**/rules/rate-card/kling-api/v/${next}`);

  await b.getByTestId('cell-clip_units-kling-v1-6-pro-5').fill('3.8');
  await b.getByTestId('cell-clip_units-kling-v1-6-pro-5').press('Enter');
  await settled(b);
  await b.getByTestId('save-draft').click();
  await expect(b.getByTestId('merge-conflict-count')).toHaveText('1 cell changed on both sides');
  const row = b.getByTestId('merge-conflict');
  await expect(row).toContainText('clip_units › kling-v1-6 › pro › 5');
  await expect(row).toContainText(before);
  await expect(row).toContainText('3.6');
  await expect(row).toContainText('3.8');
  await expect(b.getByTestId('apply-merge')).toBeDisabled();
  await row.getByTestId('pick-mine').check();
  await b.getByTestId('apply-merge').click();
  await expect(b.getByTestId('save-draft')).toHaveText(`Save draft v${next + 1}`);
  await expect(b.getByTestId('cell-clip_units-kling-v1-6-pro-5')).toHaveValue('3.8');
});
