import { parseDocument } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { stepBudget } from '../formula/index.ts';
import { isCalendarDate } from '../rules/dates.ts';
import { loadFiles } from '../rules/load.ts';
import type { RuleStore } from '../rules/store.ts';
import type { Kind } from '../rules/types.ts';
import { documentPath, ID_PATTERN } from './paths.ts';
import { recordPublished } from './manifest.ts';

export type SaveResult =
  | { ok: true; kind: Kind; id: string; version: number; path: string; text: string }
  | { ok: false; reason: SaveFailure; errors: Diagnostic[] };

/** Why a save or publish did not happen: the edit has problems, the version does not exist, or someone else changed the store first. */
export type SaveFailure = 'invalid' | 'not_found' | 'conflict';

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
    return fail('conflict', [diagnostic({ code: 'T_CONFLICT', detail: `${kind ?? '?'} ${String(id)} is at v${latest}, the edit started from v${input.baseVersion}` })]);
  }
  const version = latest + 1;
  if (doc.errors.length === 0 && kind) {
    doc.set('version', version);
    doc.set('status', 'draft');
    doc.set('audit', {
      author: input.author,
      saved_at: input.now ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(input.note ? { note: input.note } : {}),
      based_on: input.baseVersion,
    });
  }
  const text = doc.errors.length === 0 ? doc.toString() : input.text;
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
    return fail('conflict', [diagnostic({ code: 'T_CONFLICT', detail: `v${version} of ${id} was saved by someone else first` })]);
  }
  return { ok: true, kind, id: id as string, version, path, text };
}

export interface PublishInput {
  kind: Kind;
  id: string;
  version: number;
  effectiveFrom: string;
  author: string;
  now?: string;
}

/** Publishes a draft: sets its effective date and freezes it. Published versions never change. */
export async function publish(store: RuleStore, input: PublishInput): Promise<SaveResult> {
  if (!isCalendarDate(input.effectiveFrom)) return fail('invalid', [diagnostic({ code: 'R_BAD_DATE', detail: `'${input.effectiveFrom}'` })]);
  // One publish at a time: the manifest and the file are written together, and a second publisher sees the first's result.
  return store.exclusive ? store.exclusive(() => publishNow(store, input)) : publishNow(store, input);
}

async function publishNow(store: RuleStore, input: PublishInput): Promise<SaveResult> {
  const files = await store.list();
  const budget = stepBudget();
  const current = await loadFiles(files, { budget });
  const loaded = current.rules.get(input.kind, input.id, input.version);
  if (!loaded) return fail('not_found', [diagnostic({ code: 'R_UNKNOWN_REFERENCE', detail: `${input.kind} ${input.id} v${input.version}` })]);
  if (loaded.doc.status === 'published') return fail('conflict', [diagnostic({ code: 'T_IMMUTABLE', detail: `${input.id} v${input.version} is published` })]);
  const path = loaded.source.file;
  const before = files.find((f) => f.path === path)?.text ?? '';
  const doc = parseDocument(before);
  doc.set('status', 'published');
  doc.set('effective_from', input.effectiveFrom);
  doc.setIn(['audit', 'published_by'], input.author);
  doc.setIn(['audit', 'published_at'], input.now ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  const text = doc.toString();
  const checked = await loadFiles(files.map((f) => (f.path === path ? { path, text } : f)), { budget });
  const own = checked.errors.filter((e) => e.file === path);
  if (own.length > 0) return fail('invalid', own);
  // The manifest first: a crash between the two writes leaves evidence, never an unrecorded publish.
  const recorded = await recordPublished(store, path, text);
  if (recorded.length > 0) return fail('conflict', recorded);
  const replaced = await store.replace(path, before, text);
  if (replaced === 'changed') return fail('conflict', [diagnostic({ code: 'T_CONFLICT', detail: `${input.id} v${input.version} changed while publishing` })]);
  return { ok: true, kind: input.kind, id: input.id, version: input.version, path, text };
}
