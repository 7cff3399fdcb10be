import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCard, compileTable, loadFiles, type RateCard } from '@creditbook/engine';
import { demoPack } from './support/fixtures.ts';

describe('compiled card tables', () => {
  it('give exactly what the formula gives, for any request, valid or not', async () => {
    const { rules } = await loadFiles(demoPack());
    const card = rules.get('RateCard', 'demo-card', 1)!.doc as RateCard;
    const table = (await compileTable(card))!;
    expect(table.cells).toBeGreaterThan(0);
    const slow = compileCard(card);
    const value = (vs: (string | number)[]) => fc.option(fc.constantFrom(...vs), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ model: value(['m1', 'm2', 'm3']), mode: value(['std', 'pro', 'single', 'turbo']), duration_s: value([5, 10, '10', 7]), colour: value(['red']) }),
        async (raw) => {
          const request = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
          const p = await slow.price(request);
          expect(table.lookup(request)).toBe(p.ok ? p.credits : undefined);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
