import { checkScenarioRuns, loadCheckedFiles, MANIFEST_PATH, type Diagnostic, type LoadResult, type StoredFile } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import fs from 'node:fs';
import path from 'node:path';
import { env } from './env.ts';

/** The rule store the app reads and writes (atomic writes, exclusive creates). */
export function ruleStore(): DirectoryStore {
  return new DirectoryStore(env().rulesDir);
}

/** The loaded store: every document, and every problem `creditbook validate` would report. */
export interface LoadedStore {
  files: StoredFile[];
  /** The manifest's text as loaded (undefined: the store has none). */
  manifest: string | undefined;
  result: LoadResult;
  /** Load errors plus what forecasting every scenario finds (as `validate` reports them). */
  problems: Diagnostic[];
}

let cache: { key: string; stamp: string; loaded: LoadedStore } | undefined;

/** A folder's listing as of its own change: its sub-folders and rule files (full paths), and the stamp it was read at. */
interface Listing {
  readonly at: string;
  readonly dirs: readonly string[];
  readonly files: readonly string[];
}

/** Per store root: the listing of each of its folders, as last read. */
const listings = new Map<string, Map<string, Listing>>();

const statKey = (st: fs.BigIntStats) => `${st.size}\u0000${st.mtimeNs}\u0000${st.ctimeNs}\u0000${st.ino}`;

/**
 * Path, size, change time and inode of every rule file and the manifest: a cheap fingerprint of
 * the store, taken when called. A folder is listed again only when the folder itself changed:
 * adding, removing or renaming a file in it (the store's atomic writes rename) changes its own
 * times; the files' times catch edits in place. Synchronous on purpose: the bundled store is about
 * 80 system calls, 0.3 ms of the calling thread; the same calls as one promise each through the
 * thread pool cost about 2.4 ms of CPU.
 */
export function storeStamp(root: string): string {
  const known = listings.get(root) ?? new Map<string, Listing>();
  const seen = new Map<string, Listing>();
  const manifest = path.join(root, MANIFEST_PATH);
  const out: string[] = [];
  const walk = (dir: string): void => {
    const at = statKey(fs.statSync(/*turbopackIgnore: true*/ dir, { bigint: true }));
    let l = known.get(dir);
    if (l?.at !== at) {
      const dirs: string[] = [];
      const files: string[] = [];
      for (const e of fs.readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) dirs.push(full);
        else if (e.isFile() && (/\.ya?ml$/.test(e.name) || full === manifest)) files.push(full);
      }
      l = { at, dirs, files };
    }
    seen.set(dir, l);
    for (const f of l.files) out.push(`${f}\u0000${statKey(fs.statSync(/*turbopackIgnore: true*/ f, { bigint: true }))}`);
    for (const d of l.dirs) walk(d);
  };
  walk(root);
  // Folders no longer in the store are forgotten.
  listings.set(root, seen);
  return out.sort().join('\u0001');
}

/**
 * Per store root: a watch on each of its folders (inotify on Linux), set up by the walk. A folder
 * that reports anything (a file written, renamed in, removed, its times changed) marks the store
 * changed; while nothing is marked, the last walk's fingerprint stands and a request costs one
 * `stat` of the top folder instead of a walk of the whole store. `null`: watching could not be
 * set up for that root (no watches left, a file system that has none), so every call walks.
 */
interface Watched {
  readonly folders: Map<string, fs.FSWatcher>;
  /** A folder reported a change since the last walk began (or a watch was added after it looked). */
  changed: boolean;
  /** The last walk's fingerprint. */
  stamp: string;
  /** The top folder as it was at the last walk: a root replaced (a symlink swapped) is a change. */
  top: string;
  /** When the last walk was (`Date.now()`). */
  walked: number;
}

const watched = new Map<string, Watched | null>();

/**
 * However quiet the watches are, the store is walked again this often: the safety net for changes
 * a folder watch does not report (a file system mounted over the network, a rule file that is a
 * symlink to a file elsewhere). About 0.3 ms once a second.
 */
export const REWALK_MS = 1000;

function unwatch(root: string): void {
  for (const w of watched.get(root)?.folders.values() ?? []) w.close();
  watched.delete(root);
}

/** Watches the folders the last walk of `root` saw, and only those. */
function watchFolders(root: string, w: Watched): void {
  const now = new Set(listings.get(root)?.keys() ?? []);
  for (const [dir, watcher] of w.folders)
    if (!now.has(dir)) {
      watcher.close();
      w.folders.delete(dir);
    }
  for (const dir of now) {
    if (w.folders.has(dir)) continue;
    try {
      const watcher = fs.watch(/*turbopackIgnore: true*/ dir, { persistent: false }, () => (w.changed = true));
      watcher.on('error', () => {
        w.changed = true;
        watcher.close();
        w.folders.delete(dir);
      });
      w.folders.set(dir, watcher);
    } catch {
      // No watch to be had (the system's limit reached, or none on this file system): walk every time.
      unwatch(root);
      watched.set(root, null);
      return;
    }
    // The walk looked at this folder before it was watched: what changed in between is seen by
    // walking once more, now that the watch is on.
    w.changed = true;
  }
}

/**
 * The store's fingerprint now: the last walk's while the watches report nothing, the top folder is
 * the same and the last walk is recent; otherwise a new walk (which sets up the watches).
 */
function currentStamp(root: string): string {
  const w = watched.get(root);
  let top: string;
  let stamp: string;
  try {
    top = statKey(fs.statSync(/*turbopackIgnore: true*/ root, { bigint: true }));
    if (w && !w.changed && w.top === top && Date.now() - w.walked < REWALK_MS) return w.stamp;
    if (w) w.changed = false; // before the walk: a change while it runs marks the store again
    stamp = storeStamp(root);
  } catch (e) {
    // The store cannot be read (it was removed, say): its watches go; the next call starts afresh.
    unwatch(root);
    throw e;
  }
  if (w === null) return stamp;
  const state: Watched = w ?? { folders: new Map(), changed: false, stamp, top, walked: 0 };
  state.stamp = stamp;
  state.top = top;
  state.walked = Date.now();
  watched.set(root, state);
  watchFolders(root, state);
  return stamp;
}

/** Per store root: the fingerprint that will be taken once the calls of this turn of the event loop are in. */
const pending = new Map<string, Promise<string>>();

/**
 * The store's fingerprint as it is now: taken after this call began, so any change to a rule file
 * that finished before the call is seen. Every call made in one turn of the event loop (the
 * requests that arrived together) shares one fingerprint. It is taken two turns later
 * (`setImmediate` twice), so that the event loop has polled its events in between: a change that
 * finished before the call, by this process or another, has been reported by the folder watches
 * by then.
 */
export function freshStamp(root: string): Promise<string> {
  let p = pending.get(root);
  if (!p) {
    p = new Promise<string>((resolve, reject) => {
      setImmediate(() => {
        pending.delete(root);
        setImmediate(() => {
          try {
            resolve(currentStamp(root));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
      });
    });
    pending.set(root, p);
  }
  return p;
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
  const loaded = { files, manifest: manifest ?? undefined, result, problems: [...result.errors, ...runs] };
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
