import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, forecast, loadFiles, modelMismatches, recalculate, setInputs, type Scenario, type Workbook } from '@creditbook/engine';

/**
 * The numbers of the newer ledger policies are inputs of the workbook, named and validated like the
 * others: the share of a lot's credits left that rolls over and the most that roll (a rollover), and
 * the overdraft limit. Editing one in the model and recalculating gives what the engine computes for
 * the policy with that number.
 */
const root = path.join(import.meta.dirname, 'cases', '_base');
const base = ['card.yaml', 'plans.yaml'].map((b) => ({ path: `_base/${b}`, text: readFileSync(path.join(root, b), 'utf8') }));

const policy = (share: number, cap: number, limit: number) => `kind: ValidityPolicy
id: roll
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
sources:
  subscription:
    validity: { months: 1 }
    priority: 2
    rollover: { share: ${share}, max_credits: ${cap}, validity: { months: 1 } }
overdraft: { limit: ${limit} }
`;

// Subscription 100 a month; demand 4 clips × 10 = 40 in Jan and Feb, 30 clips = 300 in Mar (a burst of 26).
const scenarioText = `kind: Scenario
id: s
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
start: 2025-01
horizon: 4
plan: { catalog: demo-plans, subscription: basic }
rules: { validity: roll, cards: { consumer: demo-card } }
demand:
  - id: clips
    request: { model: m1, mode: std, duration_s: 5 }
    count: 4
    profile: { type: burst, bursts: [ { start: 2025-03, periods: 1, count: 26 } ] }
`;

async function run(share: number, cap: number, limit: number) {
  const loaded = await loadFiles([...base, { path: 'v.yaml', text: policy(share, cap, limit) }, { path: 's.yaml', text: scenarioText }]);
  expect(loaded.errors).toEqual([]);
  const scenario: Scenario = loaded.rules.latest('Scenario', 's')!.doc;
  return { rules: loaded.rules, scenario, result: await forecast(loaded.rules, scenario) };
}

/** The base run's Assumptions cell of an input, by its label. */
function inputCell(wb: Workbook, label: string) {
  const sheet = wb.sheets.find((s) => s.name === 'Assumptions')!;
  const row = sheet.rows.findIndex((r) => r[0]?.v === label);
  expect(row, `input '${label}'`).toBeGreaterThanOrEqual(0);
  return { row, cell: sheet.rows[row]![1]! };
}

function mismatchesOf(wb: Workbook, result: Awaited<ReturnType<typeof run>>['result']): string[] {
  const bySheet = new Map(wb.sheets.map((s) => [s.name, s]));
  return modelMismatches((s, r, c) => bySheet.get(s)?.rows[r]?.[c]?.v ?? null, [...bySheet.keys()], [result]);
}

describe('rollover share and cap, and the overdraft limit, are workbook inputs', () => {
  it('are named cells validated with the engine bounds', async () => {
    const { rules, scenario } = await run(0.5, 30, 50);
    const wb = await buildModel(rules, scenario, ['base']);
    const share = inputCell(wb, 'Share of subscription credits left that rolls over').cell;
    expect(share).toMatchObject({ v: 0.5, input: true, fmt: 'percent', name: 'base_rollover_subscription_share' });
    expect(share.validation).toMatchObject({ type: 'decimal', min: 0, max: 1 });
    const cap = inputCell(wb, 'Most subscription credits that roll over').cell;
    expect(cap).toMatchObject({ v: 30, input: true, name: 'base_rollover_subscription_cap' });
    expect(cap.validation).toMatchObject({ type: 'whole', min: 0 });
    const limit = inputCell(wb, 'Overdraft limit per pool (credits)').cell;
    expect(limit).toMatchObject({ v: 50, input: true, name: 'base_overdraft_limit' });
    expect(limit.validation).toMatchObject({ type: 'whole', min: 0 });
  });

  // Share 0.5, cap 30, limit 50: Jan's lot has 60 left, floor(60 × 0.5) = 30 roll (the cap is 30 too).
  // Editing each changes the ledger: a share of 0.29 rolls floor(60 × 0.29) = floor(17.4) = 17, a cap of
  // 20 rolls 20, a limit of 100 serves more of March's burst on credit.
  const edits: [label: string, edit: number, args: [share: number, cap: number, limit: number]][] = [
    ['Share of subscription credits left that rolls over', 0.29, [0.29, 30, 50]],
    ['Most subscription credits that roll over', 20, [0.5, 20, 50]],
    ['Overdraft limit per pool (credits)', 100, [0.5, 30, 100]],
  ];
  for (const [label, edit, args] of edits) {
    it(`editing '${label}' to ${edit} recomputes what the engine computes with it`, async () => {
      const { rules, scenario, result: before } = await run(0.5, 30, 50);
      const { result: expected } = await run(...args);
      expect(expected.periods, 'the edit changes the ledger').not.toEqual(before.periods);
      const wb = await buildModel(rules, scenario, ['base']);
      for (const sh of wb.sheets) for (const r of sh.rows) for (const cell of r) if (cell.f) cell.v = null;
      expect(recalculate(wb).cycles).toEqual([]);
      expect(mismatchesOf(wb, before)).toEqual([]);
      const { row } = inputCell(wb, label);
      setInputs(wb, [{ sheet: 'Assumptions', row, col: 1, value: edit }]);
      expect(mismatchesOf(wb, expected)).toEqual([]);
    });
  }
});
