// The portfolio's worker thread when the CLI runs from its TypeScript sources (tests, creditbook:dev):
// registers tsx in the worker, then loads the worker's source.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('../src/portfolio-worker.ts');
export default run;
