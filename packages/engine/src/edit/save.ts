import { parseDocument } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { stepBudget } from '../formula/index.ts';
import { isCalendarDate } from '../rules/dates.ts';
import { loadFiles } from '../rules/load.ts';
import { parseRuleFile } from '../rules/parse.ts';
import type { RuleStore } from '../rules/store.ts';
import type { Kind } from '../rules/types.ts';
import { documentPath, ID_PATTERN } from './paths.ts';
import { appendEvent, reviewState, stamp } from './review.ts';
import { setValue } from './text.ts';

import type { SaveFailure, SaveResult } from './result.ts';

export type { SaveFailure, SaveResult } from './result.ts';

export interface SaveDraftInput {
  /** The edited YAML source. Its kind and id say which document it is. */
  text: string;
  /** The version the edit started from (0 for a new document). A newer version in the store is a conflict. */
  baseVersion: number;
  author: string;
  note?: string;
  /** Save time (ISO); defaults to now. */
  now?: string;
  /** Path shown in errors for the edited text. */
  file?: string;
}

const fail = (reason: SaveFailure, errors: Diagnostic[]): SaveResult => ({ ok: false, reason, errors });

/**
 * Saves an edit as a new draft version: validates it with the rest of the store, refuses a stale
 * base (a conflict, nothing written), and creates the file atomically without ever overwriting.
 */
export async function saveDraft(store: RuleStore, input: SaveDraftInput): Promise<SaveResult> {
  const file = input.file ?? 'edit.yaml';
  // Size, nesting depth and YAML problems first, positioned, before anything else parses the text.
  const parsed = parseRuleFile(file, input.text);
  if (parsed.errors.length > 0) return fail('invalid', parsed.errors);
  const doc = parseDocument(input.text, { uniqueKeys: true, prettyErrors: false });
  const kind = doc.get('kind') as Kind | undefined;
  const id = doc.get('id');
  if (doc.errors.length === 0 && (typeof id !== 'string' || !ID_PATTERN.test(id))) {
    return fail('invalid', [diagnostic({ code: 'T_BAD_ID', detail: JSON.stringify(id ?? null), file, source: input.text })]);
  }
  const files = await store.list();
  // One step budget for the whole save, however many loads it takes.
  const budget = stepBudget();
  const current = await loadFiles(files, { budget });
  const versions = typeof id === 'string' && kind ? current.rules.versions(kind, id) : [];
  const latest = versions.length === 0 ? 0 : (versions[versions.length - 1]?.doc.version ?? 0);
  if (latest !== input.baseVersion) {
    return fail('conflict', [
      diagnostic({ code: 'T_CONFLICT', detail: `${kind ?? '?'} ${String(id)} is at v${latest}, the edit started from v${input.baseVersion}` }),
    ]);
  }
  const version = latest + 1;
  // Only the header is rewritten, in place: the rest of the text stays as it was written (a one-cell edit is a one-line diff).
  let text = input.text;
  if (doc.errors.length === 0 && kind) {
    const audit = { author: input.author, saved_at: stamp(input.now), ...(input.note ? { note: input.note } : {}), based_on: input.baseVersion };
    text = setValue(text, ['version'], version) ?? text;
    text = setValue(text, ['status'], 'draft') ?? text;
    text = setValue(text, ['audit'], audit) ?? text;
  }
  let path: string;
  try {
    path = kind && typeof id === 'string' ? documentPath(kind, id, version) : file;
  } catch {
    return fail('invalid', [diagnostic({ code: 'T_BAD_ID', detail: String(id), file })]);
  }
  // Problems are reported against the text as the user wrote it, so lines and columns match the editor.
  const siblings = new Set(versions.map((v) => v.source.file));
  const asWritten = await loadFiles([...files.filter((f) => !siblings.has(f.path)), { path: file, text: input.text }], { budget });
  const mine = asWritten.errors.filter((e) => e.file === file && e.code !== 'R_DUPLICATE_VERSION' && e.code !== 'R_EFFECTIVE_ORDER');
  if (mine.length > 0 || doc.errors.length > 0 || !kind) {
    return fail('invalid', mine.length > 0 ? mine : [diagnostic({ code: 'S_UNKNOWN_KIND', detail: String(kind), file, source: input.text })]);
  }
  // Then the version as it will be stored, with the rest of the store (version order, references).
  const checked = await loadFiles([...files, { path, text }], { budget });
  const stored = checked.errors.filter((e) => e.file === path);
  if (stored.length > 0) return fail('invalid', stored);
  const created = await store.create(path, text);
  if (created === 'exists') {
    return fail('conflict', [diagnostic({ code: 'T_CONFLICT', detail: `v${version} of ${String(id)} was saved by someone else first` })]);
  }
  return { ok: true, kind, id: id as string, version, path, text };
}

