import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildModel, DEMAND, LEDGER, LEDGER_LINES, loadStore, runNames, unshifted, type Formula, type Sheet } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');

/** A formula as Excel's R1C1 sees it from column `col`: relative columns become offsets, so a formula filled right is the same. */
function relative(x: Formula, col: number): unknown {
  switch (x.t) {
    case 'ref':
      return { ...x, col: x.absCol ? x.col : x.col - col };
    case 'range':
      return { ...x, c1: x.absCol ? x.c1 : x.c1 - col, c2: x.absCol ? x.c2 : x.c2 - col };
    case 'op':
      return { ...x, a: relative(x.a, col), b: relative(x.b, col) };
    case 'neg':
      return { ...x, a: relative(x.a, col) };
    case 'fn':
      return { ...x, args: x.args.map((a) => relative(a, col)) };
    default:
      return x;
  }
}

/** Rows of a sheet with time across whose period cells are not one formula filled right: `label` of the row for each. */
function notFilledRight(s: Sheet, first: number, label: (row: number) => string, skip: (c: Sheet['rows'][number][number]) => boolean = () => false): string[] {
  const out: string[] = [];
  s.rows.slice(2).forEach((row, k) => {
    const cells = row.slice(first).filter((c) => !skip(c));
    if (!cells.some((c) => c.f)) return;
    const shapes = new Set(cells.map((c, i) => (c.f ? JSON.stringify(relative(unshifted(c.f), first + i)) : `value ${String(c.v)}`)));
    if (shapes.size > 1) out.push(label(k + 2));
  });
  return out;
}

describe('the Ledger and Demand sheets have time across the columns', () => {
  it('every line of every bundled run is one formula filled right (except what the plan bills, which is an input in its billing months)', async () => {
    const { rules, errors } = await loadStore(new DirectoryStore(rulesDir));
    expect(errors).toEqual([]);
    const seen = new Set<string>();
    for (const id of rules.ids('Scenario')) {
      const scenario = rules.latest('Scenario', id)!.doc;
      const wb = await buildModel(rules, scenario, runNames(scenario));
      for (const s of wb.sheets) {
        if (s.name.startsWith('Ledger')) {
          const bad = notFilledRight(s, LEDGER.first, (r) => String(s.rows[r]![LEDGER.line]!.v));
          for (const b of bad) seen.add(b);
          expect(
            bad.filter((b) => b !== 'Plan billed'),
            `${id} ${s.name}`,
          ).toEqual([]);
          // Row 1 numbers the periods; row 0 holds them as dates (Excel serials: 2025-06-01 is 45,809).
          expect(s.rows[1]!.slice(LEDGER.first).map((c) => c.v)).toEqual(Array.from({ length: s.rows[1]!.length - LEDGER.first }, (_, i) => i + 1));
          expect(s.rows[0]![LEDGER.first]!.fmt).toMatch(/^(month|day)$/);
          expect(s.frozenColumns).toBe(LEDGER.unit + 1);
          // Every pool has every line (and after them, an empty row and the pack-choice blocks of runs with several packs).
          const blocks = s.rows.findIndex((r, k) => k >= 2 && r.length === 0);
          expect(((blocks < 0 ? s.rows.length : blocks) - 2) % LEDGER_LINES.length).toBe(0);
        }
        if (s.name.startsWith('Demand')) {
          // A period whose card cannot price a stream's request (a migration's target before the card that
          // prices it) is no demand to the engine: its credits per unit and seconds are 0, with a note.
          const unpriced = (c: Sheet['rows'][number][number]) => c.f === undefined && c.v === 0 && c.note !== undefined;
          const bad = notFilledRight(s, LEDGER.first + 3, (r) => String(s.rows[r]![DEMAND.item]!.v), unpriced);
          // A card version switching mid-horizon changes the price cell read: the only other exception.
          expect(
            bad.filter((b) => b !== 'Credits per unit'),
            `${id} ${s.name}`,
          ).toEqual([]);
        }
      }
    }
    // Only billing varies by period in the bundled runs (an annual plan bills in its first month).
    expect([...seen].filter((b) => b !== 'Plan billed')).toEqual([]);
  });

  it('a pack-choice block is stored as one formula tree per row, filled right (each other period cell a shift of it), and a lot as a few', async () => {
    const { rules } = await loadStore(new DirectoryStore(rulesDir));
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const wb = await buildModel(rules, scenario, ['threshold-packs-rollover']);
    const ledger = wb.sheets.find((s) => s.name === 'Ledger')!;
    const blocks = ledger.rows.findIndex((r, k) => k >= 2 && r.length === 0);
    expect(blocks).toBeGreaterThan(0);
    const periods = ledger.rows[1]!.length - LEDGER.first;
    let rows = 0;
    ledger.rows.slice(blocks).forEach((row, k) => {
      const formulas = row.slice(LEDGER.first).filter((c) => c.f);
      if (formulas.length === 0) return;
      rows++;
      // The variant's packs and caps are the same in every period: one kind of period, so one tree per row, and a
      // formula in every period (the variant may buy in any).
      expect(formulas.length, `row ${blocks + k}: ${String(row[LEDGER.line]?.v)}`).toBe(periods);
      expect(formulas.filter((c) => c.f!.t !== 'shift').length, `row ${blocks + k}: ${String(row[LEDGER.line]?.v)}`).toBe(1);
    });
    // Hundreds of working rows: the candidates and their keys.
    expect(rows).toBeGreaterThan(100);
    // A lot's cells of each period (what it can give, gives and has left) are one formula filled right from the period after
    // its grant: besides those of its grant period (and of the one before, for a rolled lot), a tree per kind of cell.
    const lots = wb.sheets.find((s) => s.name === 'Lots')!;
    const periodCols = lots.columns.flatMap((c, k) => (/^(avail|d|left)\d+$/.test(c.key) ? [k] : []));
    expect(periodCols.length).toBe(3 * periods);
    for (const row of lots.rows.slice(1)) {
      const trees = periodCols.filter((k) => row[k]?.f && row[k].f.t !== 'shift').length;
      expect(trees, String(row[0]?.v)).toBeLessThanOrEqual(7);
    }
  });

  it('periods are real dates: 2025-06 is Excel day 45,809', async () => {
    const { rules } = await loadStore(new DirectoryStore(rulesDir));
    const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc;
    const wb = await buildModel(rules, scenario, ['base']);
    const ledger = wb.sheets.find((s) => s.name === 'Ledger')!;
    // 1900-01-01 is day 1 and Excel counts 1900-02-29: 2025-06-01 is 45,809 (2025-01-01 is 45,658; + 151 days Jan–May).
    expect(ledger.rows[0]![LEDGER.first]!.v).toBe(45_809);
  });
});

