import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { RULES, cli, editorText, settled, signIn } from './support.ts';

test('a negative cell is a positioned error in the editor, as in creditbook validate; the edit is not "Valid" and does not save', async ({ page }) => {
  await signIn(page, 'editor', '/rules/rate-card/kling-consumer/edit');
  await settled(page);
  await expect(page.getByTestId('validation-status')).toContainText('Valid');
  const cell = (model: string, mode: string, d: string) => page.getByTestId(`cell-clip_credits-${model}-${mode}-${d}`);
  await cell('kling-v2-1', 'std', '10').fill('-40');
  await cell('kling-v2-1', 'std', '10').press('Enter');
  await cell('kling-v1-6', 'pro', '5').fill('35.5');
  await cell('kling-v1-6', 'pro', '5').press('Enter');
  await settled(page);

  // Two problems, one per bad cell, each at that cell's line.
  await expect(page.getByTestId('validation-status')).toContainText('2 problems');
  await expect(page.getByTestId('validation-status')).not.toContainText('Valid');
  const text = await editorText(page);
  const lines = text.split('\n');
  const negLine = lines.findIndex((l, i) => l.includes('"10": -40') && lines.slice(0, i).some((x) => x.includes('kling-v2-1:'))) + 1;
  const fracLine = lines.findIndex((l) => l.includes('"5": 35.5')) + 1;
  const problems = page.getByTestId('problem');
  await expect(problems).toHaveCount(2);
  const found = await problems.evaluateAll((els) =>
    els.map((e) => [e.getAttribute('data-code'), Number(e.getAttribute('data-line')), Number(e.getAttribute('data-col'))]),
  );
  expect(found.map(([code, line]) => [code, line]).sort()).toEqual(
    [
      ['F_FRACTIONAL', fracLine],
      ['F_NEGATIVE', negLine],
    ].sort(),
  );

  // The same codes, lines and columns as `creditbook validate` on the same text.
  const file = path.join(os.tmpdir(), `creditbook-cells-${process.pid}.yaml`);
  writeFileSync(file, text);
  const validated = cli(['validate', file]);
  expect(validated.code).toBe(1);
  const fromCli = [...validated.stderr.matchAll(/:(\d+):(\d+): (F_[A-Z_]+) /g)].map((m) => [m[3], Number(m[1]), Number(m[2])]);
  expect(fromCli.sort()).toEqual(found.sort());

  // The price grid says which cells and why, in words.
  await expect(page.getByTestId('cell-problems')).toContainText('2 cells cannot be priced');
  // Saving is refused with the same problems.
  await page.getByTestId('save-draft').click();
  await expect(page.getByText('Not saved: the edit has problems.')).toBeVisible();
  const api = await page.request.post('/api/validate', { data: { text, base_version: 2 } });
  expect((await api.json()).errors.map((e: { code: string }) => e.code).sort()).toEqual(['F_FRACTIONAL', 'F_NEGATIVE']);
});

test('a draft file with two bad cells: validate exits 1 with two problems, and its page shows them and offers no review or publish', async ({ page }) => {
  const v2 = readFileSync(path.join(RULES, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const draft = v2
    .replace('version: 2', 'version: 3')
    .replace('status: published', 'status: draft')
    .replace(/("10": )40(\s+# derived: twice the 5 s figure)/, '$1-40$2')
    .replace(/("5": )35(\s+# SECONDARY-AGREE: "Professional mode" 5 s)/, '$135.5$2');
  expect(draft).toContain('"10": -40');
  expect(draft).toContain('"5": 35.5');
  const file = path.join(RULES, 'rate-cards/kling-consumer/v3.yaml');
  writeFileSync(file, draft);
  try {
    const validated = cli(['validate', RULES]);
    expect(validated.code).toBe(1);
    const lines = validated.stderr.split('\n').filter((l) => l.includes('kling-consumer/v3.yaml'));
    expect(lines.map((l) => /: (F_[A-Z_]+) /.exec(l)?.[1]).sort()).toEqual(['F_FRACTIONAL', 'F_NEGATIVE']);
    await signIn(page, 'editor', '/rules/rate-card/kling-consumer/v/3');
    const shown = page.getByTestId('version-problems');
    await expect(shown).toContainText('2 problems');
    await expect(shown.getByTestId('problem')).toHaveCount(2);
    await expect(page.getByTestId('submit-review')).toHaveCount(0);
    await expect(page.getByTestId('publish')).toHaveCount(0);
  } finally {
    rmSync(file);
  }
});