export interface PublishInput {
  kind: Kind;
  id: string;
  version: number;
  effectiveFrom: string;
  /** Who publishes. */
  author: string;
  now?: string;
  /** Today's date (UTC) for the past-date rule; defaults to the date of `now`. */
  today?: string;
  /** Whether the publisher may set a date in the past (the approver role). */
  mayBackdate?: boolean;
  /** Why the version takes effect in the past: required, and recorded, to backdate. */
  backdateReason?: string;
  /**
   * The card's publish guardrail, checked by the caller (a backtest on loaded usage): the limits the
   * draft is over (`breaches`, each a phrase such as "p95 per-customer change +20.00 % over 10 %").
   * With any, it publishes only when an approver (`mayOverride`) gives a reason, recorded in the trail.
   */
  guardrail?: { breaches: readonly string[]; mayOverride?: boolean; overrideReason?: string };
}

/**
 * Publishes an approved draft: sets its effective date and freezes it. Only a draft approved by
 * someone other than its author publishes; a date in the past needs an approver and a recorded reason.
 * Published versions never change.
 */
export async function publish(store: RuleStore, input: PublishInput): Promise<SaveResult> {
  if (!isCalendarDate(input.effectiveFrom))
    return fail('invalid', [diagnostic({ code: 'R_BAD_DATE', detail: `'${input.effectiveFrom}'`, path: '/effective_from' })]);
  const at = stamp(input.now);
  const today = input.today ?? at.slice(0, 10);
  const reason = (input.backdateReason ?? '').trim();
  const backdated = input.effectiveFrom < today;
  if (backdated && !(input.mayBackdate && reason !== '')) {
    return fail('invalid', [diagnostic({ code: 'T_BACKDATED', detail: `${input.effectiveFrom} is before today (${today})`, path: '/effective_from' })]);
  }
  const breaches = input.guardrail?.breaches ?? [];
  const override = (input.guardrail?.overrideReason ?? '').trim();
  const notes = [
    ...(backdated ? [`backdated to ${input.effectiveFrom}: ${reason}`] : []),
    ...(breaches.length > 0 ? [`guardrail override (${breaches.join('; ')}): ${override}`] : []),
  ];
  // One publish at a time (appendEvent holds the store's lock): the manifest and the file are written together.
  return appendEvent(
    store,
    input,
    (d) => {
      if (d.doc.status !== 'draft') return diagnostic({ code: 'T_IMMUTABLE', detail: `${input.id} v${input.version} is ${d.doc.status}` });
      const state = reviewState(d.doc);
      const approval = [...(d.doc.audit.trail ?? [])].reverse().find((e) => e.action === 'approved');
      if (state !== 'approved' || !approval || approval.by.toLowerCase() === d.doc.audit.author.toLowerCase()) {
        return diagnostic({
          code: 'T_NOT_APPROVED',
          detail: `${input.id} v${input.version} is ${state}; a draft publishes once someone other than its author approved it`,
        });
      }
      if (breaches.length > 0 && !(input.guardrail?.mayOverride && override !== '')) {
        return diagnostic({ code: 'T_GUARDRAIL', detail: breaches.join('; '), path: '/guardrail_override' });
      }
      return undefined;
    },
    { action: 'published', by: input.author, at, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) },
    { status: 'published', effective_from: input.effectiveFrom, audit: { published_by: input.author, published_at: at }, manifest: true },
  );
}
