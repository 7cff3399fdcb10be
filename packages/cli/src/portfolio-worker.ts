// A worker thread of `creditbook portfolio`: it receives the portfolio model once (as workerData,
// from the pool) and runs the tasks it is given, each returning the aggregate of its customers.
import { workerData } from 'node:worker_threads';
import { runTask, type CohortAggregate, type PortfolioModel, type Task } from '@creditbook/engine';

const model = (workerData as [unknown, PortfolioModel])[1];

export default function run(tasks: readonly Task[]): CohortAggregate[] {
  return tasks.map((t) => runTask(model, t));
}
