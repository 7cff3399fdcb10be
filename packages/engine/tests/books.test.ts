import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  books,
  booksSummary,
  buildModel,
  combineBooks,
  compare,
  CreditbookError,
  forecast,
  loadFiles,
  recalculate,
  revenueMismatches,
  type BooksOptions,
  type BooksResult,
} from '@creditbook/engine';
import { expectBooksInvariants } from './support/books.ts';

/**
 * The books conformance suite: each tests/cases/books/*.yaml gives rules and a scenario (or several),
 * the books options, and the figures hand-computed from the rules (arithmetic in the file's comments).
 * One runner: forecast, books, then every listed field of the listed rows, lots, journal lines and totals.
 */
interface Run {
  scenario: string;
  variant?: string;
  method?: BooksOptions['method'];
  breakage_rate?: string | number;
}
type Fields = Record<string, string | number | null>;
interface Case {
  name: string;
  base?: string[];
  files: Record<string, string>;
  runs?: Run[];
  expect: {
    errors: unknown[];
    books_error?: string;
    method?: string;
    periods?: Fields[];
    totals?: Fields;
    lots?: Fields[];
    journal?: Fields[];
    journal_lines?: number;
    combined?: { currencies: string[]; totals: Record<string, Fields>; periods?: Fields[] };
  };
}

const root = path.join(import.meta.dirname, 'cases');
const dir = path.join(root, 'books');

function expectFields(got: object | undefined, want: Fields, where: string): void {
  expect(got, `${where} exists`).toBeDefined();
  for (const [k, v] of Object.entries(want)) expect((got as Record<string, unknown>)[k], `${where} ${k}`).toStrictEqual(v);
}

describe('books cases', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  it('has the worked example and at least ten more cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(11);
  });
  for (const file of files) {
    const c = parse(readFileSync(path.join(dir, file), 'utf8')) as Case;
    it(`${file}: ${c.name}`, async () => {
      const loaded = await loadFiles([
        ...(c.base ?? []).map((b) => ({ path: `_base/${b}`, text: readFileSync(path.join(root, '_base', b), 'utf8') })),
        ...Object.entries(c.files).map(([p, text]) => ({ path: p, text })),
      ]);
      expect(loaded.errors).toEqual(c.expect.errors);
      const scenarios = loaded.rules.ids('Scenario');
      const runs = c.runs ?? [{ scenario: scenarios[0]! }];
      const results: BooksResult[] = [];
      for (const run of runs) {
        const scenario = loaded.rules.latest('Scenario', run.scenario)!.doc;
        const f = await forecast(loaded.rules, scenario, { variant: run.variant ?? null });
        expect(f.problems).toEqual([]);
        const options: BooksOptions = {
          ...(run.method ? { method: run.method } : {}),
          ...(run.breakage_rate !== undefined ? { breakageRate: run.breakage_rate } : {}),
        };
        if (c.expect.books_error) {
          expect(() => books(loaded.rules, f, options)).toThrow(CreditbookError);
          try {
            books(loaded.rules, f, options);
          } catch (e) {
            expect((e as CreditbookError).diagnostics[0]!.code).toBe(c.expect.books_error);
          }
          return;
        }
        const b = books(loaded.rules, f, options);
        expectBooksInvariants(b, f);
        results.push(b);
        // A comparison shows the same figures: its books follow the run's draws in whole cents, never built from its lots.
        const shown = await compare(loaded.rules, scenario, { variants: run.variant ? [run.variant] : [], books: options });
        expect(shown.runs[run.variant ? 1 : 0]!.books, `${run.scenario}: the comparison's books`).toEqual(booksSummary(b));
        // The same books through the workbook's Revenue sheet, every formula recomputed from empty by the engine's graph.
        const wb = await buildModel(loaded.rules, scenario, [run.variant ?? 'base'], { books: options });
        for (const s of wb.sheets) for (const row of s.rows) for (const cell of row) if (cell.f) cell.v = null;
        expect(recalculate(wb).cycles).toEqual([]);
        const bySheet = new Map(wb.sheets.map((s) => [s.name, s]));
        const read = (sheet: string, row: number, col: number) => bySheet.get(sheet)?.rows[row]?.[col]?.v ?? null;
        expect(revenueMismatches(read, [...bySheet.keys()], [b]), `${run.scenario}: the recomputed Revenue sheet`).toEqual([]);
      }
      const b = results[0]!;
      if (c.expect.method) expect(b.method).toBe(c.expect.method);
      for (const want of c.expect.periods ?? []) {
        expectFields(
          b.periods.find((p) => p.period === want['period'] && p.pool === (want['pool'] ?? p.pool)),
          want,
          `${String(want['pool'] ?? '')} ${String(want['period'])}`,
        );
      }
      if (c.expect.totals) expectFields(b.totals, c.expect.totals, 'totals');
      for (const want of c.expect.lots ?? [])
        expectFields(
          b.lots.find((l) => l.id === want['id']),
          want,
          `lot ${String(want['id'])}`,
        );
      for (const want of c.expect.journal ?? []) {
        const hit = b.journal.find((j) => Object.entries(want).every(([k, v]) => (j as unknown as Record<string, unknown>)[k] === v));
        expect(hit, `journal line ${JSON.stringify(want)}`).toBeDefined();
      }
      if (c.expect.journal_lines !== undefined) expect(b.journal.length).toBe(c.expect.journal_lines);
      if (c.expect.combined) {
        const all = combineBooks(results);
        expect(all.currencies).toEqual(c.expect.combined.currencies);
        for (const [cur, want] of Object.entries(c.expect.combined.totals)) expectFields(all.totals[cur], want, `${cur} totals`);
        for (const want of c.expect.combined.periods ?? []) {
          expectFields(
            all.periods.find((p) => p.period === want['period'] && p.currency === want['currency'] && p.pool === (want['pool'] ?? p.pool)),
            want,
            `${String(want['currency'])} ${String(want['period'])}`,
          );
        }
      }
    });
  }
});

describe('books of the bundled scenarios', () => {
  it('every run of every bundled scenario keeps the invariants, under the policy and both what-if methods', async () => {
    const { DirectoryStore } = await import('@creditbook/engine/node');
    const { loadStore, runNames } = await import('@creditbook/engine');
    const loaded = await loadStore(new DirectoryStore(path.join(import.meta.dirname, '..', '..', '..', 'rules')));
    expect(loaded.errors).toEqual([]);
    const ids = loaded.rules.ids('Scenario');
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      const scenario = loaded.rules.latest('Scenario', id)!.doc;
      for (const name of runNames(scenario)) {
        const f = await forecast(loaded.rules, scenario, { variant: name });
        for (const options of [{}, { method: 'at-expiry' as const }, { breakageRate: '0.3' }]) expectBooksInvariants(books(loaded.rules, f, options), f);
        // The bundled validity policies carry revenue terms: the proportional method at their rates.
        const b = books(loaded.rules, f);
        expect(b.method).toBe('proportional');
        expect(b.terms.every((t) => /^ValidityPolicy ((kling-validity|monthly-expiry) v2|monthly-rollover v1)$/.test(t.rule))).toBe(true);
      }
    }
  });
});
