import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { stepBudget } from '../formula/index.ts';
import { loadFiles } from '../rules/load.ts';
import type { LoadedDocument } from '../rules/ruleset.ts';
import type { RuleStore } from '../rules/store.ts';
import type { Audit, Kind, ReviewEvent } from '../rules/types.ts';
import { manifestChange } from './manifest.ts';
import { checkManifest, MANIFEST_PATH, tamperingOf } from '../rules/manifest.ts';
import type { SaveFailure, SaveResult } from './result.ts';
import { setValue } from './text.ts';

/**
 * Four-eyes review of drafts, kept in each version's own audit block (`audit.trail`), so the store
 * interface is all it needs and the trail is frozen with the version when it is published:
 * editing → submitted → approved | rejected (→ submitted again) → published (→ withdrawn, while scheduled).
 */
export type ReviewState = 'editing' | 'submitted' | 'approved' | 'rejected' | 'published' | 'withdrawn';

/** Where a version stands in review, from its status and its trail. */
export function reviewState(doc: { status: string; audit: Audit }): ReviewState {
  if (doc.status === 'published') return 'published';
  if (doc.status === 'withdrawn') return 'withdrawn';
  const last = [...(doc.audit.trail ?? [])].reverse().find((e) => e.action === 'submitted' || e.action === 'approved' || e.action === 'rejected');
  return last ? last.action : 'editing';
}

/** Who submitted the version for review last, if anyone. */
export function submitter(audit: Audit): string | undefined {
  return [...(audit.trail ?? [])].reverse().find((e) => e.action === 'submitted')?.by;
}

export interface ReviewStep {
  kind: Kind;
  id: string;
  version: number;
  /** Who takes the step. */
  by: string;
  /** Why: required to submit, to reject and to withdraw. */
  note?: string;
  /** Time of the step (ISO); defaults to now. */
  now?: string;
}

const fail = (reason: SaveFailure, errors: Diagnostic[]): SaveResult => ({ ok: false, reason, errors });
const REASON: Partial<Record<Diagnostic['code'], SaveFailure>> = {
  T_IMMUTABLE: 'conflict',
  T_NOT_APPROVED: 'conflict',
  T_GUARDRAIL: 'conflict',
  T_REVIEW_STATE: 'conflict',
  T_SELF_REVIEW: 'forbidden',
};
export const stamp = (now?: string): string => now ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Appends an event to a version's audit trail (and applies `also` to the document's header). */
export async function appendEvent(
  store: RuleStore,
  step: Pick<ReviewStep, 'kind' | 'id' | 'version'>,
  check: (d: LoadedDocument) => Diagnostic | undefined,
  event: ReviewEvent,
  also: { status?: string; effective_from?: string; audit?: Partial<Audit>; manifest?: boolean } = {},
): Promise<SaveResult> {
  const run = async (): Promise<SaveResult> => {
    const files = await store.list();
    // One step budget for the whole step, however many loads it takes.
    const budget = stepBudget();
    const current = await loadFiles(files, { budget });
    const loaded = current.rules.get(step.kind, step.id, step.version);
    if (!loaded) return fail('not_found', [diagnostic({ code: 'R_UNKNOWN_REFERENCE', detail: `${step.kind} ${step.id} v${step.version}` })]);
    const refused = check(loaded);
    if (refused) return fail(REASON[refused.code] ?? 'invalid', [refused]);
    const path = loaded.source.file;
    const before = files.find((f) => f.path === path)?.text ?? '';
    let text: string | null = before;
    if (also.status) text = text && setValue(text, ['status'], also.status);
    if (also.effective_from) text = text && setValue(text, ['effective_from'], also.effective_from);
    const audit: Audit = { ...loaded.doc.audit, ...also.audit, trail: [...(loaded.doc.audit.trail ?? []), event] };
    text = text && setValue(text, ['audit'], audit);
    if (text === null) return fail('invalid', [diagnostic({ code: 'Y_SYNTAX', detail: `${path} does not parse`, file: path })]);
    const checked = await loadFiles(
      files.map((f) => (f.path === path ? { path, text: text } : f)),
      { budget },
    );
    const own = checked.errors.filter((e) => e.file === path);
    if (own.length > 0) return fail('invalid', own);
    const changed = () => fail('conflict', [diagnostic({ code: 'T_CONFLICT', detail: `${step.id} v${step.version} changed meanwhile` })]);
    if (!also.manifest) {
      if ((await store.replace(path, before, text)) === 'changed') return changed();
      return { ok: true, kind: step.kind, id: step.id, version: step.version, path, text };
    }
    // Nothing is published or withdrawn from a tampered document. A listed draft is the trace of a
    // publish that crashed between its two renames: publishing it again heals it.
    const tampering = tamperingOf(
      await checkManifest(files, current.rules.documents, { text: await store.read(MANIFEST_PATH) }),
      current.rules,
      step.kind,
      step.id,
    ).filter((p) => !(p.file === path && loaded.doc.status === 'draft'));
    if (tampering.length > 0) return fail('conflict', tampering);
    // The manifest and the file in one commit: both new texts are on disk before either is renamed
    // into place, so a failing disk leaves the store as it was.
    for (let attempt = 0; attempt < 20; attempt++) {
      const recorded = await manifestChange(store, path, text);
      if (!recorded.ok) return fail('conflict', recorded.errors);
      if ((await store.commit([recorded.change, { path, expected: before, text }])) === 'committed')
        return { ok: true, kind: step.kind, id: step.id, version: step.version, path, text };
      if ((await store.read(path)) !== before) return changed();
    }
    return fail('conflict', [diagnostic({ code: 'T_CONFLICT', detail: `${MANIFEST_PATH} kept changing while publishing` })]);
  };
  return store.exclusive ? store.exclusive(run) : run();
}

