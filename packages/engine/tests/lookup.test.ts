import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCard, compileTable, loadFiles, type RateCard } from '@creditbook/engine';
import { demoPack } from './support/fixtures.ts';

describe('compiled card tables', () => {
  it('give exactly what the formula gives, for any request, valid or not', async () => {
    const { rules } = await loadFiles(demoPack());
    const card = rules.get('RateCard', 'demo-card', 1)!.doc;
    const table = (await compileTable(card))!;
    expect(table.cells).toBeGreaterThan(0);
    const slow = compileCard(card);
    const value = (vs: (string | number)[]) => fc.option(fc.constantFrom(...vs), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          model: value(['m1', 'm2', 'm3']),
          mode: value(['std', 'pro', 'single', 'turbo']),
          duration_s: value([5, 10, '10', 7]),
          colour: value(['red']),
        }),
        async (raw) => {
          const request = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
          const p = await slow.price(request);
          expect(table.lookup(request)).toBe(p.ok ? p.credits : undefined);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('agree with the formula for cards of one to six dimensions, omitted and unknown keys included', async () => {
    for (let n = 1; n <= 6; n++) {
      const dims = Array.from({ length: n }, (_, i) => `d${i}`);
      const dimensions = Object.fromEntries(
        dims.map((d, i) => [d, i === 0 ? { values: ['a', 'b'] } : i === 1 ? { values: [1, 2], default: 1 } : { values: ['x', 'y', 'z'] }]),
      );
      const card = {
        kind: 'RateCard',
        id: `card-${n}`,
        version: 1,
        effective_from: '2025-01-01',
        status: 'published',
        audit: { author: 't', saved_at: '2025-01-01' },
        pool: 'consumer',
        dimensions,
        constraints: n > 2 ? [{ when: { d0: 'b' }, allow: { d2: ['z'] } }] : [],
        credits: dims.map((d) => `($string(${d}) = 'b' or $string(${d}) = '2' or $string(${d}) = 'y' ? 3 : 1)`).join(' * '),
      } as unknown as RateCard;
      const table = (await compileTable(card))!;
      const slow = compileCard(card);
      // Mostly valid values, some invalid ones, sometimes a key the card does not have.
      const valid = (i: number) => (i === 0 ? ['a', 'b'] : i === 1 ? [1, 2, '2'] : ['x', 'y', 'z']);
      const arb = fc.record({
        ...Object.fromEntries(
          dims.map((d, i) => [
            d,
            fc.option(fc.oneof({ arbitrary: fc.constantFrom(...valid(i)), weight: 8 }, { arbitrary: fc.constantFrom('q', 7), weight: 1 }), {
              nil: undefined,
              freq: 8,
            }),
          ]),
        ),
        extra: fc.option(fc.constant('e'), { nil: undefined, freq: 1 }),
      });
      let priced = 0;
      await fc.assert(
        fc.asyncProperty(arb, async (raw) => {
          const request = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
          const p = await slow.price(request);
          if (p.ok) priced++;
          expect(table.lookup(request)).toBe(p.ok ? p.credits : undefined);
        }),
        { numRuns: 300, seed: 7 + n },
      );
      // The requests exercised the priced paths too, not only the refusals.
      expect(priced, `card with ${n} dimensions`).toBeGreaterThan(30);
    }
  });
});
