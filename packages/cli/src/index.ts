export { main, registerCommand, USAGE } from './main.ts';
export { renderSheet, show } from './table.ts';
export { UsageError, InputError, type Io } from './io.ts';
export { progressBar, type ProgressBar, type ProgressOptions } from './progress-bar.ts';
export { workerPool, openWorkerPool, builtWorkerFile, defaultWorkers, type WorkerPool } from './portfolio-pool.ts';
