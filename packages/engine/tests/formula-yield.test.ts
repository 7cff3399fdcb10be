import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFormula, evaluateFormula, pauseBudgetedEvaluations, stepBudget } from '@creditbook/engine';

/** Counts the turns of the event loop (setImmediate callbacks) taken while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  return turns;
}

describe('an evaluation under a request budget gives the thread back, when a server asks for it', () => {
  beforeAll(() => pauseBudgetedEvaluations(128));
  afterAll(() => pauseBudgetedEvaluations(0));
  const loop = compileFormula('$reduce([1..30000], function($a, $x){ $a + $x }, 0)');
  if (!loop.ok) throw new Error('the formula compiles');

  it('a long loop lets the event loop turn while it runs, and still gives its value', async () => {
    let value: unknown;
    const turns = await turnsDuring(async () => {
      const r = await evaluateFormula(loop.formula, {}, {}, undefined, stepBudget());
      value = r.ok ? r.value : r.problem.code;
    });
    // 1 + 2 + … + 30000 = 30000 × 30001 / 2 = 450,015,000.
    expect(value).toBe(450_015_000);
    // Well over 30,000 steps, a pause every 128 of them: the loop turned hundreds of times.
    expect(turns).toBeGreaterThan(100);
  });

  it("without a budget (the engine's own trusted runs) nothing pauses", async () => {
    const turns = await turnsDuring(() => evaluateFormula(loop.formula, {}, {}));
    expect(turns).toBeLessThanOrEqual(1);
  });

  it('with pausing off (the command line) a budgeted evaluation runs through', async () => {
    pauseBudgetedEvaluations(0);
    try {
      const turns = await turnsDuring(() => evaluateFormula(loop.formula, {}, {}, undefined, stepBudget()));
      expect(turns).toBeLessThanOrEqual(1);
    } finally {
      pauseBudgetedEvaluations(128);
    }
  });
});
