import { describe, expect, it } from 'vitest';
import { loadFiles, MAX_DEPTH, MAX_FILE_SIZE, MemoryStore, parseRuleFile, quote, saveDraft } from '@creditbook/engine';
import { demoPack } from './support/fixtures.ts';

const header = `kind: RateCard
id: demo-card
version: 1
effective_from: 2025-01-01
status: draft
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
`;

describe('sizes and depth are checked before parsing, on every path', () => {
  it('a 2 MB save is Y_TOO_LARGE and writes nothing', async () => {
    const store = new MemoryStore(demoPack());
    const text = header + `description: "${'x'.repeat(2 * 1024 * 1024)}"\n`;
    const r = await saveDraft(store, { text, baseVersion: 1, author: 'a', file: 'editor' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(['Y_TOO_LARGE']);
    expect((await store.list()).length).toBe(3);
    expect(text.length).toBeGreaterThan(MAX_FILE_SIZE);
  });

  it('an alias to an anchor never set is a positioned Y_SYNTAX on save, as in validation', async () => {
    const store = new MemoryStore(demoPack());
    // Line 7 is `title: *nowhere`; the alias starts at column 8.
    const text = header + 'title: *nowhere\n';
    const r = await saveDraft(store, { text, baseVersion: 1, author: 'a', file: 'editor' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => [e.code, e.line, e.col])).toEqual([['Y_SYNTAX', 7, 8]]);
  });

  it('1,000 levels of block nesting are Y_TOO_DEEP where they pass 64 levels, on save and in validation', async () => {
    // Each level indents two more columns: level 65 is the first line indented more than 128 columns.
    let text = header + 'parameters:\n';
    for (let i = 1; i <= 1000; i++) text += `${' '.repeat(2 * i)}k${i}:\n`;
    const loaded = await loadFiles([{ path: 'deep.yaml', text }]);
    // Line 7 is `parameters:`, so level n is on line 7 + n; level 65 (130 spaces) is line 72, and its
    // 129th column is the first past 64 levels of two columns.
    expect(loaded.errors.map((e) => [e.code, e.line, e.col])).toEqual([['Y_TOO_DEEP', 72, 129]]);
    const store = new MemoryStore(demoPack());
    const r = await saveDraft(store, { text, baseVersion: 1, author: 'a', file: 'editor' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(['Y_TOO_DEEP']);
  });

  it('a 0.5 MB unclosed flow collection is Y_TOO_DEEP at its 65th bracket', () => {
    const text = header + 'title: ' + '['.repeat(512 * 1024);
    const parsed = parseRuleFile('flow.yaml', text);
    // Line 7 is `title: [[[...`: brackets start at column 8, the 65th is column 8 + 64 = 72.
    expect(parsed.errors.map((e) => [e.code, e.line, e.col])).toEqual([['Y_TOO_DEEP', 7, 72]]);
    expect(MAX_DEPTH).toBe(64);
  });

  it('brackets inside quotes and comments do not count', () => {
    const text = header + `title: "${'['.repeat(100)}"\ndescription: '${'{'.repeat(100)}'\n# ${'['.repeat(100)}\n`;
    expect(parseRuleFile('ok.yaml', text).errors.filter((e) => e.code === 'Y_TOO_DEEP')).toEqual([]);
  });
});

describe('user-supplied keys are never looked up in a prototype', () => {
  it('a request naming `constructor` is an unknown dimension, named as given', async () => {
    const { rules } = await loadFiles(demoPack());
    const q = await quote(rules, { card: 'demo-card', on: '2025-06-01', request: { model: 'm1', mode: 'std', duration_s: 5, constructor: 'y' } });
    expect(q.ok).toBe(false);
    if (!q.ok) {
      expect(q.error.code).toBe('Q_DIMENSION');
      expect(q.error.message).toContain("unknown dimension 'constructor'");
      expect(q.error.message).not.toContain('function');
    }
  });
});
