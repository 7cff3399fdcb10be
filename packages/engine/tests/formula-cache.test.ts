import { describe, expect, it } from 'vitest';
import { compileFormula } from '@creditbook/engine';

describe('the compiled-formula cache', () => {
  it('returns the same compilation for the same text', () => {
    const a = compileFormula('1 + 2');
    expect(compileFormula('1 + 2')).toBe(a);
  });

  it('keeps a formula in use while many others pass through (least recently used out, not all at once)', () => {
    const kept = compileFormula('$x * 3');
    const oldest = compileFormula('0 + 1');
    // 6,000 other texts pass the 5,000-entry bound; the one used between them stays remembered.
    for (let i = 0; i < 6_000; i++) {
      compileFormula(`${i} + 1`);
      if (i % 1_000 === 0) expect(compileFormula('$x * 3')).toBe(kept);
    }
    expect(compileFormula('$x * 3')).toBe(kept);
    // The oldest of the others, not used since, is gone: compiling it again gives a new result.
    expect(compileFormula('0 + 1')).not.toBe(oldest);
  });
});
