import { describe, expect, it } from 'vitest';
import { EnvError, readEnv, DEV_SESSION_SECRET } from '../lib/env.ts';
import { lineDiff } from '../lib/textdiff.ts';
import { parameterTables, scalarText, setScalar } from '../lib/yamledit.ts';

describe('settings', () => {
  it('defaults to the bundled rules and the documented dev secret outside production', () => {
    const e = readEnv({}, __dirname);
    expect(e.rulesDir).toMatch(/[\\/]rules$/);
    expect(e.sessionSecret).toBe(DEV_SESSION_SECRET);
  });
  it('names every bad setting', () => {
    expect(() => readEnv({ NODE_ENV: 'production', CREDITBOOK_RULES_DIR: '/no/such/dir', CREDITBOOK_SECURE_COOKIES: 'yes' }, __dirname)).toThrow(EnvError);
    try {
      readEnv({ NODE_ENV: 'production', CREDITBOOK_RULES_DIR: '/no/such/dir', CREDITBOOK_SECURE_COOKIES: 'yes' }, __dirname);
    } catch (e) {
      const m = (e as Error).message;
      expect(m).toContain('CREDITBOOK_RULES_DIR');
      expect(m).toContain('CREDITBOOK_SESSION_SECRET');
      expect(m).toContain('CREDITBOOK_SECURE_COOKIES');
    }
    expect(() => readEnv({ CREDITBOOK_SESSION_SECRET: 'short' }, __dirname)).toThrow(/32 characters/);
    expect(() => readEnv({ CREDITBOOK_COMPARE_THREAD: 'no' }, __dirname)).toThrow("CREDITBOOK_COMPARE_THREAD: expected on or off, got 'no'");
  });
  it('runs comparisons on the compare thread unless it is turned off', () => {
    expect(readEnv({}, __dirname).compareThread).toBe(true);
    expect(readEnv({ CREDITBOOK_COMPARE_THREAD: 'on' }, __dirname).compareThread).toBe(true);
    expect(readEnv({ CREDITBOOK_COMPARE_THREAD: 'off' }, __dirname).compareThread).toBe(false);
  });
});

describe('surgical YAML edits', () => {
  const text =
    'kind: RateCard\nparameters:\n  t:\n    a: { "5": 2, "10": 4 }   # flow\n    b:\n      "5": 3.5  # keep me\n      "10": 7\ncredits: $cell($t, m, d)\n';
  it('reads parameter tables and changes one cell, keeping every other character', () => {
    const [t] = parameterTables(text)!;
    expect(t).toMatchObject({ param: 't', depth: 2, columns: ['5', '10'] });
    expect(t!.rows.map((r) => r.key)).toEqual([['a'], ['b']]);
    const next = setScalar(text, ['parameters', 't', 'b', '5'], '3.25')!;
    expect(next).toBe(text.replace('"5": 3.5  # keep me', '"5": 3.25  # keep me'));
    expect(setScalar(text, ['parameters', 't', 'a', '10'], '4.5')).toBe(text.replace('"10": 4 }', '"10": 4.5 }'));
  });
  it('keeps a formula plain when it reads back the same, quotes it otherwise', () => {
    expect(scalarText('$cell($t, m, d)', true)).toBe('$cell($t, m, d)');
    expect(scalarText('a: b', true)).toBe('"a: b"');
    expect(scalarText('x # y', true)).toBe('"x # y"');
  });
});

describe('line diff', () => {
  it('lists removals before additions and keeps line numbers', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: ' ', text: 'a', a: 1, b: 1 },
      { op: '-', text: 'b', a: 2, b: null },
      { op: '+', text: 'B', a: null, b: 2 },
      { op: ' ', text: 'c', a: 3, b: 3 },
    ]);
  });
});

