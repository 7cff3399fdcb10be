import { checkScenarioRuns, loadCheckedFiles, MANIFEST_PATH, type Diagnostic, type LoadResult, type StoredFile } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { env } from './env.ts';

/** The rule store the app reads and writes (atomic writes, exclusive creates). */
export function ruleStore(): DirectoryStore {
  return new DirectoryStore(env().rulesDir);
}

/** The loaded store: every document, and every problem `creditbook validate` would report. */
export interface LoadedStore {
  files: StoredFile[];
  result: LoadResult;
  /** Load errors plus what forecasting every scenario finds (as `validate` reports them). */
  problems: Diagnostic[];
}

let cache: { key: string; stamp: string; loaded: LoadedStore } | undefined;

/** Path, size, change time and inode of every rule file and the manifest: a cheap fingerprint of the store. */
async function stamp(root: string): Promise<string> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    // The folders and files of one folder are looked at together: a store of many files costs
    // a few round trips to the file system, not one per file.
    await Promise.all(
      entries.map(async (e) => {
        if (e.name.startsWith('.')) return;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && (/\.ya?ml$/.test(e.name) || full === path.join(root, MANIFEST_PATH))) {
          const st = await fs.stat(full, { bigint: true });
          out.push(`${full}\u0000${st.size}\u0000${st.mtimeNs}\u0000${st.ctimeNs}\u0000${st.ino}`);
        }
      }),
    );
  };
  await walk(root);
  return out.sort().join('\u0001');
}

/** Per store folder: the fingerprint being taken now, and the one that will be taken after it. */
const stamping = new Map<string, { running?: Promise<string> | undefined; next?: Promise<string> | undefined }>();

/**
 * The store's fingerprint as it is now: taken after this call began, so any change to a rule file
 * that finished before the call is seen. Calls that arrive while a fingerprint is being taken
 * share the next one (started when the current one ends), so a burst of requests walks the folder
 * about twice, not once per request.
 */
export function freshStamp(root: string): Promise<string> {
  let s = stamping.get(root);
  if (!s) stamping.set(root, (s = {}));
  const state = s;
  if (!state.running) {
    const running = stamp(root).finally(() => {
      if (state.running === running) state.running = undefined;
    });
    state.running = running;
    return running;
  }
  if (!state.next) {
    const next = state.running
      .catch(() => '')
      .then(() => {
        state.next = undefined;
        return freshStamp(root);
      });
    state.next = next;
  }
  return state.next;
}

/**
 * Loads the store. While no rule file's size, times or inode changed since the last call, the
 * last load is reused without reading any file; otherwise the files are read, and when their text
 * is what was loaded before, that load is reused too.
 */
export async function loadRules(): Promise<LoadedStore> {
  const root = env().rulesDir;
  const now = await freshStamp(root).catch(() => '');
  if (cache && now !== '' && cache.stamp === now) return cache.loaded;
  const files = await ruleStore().list();
  // The manifest is part of what was loaded: a store is checked against it as `creditbook validate` does.
  const manifest = await ruleStore().read(MANIFEST_PATH);
  const key = `${root}\n${manifest ?? ''}\u0002${files.map((f) => `${f.path}\u0000${f.text}`).join('\u0001')}`;
  if (cache?.key === key) {
    cache.stamp = now;
    return cache.loaded;
  }
  const result = await loadCheckedFiles(files, manifest);
  const runs = result.errors.length === 0 ? await checkScenarioRuns(result.rules) : [];
  const loaded = { files, result, problems: [...result.errors, ...runs] };
  cache = { key, stamp: now, loaded };
  return loaded;
}

/**
 * Removes what a killed server left in the store (locks and temp files of processes that no longer
 * run), so publishing is not blocked until a lock goes stale. Runs at start-up; logs what it removed.
 */
export async function recoverStore(): Promise<string[]> {
  const removed = await ruleStore()
    .recover()
    .catch(() => []);
  if (removed.length > 0) (await import('./log.ts')).logger().warn({ removed }, 'store: removed what a crashed process left');
  return removed;
}
