// Screenshots of every page at 1280 and 1920 px wide, for a person to look at.
// Needs a running app (BASE_URL, default http://127.0.0.1:3123): e.g. `node e2e/serve.mjs` after `next build`.
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3123';
const out = process.env.OUT ?? 'screenshots';
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const pages = [
  ['login', '/login', false],
  ['rules', '/rules', true],
  ['document', '/rules/rate-card/kling-consumer', true],
  ['version', '/rules/rate-card/kling-consumer/v/2', true],
  ['diff', '/rules/rate-card/kling-consumer/diff?a=1&b=2', true],
  ['edit', '/rules/rate-card/kling-consumer/edit', true],
  ['edit-api', '/rules/rate-card/kling-api/edit', true],
  ['draft', '/rules/rate-card/kling-consumer/v/3', true],
  ['quote', '/quote', true],
  ['what-if', '/what-if', true],
  ['what-if-api', '/what-if?scenario=api-integration', true],
  [
    'what-if-invalid',
    `/what-if?scenario=agency-campaigns&variant=turbo-migration&custom=${encodeURIComponent(JSON.stringify([{ name: 'master-std', migrateFrom: 'kling-v2-1', migrateTo: 'kling-v2-1-master', migrateMode: 'std', share: '100' }]))}`,
    true,
  ],
  ['quote-not-allowed', '/quote?card=kling-consumer&model=kling-v2-1-master&mode=std&duration_s=10', true],
  ['edit-plans', '/rules/plan-catalog/kling-plans/edit', true],
  ['edit-validity', '/rules/validity-policy/kling-validity/edit', true],
  ['backtest', '/backtest', true],
  ['not-found', '/rules/rate-card/no-such-card', true],
];
for (const width of [1280, 1920]) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.screenshot({ path: `${out}/login-${width}.png` });
  await page.fill('input[name=email]', 'editor@creditbook.local');
  await page.fill('input[name=password]', 'creditbook-editor');
  await page.click('button[type=submit]');
  await page.waitForURL('**/rules');
  if (width === 1280) {
    // A draft to show the publish panel: 2.5 Turbo Standard 5 s at 30 credits.
    const v2 = await (await page.request.get(`${base}/api/versions/rate-card/kling-consumer/2`)).json();
    await page.request.post(`${base}/api/versions`, {
      data: { text: v2.text.replace('"5": 32 ', '"5": 30 '), base_version: 2, note: 'Turbo Standard 5 s at 30 credits' },
    });
  }
  for (const [name, url, signedIn] of pages) {
    if (!signedIn) continue;
    await page.goto(`${base}${url}`);
    await page.waitForLoadState('networkidle');
    if (name.startsWith('what-if')) await page.waitForSelector('[data-testid=totals]');
    if (name === 'quote-not-allowed') await page.waitForSelector('[data-testid=quote-not-allowed]');
    if (name === 'what-if') {
      await page.selectOption('[data-testid=adjust-variant]', 'turbo-migration');
      await page.fill('[data-testid=custom-share]', '50');
      await page.waitForSelector('td[data-run="turbo-migration-adjusted"]');
    }
    if (name === 'quote') await page.waitForSelector('[data-testid=quote-result]');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: `${out}/${name}-${width}.png`, fullPage: true });
    if (name === 'edit') {
      await page.fill('[data-testid=formula]', '$cell($clip_credits, model, mode, duration_s');
      await page.click('[data-testid=apply-formula]');
      await page.waitForSelector('[data-testid=problem]');
      await page.click('[data-testid=problem] button');
      await page.screenshot({ path: `${out}/edit-error-${width}.png`, fullPage: true });
    }
  }
  // The draft submitted for review, as the approver sees it (diff, impact, approve or reject).
  if (width === 1280)
    await page.request.post(`${base}/api/versions/rate-card/kling-consumer/3/submit`, { data: { note: 'Turbo Standard 5 s to 30, as the new list' } });
  await context.close();
  const approver = await browser.newContext({ viewport: { width, height: 900 } });
  const ap = await approver.newPage();
  await ap.goto(`${base}/login`);
  await ap.fill('input[name=email]', 'approver@creditbook.local');
  await ap.fill('input[name=password]', 'creditbook-approver');
  await ap.click('button[type=submit]');
  await ap.waitForURL('**/rules');
  await ap.goto(`${base}/rules/rate-card/kling-consumer/v/3`);
  await ap.waitForLoadState('networkidle');
  await ap.screenshot({ path: `${out}/review-${width}.png`, fullPage: true });
  await approver.close();
}
await browser.close();
console.log(`screenshots in ${out}/`);
