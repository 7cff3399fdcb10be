import type { PortfolioModel } from './model.ts';
import { metaOf, render, type PortfolioMeta, type PortfolioResult } from './result.ts';
import { addAggregates, cohortSize, emptyAggregate, runTask, tasksOf, type CohortAggregate, type Task } from './run.ts';

/** Runs tasks and gives their aggregates in the same order: in this thread by default, or a worker pool. */
export type Executor = (model: PortfolioModel, tasks: readonly Task[], onDone: (task: Task) => void) => Promise<CohortAggregate[]>;

export const inThisThread: Executor = async (model, tasks, onDone) =>
  tasks.map((t) => {
    const a = runTask(model, t);
    onDone(t);
    return a;
  });

export interface RunOptions {
  /** Seed of the first run (default 0); run r uses seed + r. */
  seed?: number;
  /** Runs (default 1); with more than one, every figure is P10 / P50 / P90 over them. */
  runs?: number;
  /** Only the customers of shard `shard` (0-based) of `shards`: customer n of a cohort is in shard n mod shards. */
  shard?: number;
  shards?: number;
  /** Customers per task (default 25,000). */
  chunk?: number;
  execute?: Executor;
  /** Customers simulated so far, of all (counting every run). */
  onProgress?: (done: number, total: number) => void;
}

/** Every run's aggregates, per cohort. */
export async function runAggregates(model: PortfolioModel, options: RunOptions = {}): Promise<{ meta: PortfolioMeta; runs: CohortAggregate[][] }> {
  const seed = options.seed ?? 0;
  const runs = options.runs ?? 1;
  const shards = options.shards ?? 1;
  const shard = options.shard ?? 0;
  const tasks: Task[] = [];
  for (let r = 0; r < runs; r++) tasks.push(...tasksOf(model, seed + r, r, shard, shards, options.chunk ?? 25_000));
  const total = tasks.reduce((a, t) => a + t.to - t.from, 0);
  let done = 0;
  const results = await (options.execute ?? inThisThread)(model, tasks, (t) => {
    done += t.to - t.from;
    options.onProgress?.(done, total);
  });
  const out: CohortAggregate[][] = Array.from({ length: runs }, () => emptyAggregate(model));
  tasks.forEach((t, n) => addAggregates([out[t.run]![t.cohort]!], [results[n]!]));
  return { meta: metaOf(model, seed, runs), runs: out };
}

/** Runs a portfolio model: its figures per period, in total and per cohort (bands with several runs). */
export async function runPortfolio(model: PortfolioModel, options: RunOptions = {}): Promise<PortfolioResult> {
  const { meta, runs } = await runAggregates(model, options);
  return render(meta, runs);
}

/** Customers of a model, over all its cohorts. */
export function customersOf(model: PortfolioModel): number {
  return model.cohorts.reduce((a, c) => a + cohortSize(c), 0);
}
