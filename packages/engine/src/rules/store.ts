/** A file in a rule store: a path relative to the store's root, and its text. */
export interface StoredFile {
  readonly path: string;
  readonly text: string;
}

/** One file of a commit: its new text, replacing `expected` (undefined: the file must not exist yet). */
export interface FileChange {
  readonly path: string;
  readonly expected: string | undefined;
  readonly text: string;
}

/**
 * The engine's only I/O: a rule store. The web app and the CLI give it a directory;
 * tests give it memory. Paths are relative, '/'-separated, and never leave the store.
 */
export interface RuleStore {
  /** Every `.yaml`/`.yml` file in the store. */
  list(): Promise<StoredFile[]>;
  read(path: string): Promise<string | undefined>;
  /** Creates a file atomically; fails with `exists` when the path is taken (no overwrite). */
  create(path: string, text: string): Promise<'created' | 'exists'>;
  /** Replaces a file atomically when its current text is `expected`; otherwise `changed`. */
  replace(path: string, expected: string, text: string): Promise<'replaced' | 'changed'>;
  /**
   * Writes several files as one step when every file's current text is its `expected` (otherwise
   * `changed`, and nothing is written). A write that fails leaves every file as it was.
   */
  commit(changes: readonly FileChange[]): Promise<'committed' | 'changed'>;
  /**
   * Runs `fn` while no other exclusive section of this store runs (across processes, for a store
   * that can). Publishing reads, checks and writes two files; this makes that one step.
   */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
}

/** A store held in memory (tests, the browser). */
export class MemoryStore implements RuleStore {
  private readonly files = new Map<string, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(files: Iterable<StoredFile> = []) {
    for (const f of files) this.files.set(f.path, f.text);
  }

  async list(): Promise<StoredFile[]> {
    return [...this.files].filter(([p]) => /\.ya?ml$/.test(p)).map(([path, text]) => ({ path, text }));
  }

  async read(path: string): Promise<string | undefined> {
    return this.files.get(path);
  }

  async create(path: string, text: string): Promise<'created' | 'exists'> {
    if (this.files.has(path)) return 'exists';
    this.files.set(path, text);
    return 'created';
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async replace(path: string, expected: string, text: string): Promise<'replaced' | 'changed'> {
    return (await this.commit([{ path, expected, text }])) === 'committed' ? 'replaced' : 'changed';
  }

  async commit(changes: readonly FileChange[]): Promise<'committed' | 'changed'> {
    if (changes.some((c) => this.files.get(c.path) !== c.expected)) return 'changed';
    for (const c of changes) this.files.set(c.path, c.text);
    return 'committed';
  }
}
