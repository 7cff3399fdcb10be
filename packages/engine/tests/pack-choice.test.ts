import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildModel,
  forecast,
  loadFiles,
  loadStore,
  modelMismatches,
  recalculate,
  setInputs,
  type ForecastResult,
  type Scenario,
  type Workbook,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

/**
 * Several pack sizes in the workbook: how many of each pack an auto top-up buys is chosen by
 * formulas (the Ledger's pack-choice block), so editing demand or a pack's price in the workbook
 * re-chooses the packs as the engine would for the edited scenario.
 */
const root = path.join(import.meta.dirname, 'cases', '_base');
const card = { path: '_base/card.yaml', text: readFileSync(path.join(root, 'card.yaml'), 'utf8') };
const validity = { path: '_base/validity.yaml', text: readFileSync(path.join(root, 'validity.yaml'), 'utf8') };
const catalog = (p1000: string) => ({
  path: 'multi.yaml',
  text: `kind: PlanCatalog
id: multi-plans
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
currency: USD
top_ups:
  - { id: p330, pool: consumer, price: "5.00", credits: 330 }
  - { id: p1000, pool: consumer, price: "${p1000}", credits: 1000 }
  - { id: p3000, pool: consumer, price: "30.00", credits: 3000 }
`,
});
// Demand: `count` × 280 credits a month for two months; no subscription; at most 3 packs a period.
const scenario = (count: number) => ({
  path: 's.yaml',
  text: `kind: Scenario
id: s
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
start: 2025-01
horizon: 2
plan: { catalog: multi-plans }
rules: { validity: demo-validity, cards: { consumer: demo-card } }
demand:
  - { id: master, request: { model: m2, duration_s: 10 }, count: ${count} }
purchases: { policy: auto, pack: p330, pack_options: [p1000, p3000], max_packs_per_period: 3 }
`,
});

async function run(count: number, p1000: string) {
  const loaded = await loadFiles([card, validity, catalog(p1000), scenario(count)]);
  expect(loaded.errors).toEqual([]);
  const doc: Scenario = loaded.rules.latest('Scenario', 's')!.doc;
  return { rules: loaded.rules, scenario: doc, result: await forecast(loaded.rules, doc) };
}

/** The Assumptions row of the base run's input whose label starts so. */
function inputRow(wb: Workbook, label: string): number {
  const rows = wb.sheets.find((s) => s.name === 'Assumptions')!.rows;
  const row = rows.findIndex((r) => typeof r[0]?.v === 'string' && r[0].v.startsWith(label));
  expect(row, `input '${label}'`).toBeGreaterThanOrEqual(0);
  return row;
}

function mismatchesOf(wb: Workbook, result: ForecastResult): string[] {
  const bySheet = new Map(wb.sheets.map((s) => [s.name, s]));
  return modelMismatches((s, r, c) => bySheet.get(s)?.rows[r]?.[c]?.v ?? null, [...bySheet.keys()], [result]);
}

const bought = (r: ForecastResult) => r.periods.map((p) => ({ purchased: p.purchased, spend: p.spend, closing: p.closing }));

