import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFiles, quote, type Diagnostic, type StoredFile } from '@creditbook/engine';

/**
 * Fuzzing the loader: random damage to the bundled rule files and random formula text.
 * Whatever the input, loadFiles returns (never throws, never hangs) and every problem points
 * at a file that was given, at a line and column inside that file's text.
 * Seeds are fixed and runs bounded, so a failure reproduces.
 */

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');
const bundled: StoredFile[] = (readdirSync(rulesDir, { recursive: true }) as string[])
  .filter((p) => /\.ya?ml$/.test(p))
  .sort()
  .map((p) => ({ path: p.split(path.sep).join('/'), text: readFileSync(path.join(rulesDir, p), 'utf8') }));

/** Every diagnostic names a given file and a line/col inside its text. */
function expectPositioned(errors: readonly Diagnostic[], files: readonly StoredFile[]): void {
  const byPath = new Map(files.map((f) => [f.path, f.text]));
  for (const e of errors) {
    const text = byPath.get(e.file);
    expect(text, `${e.code} names a file that was loaded: '${e.file}'`).toBeDefined();
    const lines = text!.split('\n');
    expect(e.line, `${e.file}:${e.line}:${e.col} ${e.code}`).toBeGreaterThanOrEqual(1);
    expect(e.line, `${e.file}:${e.line}:${e.col} ${e.code}`).toBeLessThanOrEqual(lines.length);
    expect(e.col, `${e.file}:${e.line}:${e.col} ${e.code}`).toBeGreaterThanOrEqual(1);
    expect(e.col, `${e.file}:${e.line}:${e.col} ${e.code}`).toBeLessThanOrEqual(lines[e.line - 1]!.length + 1);
    expect(e.pos[0]).toBeLessThanOrEqual(text!.length);
    expect(e.pos[1]).toBeGreaterThanOrEqual(e.pos[0]);
  }
}

type Mutation =
  | { op: 'delete-line'; at: number }
  | { op: 'duplicate-line'; at: number }
  | { op: 'swap'; at: number }
  | { op: 'insert'; at: number; what: string }
  | { op: 'truncate'; at: number };

/** `at` is a fraction of the text, so one mutation applies to any file. */
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('duplicate-line' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ op: fc.constant('swap' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    what: fc.constantFrom(':', '"', "'", '{', '[', '\t', '&a ', '*a', '- ', '\n  ', '#', '---\n', '\u202e', '\0'),
  }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
);

function applyMutation(text: string, m: Mutation): string {
  const i = Math.min(text.length, Math.floor(m.at * text.length));
  const lines = text.split('\n');
  const li = Math.min(lines.length - 1, Math.floor(m.at * lines.length));
  switch (m.op) {
    case 'delete-line':
      return [...lines.slice(0, li), ...lines.slice(li + 1)].join('\n');
    case 'duplicate-line':
      return [...lines.slice(0, li + 1), ...lines.slice(li)].join('\n');
    case 'swap':
      return i + 1 < text.length ? text.slice(0, i) + text[i + 1] + text[i] + text.slice(i + 2) : text;
    case 'insert':
      return text.slice(0, i) + m.what + text.slice(i);
    case 'truncate':
      return text.slice(0, i);
  }
}

describe('fuzzing the loader', () => {
  it('damaged bundled files: loadFiles never throws and positions every problem inside its file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bundled.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (which, mutations) => {
        const damaged = mutations.reduce(applyMutation, bundled[which]!.text);
        const files = bundled.map((f, i) => (i === which ? { path: f.path, text: damaged } : f));
        const result = await loadFiles(files);
        expectPositioned(result.errors, files);
        expectPositioned(result.warnings, files);
      }),
      { seed: 20260601, numRuns: 120 },
    );
  });

  it('random formula text in a card: never throws, problems inside the file, quotes return a result', async () => {
    const token = fc.constantFrom(
      '$rate',
      '$cell',
      '$cell($clip, duration_s)',
      '$f',
      '$x',
      '$nope',
      '$sum',
      '$max',
      '$count',
      '$power',
      '$string',
      '$number',
      'duration_s',
      'model',
      '1',
      '0',
      '-1',
      '0.5',
      '1e308',
      '2.5',
      '"s"',
      "'t'",
      '`k`',
      '+',
      '-',
      '*',
      '/',
      '%',
      '&',
      '=',
      '!=',
      '<',
      '>',
      'and',
      'or',
      'in',
      '?',
      ':',
      ';',
      ':=',
      '..',
      '.',
      ',',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      'function($n){',
      '$f($n)',
      '/*',
      '*/',
      '"',
      "'",
      '\\',
      '\n',
      '\t',
      '~>',
      '@',
      '#',
      '^(',
      '|',
    );
    const formula = fc.array(token, { minLength: 1, maxLength: 24 }).map((ts) => ts.join(' '));
    const style = fc.constantFrom('double', 'block', 'folded');
    const header = [
      'kind: RateCard',
      'id: fz',
      'version: 1',
      'effective_from: 2025-01-01',
      'status: published',
      'audit: { author: fuzz, saved_at: 2025-01-01T00:00:00Z }',
      'pool: consumer',
      'dimensions:',
      '  model: { values: [m1, m2] }',
      '  duration_s: { values: [5, 10] }',
      'parameters:',
      '  rate: 2',
      '  clip: { "5": 10, "10": 20 }',
    ].join('\n');
    await fc.assert(
      fc.asyncProperty(formula, style, async (text, s) => {
        const credits =
          s === 'double'
            ? `credits: ${JSON.stringify(text)}`
            : `credits: ${s === 'block' ? '|' : '>'}\n${text
                .split('\n')
                .map((l) => '  ' + l.replace(/\t/g, ' '))
                .join('\n')}`;
        const file = { path: 'fz.yaml', text: `${header}\n${credits}\nexamples:\n  - request: { model: m1, duration_s: 5 }\n    credits: 1\n` };
        const result = await loadFiles([file]);
        expectPositioned(result.errors, [file]);
        // A formula problem points inside the formula: from the `credits:` line up to `examples:`.
        const lines = file.text.split('\n');
        const first = lines.findIndex((l) => l.startsWith('credits:')) + 1;
        const last = lines.findIndex((l) => l.startsWith('examples:'));
        for (const e of result.errors.filter((e) => e.path === '/credits')) {
          expect(e.line, `${e.code} ${e.line}:${e.col}`).toBeGreaterThanOrEqual(first);
          expect(e.line, `${e.code} ${e.line}:${e.col}`).toBeLessThanOrEqual(last);
          if (e.line === first) expect(e.col).toBeGreaterThan('credits: '.length);
        }
        if (result.rules.documents.length > 0) {
          const q = await quote(result.rules, { card: 'fz', on: '2025-06-01', request: { model: 'm2', duration_s: 10 } });
          if (q.ok) expect(Number.isSafeInteger(q.quote.credits) && q.quote.credits >= 0).toBe(true);
        }
      }),
      { seed: 4242, numRuns: 400 },
    );
  });
});
