import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import { inThisThread, type Executor, type PortfolioModel } from '@creditbook/engine';
import type { Batch, BatchResult } from './portfolio-worker.ts';

/** The built worker (dist/portfolio-worker.mjs, made by the esbuild build), beside the built CLI or under the package when run from source. */
export function builtWorkerFile(): string {
  return new URL('../dist/portfolio-worker.mjs', import.meta.url).href;
}

/**
 * Where the worker's code is: beside this module when it is built, or as TypeScript source, which a
 * worker loads through tsx (bin/portfolio-worker-dev.mjs).
 */
function workerFile(): string {
  const here = import.meta.url;
  if (/\.m?js$/.test(here)) return new URL('./portfolio-worker.mjs', here).href;
  return new URL('../bin/portfolio-worker-dev.mjs', here).href;
}

/** Workers by default: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** A pool of worker threads that runs the tasks of any number of portfolio runs; `destroy` when done. */
export interface WorkerPool {
  readonly execute: Executor;
  destroy(): Promise<void>;
}

/**
 * Opens `workers` worker threads (tinypool) for as many runs as are given to `execute`. Each model is
 * sent to a worker once (a batch names it by key; a worker that lacks it asks for it). Tasks go out
 * in batches, a few per worker, so the results come back in order as they finish. `filename`: the
 * worker module (default: the built one beside a built CLI, the TypeScript source through tsx otherwise).
 */
export function openWorkerPool(workers: number, options: { filename?: string } = {}): WorkerPool {
  const pool = new Tinypool({ filename: options.filename ?? workerFile(), minThreads: workers, maxThreads: workers, isolateWorkers: false });
  const keys = new WeakMap<PortfolioModel, number>();
  let next = 0;
  const execute: Executor = async (model, tasks, onDone) => {
    let key = keys.get(model);
    if (key === undefined) keys.set(model, (key = ++next));
    const batch = Math.max(1, Math.ceil(tasks.length / (workers * 4)));
    const groups: (typeof tasks)[number][][] = [];
    for (let i = 0; i < tasks.length; i += batch) groups.push(tasks.slice(i, i + batch));
    const results = await Promise.all(
      groups.map(async (g) => {
        let r = (await pool.run({ key, tasks: g } satisfies Batch)) as BatchResult;
        if ('need' in r) r = (await pool.run({ key, model, tasks: g } satisfies Batch)) as BatchResult;
        if ('need' in r) throw new Error('a portfolio worker lost its model');
        for (const t of g) onDone(t);
        return r.results;
      }),
    );
    return results.flat();
  };
  return { execute, destroy: () => pool.destroy() };
}

/**
 * An executor for one run (or one comparison) on `workers` worker threads, which it starts and stops
 * itself. One worker or fewer: the tasks run in this thread.
 */
export function workerPool(workers: number): Executor {
  if (workers <= 1) return inThisThread;
  return async (model, tasks, onDone) => {
    const pool = openWorkerPool(workers);
    try {
      return await pool.execute(model, tasks, onDone);
    } finally {
      await pool.destroy();
    }
  };
}