describe('expected breakage rates', () => {
  /** The sources named by the Assumptions' rate inputs and by the rate rows of each Revenue sheet. */
  async function rateSources(id: string) {
    const { rules } = await loadStore(new DirectoryStore(rulesDir));
    const scenario = rules.latest('Scenario', id)!.doc;
    const wb = await buildModel(rules, scenario, runNames(scenario));
    const texts = (s: Sheet) => s.rows.flatMap((r) => r.map((c) => (typeof c?.v === 'string' ? c.v : '')));
    const assumptions = texts(wb.sheets.find((s) => s.name === 'Assumptions')!)
      .filter((t) => t.startsWith('Expected breakage rate: '))
      .map((t) => t.slice('Expected breakage rate: '.length).split(' ')[0]);
    const revenue = Object.fromEntries(
      wb.sheets
        .filter((s) => s.name.startsWith('Revenue'))
        .map((s) => [s.name, s.rows.filter((r) => r[1]?.v === 'Expected breakage rate').map((r) => r[3]?.v)]),
    );
    return { assumptions: [...new Set(assumptions)], revenue };
  }

  it('are inputs only for the paid sources a run has lots of (a rate of a source it lacks would drive nothing)', async () => {
    // agency-campaigns: a Pro subscription and 330-credit top-ups in every run (the variants change
    // the tier, the expiry, the packs or the demand, never add an API or custom package).
    const agency = await rateSources('agency-campaigns');
    expect(agency.assumptions).toEqual(['subscription', 'top_up']);
    for (const [sheet, sources] of Object.entries(agency.revenue)) expect(sources, sheet).toEqual(['subscription', 'top_up']);
    // api-integration: no subscription (the plan names a catalog, no tier); api-1k auto top-ups and
    // the quarterly api-10k are API packages; only the enterprise-package variant buys a custom package.
    const api = await rateSources('api-integration');
    expect(api.assumptions).toEqual(['api_package', 'custom_package']);
    const bySheet = Object.values(api.revenue);
    expect(bySheet.filter((s) => s.join() === 'api_package,custom_package')).toHaveLength(1);
    expect(bySheet.filter((s) => s.join() === 'api_package')).toHaveLength(bySheet.length - 1);
  });
});
