import { describe, expect, it } from 'vitest';
import { compileFormula, evaluateFormula, FORMULA_LIMITS } from '@creditbook/engine';

async function run(text: string) {
  const c = compileFormula(text);
  if (!c.ok) throw new Error(c.problem.message);
  return evaluateFormula(c.formula, { duration_s: 5 }, {});
}

describe('formula values are bounded in size', () => {
  it('a string doubled until memory runs out stops at the string bound, long before V8 would give up', async () => {
    const r = await run("$length($reduce([1..40], function($a, $v) { $a & $a }, 'x'))");
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.limit).toBe(true);
      expect(r.problem.message).toContain(`limit ${FORMULA_LIMITS.string}`);
    }
  });

  it('many small pieces add up to the allocation bound', async () => {
    const r = await run("$count($map([1..100000], function($v) { $pad('', 50, 'y') & $string($v) }))");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.limit).toBe(true);
  });

  it('$pad to a huge width is refused before it allocates; ordinary padding works as JSONata pads', async () => {
    const huge = await run("$length($pad('x', 500000000))");
    expect(huge.ok).toBe(false);
    if (!huge.ok) expect(huge.problem.message).toContain('$pad to a width of 500000000');
    expect(await run("$pad('ab', 5, '-')")).toEqual({ ok: true, value: 'ab---' });
    expect(await run("$pad('ab', -5, 'xy')")).toEqual({ ok: true, value: 'xyxab' });
    expect(await run("$pad('abc', 2)")).toEqual({ ok: true, value: 'abc' });
  });

  it('ordinary formulas are far inside the bounds', async () => {
    const r = await run("$length($join($map([1..100], function($v) { $string($v) }), ','))");
    expect(r).toEqual({ ok: true, value: 291 });
  });
});
