import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { books, buildModel, forecast, loadFiles, modelMismatches, recalculate, revenueMismatches, type Scenario } from '@creditbook/engine';
import { expectInvariants } from './support/invariants.ts';

/**
 * The ledger conformance suite: each file under tests/cases/ledger/ is one small hand-computed
 * ledger (the arithmetic in its comments): rule files (shared ones from _base/ and its own), a
 * scenario, the run, and the expected periods, lots, totals and problems. Every case is checked
 * twice: through `forecast`, and through the workbook model recomputed by the engine's graph (its Ledger,
 * Lots and Summary against the forecast, its Revenue sheet against the run's books).
 */
interface Case {
  name: string;
  base?: string[];
  files?: Record<string, string>;
  /** The scenario's body (everything after its header). */
  scenario: string;
  variant?: string;
  expect: {
    periods?: Record<string, unknown>[];
    lots?: Record<string, unknown>[];
    totals?: Record<string, unknown>;
    by_pool?: Record<string, Record<string, unknown>>;
    demand?: Record<string, unknown>[];
    problems?: { code: string; path?: string; period?: string; severity?: string }[];
    currency?: string;
    versions?: Record<string, unknown>[];
  };
}

const root = path.join(import.meta.dirname, 'cases');
const dir = path.join(root, 'ledger');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const HEADER = `kind: Scenario
id: case
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
`;

/** Each expected row's fields (only those given) against the actual rows, in order. */
function expectRows(what: string, got: readonly object[], want: readonly Record<string, unknown>[]): void {
  expect(got.length, `${what}: number of rows`).toBe(want.length);
  want.forEach((w, i) => {
    const g = got[i] as Record<string, unknown>;
    for (const [k, v] of Object.entries(w)) expect(g[k], `${what}[${i}].${k}`).toStrictEqual(v);
  });
}

describe('ledger conformance', () => {
  it('has at least 30 hand-computed cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    const c = parse(readFileSync(path.join(dir, file), 'utf8')) as Case;
    it(`${file}: ${c.name}`, async () => {
      const loaded = await loadFiles([
        ...(c.base ?? []).map((b) => ({ path: `_base/${b}`, text: readFileSync(path.join(root, '_base', b), 'utf8') })),
        ...Object.entries(c.files ?? {}).map(([p, text]) => ({ path: p, text })),
        { path: 'scenario.yaml', text: HEADER + c.scenario },
      ]);
      expect(loaded.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.code} ${e.message}`)).toEqual([]);
      const scenario = loaded.rules.documents.find((d) => d.doc.kind === 'Scenario')!.doc as Scenario;
      const r = await forecast(loaded.rules, scenario, { variant: c.variant ?? null });
      const e = c.expect;
      expect(
        r.problems.map((p) => ({ code: p.code, ...(p.path ? { path: p.path } : {}) })),
        'problems',
      ).toEqual((e.problems ?? []).map((p) => ({ code: p.code, ...(p.path ? { path: p.path } : {}) })));
      if (e.periods) expectRows('periods', r.periods, e.periods);
      if (e.lots) expectRows('lots', r.lots, e.lots);
      if (e.demand) expectRows('demand', r.demand, e.demand);
      if (e.versions) expectRows('versions', r.versions, e.versions);
      for (const [k, v] of Object.entries(e.totals ?? {})) expect((r.totals as unknown as Record<string, unknown>)[k], `totals.${k}`).toStrictEqual(v);
      for (const [pool, t] of Object.entries(e.by_pool ?? {})) {
        for (const [k, v] of Object.entries(t))
          expect((r.totals.by_pool[pool] as unknown as Record<string, unknown>)?.[k], `by_pool.${pool}.${k}`).toStrictEqual(v);
      }
      if (e.currency) expect(r.currency).toBe(e.currency);
      if (r.periods.length > 0) expectInvariants(r);

      // The same run through the workbook model, every formula recomputed from empty by the engine's graph.
      if (r.periods.length > 0) {
        const wb = await buildModel(loaded.rules, scenario, [c.variant ?? 'base']);
        for (const s of wb.sheets) for (const row of s.rows) for (const cell of row) if (cell.f) cell.v = null;
        expect(recalculate(wb).cycles).toEqual([]);
        const bySheet = new Map(wb.sheets.map((s) => [s.name, s]));
        const read = (sheet: string, row: number, col: number) => bySheet.get(sheet)?.rows[row]?.[col]?.v ?? null;
        expect(modelMismatches(read, [...bySheet.keys()], [r]), 'the recomputed workbook').toEqual([]);
        expect(revenueMismatches(read, [...bySheet.keys()], [books(loaded.rules, r)]), 'the recomputed Revenue sheet').toEqual([]);
      }
    });
  }
});
