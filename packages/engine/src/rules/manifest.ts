import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { LoadedDocument, RuleSet } from './ruleset.ts';
import type { Kind } from './types.ts';
import type { StoredFile } from './store.ts';

/**
 * Tamper evidence for published versions: `manifest.json` at the store's root records the sha256
 * of every published file's text, keyed by store path. It is JSON, so it is never loaded as a rule
 * document. Publishing updates it; loading a store checks every published file against it.
 */
export const MANIFEST_PATH = 'manifest.json';

export interface Manifest {
  readonly version: 1;
  /** Store path → `sha256:<hex>` of the file's UTF-8 text. */
  readonly published: Readonly<Record<string, string>>;
}

/** `sha256:<hex>` of a text's UTF-8 bytes (Web Crypto: the same in Node and the browser). */
export async function contentHash(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return 'sha256:' + [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The manifest's text: stable key order and a trailing newline, so it diffs well in review. */
export function manifestText(manifest: Manifest): string {
  const published = Object.fromEntries(Object.entries(manifest.published).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ version: 1, published }, null, 2) + '\n';
}

/** A manifest for the published documents of a loaded store. */
export async function buildManifest(documents: readonly LoadedDocument[]): Promise<Manifest> {
  const published: Record<string, string> = {};
  for (const d of documents) if (d.doc.status === 'published') published[d.source.file] = await contentHash(d.source.text);
  return { version: 1, published };
}

/** Reads a manifest's text; undefined when it is not a manifest. */
export function parseManifest(text: string): Manifest | undefined {
  try {
    const data = JSON.parse(text) as { version?: unknown; published?: unknown };
    if (data.version !== 1 || typeof data.published !== 'object' || data.published === null || Array.isArray(data.published)) return undefined;
    if (!Object.values(data.published).every((v) => typeof v === 'string')) return undefined;
    return data as Manifest;
  } catch {
    return undefined;
  }
}

export interface ManifestCheck {
  /** The manifest's text, as stored (undefined: the store has none, and nothing is checked). */
  readonly text: string | undefined;
  /** The manifest's path as diagnostics show it (default `manifest.json`). */
  readonly file?: string;
  /** Prefix of the files' paths before the store path (the CLI shows `rules/…`). */
  readonly prefix?: string;
}

/**
 * R_TAMPERED for every published file whose text differs from its hash in the manifest, every
 * published document the manifest does not list, and every listed file that is gone.
 */
export async function checkManifest(files: readonly StoredFile[], documents: readonly LoadedDocument[], check: ManifestCheck): Promise<Diagnostic[]> {
  if (check.text === undefined) return [];
  const file = check.file ?? MANIFEST_PATH;
  const prefix = check.prefix ?? '';
  const manifest = parseManifest(check.text);
  if (!manifest) return [diagnostic({ code: 'R_TAMPERED', detail: `${file} is not a manifest ({"version": 1, "published": {path: hash}})`, file, source: check.text })];
  const errors: Diagnostic[] = [];
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const [storePath, want] of Object.entries(manifest.published)) {
    const f = byPath.get(prefix + storePath);
    if (!f) {
      const at = Math.max(0, check.text.indexOf(JSON.stringify(storePath)));
      errors.push(diagnostic({ code: 'R_TAMPERED', detail: `${prefix + storePath} is listed as published but is missing`, file, pos: [at, at + storePath.length + 2], source: check.text }));
      continue;
    }
    const got = await contentHash(f.text);
    if (got !== want) errors.push(diagnostic({ code: 'R_TAMPERED', detail: `${f.path} differs from its published content (${want.slice(0, 19)}…, now ${got.slice(0, 19)}…)`, file: f.path, source: f.text }));
  }
  for (const d of documents) {
    if (d.doc.status !== 'published' || !d.source.file.startsWith(prefix)) continue;
    if (manifest.published[d.source.file.slice(prefix.length)] === undefined) {
      errors.push(diagnostic({ code: 'R_TAMPERED', detail: `${d.source.file} is published but not in ${file}`, file: d.source.file, source: d.source.text }));
    }
  }
  return errors;
}

/**
 * The tamper evidence that concerns one document: R_TAMPERED problems naming a file of any of its
 * versions, and those no loaded document owns (the manifest itself is broken, a listed file is gone
 * or no longer loads), which may hide any document's published version. Nothing is quoted or
 * published from a document while this is not empty.
 */
export function tamperingOf(problems: readonly Diagnostic[], rules: RuleSet, kind: Kind, id: string): Diagnostic[] {
  const tampered = problems.filter((p) => p.code === 'R_TAMPERED');
  if (tampered.length === 0) return [];
  const own = new Set(rules.versions(kind, id).map((d) => d.source.file));
  const owned = new Set(rules.documents.map((d) => d.source.file));
  return tampered.filter((p) => own.has(p.file) || !owned.has(p.file));
}
