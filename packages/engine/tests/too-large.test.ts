import { describe, expect, it } from 'vitest';
import { checkScenarioRuns, forecast, loadFiles, type Scenario } from '@creditbook/engine';
import { demoPack, demoScenario } from './support/fixtures.ts';

const lines = (n: number) => Array.from({ length: n }, (_, i) => `  - { id: l${i}, request: { model: m1, mode: std, duration_s: 5 }, count: 1 }`).join('\n');

describe('scenarios too large to forecast', () => {
  it('are one problem at the horizon when validated, found at once, and refused by forecast', async () => {
    const text = `start: 2025-01-01
granularity: day
horizon: 3660
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
${lines(400)}
`;
    const loaded = await loadFiles([...demoPack(), demoScenario(text)]);
    expect(loaded.errors).toEqual([]);
    const problems = await checkScenarioRuns(loaded.rules);
    expect(problems.map((p) => p.code)).toEqual(['C_TOO_LARGE']);
    const file = demoScenario(text).path;
    const line =
      demoScenario(text)
        .text.split('\n')
        .findIndex((l) => l.startsWith('horizon:')) + 1;
    expect(problems[0]).toMatchObject({ file, line, col: 10 });
    const scenario = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
    // A forecast returns the problem, positioned at the horizon, and computes nothing.
    const r = await forecast(loaded.rules, scenario);
    expect(r.problems.map((p) => [p.code, p.file, p.line, p.col, p.path, p.run])).toEqual([['C_TOO_LARGE', file, line, 10, '/horizon', 'base']]);
    expect(r.periods).toEqual([]);
  });

  it('a large but reasonable scenario still forecasts', async () => {
    const text = `start: 2025-01-01
granularity: day
horizon: 365
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
${lines(20)}
`;
    const loaded = await loadFiles([...demoPack(), demoScenario(text)]);
    expect(await checkScenarioRuns(loaded.rules)).toEqual([]);
  });
});
