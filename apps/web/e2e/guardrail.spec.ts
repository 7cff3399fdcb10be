import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { RULES, signIn } from './support.ts';

const NEXT_YEAR = new Date().getUTCFullYear() + 1;

// The usage the backtest journey loads (the same bytes: importing it again adds nothing), so the
// database holds exactly these three events whichever journeys ran before.
const EVENTS = `customer,time,model,mode,duration_s,resolution
a,2025-10-01T00:00:00Z,kling-v2-1,pro,10,1080p
a,2025-10-02T00:00:00Z,kling-v2-1,std,5,720p
b,2025-10-03T00:00:00Z,kling-v2-1-master,,10,
`;

/**
 * A draft of kling-consumer from v2 (the version in force today), submitted for review by the editor:
 * 2.1 pro 10 s 70 -> 84 (+20 %), with a guardrail of 10 % on the p95 per-customer increase.
 */
function submittedDraft(): number {
  const dir = path.join(RULES, 'rate-cards/kling-consumer');
  const version = Math.max(...readdirSync(dir).map((f) => Number(/^v(\d+)\.yaml$/.exec(f)?.[1] ?? 0))) + 1;
  const v2 = readFileSync(path.join(dir, 'v2.yaml'), 'utf8');
  const text = v2
    .replace('version: 2', `version: ${version}`)
    .replace('status: published', 'status: draft')
    .replace(/ {2}published_by: creditbook\n {2}published_at: .*\n/, '')
    .replace(
      'based_on: 1\n',
      `based_on: 2\n  trail:\n    - { action: submitted, by: editor@creditbook.local, at: 2025-10-10T09:00:00Z, note: 2.1 pro 10 s to 84 }\n`,
    )
    .replace('pool: consumer\n', 'pool: consumer\nguardrail:\n  p95_increase_pct: 10\n')
    .replace(/("10": )70( +# SECONDARY-AGREE: "Kling 2.1 Pro")/, '$184$2');
  writeFileSync(path.join(dir, `v${version}.yaml`), text);
  return version;
}

test('a draft over its guardrail: the publish panel shows the backtest, the API refuses to publish it, an approver overrides with a reason, recorded in the trail', async ({
  page,
  browser,
}) => {
  await signIn(page, 'editor', '/backtest');
  const up = await page.request.post('/api/usage?name=events.csv', { data: EVENTS, headers: { 'content-type': 'text/csv' } });
  expect([200, 201]).toContain(up.status());
  const version = submittedDraft();
  const url = `/rules/rate-card/kling-consumer/v/${version}`;

  // The approver reads the backtest beside the diff: a 90 -> 104 (+15.56 %), b 280 -> 280 (0 %);
  // totals 370 -> 384, +14 (+3.78 %); p95 of [0, 15.56] by nearest rank is 15.56, over 10 %.
  const approver = await (await browser.newContext()).newPage();
  await signIn(approver, 'approver', url);
  const panel = approver.getByTestId('publish-panel');
  await expect(panel.getByTestId('guardrail-limits')).toContainText('over 10% (p95 per-customer)');
  await expect(panel.locator('[data-testid=guardrail-totals] [data-key=credits]')).toHaveText('370 → 384');
  await expect(panel.locator('[data-testid=guardrail-totals] [data-key=delta]')).toHaveText('14 (+3.78%)');
  await expect(panel.getByTestId('guardrail-distribution')).toContainText('p95 +15.56%');
  await expect(panel.getByTestId('guardrail-most').locator('tbody tr td').first()).toHaveText('a');
  await expect(panel.getByTestId('histogram')).toBeVisible();
  await expect(panel.getByTestId('guardrail-breached')).toContainText('p95 per-customer change +15.56% over 10%');
  await approver.getByTestId('review-note').fill('read the backtest');
  await approver.getByTestId('approve').click();
  await expect(approver.getByTestId('review-state')).toHaveText('approved');

  // The diff says whom the change reaches: a's 2.1 pro event changes; a's std and b's Master do not.
  await approver.goto(`/rules/rate-card/kling-consumer/diff?a=2&b=${version}`);
  await expect(approver.locator('[data-testid=usage-reach] [data-key=customers]')).toHaveText('1 of 2 customers (50.00%)');
  await expect(approver.locator('[data-testid=usage-reach] [data-key=volume]')).toHaveText('1 of 3 generations (33.33%)');

  // The editor may not publish it: the button is off, and the API itself refuses, with or without a reason.
  await page.goto(url);
  await expect(page.getByTestId('publish')).toBeDisabled();
  await expect(page.getByTestId('guardrail-needs-approver')).toBeVisible();
  for (const data of [{ effective_from: `${NEXT_YEAR}-06-01` }, { effective_from: `${NEXT_YEAR}-06-01`, guardrail_override: 'launch' }]) {
    const refused = await page.request.post(`/api/versions/rate-card/kling-consumer/${version}/publish`, { data });
    expect(refused.status()).toBe(409);
    expect((await refused.json()).errors[0].code).toBe('T_GUARDRAIL');
  }
  // Nor may the approver without a reason.
  const bare = await approver.request.post(`/api/versions/rate-card/kling-consumer/${version}/publish`, { data: { effective_from: `${NEXT_YEAR}-06-01` } });
  expect(bare.status()).toBe(409);

  // The approver overrides, with a reason; the trail records the breach and the reason.
  await approver.goto(url);
  await panel.getByTestId('effective-from').fill(`${NEXT_YEAR}-06-01`);
  await panel.getByTestId('guardrail-override').fill('2.1 Pro costs us more since October');
  await panel.getByTestId('publish').click();
  await expect(panel.getByTestId('confirm-publish')).toContainText(
    'over the guardrail (p95 per-customer change +15.56% over 10%), overridden: 2.1 Pro costs us more since October',
  );
  await panel.getByTestId('confirm-publish-yes').click();
  await expect(approver.getByTestId('status').first()).toHaveText('published');
  const published = approver.locator('[data-testid=trail-event][data-action=published]');
  await expect(published).toContainText('approver@creditbook.local');
  await expect(published).toContainText('guardrail override (p95 per-customer change +15.56% over 10%): 2.1 Pro costs us more since October');
});
