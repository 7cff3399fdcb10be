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
  });
});

describe('surgical YAML edits', () => {
  const text = 'kind: RateCard\nparameters:\n  t:\n    a: { "5": 2, "10": 4 }   # flow\n    b:\n      "5": 3.5  # keep me\n      "10": 7\ncredits: $cell($t, m, d)\n';
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
