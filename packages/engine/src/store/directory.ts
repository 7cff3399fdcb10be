import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RuleStore, StoredFile } from '../rules/store.ts';

interface LockLimits {
  /** A lock older than this was left by a crash. */
  readonly staleMs: number;
  /** Give up waiting after this long. */
  readonly waitMs: number;
}
/** A replace takes milliseconds; a publish loads the whole store, which may take seconds. */
const REPLACE_LOCK: LockLimits = { staleMs: 10_000, waitMs: 30_000 };
const STORE_LOCK: LockLimits = { staleMs: 60_000, waitMs: 120_000 };

/** Resolves a store-relative path, refusing anything that would leave the root. */
export function safeJoin(root: string, rel: string): string {
  if (rel.includes('\0') || path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw new Error(`T_BAD_ID path outside the store: ${rel}`);
  const full = path.resolve(root, rel);
  const base = path.resolve(root);
  if (full !== base && !full.startsWith(base + path.sep)) throw new Error(`T_BAD_ID path outside the store: ${rel}`);
  return full;
}

/** The rule store on disk. Writes are atomic: a temp file in the same folder, fsync, then link or rename. */
export class DirectoryStore implements RuleStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
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

  private async temp(full: string, text: string): Promise<string> {
    await fs.mkdir(path.dirname(full), { recursive: true });
    const tmp = path.join(path.dirname(full), `.${path.basename(full)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return tmp;
  }

  async create(rel: string, text: string): Promise<'created' | 'exists'> {
    const full = safeJoin(this.root, rel);
    const tmp = await this.temp(full, text);
    try {
      // link() fails when the target exists: an atomic create-if-absent.
      await fs.link(tmp, full);
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
    const full = safeJoin(this.root, rel);
    // Compare and rename under a lock: without it two writers that read the same text both "win".
    return this.locked(full, REPLACE_LOCK, async () => {
      const current = await this.read(rel);
      if (current !== expected) return 'changed';
      const tmp = await this.temp(full, text);
      await fs.rename(tmp, full);
      return 'replaced';
    });
  }

  /**
   * Runs `fn` holding `.<name>.lock` beside the file, created exclusively, so the lock holds across
   * processes. A lock older than `staleMs` was left by a crashed process and is broken.
   */
  private async locked<T>(full: string, limits: LockLimits, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(path.dirname(full), `.${path.basename(full)}.lock`);
    await fs.mkdir(path.dirname(full), { recursive: true });
    const deadline = Date.now() + limits.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await (await fs.open(lock, 'wx')).close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const held = await fs.stat(lock).catch(() => undefined);
        if (held && Date.now() - held.mtimeMs > limits.staleMs) await fs.rm(lock, { force: true });
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
