import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import { inThisThread, type Executor } from '@creditbook/engine';

/**
 * Where the worker's code is: beside this module, built (dist/portfolio-worker.mjs, made by the
 * esbuild build) or as TypeScript source, which a worker loads through tsx (bin/portfolio-worker-dev.mjs).
 */
function workerFile(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (/\.m?js$/.test(here)) return { filename: new URL('./portfolio-worker.mjs', here).href, execArgv: [] };
  return { filename: new URL('../bin/portfolio-worker-dev.mjs', here).href, execArgv: [] };
}

/** Workers by default: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * An executor that runs tasks on `workers` worker threads (tinypool), the model sent to each once.
 * Tasks go out in batches, a few per worker, so the results come back in order as they finish.
 * One worker or fewer: the tasks run in this thread.
 */
export function workerPool(workers: number): Executor {
  if (workers <= 1) return inThisThread;
  return async (model, tasks, onDone) => {
    const { filename, execArgv } = workerFile();
    const pool = new Tinypool({ filename, execArgv, minThreads: workers, maxThreads: workers, workerData: model, isolateWorkers: false });
    try {
      const batch = Math.max(1, Math.ceil(tasks.length / (workers * 4)));
      const groups: (typeof tasks)[number][][] = [];
      for (let i = 0; i < tasks.length; i += batch) groups.push(tasks.slice(i, i + batch));
      const results = await Promise.all(
        groups.map(async (g) => {
          const out = (await pool.run(g)) as Awaited<ReturnType<Executor>>;
          for (const t of g) onDone(t);
          return out;
        }),
      );
      return results.flat();
    } finally {
      await pool.destroy();
    }
  };
}