describe('several pack sizes are chosen by formulas in the workbook', () => {
  it('writes every auto top-up pack count as a formula, none as the engine value', async () => {
    const { rules, scenario: doc } = await run(5, '12.00');
    const wb = await buildModel(rules, doc, ['base']);
    const lots = wb.sheets.find((s) => s.name === 'Lots')!;
    const packs = lots.rows[0]!.findIndex((c) => c.v === 'Packs');
    const auto = lots.rows.filter((r) => String(r[0]?.v).startsWith('auto '));
    expect(auto.length).toBe(6); // 3 packs offered × 2 periods
    for (const r of auto) {
      expect(r[packs]!.f, `${String(r[0]!.v)}: packs`).toBeDefined();
      expect(r[packs]!.note).toBeUndefined();
    }
  });

  // Base (5 × 280 = 1,400 a month; packs p330 5.00, p1000 12.00, p3000 30.00; at most 3):
  //   Jan: 1,400 to cover: p1000 + 2 × p330 = 1,660 for 22.00 (2 × p1000 24.00, p3000 30.00; 5 × p330 is 5 packs);
  //        1,660 − 1,400 = 260 left.
  //   Feb: 1,400 − 260 = 1,140: p1000 + p330 = 1,330 for 17.00 (4 × p330 is 4 packs, 2 × p1000 24.00): 190 left.
  // Demand edited to 10 × 280 = 2,800:
  //   Jan: p3000 = 3,000 for 30.00 (2 × p1000 + p330 = 2,330 falls short; 3 × p1000 36.00): 200 left.
  //   Feb: 2,800 − 200 = 2,600: p3000 for 30.00 again (2 × p1000 + p330 = 2,330 short, 3 × p1000 36.00): 400 left.
  // p1000's price edited to 20.00:
  //   Jan: of at most 3 packs, p3000 = 3,000 for 30.00 and p1000 + 2 × p330 = 1,660 for 20 + 10 = 30.00 tie:
  //        fewer packs, p3000: 1,600 left. Feb: 1,600 hold the 1,400: nothing bought, 200 left.
  const cases: { edit: string; label: string; value: number; args: [number, string]; expect: ReturnType<typeof bought> }[] = [
    {
      edit: 'demand doubled',
      label: 'Demand master: base count',
      value: 10,
      args: [10, '12.00'],
      expect: [
        { purchased: 3000, spend: '30.00', closing: 200 },
        { purchased: 3000, spend: '30.00', closing: 400 },
      ],
    },
    {
      edit: "p1000's price raised",
      label: 'Pack p1000: price',
      value: 20,
      args: [5, '20.00'],
      expect: [
        { purchased: 3000, spend: '30.00', closing: 1600 },
        { purchased: 0, spend: '0.00', closing: 200 },
      ],
    },
  ];

  it('the base run buys the hand-computed combinations', async () => {
    const { result } = await run(5, '12.00');
    expect(bought(result)).toEqual([
      { purchased: 1660, spend: '22.00', closing: 260 },
      { purchased: 1330, spend: '17.00', closing: 190 },
    ]);
  });

  for (const c of cases) {
    it(`${c.edit} in the workbook re-chooses the packs as the engine does for the edited scenario`, async () => {
      const { rules, scenario: doc, result: before } = await run(5, '12.00');
      const { result: expected } = await run(...c.args);
      expect(bought(expected)).toEqual(c.expect);
      const wb = await buildModel(rules, doc, ['base']);
      for (const sh of wb.sheets) for (const r of sh.rows) for (const cell of r) if (cell.f) cell.v = null;
      expect(recalculate(wb).cycles).toEqual([]);
      expect(mismatchesOf(wb, before)).toEqual([]);
      setInputs(wb, [{ sheet: 'Assumptions', row: inputRow(wb, c.label), col: 1, value: c.value }]);
      expect(mismatchesOf(wb, expected)).toEqual([]);
    });
  }

  // Sized at export for needs up to twice the largest demand: 2 × 1,400 = 2,800, so at most ceil(2,800 ÷ 3,000) = 1 of
  // p3000 and min(ceil(2,800 ÷ 1,000), 3 packs) = 3 of p1000: 2 × 4 = 8 candidates. Demand edited to 20 × 280 = 5,600
  // needs 2 of p3000 (2 × 3,000 = 6,000 for 60.00, within 3 packs): past the bound, so the flag says so (0, in red).
  it('flags a period whose need passes the candidates written at export', async () => {
    const { rules, scenario: doc } = await run(5, '12.00');
    const wb = await buildModel(rules, doc, ['base']);
    const ledger = wb.sheets.find((s) => s.name === 'Ledger')!;
    const chosen = ledger.rows.filter((r) => /^Candidate \d+: chosen/.test(String(r[1]?.v)));
    expect(chosen.length).toBe(8);
    const flag = ledger.rows.findIndex((r) => r[1]?.v === 'Candidates reach the need (1 = yes)');
    expect(ledger.rows[flag]![1]!.note).toMatch(/export again/i);
    expect(ledger.highlights!.some((h) => h.colour === 'red' && h.ref.endsWith(String(flag + 1)))).toBe(true);
    const first = ledger.columns.findIndex((c) => c.key === 't0');
    recalculate(wb);
    expect([ledger.rows[flag]![first]!.v, ledger.rows[flag]![first + 1]!.v]).toEqual([1, 1]);
    setInputs(wb, [{ sheet: 'Assumptions', row: inputRow(wb, 'Demand master: base count'), col: 1, value: 20 }]);
    expect(ledger.rows[flag]![first]!.v).toBe(0);
  });

  // Four packs (p330, p1000, p3000 and p500 at 7.00) are past the bound of three: the counts are the engine's, as values
  // with a note, and everything after them is still a formula (the recomputed workbook equals the forecast).
  it('with more than three packs writes the engine counts as values with a note', async () => {
    const four = catalog('12.00');
    four.text += '  - { id: p500, pool: consumer, price: "7.00", credits: 500 }\n';
    const s = scenario(5);
    s.text = s.text.replace('pack_options: [p1000, p3000]', 'pack_options: [p1000, p3000, p500]');
    const loaded = await loadFiles([card, validity, four, s]);
    expect(loaded.errors).toEqual([]);
    const doc: Scenario = loaded.rules.latest('Scenario', 's')!.doc;
    const result = await forecast(loaded.rules, doc);
    const wb = await buildModel(loaded.rules, doc, ['base']);
    const lots = wb.sheets.find((x) => x.name === 'Lots')!;
    const packs = lots.rows[0]!.findIndex((c) => c.v === 'Packs');
    const auto = lots.rows.filter((r) => String(r[0]?.v).startsWith('auto '));
    expect(auto.length).toBe(8);
    for (const r of auto) {
      expect(r[packs]!.f).toBeUndefined();
      expect(r[packs]!.note).toMatch(/chosen by the engine/);
    }
    for (const sh of wb.sheets) for (const r of sh.rows) for (const cell of r) if (cell.f) cell.v = null;
    expect(recalculate(wb).cycles).toEqual([]);
    expect(mismatchesOf(wb, result)).toEqual([]);
  });

  it('the Kling threshold-packs-rollover variant chooses its packs by formulas, and a doubled demand recomputes as the engine', async () => {
    const loaded = await loadStore(new DirectoryStore(path.join(import.meta.dirname, '..', '..', '..', 'rules')));
    expect(loaded.errors).toEqual([]);
    const agency = loaded.rules.latest('Scenario', 'agency-campaigns')!.doc;
    const variant = agency.variants!.find((v) => v.name === 'threshold-packs-rollover')!;
    // The variant as the base run (so its inputs are its own), with and without every demand line doubled.
    const base: Scenario = {
      ...agency,
      plan: { ...agency.plan, catalog: variant.plan!.catalog! },
      rules: { ...agency.rules, ...variant.rules },
      purchases: variant.purchases!,
      variants: [],
    };
    const doubled: Scenario = { ...base, demand: base.demand.map((d) => ({ ...d, count: d.count * 2 })) };
    const wb = await buildModel(loaded.rules, base, ['base']);
    const lots = wb.sheets.find((s) => s.name === 'Lots')!;
    const packs = lots.rows[0]!.findIndex((c) => c.v === 'Packs');
    for (const r of lots.rows.filter((x) => String(x[0]?.v).startsWith('auto '))) expect(r[packs]!.f, String(r[0]!.v)).toBeDefined();
    // Candidates: 0–3 of topup-3000 (3 × 39.00 = 117.00 within the 150.00 a month; 4 × 39.00 = 156.00 is over)
    // × 0–10 of topup-1000 (the cap of 10 packs; 10 × 14.00 = 140.00 within the limit) = 4 × 11 = 44.
    const ledger = wb.sheets.find((s) => s.name === 'Ledger')!;
    const chosenRows = ledger.rows.filter((r) => /^Candidate \d+: chosen/.test(String(r[1]?.v)));
    expect(chosenRows.length).toBe(44);
    const expected = await forecast(loaded.rules, doubled);
    const before = await forecast(loaded.rules, base);
    expect(expected.totals.purchased).toBeGreaterThan(before.totals.purchased);
    const edits = base.demand.map((d) => ({ sheet: 'Assumptions', row: inputRow(wb, `Demand ${d.id}: base count`), col: 1, value: d.count * 2 }));
    expect(edits.length).toBeGreaterThan(0);
    for (const sh of wb.sheets) for (const r of sh.rows) for (const cell of r) if (cell.f) cell.v = null;
    expect(recalculate(wb).cycles).toEqual([]);
    expect(mismatchesOf(wb, before)).toEqual([]);
    setInputs(wb, edits);
    expect(mismatchesOf(wb, expected)).toEqual([]);
  });
});
