import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFiles } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');
const CARD = 'rate-cards/kling-consumer/v2.yaml';

/** What a load says, in plain values: every document's identity and every problem's place. */
const summary = (r: Awaited<ReturnType<typeof loadFiles>>) => ({
  docs: r.rules.documents.map((d) => `${d.source.file} ${d.doc.kind}/${d.doc.id} v${d.doc.version}`),
  errors: r.errors.map((e) => `${e.file}:${e.pos[0]}:${e.pos[1]} ${e.code}`),
});

describe('a store loaded again reuses what its unchanged files parsed to', () => {
  it('the same files give the same documents and problems; a changed file is parsed anew, and changed back, as before', async () => {
    const files = await new DirectoryStore(rulesDir).list();
    const first = summary(await loadFiles(files));
    expect(first.errors).toEqual([]);
    expect(summary(await loadFiles(files))).toEqual(first);
    // The card's version made a word: a schema problem at that file, found although the path was loaded before.
    const broken = files.map((f) => (f.path === CARD ? { ...f, text: f.text.replace(/^version: 2$/m, 'version: two') } : f));
    const bad = summary(await loadFiles(broken));
    expect(bad.errors.length).toBeGreaterThan(0);
    expect(bad.errors.every((e) => e.startsWith(`${CARD}:`))).toBe(true);
    expect(bad.docs).not.toContain(`${CARD} RateCard/kling-consumer v2`);
    // And back: exactly the first load again (nothing of the broken text stayed behind).
    expect(summary(await loadFiles(files))).toEqual(first);
  });

  it('a problem found in a remembered file is reported on every load, not only the first', async () => {
    const files = [{ path: 'c.yaml', text: 'kind: RateCard\nid: c\nversion: 1\n' }];
    const a = summary(await loadFiles(files));
    const b = summary(await loadFiles(files));
    expect(a.errors.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
