import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diffCards, loadStore, MemoryStore, publish, reviewDraft, saveDraft, submitForReview, type RateCard } from '@creditbook/engine';
import { demoPack } from './support/fixtures.ts';

const card = demoPack()[0]!.text;

describe('editing rules', () => {
  it('saves an edit as the next draft version, keeping comments, and publishes it', async () => {
    const store = new MemoryStore(demoPack());
    const edited = card
      .replace('m2: { single: { "5": 140, "10": 280 } }', 'm2: { single: { "5": 140, "10": 300 } } # raised')
      .replace('credits: 280', 'credits: 300');
    const saved = await saveDraft(store, { text: edited, baseVersion: 1, author: 'fin@example.com', note: 'raise master', now: '2025-05-01T10:00:00Z' });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    expect(saved.version).toBe(2);
    expect(saved.path).toBe('rate-cards/demo-card/v2.yaml');
    expect(saved.text).toContain('# raised');
    expect(saved.text).toMatch(/status: draft/);
    const step = { kind: 'RateCard' as const, id: 'demo-card', version: 2, now: '2025-05-02T09:00:00Z' };
    await submitForReview(store, { ...step, by: 'fin@example.com', note: 'raise master' });
    await reviewDraft(store, { ...step, by: 'lead@example.com', decision: 'approve' });
    const published = await publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'lead@example.com' });
    expect(published.ok).toBe(true);
    const { rules, errors } = await loadStore(store);
    expect(errors).toEqual([]);
    expect(rules.inForce('RateCard', 'demo-card', '2025-06-01')?.doc.version).toBe(2);
    expect(rules.inForce('RateCard', 'demo-card', '2025-05-31')?.doc.version).toBe(1);
    // Published versions never change.
    const again = await publish(store, { ...step, effectiveFrom: '2025-07-01', author: 'x' });
    expect(again.ok || again.reason).toBe('conflict');
  });

  it('saving one changed cell changes that line and the header only (the rest of the file as written)', async () => {
    const file = path.join(import.meta.dirname, '../../../rules/rate-cards/kling-consumer/v2.yaml');
    const v2 = readFileSync(file, 'utf8');
    const store = new MemoryStore([{ path: 'rate-cards/kling-consumer/v2.yaml', text: v2 }]);
    const edited = v2.replace(/"5": 32(\s+# derived: 0\.6 x pro)/, '"5": 30$1');
    expect(edited).not.toBe(v2);
    const saved = await saveDraft(store, { text: edited, baseVersion: 2, author: 'fin@example.com', now: '2026-01-05T10:00:00Z' });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    const [before, after] = [v2.split('\n'), saved.text.split('\n')];
    const auditStart = before.findIndex((l) => l === 'audit:');
    const auditEnd = before.findIndex((l, i) => i > auditStart && !l.startsWith('  '));
    const afterAuditEnd = after.findIndex((l, i) => i > auditStart && !l.startsWith('  '));
    // Outside the audit block, the files differ in three lines: version, status and the one cell.
    const outside = (lines: string[], end: number) => [...lines.slice(0, auditStart), ...lines.slice(end)];
    const [a, b] = [outside(before, auditEnd), outside(after, afterAuditEnd)];
    expect(a.length).toBe(b.length);
    const changed = a.map((l, i) => [l, b[i]]).filter(([x, y]) => x !== y);
    expect(changed).toEqual([
      ['version: 2', 'version: 3'],
      ['status: published', 'status: draft'],
      [expect.stringContaining('"5": 32'), expect.stringContaining('"5": 30')],
    ]);
    expect(after.slice(auditStart, afterAuditEnd)).toEqual(['audit:', '  author: fin@example.com', '  saved_at: 2026-01-05T10:00:00Z', '  based_on: 2']);
  });

  it('refuses a stale base with 409 and writes nothing', async () => {
    const store = new MemoryStore(demoPack());
    expect((await saveDraft(store, { text: card, baseVersion: 1, author: 'a' })).ok).toBe(true);
    const before = (await store.list()).length;
    const stale = await saveDraft(store, { text: card, baseVersion: 1, author: 'b' });
    expect(stale.ok).toBe(false);
    if (!stale.ok) {
      expect(stale.reason).toBe('conflict');
      expect(stale.errors[0]?.code).toBe('T_CONFLICT');
    }
    expect((await store.list()).length).toBe(before);
  });

  it('refuses an invalid edit with positioned errors and writes nothing', async () => {
    const store = new MemoryStore(demoPack());
    const broken = card.replace('credits: $cell($clip, model, mode, duration_s)', 'credits: $cell($clip, model, mode, duration_s');
    const r = await saveDraft(store, { text: broken, baseVersion: 1, author: 'a', file: 'editor' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('invalid');
      expect(r.errors[0]).toMatchObject({ code: 'F_COMPILE', file: 'editor', line: 21 });
    }
    expect((await store.list()).length).toBe(3);
  });

  it('refuses ids that are paths', async () => {
    const store = new MemoryStore(demoPack());
    const r = await saveDraft(store, { text: card.replace('id: demo-card', 'id: ../../etc'), baseVersion: 0, author: 'a' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.code).toBe('T_BAD_ID');
  });

  it('diffs two card versions cell by cell', async () => {
    const store = new MemoryStore(demoPack());
    const { rules } = await loadStore(store);
    const a = rules.get('RateCard', 'demo-card', 1)!.doc;
    const b: RateCard = {
      ...a,
      parameters: { clip: { m1: { std: { '5': 10, '10': 25 }, pro: { '5': 35, '10': 70 } }, m2: { single: { '5': 140, '10': 280 } } } },
    };
    const changes = await diffCards(a, b);
    expect(changes).toEqual([{ request: { model: 'm1', mode: 'std', duration_s: 10 }, old: 20, new: 25, pct: '25.00' }]);
  });
});
