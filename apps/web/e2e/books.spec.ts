import path from 'node:path';
import { expect, test } from '@playwright/test';
import { RULES, cli, signIn } from './support.ts';

const SCENARIOS = ['agency-campaigns', 'api-integration', 'steady-studio'];

for (const id of SCENARIOS) {
  test(`the what-if page shows the books of every run of ${id}, as creditbook books gives them`, async ({ page }) => {
    await signIn(page, 'viewer', '/what-if');
    await expect(page.getByTestId('totals')).toBeVisible();
    let api: { runs: { name: string; books: Record<string, unknown> }[]; deltas: { name: string; books: Record<string, string> }[] };
    if (id === 'agency-campaigns') {
      await expect(page.getByTestId('scenario')).toHaveValue(id);
      api = await (await page.request.post('/api/compare', { data: { scenario: id, variants: ['turbo-migration', 'monthly-expiry'], custom: [] } })).json();
    } else {
      const compared = page.waitForResponse((r) => r.url().endsWith('/api/compare') && r.request().postDataJSON()?.scenario === id);
      await page.getByTestId('scenario').selectOption(id);
      api = await (await compared).json();
    }
    const panel = page.getByTestId('books');
    await expect(panel).toBeVisible();
    await expect(panel.locator('[data-testid=books-totals] thead th')).toHaveCount(1 + api.runs.length + api.deltas.length);
    for (const r of api.runs) {
      // Each run's books are those of `creditbook books` for that run.
      const run = cli(['books', path.join(RULES, `scenarios/${id}.yaml`), '--rules', RULES, ...(r.name === 'base' ? [] : ['--variant', r.name]), '--json']);
      expect(run.code, run.stderr).toBe(0);
      const totals = JSON.parse(run.stdout).totals;
      for (const key of ['billings', 'revenue', 'revenue_usage', 'revenue_breakage', 'deferred_peak', 'deferred_closing']) {
        expect(r.books[key], `${r.name} ${key}`).toBe(totals[key]);
        await expect(panel.locator(`td[data-run="${r.name}"][data-key="${key}"]`)).toHaveAttribute('data-value', totals[key]);
      }
    }
    for (const d of api.deltas) {
      for (const [key, value] of Object.entries(d.books))
        await expect(panel.locator(`td[data-delta="${d.name}"][data-key="${key}"]`)).toHaveAttribute('data-value', value);
    }
    // What a person reads: two-place money; a deferred-revenue line per run; usage and breakage bars.
    const revenue = Number(api.runs[0]!.books['revenue']);
    await expect(panel.locator('td[data-run=base][data-key=revenue]')).toHaveText(
      revenue.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    );
    await expect(panel.getByTestId('chart-deferred')).toHaveAttribute('data-series', String(api.runs.length));
    await expect(panel.getByTestId('chart-revenue')).toHaveAttribute('data-series', '2');
    // Drawn: some shape of the chart has an area (gridlines and axes are flat lines).
    for (const chart of ['chart-deferred', 'chart-revenue']) {
      await expect
        .poll(() =>
          panel
            .getByTestId(chart)
            .locator('svg path')
            .evaluateAll(
              (ps) =>
                ps.filter((p) => {
                  const b = (p as SVGGraphicsElement).getBBox();
                  return b.width > 0 && b.height > 0;
                }).length,
            ),
        )
        .toBeGreaterThan(0);
    }
  });
}

test('the impact table of a card diff adds revenue and deferred revenue', async ({ page }) => {
  await signIn(page, 'viewer', '/rules');
  await page.goto('/rules/rate-card/kling-consumer/diff?a=1&b=2');
  const row = page.getByTestId('impact-steady-studio');
  await expect(row).toBeVisible();
  const diff = await (await page.request.get('/api/versions/rate-card/kling-consumer/diff?a=1&b=2')).json();
  const s = diff.impact.find((x: { scenario: string }) => x.scenario === 'steady-studio');
  const money = (x: string) => Number(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  await expect(row.getByTestId('revenue-before')).toHaveText(money(s.before.revenue));
  await expect(row.getByTestId('revenue-after')).toHaveText(money(s.after.revenue));
  await expect(row.getByTestId('deferred-after')).toHaveText(money(s.after.deferred_closing));
});
