import { checkScenarioRuns, loadFiles, type Diagnostic, type LoadResult, type StoredFile } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { env } from './env.ts';

/** The directory store, telling the cache below when this process writes to it. */
class WatchedStore extends DirectoryStore {
  override async create(rel: string, text: string): Promise<'created' | 'exists'> {
    try {
      return await super.create(rel, text);
    } finally {
      invalidateRules();
    }
  }

  override async replace(rel: string, expected: string, text: string): Promise<'replaced' | 'changed'> {
    try {
      return await super.replace(rel, expected, text);
    } finally {
      invalidateRules();
    }
  }
}

/** The rule store the app reads and writes (atomic writes, exclusive creates). */
export function ruleStore(): DirectoryStore {
  return new WatchedStore(env().rulesDir);
}

/** The loaded store: every document, and every problem `creditbook validate` would report. */
export interface LoadedStore {
  files: StoredFile[];
  result: LoadResult;
  /** Load errors plus what forecasting every scenario finds (as `validate` reports them). */
  problems: Diagnostic[];
}

let cache: { key: string; stamp: string; loaded: LoadedStore } | undefined;
let checkedAt = 0;
let stale = false;
/** How often the store's files are looked at again when the app itself has not written to them. */
const RECHECK_MS = 200;

/** Forgets that the store was checked: the next load looks at its files again. */
export function invalidateRules(): void {
  stale = true;
}

/** Path, size, change time and inode of every rule file: a cheap fingerprint of the store. */
async function stamp(root: string): Promise<string> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
        const st = await fs.stat(full, { bigint: true });
        out.push(`${full}\u0000${st.size}\u0000${st.mtimeNs}\u0000${st.ctimeNs}\u0000${st.ino}`);
      }
    }
  };
  await walk(root);
  return out.sort().join('\u0001');
}

/**
 * Loads the store. While no rule file's size, times or inode changed since the last call, the
 * last load is reused without reading any file; otherwise the files are read, and when their text
 * is what was loaded before, that load is reused too.
 */
export async function loadRules(): Promise<LoadedStore> {
  const root = env().rulesDir;
  // Writes through this app invalidate at once; an edit made outside it is seen within RECHECK_MS.
  if (cache && !stale && Date.now() - checkedAt < RECHECK_MS) return cache.loaded;
  stale = false;
  checkedAt = Date.now();
  const now = await stamp(root).catch(() => '');
  if (cache && now !== '' && cache.stamp === now) return cache.loaded;
  const files = await ruleStore().list();
  const key = `${root}\n${files.map((f) => `${f.path}\u0000${f.text}`).join('\u0001')}`;
  if (cache?.key === key) {
    cache.stamp = now;
    return cache.loaded;
  }
  const result = await loadFiles(files);
  const runs = result.errors.length === 0 ? await checkScenarioRuns(result.rules) : [];
  const loaded = { files, result, problems: [...result.errors, ...runs] };
  cache = { key, stamp: now, loaded };
  return loaded;
}
