import { expect, test } from '@playwright/test';
import { signIn } from './support.ts';

test('the quote form offers only valid combinations, says what is not allowed, shows money beside credits, and keeps its state in the URL', async ({
  page,
}) => {
  await signIn(page, 'viewer', '/quote');
  // A shared link asking for Master in mode std, which Master does not have.
  await page.goto('/quote?card=kling-consumer&model=kling-v2-1-master&mode=std&duration_s=10&on=2025-10-01');
  await expect(page.getByTestId('quote-not-allowed')).toHaveText('Not a request this card prices: mode std is not allowed for kling-v2-1-master.');
  await expect(page.getByTestId('quote-mode').locator('option')).toHaveText(['from the other choices', 'single', 'std (not allowed)']);
  await page.getByTestId('quote-mode').selectOption('single');
  await expect(page.getByTestId('quote-not-allowed')).toHaveCount(0);
  await expect(page.getByTestId('quote-credits')).toHaveText('280');
  // Money at each plan's rate: Pro is $37.00 for 3,000 credits a month, so 280 × 37 / 3000 = 3.4533… → USD 3.45;
  // the 330-credit top-up at $5.00: 280 × 5 / 330 = 4.2424… → USD 4.24.
  const money = (name: string) => page.getByTestId('quote-money-row').filter({ hasText: name }).getByTestId('quote-money-value');
  await expect(money('kling-plans: Pro (a month)')).toHaveText('USD 3.45');
  await expect(money('kling-plans: Top-up 330 credits')).toHaveText('USD 4.24');
  // Choosing a model narrows the others: kling-v2-5-turbo has std and pro, not single.
  await page.getByTestId('quote-model').selectOption('kling-v2-5-turbo');
  await expect(page.getByTestId('quote-mode')).toHaveValue('');
  await expect(page.getByTestId('quote-mode').locator('option')).toHaveText(['from the other choices', 'std', 'pro']);
  await page.getByTestId('quote-mode').selectOption('pro');
  await expect(page.getByTestId('quote-credits')).toHaveText('105');
  // The state is in the URL: a reload asks the same question.
  await expect.poll(() => new URL(page.url()).searchParams.get('mode')).toBe('pro');
  await page.reload();
  await expect(page.getByTestId('quote-model')).toHaveValue('kling-v2-5-turbo');
  await expect(page.getByTestId('quote-credits')).toHaveText('105');
});
