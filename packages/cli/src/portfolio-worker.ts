// A worker thread of `creditbook portfolio`: it runs the tasks it is given on a portfolio model,
// each returning the aggregate of its customers. The model comes once per worker and run: a batch
// names its model by a key, and a worker that does not hold that model asks for it (see the pool).
import { runTask, type CohortAggregate, type PortfolioModel, type Task } from '@creditbook/engine';

/** A batch of tasks on the model `key`; `model` is sent only when the worker asked for it. */
export interface Batch {
  key: number;
  model?: PortfolioModel;
  tasks: readonly Task[];
}

/** The aggregates of the batch's tasks, in order; or `need`: send the model. */
export type BatchResult = { results: CohortAggregate[] } | { need: true };

let held: { key: number; model: PortfolioModel } | undefined;

export default function run(batch: Batch): BatchResult {
  if (batch.model) held = { key: batch.key, model: batch.model };
  if (!held || held.key !== batch.key) return { need: true };
  const model = held.model;
  return { results: batch.tasks.map((t) => runTask(model, t)) };
}
