import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { RULES, cli, editorText, settled, signIn } from './support.ts';

const BAD_FORMULA = '$cell($clip_credits, model, mode, duration_s';
const GOOD_FORMULA = '$cell($clip_credits, model, mode, duration_s)';
/** A date after today, whenever the test runs (no publishing in the past). */
const FUTURE = `${new Date().getUTCFullYear() + 1}-01-01`;

test('an editor changes a price cell, sees a bad formula at its line, fixes it, saves a draft, submits it, an approver approves after reading the diff and its impact, and the editor publishes it', async ({
  page,
  browser,
}) => {
  await signIn(page, 'editor');
  await page.goto('/rules/rate-card/kling-consumer');
  await page.getByTestId('edit-latest').click();
  await page.waitForURL('**/rules/rate-card/kling-consumer/edit');
  await settled(page);
  await expect(page.getByTestId('validation-status')).toContainText('Valid');

  // A price cell in the grid: 2.5 Turbo, Standard, 5 s, from 32 to 30 credits.
  const cell = page.getByTestId('cell-clip_credits-kling-v2-5-turbo-std-5');
  await expect(cell).toHaveValue('32');
  await cell.fill('30');
  await cell.press('Enter');
  await expect(cell).toHaveClass(/changed/);
  await expect(page.getByTestId('price-kling-v2-5-turbo|std|5|720p')).toHaveText('30');
  await expect.poll(() => editorText(page)).toContain('"5": 30    # derived: 0.6 x pro');

  // A bad formula: the problem names its code and line, and the source view marks it.
  await page.getByTestId('formula').fill(BAD_FORMULA);
  await page.getByTestId('apply-formula').click();
  const problem = page.getByTestId('problem').first();
  await expect(problem).toHaveAttribute('data-code', 'F_COMPILE');
  const v2 = readFileSync(path.join(RULES, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const formulaLine = v2.split('\n').findIndex((l) => l.startsWith('credits:')) + 1;
  await expect(problem).toHaveAttribute('data-line', String(formulaLine));
  await problem.getByRole('button', { name: `line ${formulaLine}:` }).click();
  await expect(page.locator('.cm-lintRange-error').first()).toBeVisible();
  await expect(page.locator('.cm-activeLine')).toContainText(`credits: ${BAD_FORMULA}`);

  // The same code, line and column as `creditbook validate` on the same text.
  const edited = v2.replace(/"5": 32(\s+# derived: 0\.6 x pro)/, '"5": 30$1').replace(`credits: ${GOOD_FORMULA}`, `credits: ${BAD_FORMULA}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'creditbook-e2e-edit-')), 'v2.yaml');
  writeFileSync(file, edited);
  const validated = cli(['validate', file]);
  expect(validated.code).toBe(1);
  const m = /:(\d+):(\d+): (F_COMPILE) (.*)$/m.exec(validated.stderr);
  expect(m, validated.stderr).not.toBeNull();
  await expect(problem).toHaveAttribute('data-line', m![1]!);
  await expect(problem).toHaveAttribute('data-col', m![2]!);
  await expect(problem.getByTestId('formatted')).toContainText(`:${m![1]}:${m![2]}: F_COMPILE ${m![4]!.replace(/ \(at [^)]*\)$/, '')}`);

  // Fixed, the card is valid again and its examples pass.
  await page.getByTestId('formula').fill(GOOD_FORMULA);
  await page.getByTestId('apply-formula').click();
  await expect(page.getByTestId('no-problems')).toBeVisible();
  await settled(page);
  await expect(page.getByTestId('examples').locator('.badge.fail')).toHaveCount(0);

  await page.getByTestId('save-note').fill('2.5 Turbo Standard 5 s down to 30 credits');
  await page.getByTestId('save-draft').click();
  await page.waitForURL('**/rules/rate-card/kling-consumer/v/3');
  await expect(page.getByTestId('status').first()).toHaveText('draft');

  // Before publishing: the changed cell against the version in force, and what it does to the reference scenarios.
  const panel = page.getByTestId('publish-panel');
  const change = panel.getByTestId('price-change');
  await expect(change).toHaveCount(1);
  await expect(change.getByTestId('old')).toHaveText('32');
  await expect(change.getByTestId('new')).toHaveText('30');
  await expect(change.getByTestId('pct')).toHaveText('-6.25%');
  // Steady studio buys 12 of those clips a month for 12 months: 288 credits fewer.
  await expect(panel.getByTestId('impact-steady-studio').getByTestId('demand-delta')).toHaveText('−288');
  await expect(panel.getByTestId('impact-agency-campaigns').getByTestId('demand-delta')).toHaveText('0');

  // Four eyes: the editor cannot publish yet; submitting needs a note.
  await expect(panel.getByTestId('publish')).toHaveCount(0);
  await expect(panel.getByTestId('submit-review')).toBeDisabled();
  await panel.getByTestId('submit-note').fill('2.5 Turbo Standard 5 s to 30: matches the new price list');
  await panel.getByTestId('submit-review').click();
  await expect(page.getByTestId('review-state')).toHaveText('submitted');
  await expect(panel.getByTestId('awaiting-review')).toContainText('editor@creditbook.local');
  const early = await page.request.post('/api/versions/rate-card/kling-consumer/3/publish', { data: { effective_from: FUTURE } });
  expect(early.status()).toBe(409);
  expect((await early.json()).errors[0].code).toBe('T_NOT_APPROVED');

  // An approver reads the same diff and impact, and approves.
  const approver = await (await browser.newContext()).newPage();
  await signIn(approver, 'approver', '/rules/rate-card/kling-consumer/v/3');
  await expect(approver.getByTestId('publish-panel').getByTestId('price-change')).toHaveCount(1);
  await approver.getByTestId('review-note').fill('checked against the price list');
  await approver.getByTestId('approve').click();
  await expect(approver.getByTestId('review-state')).toHaveText('approved');

  // Back to the editor: publish, after confirming what goes live and when.
  await page.reload();
  await expect(page.getByTestId('review-state')).toHaveText('approved');
  await panel.getByTestId('effective-from').fill(FUTURE);
  await panel.getByTestId('publish').click();
  await expect(panel.getByTestId('confirm-publish')).toContainText(`kling-consumer v3, in force from ${FUTURE}`);
  await panel.getByTestId('confirm-publish-yes').click();
  await expect(page.getByTestId('status').first()).toHaveText('published');
  await expect(page.getByTestId('publish-panel')).toHaveCount(0);
  await expect(page.getByTestId('trail-event')).toHaveCount(3);
  await expect(page.getByTestId('audit-trail')).toContainText('approver@creditbook.local');
  await expect(page.getByTestId('audit-trail')).toContainText('checked against the price list');

  // Published versions never change.
  const again = await page.request.post('/api/versions/rate-card/kling-consumer/3/publish', { data: { effective_from: FUTURE } });
  expect(again.status()).toBe(409);
  expect((await again.json()).errors[0].code).toBe('T_IMMUTABLE');

  // History and the diff of any two versions.
  await page.goto('/rules/rate-card/kling-consumer');
  await expect(page.getByTestId('history-v3')).toContainText('editor@creditbook.local');
  await expect(page.getByTestId('history-v3')).toContainText(FUTURE);
  await page.goto('/rules/rate-card/kling-consumer/diff?a=2&b=3');
  await expect(page.getByTestId('price-change')).toHaveCount(1);
  await expect(page.getByTestId('impact-steady-studio').getByTestId('demand-delta')).toHaveText('−288');
});
