import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadFiles, quote, type Kind } from '@creditbook/engine';

/**
 * The conformance suite: each case file under tests/cases/<topic>/ gives rule files (plus shared
 * ones from _base/), optionally a quote, and the expected errors (code, file, line, col, path) or result.
 */
interface Case {
  name: string;
  base?: string[];
  files?: Record<string, string>;
  quote?: { card: string; on: string; request: Record<string, string | number> };
  expect: {
    errors: { code: string; file: string; line?: number; col?: number; path?: string; message?: string }[];
    credits?: number;
    version?: number;
    quote_error?: string;
    /** Values the loaded documents hold, by `Kind/id/version` and JSON pointer (hostile text must stay plain text). */
    values?: Record<string, Record<string, unknown>>;
  };
}

const root = path.join(import.meta.dirname, 'cases');
const baseDir = path.join(root, '_base');
// Ledger cases have their own runner (ledger-conformance.test.ts).
const topics = readdirSync(root).filter((d) => d !== '_base' && d !== 'ledger' && d !== 'ledger-policies');

for (const topic of topics) {
  describe(topic, () => {
    for (const file of readdirSync(path.join(root, topic)).filter((f) => f.endsWith('.yaml'))) {
      const c = parse(readFileSync(path.join(root, topic, file), 'utf8')) as Case;
      it(`${file}: ${c.name}`, async () => {
        const files = [
          ...(c.base ?? []).map((b) => ({ path: `_base/${b}`, text: readFileSync(path.join(baseDir, b), 'utf8') })),
          ...Object.entries(c.files ?? {}).map(([p, text]) => ({ path: p, text })),
        ];
        const result = await loadFiles(files);
        const got = result.errors.map((e) => ({ code: e.code, file: e.file, line: e.line, col: e.col, path: e.path, message: e.message }));
        expect(got.length, JSON.stringify(got, null, 1)).toBe(c.expect.errors.length);
        c.expect.errors.forEach((want, i) => {
          const e = got[i]!;
          expect(e.code).toBe(want.code);
          expect(e.file).toBe(want.file);
          if (want.line !== undefined) expect(e.line).toBe(want.line);
          if (want.col !== undefined) expect(e.col).toBe(want.col);
          if (want.path !== undefined) expect(e.path).toBe(want.path);
          if (want.message !== undefined) expect(e.message).toContain(want.message);
        });
        for (const [doc, fields] of Object.entries(c.expect.values ?? {})) {
          const [kind, id, version] = doc.split('/');
          const loaded = result.rules.get(kind as Kind, id!, Number(version));
          expect(loaded, `${doc} is loaded`).toBeDefined();
          for (const [pointer, want] of Object.entries(fields)) {
            const got = pointer
              .slice(1)
              .split('/')
              .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], loaded!.doc);
            expect(got, `${doc}${pointer}`).toStrictEqual(want);
          }
        }
        if (c.quote) {
          const q = await quote(result.rules, c.quote);
          if (c.expect.quote_error) {
            expect(q.ok).toBe(false);
            if (!q.ok) expect(q.error.code).toBe(c.expect.quote_error);
          } else {
            expect(q.ok, q.ok ? '' : q.error.message).toBe(true);
            if (q.ok) {
              expect(q.quote.credits).toBe(c.expect.credits);
              if (c.expect.version !== undefined) expect(q.quote.card.version).toBe(c.expect.version);
            }
          }
        }
      });
    }
  });
}
