import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { FileChange, RuleStore, StoredFile } from '../rules/store.ts';

interface LockLimits {
  /** A lock older than this was left by a crash (when its owner cannot be asked: another host, or no owner written). */
  readonly staleMs: number;
  /** Give up waiting after this long. */
  readonly waitMs: number;
}
/** A replace takes milliseconds; a publish loads the whole store, which may take seconds. */
const REPLACE_LOCK: LockLimits = { staleMs: 10_000, waitMs: 30_000 };
const STORE_LOCK: LockLimits = { staleMs: 60_000, waitMs: 120_000 };

/**
 * The file operations a DirectoryStore writes with. Tests pass failing ones (a full disk, a
 * read-only one, a failure at the n-th step) to show that a failed write leaves the store as it was.
 */
export interface DiskOps {
  /** Creates `file` exclusively, writes the text and fsyncs it. */
  readonly writeNew: (file: string, text: string) => Promise<void>;
  readonly rename: (from: string, to: string) => Promise<void>;
  /** Hard link: fails with EEXIST when `to` exists (an atomic create-if-absent). */
  readonly link: (from: string, to: string) => Promise<void>;
}

const NODE_DISK: DiskOps = {
  writeNew: async (file, text) => {
    const handle = await fs.open(file, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.rename(from, to),
  link: (from, to) => fs.link(from, to),
};

/** Who holds a lock or wrote a temp file: `pid@host`. */
const OWNER = `${process.pid}@${hostname()}`;
/** A temp file's name: `.<file>.<pid>.<random>.tmp` (the pid says whether its writer still runs). */
const TEMP = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** A new temp file's path beside `full`. */
const tempName = (full: string): string => path.join(path.dirname(full), `.${path.basename(full)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

/** Whether the process that wrote `owner` (`pid@host`) is gone: only knowable on this host. */
function ownerGone(owner: string): boolean {
  const m = /^(\d+)@(.+)$/.exec(owner.trim());
  if (!m || m[2] !== hostname()) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Resolves a store-relative path, refusing anything that would leave the root. */
export function safeJoin(root: string, rel: string): string {
  if (rel.includes('\0') || path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw new Error(`T_BAD_ID path outside the store: ${rel}`);
  const full = path.resolve(root, rel);
  const base = path.resolve(root);
  if (full !== base && !full.startsWith(base + path.sep)) throw new Error(`T_BAD_ID path outside the store: ${rel}`);
  return full;
}

/**
 * The rule store on disk. Writes are atomic: a temp file in the same folder, fsync, then link or
 * rename; a failed write removes its temp file and leaves the old text in place.
 */
export class DirectoryStore implements RuleStore {
  readonly root: string;
  private readonly disk: DiskOps;

  constructor(root: string, options: { disk?: Partial<DiskOps> } = {}) {
    this.root = path.resolve(root);
    this.disk = { ...NODE_DISK, ...options.disk };
  }

  async list(): Promise<StoredFile[]> {
    const out: StoredFile[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true });
      for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (e.name.startsWith('.')) continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile() && /\.ya?ml$/.test(e.name)) {
          out.push({ path: path.relative(this.root, full).split(path.sep).join('/'), text: await fs.readFile(full, 'utf8') });
        }
      }
    };
    await walk(this.root);
    return out;
  }

  async read(rel: string): Promise<string | undefined> {
    try {
      return await fs.readFile(safeJoin(this.root, rel), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Writes the text to a new temp file beside `full` and syncs it; on failure the temp file is removed. */
  private async temp(full: string, text: string): Promise<string> {
    await fs.mkdir(path.dirname(full), { recursive: true });
    const tmp = tempName(full);
    try {
      await this.disk.writeNew(tmp, text);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
    return tmp;
  }

  async create(rel: string, text: string): Promise<'created' | 'exists'> {
    const full = safeJoin(this.root, rel);
    const tmp = await this.temp(full, text);
    try {
      // link() fails when the target exists: an atomic create-if-absent.
      await this.disk.link(tmp, full);
      return 'created';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
      throw e;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /** Runs `fn` while no other process or call holds this store's lock (`.store.lock` at the root). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.locked(path.join(this.root, 'store'), STORE_LOCK, fn);
  }

  async replace(rel: string, expected: string, text: string): Promise<'replaced' | 'changed'> {
    return (await this.commit([{ path: rel, expected, text }])) === 'committed' ? 'replaced' : 'changed';
  }

  /**
   * Writes several files as one step: under each file's lock, checks every file's current text,
   * writes and syncs every new text to a temp file, and only then renames them into place, in the
   * order given. A failure at any step (a full disk) puts back what was renamed, removes the temp
   * files and changes nothing; only a crash between two renames can leave the first change alone.
   */
  async commit(changes: readonly FileChange[]): Promise<'committed' | 'changed'> {
    const targets = changes.map((c) => ({ ...c, full: safeJoin(this.root, c.path) }));
    // Locks in path order, so two commits of the same files never wait on each other.
    const order = [...new Set(targets.map((t) => t.full))].sort();
    const underLocks = (i: number): Promise<'committed' | 'changed'> =>
      i < order.length ? this.locked(order[i]!, REPLACE_LOCK, () => underLocks(i + 1)) : this.commitLocked(targets);
    return underLocks(0);
  }

  private async commitLocked(targets: readonly (FileChange & { full: string })[]): Promise<'committed' | 'changed'> {
    for (const t of targets) if ((await this.read(t.path)) !== t.expected) return 'changed';
    const temps: string[] = [];
    /** Hard links to the texts being replaced: a failed rename puts back the ones already done. */
    const backups: string[] = [];
    let done = 0;
    try {
      for (const t of targets) temps.push(await this.temp(t.full, t.text));
      for (const t of targets) {
        const bak = t.expected === undefined ? '' : tempName(t.full);
        if (bak !== '') await this.disk.link(t.full, bak);
        backups.push(bak);
      }
      for (const [i, t] of targets.entries()) {
        if (t.expected === undefined) await this.disk.link(temps[i]!, t.full);
        else await this.disk.rename(temps[i]!, t.full);
        done++;
      }
      await Promise.all([...new Set(targets.map((t) => path.dirname(t.full)))].map(syncDir));
      return 'committed';
    } catch (e) {
      for (let i = done - 1; i >= 0; i--) {
        const t = targets[i]!;
        if (t.expected === undefined) await fs.rm(t.full, { force: true });
        else await this.disk.rename(backups[i]!, t.full);
      }
      throw e;
    } finally {
      for (const f of [...temps, ...backups]) if (f !== '') await fs.rm(f, { force: true }).catch(() => undefined);
    }
  }

  /**
   * What a crash left behind: locks and temp files of processes of this host that no longer run
   * are removed (run at start-up, so publishing is not blocked until a lock goes stale). Returns
   * the store paths removed.
   */
  async recover(): Promise<string[]> {
    const removed: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory() && !e.name.startsWith('.')) await walk(full);
        else if (!e.isFile()) continue;
        else if (e.name.endsWith('.lock')) {
          const owner = await fs.readFile(full, 'utf8').catch(() => '');
          if (ownerGone(owner)) removed.push(full);
        } else {
          const m = TEMP.exec(e.name);
          if (m && ownerGone(`${m[1]}@${hostname()}`)) removed.push(full);
        }
      }
    };
    await walk(this.root);
    for (const f of removed) await fs.rm(f, { force: true });
    return removed.map((f) => path.relative(this.root, f).split(path.sep).join('/'));
  }

  /**
   * Runs `fn` holding `.<name>.lock` beside the file, created exclusively, so the lock holds across
   * processes. The lock names its owner (`pid@host`): a lock whose owner no longer runs is broken at
   * once; one that cannot be checked is broken once older than `staleMs`.
   */
  private async locked<T>(full: string, limits: LockLimits, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(path.dirname(full), `.${path.basename(full)}.lock`);
    await fs.mkdir(path.dirname(full), { recursive: true });
    const deadline = Date.now() + limits.waitMs;
    for (let attempt = 0; ; attempt++) {
      let created = false;
      try {
        const handle = await fs.open(lock, 'wx');
        created = true;
        try {
          await handle.writeFile(OWNER, 'utf8');
        } finally {
          await handle.close();
        }
        break;
      } catch (e) {
        if (created) await fs.rm(lock, { force: true }).catch(() => undefined);
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const held = await fs.stat(lock).catch(() => undefined);
        const owner = held ? await fs.readFile(lock, 'utf8').catch(() => '') : '';
        if (held && (ownerGone(owner) || Date.now() - held.mtimeMs > limits.staleMs)) await fs.rm(lock, { force: true });
        else if (Date.now() > deadline) throw new Error(`T_IO ${path.basename(full)} is locked`, { cause: e });
        else await new Promise((r) => setTimeout(r, 2 + (attempt % 7)));
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

/** Makes the renames in a folder durable (where the file system supports syncing a folder). */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
