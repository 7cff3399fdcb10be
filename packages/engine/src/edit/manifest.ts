import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { loadFiles } from '../rules/load.ts';
import { buildManifest, contentHash, manifestText, MANIFEST_PATH, parseManifest, type Manifest } from '../rules/manifest.ts';
import type { FileChange, RuleStore } from '../rules/store.ts';

export type ManifestResult = { ok: true; path: string; published: number } | { ok: false; errors: Diagnostic[] };

/** Writes the manifest atomically: create when absent, otherwise replace only what was read. */
async function store(rs: RuleStore, before: string | undefined, manifest: Manifest): Promise<boolean> {
  const text = manifestText(manifest);
  if (before === undefined) return (await rs.create(MANIFEST_PATH, text)) === 'created';
  return (await rs.replace(MANIFEST_PATH, before, text)) === 'replaced';
}

/**
 * The manifest change that records a file about to be published, to be committed together with
 * the file (RuleStore.commit). A store without a manifest gets one listing its published files as
 * they are now.
 */
export async function manifestChange(
  rs: RuleStore,
  path: string,
  text: string,
): Promise<{ ok: true; change: FileChange } | { ok: false; errors: Diagnostic[] }> {
  const before = await rs.read(MANIFEST_PATH);
  let current: Manifest | undefined;
  if (before === undefined) current = await buildManifest((await loadFiles(await rs.list())).rules.documents);
  else current = parseManifest(before);
  if (!current)
    return {
      ok: false,
      errors: [
        diagnostic({ code: 'R_TAMPERED', detail: `${MANIFEST_PATH} is not a manifest; regenerate it (creditbook manifest) after review`, file: MANIFEST_PATH }),
      ],
    };
  const next: Manifest = { version: 1, published: { ...current.published, [path]: await contentHash(text) } };
  return { ok: true, change: { path: MANIFEST_PATH, expected: before, text: manifestText(next) } };
}

/** Records a file as published in the manifest alone (retried while other publishes change it). */
export async function recordPublished(rs: RuleStore, path: string, text: string): Promise<Diagnostic[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const change = await manifestChange(rs, path, text);
    if (!change.ok) return change.errors;
    if ((await rs.commit([change.change])) === 'committed') return [];
  }
  return [diagnostic({ code: 'T_CONFLICT', detail: `${MANIFEST_PATH} kept changing while publishing` })];
}

/** Writes a manifest of the store's published files as they are now. Refuses a store with problems. */
export async function writeManifest(rs: RuleStore): Promise<ManifestResult> {
  const before = await rs.read(MANIFEST_PATH);
  const loaded = await loadFiles(await rs.list());
  if (loaded.errors.length > 0) return { ok: false, errors: loaded.errors };
  const manifest = await buildManifest(loaded.rules.documents);
  if (!(await store(rs, before, manifest)))
    return { ok: false, errors: [diagnostic({ code: 'T_CONFLICT', detail: `${MANIFEST_PATH} changed while it was being written` })] };
  return { ok: true, path: MANIFEST_PATH, published: Object.keys(manifest.published).length };
}
