import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

/** The columns every event has, in table order (extra card dimensions follow as VARCHAR columns). */
export const EVENT_COLUMNS = ['customer', 'time', 'model', 'mode', 'duration_s', 'resolution', 'pool', 'count'] as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS imports (
  import_id VARCHAR PRIMARY KEY,
  file VARCHAR NOT NULL,
  rows BIGINT NOT NULL,
  imported_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
  import_id VARCHAR NOT NULL,
  customer VARCHAR NOT NULL,
  time TIMESTAMP NOT NULL,
  model VARCHAR NOT NULL,
  mode VARCHAR,
  duration_s DOUBLE NOT NULL,
  resolution VARCHAR,
  pool VARCHAR,
  count BIGINT NOT NULL
);`;

/** A usage history database: a DuckDB file (or ':memory:') with the events and imports tables. */
export class UsageDb {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating when missing) a usage database; times are UTC. */
  static async open(path: string, options: { memoryLimit?: string; threads?: number } = {}): Promise<UsageDb> {
    const config: Record<string, string> = {};
    if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    const instance = await DuckDBInstance.create(path, config);
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    await connection.run(SCHEMA);
    return new UsageDb(path, instance, connection);
  }

  /** Runs a statement and returns its rows as plain JS objects (BIGINT as bigint). */
  async rows(sql: string, params?: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS();
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.connection.run(sql, params);
  }

  /** Runs a statement, reporting the database's own progress (0..1) every 100 ms while it runs. */
  async runWithProgress(sql: string, onProgress: ((fraction: number) => void) | undefined): Promise<void> {
    if (!onProgress) return this.run(sql);
    const timer = setInterval(() => {
      const p = this.connection.progress.percentage;
      if (p >= 0) onProgress(Math.min(1, p / 100));
    }, 100);
    try {
      await this.run(sql);
    } finally {
      clearInterval(timer);
    }
  }

  /** Runs `work` in one transaction: all of it or none of it. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.run('BEGIN TRANSACTION');
    try {
      const out = await work();
      await this.run('COMMIT');
      return out;
    } catch (e) {
      await this.run('ROLLBACK');
      throw e;
    }
  }

  /** The columns of the events table beyond the fixed ones: extra dimensions some import brought. */
  async extraColumns(): Promise<string[]> {
    const cols = await this.rows(`SELECT column_name FROM information_schema.columns WHERE table_name = 'events' ORDER BY ordinal_position`);
    const fixed = new Set<string>(['import_id', ...EVENT_COLUMNS]);
    return cols.map((c) => String(c['column_name'])).filter((c) => !fixed.has(c));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** A SQL identifier, quoted. Names reaching here are checked to be [a-z][a-z0-9_]* first. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** A SQL string literal. */
export const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** A JS number from a DuckDB integer result (BIGINT/HUGEINT come back as bigint). */
export const num = (v: unknown): number => (v === null || v === undefined ? 0 : typeof v === 'bigint' ? Number(v) : Number(v));
