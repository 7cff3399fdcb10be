import { expect, test } from '@playwright/test';
import { editorText, settled, signIn } from './support.ts';

test('the price grid works like a spreadsheet: arrows and Enter, a pasted block, 1,000, precision refused, undo/redo and +5 % on a range', async ({ page }) => {
  await signIn(page, 'editor', '/rules/rate-card/kling-consumer/edit');
  await settled(page);
  const cell = (mode: string, d: string, model = 'kling-v1-6') => page.getByTestId(`cell-clip_credits-${model}-${mode}-${d}`);
  const [std5, std10, pro5, pro10] = ['10', '20', '35', '70'];
  for (const [c, v] of [
    [cell('std', '5'), std5],
    [cell('std', '10'), std10],
    [cell('pro', '5'), pro5],
    [cell('pro', '10'), pro10],
  ] as const)
    await expect(c).toHaveValue(v);

  // Arrow keys and Enter move between cells.
  await cell('std', '5').click();
  await page.keyboard.press('ArrowRight');
  await expect(cell('std', '10')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(cell('pro', '10')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await expect(cell('pro', '10')).toBeFocused();

  // 1,000 is read as 1000; a value a price cannot hold is refused with a message, not stored as 1e+23.
  await cell('std', '5').fill('1,000');
  await cell('std', '5').press('Enter');
  await expect(cell('std', '5')).toHaveValue('1000');
  await expect.poll(() => editorText(page)).toMatch(/std:\s*\n?\s*"5": 1000/);
  await cell('std', '5').fill('100000000000000000000000');
  await cell('std', '5').press('Enter');
  await expect(page.getByTestId('grid-message-clip_credits')).toContainText('more precision than a price can hold');
  expect(await editorText(page)).not.toContain('e+23');

  // Undo and redo.
  await page.getByTestId('undo').click();
  await expect(cell('std', '5')).toHaveValue(std5);
  await page.getByTestId('redo').click();
  await expect(cell('std', '5')).toHaveValue('1000');
  await page.getByTestId('undo').click();

  // A 2 × 2 block pasted from a spreadsheet fills the cells from the one pasted into; a bad value refuses the whole block.
  const paste = (text: string) =>
    cell('std', '5').evaluate((el, t) => {
      const data = new DataTransfer();
      data.setData('text/plain', t);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, text);
  await paste('11\tx\r\n36\t71\r\n');
  await expect(page.getByTestId('grid-message-clip_credits')).toContainText('Not pasted: row 1, column 2');
  await expect(cell('std', '10')).toHaveValue(std10);
  await paste('11\t1,021\r\n36\t71\r\n');
  await expect(cell('std', '5')).toHaveValue('11');
  await expect(cell('std', '10')).toHaveValue('1021');
  await expect(cell('pro', '5')).toHaveValue('36');
  await expect(cell('pro', '10')).toHaveValue('71');
  await page.getByTestId('undo').click();
  await expect(cell('pro', '10')).toHaveValue(pro10);
  await expect(cell('pro', '5')).toHaveValue(pro5);

  // +5 % on a selected range, rounded as the card rounds (exact: to the nearest whole credit).
  await cell('std', '5').click();
  await cell('pro', '10').click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('selection-clip_credits')).toHaveText('4 cells selected');
  await page.getByTestId('bulk-percent-clip_credits').fill('5');
  await page.getByTestId('bulk-apply-clip_credits').click();
  // 10 × 1.05 = 10.5 → 11, 20 × 1.05 = 21, 35 × 1.05 = 36.75 → 37, 70 × 1.05 = 73.5 → 74.
  await expect(cell('std', '5')).toHaveValue('11');
  await expect(cell('std', '10')).toHaveValue('21');
  await expect(cell('pro', '5')).toHaveValue('37');
  await expect(cell('pro', '10')).toHaveValue('74');
  // Written into the source in place, comments kept.
  await expect.poll(() => editorText(page)).toMatch(/"10": 74 +# SECONDARY-AGREE: "Professional mode" 10 s = 70/);
  // The card's own example for v1.6 Standard 10 s (20 credits, now 21) fails, and the editor says so rather than "Valid".
  await settled(page);
  await expect(page.getByTestId('validation-status')).toContainText('1 problem');
  await expect(page.getByTestId('problem').first()).toHaveAttribute('data-code', 'E_EXAMPLE_FAILED');
});