describe('price cells as typed or pasted', () => {
  it('reads 1,000 as 1000 and refuses what a price cannot hold, with a message', async () => {
    const { readCell, pastedBlock } = await import('../lib/cellvalue.ts');
    expect(readCell('1,000')).toEqual({ ok: true, value: 1000, text: '1000' });
    expect(readCell(' 2.5 ')).toEqual({ ok: true, value: 2.5, text: '2.5' });
    expect(readCell('1,234,567.5')).toMatchObject({ ok: true, value: 1234567.5 });
    expect(readCell('1,00')).toMatchObject({ ok: false });
    expect(readCell('12%')).toMatchObject({ ok: false });
    // 24 digits would be stored as 1e+23.
    const big = readCell('100000000000000000000000');
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.message).toContain('more precision than a price can hold');
    expect(readCell('0.1234567890123456').ok).toBe(false);
    expect(readCell('123456789012345').ok).toBe(true);
    expect(pastedBlock('10\t20\r\n35\t70\r\n')).toEqual([
      ['10', '20'],
      ['35', '70'],
    ]);
  });

  it('changes cells by a percentage rounded as the card rounds, in exact arithmetic', async () => {
    const { changedBy } = await import('../lib/cellvalue.ts');
    // 20 × 1.05 = 21 exactly (a float product is 21.000000000000004, which ceil would make 22).
    expect(changedBy(20, '5', 1, 'ceil')).toMatchObject({ value: 21 });
    // 32 × 1.05 = 33.6: ceil 34, floor 33, round 34; exact rounds to the nearest, 34.
    expect(
      [changedBy(32, '5', 1, 'ceil'), changedBy(32, '5', 1, 'floor'), changedBy(32, '5', 1, 'round'), changedBy(32, '5', 1, 'exact')].map(
        (r) => r.ok && r.value,
      ),
    ).toEqual([34, 33, 34, 34]);
    // A card in tenths of a unit: 2.5 × 1.05 = 2.625 → 2.7 (ceil), 2.6 (floor).
    expect(changedBy(2.5, '5', 10, 'ceil')).toMatchObject({ value: 2.7 });
    expect(changedBy(2.5, '5', 10, 'floor')).toMatchObject({ value: 2.6 });
    // −10 %: 105 × 0.9 = 94.5 → 95 (ceil), 94 (floor).
    expect(changedBy(105, '-10', 1, 'ceil')).toMatchObject({ value: 95 });
    expect(changedBy(105, '-10', 1, 'floor')).toMatchObject({ value: 94 });
    // 2.5 %: 280 × 1.025 = 287.
    expect(changedBy(280, '2.5', 1, 'exact')).toMatchObject({ value: 287 });
  });
});

describe('valid combinations in forms', () => {
  // Two models: m1 has std and pro (5 and 10 s), Master only its single mode at 1080p.
  const combos = [
    { model: 'm1', mode: 'std', duration_s: 5, resolution: '720p' },
    { model: 'm1', mode: 'pro', duration_s: 10, resolution: '1080p' },
    { model: 'kling-v2-1-master', mode: 'single', duration_s: 5, resolution: '1080p' },
    { model: 'kling-v2-1-master', mode: 'single', duration_s: 10, resolution: '1080p' },
  ];
  const dims = ['model', 'mode', 'duration_s', 'resolution'];
  it('offers only what the other choices allow, and says which choice is not allowed', async () => {
    const { allowedValues, narrowed, notAllowed } = await import('../lib/choices.ts');
    expect(allowedValues(combos, { model: 'kling-v2-1-master' }, 'mode')).toEqual(['single']);
    expect(allowedValues(combos, { model: 'm1', mode: 'std' }, 'duration_s')).toEqual(['5']);
    expect(notAllowed({ model: 'kling-v2-1-master', mode: 'std', duration_s: '5' }, combos, dims)).toBe('mode std is not allowed for kling-v2-1-master');
    expect(notAllowed({ model: 'm1', mode: 'std', duration_s: '10' }, combos, dims)).toBe('duration 10 s is not allowed for m1, mode std');
    expect(notAllowed({ model: 'm1', mode: 'pro' }, combos, dims)).toBeNull();
    expect(narrowed({ model: 'kling-v2-1-master', mode: 'std', duration_s: '10', resolution: '' }, combos, dims, ['mode', 'resolution'])).toEqual({
      model: 'kling-v2-1-master',
      mode: 'single',
      duration_s: '10',
      resolution: '1080p',
    });
  });
});

describe('money beside credits', () => {
  it('prices credits at a plan rate, half up to the cent', async () => {
    const { moneyAt } = await import('../lib/money.ts');
    // 105 credits at Pro ($37.00 for 3,000 credits a month): 105 × 37 / 3000 = 1.295 → 1.30.
    expect(moneyAt(105, { name: 'Pro', price: '37.00', credits: 3000, currency: 'USD' })).toBe('1.30');
    // 280 credits at the 330-credit top-up ($5.00): 280 × 5 / 330 = 4.2424… → 4.24.
    expect(moneyAt(280, { name: 'Top-up', price: '5.00', credits: 330, currency: 'USD' })).toBe('4.24');
    // 25 tenths of a unit at the API trial ($9.80 for 700): 25 × 9.80 / 700 = 0.35.
    expect(moneyAt(25, { name: 'API trial', price: '9.80', credits: 700, currency: 'USD' })).toBe('0.35');
    expect(moneyAt(0, { name: 'x', price: '1', credits: 3, currency: 'USD' })).toBe('0.00');
  });
});
