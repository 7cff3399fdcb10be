import { describe, expect, it } from 'vitest';
import { loadStore, MemoryStore, publish, reviewDraft, reviewState, saveDraft, submitForReview, withdraw, type RuleStore } from '@creditbook/engine';
import { demoPack } from './support/fixtures.ts';

const card = demoPack()[0]!.text;
const NOW = '2025-05-01T10:00:00Z';
const step = { kind: 'RateCard' as const, id: 'demo-card', version: 2, now: NOW };

async function draft(store: RuleStore, author = 'erin@example.com'): Promise<void> {
  const saved = await saveDraft(store, {
    text: card.replace('"10": 280', '"10": 300').replace('credits: 280', 'credits: 300'),
    baseVersion: 1,
    author,
    now: NOW,
  });
  expect(saved.ok).toBe(true);
}

const codeOf = (r: { ok: boolean; errors?: { code: string }[] }) => (r.ok ? 'ok' : r.errors![0]!.code);

describe('review before publish', () => {
  it('publish is refused without an approval by someone else', async () => {
    const store = new MemoryStore(demoPack());
    await draft(store);
    // Not submitted, not approved: refused.
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'erin@example.com' }))).toBe('T_NOT_APPROVED');
    expect(codeOf(await submitForReview(store, { ...step, by: 'erin@example.com', note: '' }))).toBe('T_NOTE_REQUIRED');
    expect(codeOf(await submitForReview(store, { ...step, by: 'erin@example.com', note: 'Master 10 s to 300' }))).toBe('ok');
    // Submitted, but not yet approved: still refused.
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'erin@example.com' }))).toBe('T_NOT_APPROVED');
    // The author may not approve their own draft, whatever their role.
    expect(codeOf(await reviewDraft(store, { ...step, by: 'Erin@example.com', decision: 'approve' }))).toBe('T_SELF_REVIEW');
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'erin@example.com' }))).toBe('T_NOT_APPROVED');
    expect(codeOf(await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'approve', note: 'checked the impact' }))).toBe('ok');
    const published = await publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'erin@example.com' });
    expect(codeOf(published)).toBe('ok');
    const { rules, errors } = await loadStore(store);
    expect(errors).toEqual([]);
    const v2 = rules.get('RateCard', 'demo-card', 2)!.doc;
    expect(reviewState(v2)).toBe('published');
    expect(v2.audit.trail!.map((e) => [e.action, e.by, e.note ?? null])).toEqual([
      ['submitted', 'erin@example.com', 'Master 10 s to 300'],
      ['approved', 'alex@example.com', 'checked the impact'],
      ['published', 'erin@example.com', null],
    ]);
    expect(v2.audit.published_by).toBe('erin@example.com');
    expect(rules.inForce('RateCard', 'demo-card', '2025-06-01')?.doc.version).toBe(2);
  });

  it('a rejection needs a comment and sends the draft back; it can be submitted again', async () => {
    const store = new MemoryStore(demoPack());
    await draft(store);
    expect(codeOf(await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'approve' }))).toBe('T_REVIEW_STATE');
    await submitForReview(store, { ...step, by: 'erin@example.com', note: 'first try' });
    expect(codeOf(await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'reject' }))).toBe('T_NOTE_REQUIRED');
    expect(codeOf(await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'reject', note: 'the 5 s cell too' }))).toBe('ok');
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'erin@example.com' }))).toBe('T_NOT_APPROVED');
    expect(reviewState((await loadStore(store)).rules.get('RateCard', 'demo-card', 2)!.doc)).toBe('rejected');
    expect(codeOf(await submitForReview(store, { ...step, by: 'erin@example.com', note: 'second try' }))).toBe('ok');
    expect(reviewState((await loadStore(store)).rules.get('RateCard', 'demo-card', 2)!.doc)).toBe('submitted');
  });

  it('no effective date in the past unless an approver backdates with a reason, recorded', async () => {
    const store = new MemoryStore(demoPack());
    await draft(store);
    await submitForReview(store, { ...step, by: 'erin@example.com', note: 'n' });
    await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'approve' });
    // Today is 2025-05-01: 2025-04-30 is yesterday.
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2025-04-30', author: 'erin@example.com' }))).toBe('T_BACKDATED');
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2025-04-30', author: 'alex@example.com', mayBackdate: true }))).toBe('T_BACKDATED');
    expect(
      codeOf(
        await publish(store, {
          ...step,
          effectiveFrom: '2025-04-30',
          author: 'alex@example.com',
          mayBackdate: true,
          backdateReason: 'price change announced on 30 April',
        }),
      ),
    ).toBe('ok');
    const v2 = (await loadStore(store)).rules.get('RateCard', 'demo-card', 2)!.doc;
    expect(v2.effective_from).toBe('2025-04-30');
    expect(v2.audit.trail!.at(-1)).toEqual({
      action: 'published',
      by: 'alex@example.com',
      at: NOW,
      note: 'backdated to 2025-04-30: price change announced on 30 April',
    });
  });

  it("a draft over its publish guardrail publishes only with an approver's override and reason, recorded", async () => {
    const store = new MemoryStore(demoPack());
    await draft(store);
    await submitForReview(store, { ...step, by: 'erin@example.com', note: 'n' });
    await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'approve' });
    const breaches = ['p95 per-customer change +7.14% over 5%'];
    const go = (extra: object) => publish(store, { ...step, effectiveFrom: '2025-06-01', author: 'alex@example.com', ...extra });
    // No override, an editor's reason, an approver without a reason: refused, and the draft stays a draft.
    expect(codeOf(await go({ guardrail: { breaches } }))).toBe('T_GUARDRAIL');
    expect(codeOf(await go({ author: 'erin@example.com', guardrail: { breaches, overrideReason: 'launch promo' } }))).toBe('T_GUARDRAIL');
    const refused = await go({ guardrail: { breaches, mayOverride: true, overrideReason: '  ' } });
    expect(refused.ok ? null : [refused.reason, refused.errors[0]!.code, refused.errors[0]!.path]).toEqual(['conflict', 'T_GUARDRAIL', '/guardrail_override']);
    expect(reviewState((await loadStore(store)).rules.get('RateCard', 'demo-card', 2)!.doc)).toBe('approved');
    // An approver's override with a reason publishes; the trail records the breach and the reason.
    expect(codeOf(await go({ guardrail: { breaches, mayOverride: true, overrideReason: 'Master costs us more since May' } }))).toBe('ok');
    const v2 = (await loadStore(store)).rules.get('RateCard', 'demo-card', 2)!.doc;
    expect(v2.audit.trail!.at(-1)).toEqual({
      action: 'published',
      by: 'alex@example.com',
      at: NOW,
      note: 'guardrail override (p95 per-customer change +7.14% over 5%): Master costs us more since May',
    });
  });

  it('a scheduled version can be withdrawn before it takes effect, and then never is in force', async () => {
    const store = new MemoryStore(demoPack());
    await draft(store);
    await submitForReview(store, { ...step, by: 'erin@example.com', note: 'n' });
    await reviewDraft(store, { ...step, by: 'alex@example.com', decision: 'approve' });
    expect(codeOf(await publish(store, { ...step, effectiveFrom: '2030-01-01', author: 'erin@example.com' }))).toBe('ok');
    expect(codeOf(await withdraw(store, { ...step, by: 'erin@example.com', today: '2025-05-01' }))).toBe('T_NOTE_REQUIRED');
    // A version already in force cannot be withdrawn.
    expect(codeOf(await withdraw(store, { ...step, by: 'erin@example.com', note: 'typo', today: '2030-01-01' }))).toBe('T_REVIEW_STATE');
    expect(codeOf(await withdraw(store, { ...step, by: 'erin@example.com', note: 'typo: meant 2026', today: '2025-05-01' }))).toBe('ok');
    const { rules, errors } = await loadStore(store);
    expect(errors).toEqual([]);
    expect(rules.get('RateCard', 'demo-card', 2)!.doc.status).toBe('withdrawn');
    expect(rules.inForce('RateCard', 'demo-card', '2031-01-01')?.doc.version).toBe(1);
    // The card is not locked: a new version may take effect before 2030.
    const v3 = await saveDraft(store, {
      text: card.replace('"10": 280', '"10": 290').replace('credits: 280', 'credits: 290'),
      baseVersion: 2,
      author: 'erin@example.com',
      now: NOW,
    });
    expect(codeOf(v3)).toBe('ok');
    await submitForReview(store, { ...step, version: 3, by: 'erin@example.com', note: 'n' });
    await reviewDraft(store, { ...step, version: 3, by: 'alex@example.com', decision: 'approve' });
    expect(codeOf(await publish(store, { ...step, version: 3, effectiveFrom: '2026-01-01', author: 'erin@example.com' }))).toBe('ok');
    expect((await loadStore(store)).errors).toEqual([]);
  });
});
