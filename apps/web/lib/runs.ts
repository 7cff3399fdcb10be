/** Reading a run's problems. Safe to import in the browser. */

interface RunProblem {
  code: string;
  message: string;
  path?: string;
}

/** Problem codes that mean some demand could not be priced: its credits are missing from the run. */
const UNPRICED = new Set(['C_DEMAND', 'Q_DIMENSION']);

/** How many demand lines of a run could not be priced in some period (a line is named first in the problem's detail). */
export function unpricedLines(problems: readonly RunProblem[]): number {
  return new Set(problems.filter((p) => UNPRICED.has(p.code)).map((p) => /cannot be priced: ([^:\s]+):/.exec(p.message)?.[1] ?? p.path ?? p.message)).size;
}

/** A run with unpriceable demand is not a valid figure: its totals leave that demand out. */
export function isInvalidRun(run: { problems: readonly RunProblem[] }): boolean {
  return unpricedLines(run.problems) > 0;
}
