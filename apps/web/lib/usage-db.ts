/** The web app's one connection to the usage database (`CREDITBOOK_USAGE_DB`). */
import { existsSync } from 'node:fs';
import { UsageDb } from '@creditbook/usage';
import { env } from './env.ts';

let opened: { path: string; db: Promise<UsageDb> } | undefined;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs work on the process's one connection to the usage database, one piece of work at a time
 * (a DuckDB file has one writer, and a backtest's working tables live on the connection).
 */
export function withUsageDb<T>(work: (db: UsageDb) => Promise<T>): Promise<T> {
  const file = env().usageDb;
  if (!opened || opened.path !== file) opened = { path: file, db: UsageDb.open(file) };
  const db = opened.db;
  const run = queue.then(async () => work(await db));
  queue = run.catch(() => undefined);
  return run;
}

/** How many events the usage database holds; 0 without opening (or creating) it when its file does not exist. */
export async function usageEvents(): Promise<number> {
  const file = env().usageDb;
  if (opened?.path !== file && !existsSync(file)) return 0;
  const [r] = await withUsageDb((db) => db.rows('SELECT count(*) AS n FROM events'));
  return Number(r!['n']);
}