const refuse = (detail: string) => diagnostic({ code: 'T_REVIEW_STATE', detail });
const note = (n: string | undefined) => (n ?? '').trim();

/** Submits a draft for review, with a note saying what changed and why (required). */
export async function submitForReview(store: RuleStore, step: ReviewStep): Promise<SaveResult> {
  if (note(step.note) === '') return fail('invalid', [diagnostic({ code: 'T_NOTE_REQUIRED', detail: 'submitting for review', path: '/note' })]);
  return appendEvent(
    store,
    step,
    (d) => {
      const state = reviewState(d.doc);
      if (state === 'published' || state === 'withdrawn') return diagnostic({ code: 'T_IMMUTABLE', detail: `${step.id} v${step.version} is ${state}` });
      if (state === 'submitted' || state === 'approved') return refuse(`v${step.version} is already ${state}`);
      return undefined;
    },
    { action: 'submitted', by: step.by, at: stamp(step.now), note: note(step.note) },
  );
}

/** An approver's decision on a submitted draft; never on a draft they wrote or submitted. Rejecting needs a comment. */
export async function reviewDraft(store: RuleStore, step: ReviewStep & { decision: 'approve' | 'reject' }): Promise<SaveResult> {
  if (step.decision === 'reject' && note(step.note) === '')
    return fail('invalid', [diagnostic({ code: 'T_NOTE_REQUIRED', detail: 'rejecting a draft', path: '/note' })]);
  return appendEvent(
    store,
    step,
    (d) => {
      const state = reviewState(d.doc);
      if (state === 'published' || state === 'withdrawn') return diagnostic({ code: 'T_IMMUTABLE', detail: `${step.id} v${step.version} is ${state}` });
      if (state !== 'submitted') return refuse(`v${step.version} is ${state}, not submitted for review`);
      const own = [d.doc.audit.author, submitter(d.doc.audit)].map((x) => x?.toLowerCase());
      if (own.includes(step.by.toLowerCase())) return diagnostic({ code: 'T_SELF_REVIEW', detail: `${step.by} wrote or submitted v${step.version}` });
      return undefined;
    },
    { action: step.decision === 'approve' ? 'approved' : 'rejected', by: step.by, at: stamp(step.now), ...(note(step.note) ? { note: note(step.note) } : {}) },
  );
}

/**
 * Withdraws a scheduled version (published, not yet in force) so it never takes effect: its status
 * becomes `withdrawn`, the reason is in its trail, and the manifest records the new text.
 */
export async function withdraw(store: RuleStore, step: ReviewStep & { today: string }): Promise<SaveResult> {
  if (note(step.note) === '') return fail('invalid', [diagnostic({ code: 'T_NOTE_REQUIRED', detail: 'withdrawing a version', path: '/note' })]);
  return appendEvent(
    store,
    step,
    (d) => {
      if (d.doc.status !== 'published') return refuse(`v${step.version} is ${d.doc.status}, not a scheduled version`);
      if (d.doc.effective_from <= step.today) return refuse(`v${step.version} took effect on ${d.doc.effective_from}; publish a new version instead`);
      return undefined;
    },
    { action: 'withdrawn', by: step.by, at: stamp(step.now), note: note(step.note) },
    { status: 'withdrawn', manifest: true },
  );
}
