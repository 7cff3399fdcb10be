import { diagnostic, type Code, type Diagnostic, type Severity } from '../diagnostics/index.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { pointer, rangeAt, type PathSegment } from '../rules/source.ts';
import type { Scenario } from '../rules/types.ts';

/** Where a run's problems point: the scenario's source (when it was loaded) and the run's name. */
export interface ProblemContext {
  readonly rules: RuleSet;
  readonly scenario: Scenario;
  readonly run: string;
  /** The variant's index in the scenario (paths of what a variant changes point into it). */
  readonly variantIndex: number | undefined;
}

/** A problem of a forecast run, positioned at a path of the scenario document, with its period and run. */
export function runProblem(
  ctx: ProblemContext,
  code: Code,
  detail: string,
  path: readonly PathSegment[],
  extra: { period?: string; severity?: Severity } = {},
): Diagnostic {
  const src = ctx.rules.documents.find((d) => d.doc === ctx.scenario)?.source;
  return diagnostic({
    code,
    detail,
    path: pointer(path),
    run: ctx.run,
    ...(src ? { file: src.file, pos: rangeAt(src, path), source: src.text } : {}),
    ...(extra.period === undefined ? {} : { period: extra.period }),
    ...(extra.severity === undefined ? {} : { severity: extra.severity }),
  });
}

/** The path of a field a variant may override: inside the variant when it does, else the scenario's own. */
export function fieldPath(ctx: ProblemContext, field: 'plan' | 'purchases' | 'grants' | 'rules'): PathSegment[] {
  const k = ctx.variantIndex;
  if (k !== undefined && ctx.scenario.variants?.[k]?.[field] !== undefined) return ['variants', k, field];
  return [field];
}
