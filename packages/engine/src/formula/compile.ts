import jsonata from 'jsonata';
import { LRUCache } from 'lru-cache';
import { FUNCTIONS, FUNCTION_NAMES } from './functions.ts';

/** Bounds that keep a formula from running away. Deterministic: counted in evaluation steps. */
export const FORMULA_LIMITS = { steps: 100_000, stack: 200, sequence: 100_000, timeoutMs: 2_000, string: 100_000, allocated: 2_000_000 } as const;

/**
 * Evaluation steps one request (a validation, a preview, a save) may spend across every formula it
 * evaluates: from a third of a second to a second of one core (a step costs one to three microseconds).
 */
export const REQUEST_STEPS = 300_000;

/** A step budget shared by every evaluation of one request; `spent` only grows. */
export interface StepBudget {
  readonly total: number;
  spent: number;
}

/** A fresh budget for one request. */
export function stepBudget(total: number = REQUEST_STEPS): StepBudget {
  return { total, spent: 0 };
}

/** The budget is spent: nothing more may be evaluated for this request. */
export function budgetSpent(budget: StepBudget | undefined): boolean {
  return budget !== undefined && budget.spent >= budget.total;
}

export type Expression = ReturnType<typeof jsonata>;

export interface CompiledFormula {
  readonly text: string;
  readonly expression: Expression;
  /** `$name` variables the formula reads that it does not bind itself. */
  readonly freeVariables: ReadonlySet<string>;
}

/** A compile failure: the jsonata code, the offset in the formula text and the token. */
export interface FormulaProblem {
  readonly code: string;
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

export type CompileResult = { ok: true; formula: CompiledFormula } | { ok: false; problem: FormulaProblem };

/**
 * Compiled formulas by text, least recently used out first. Bounded by count and by text: a
 * compiled expression holds its source and an AST of about its size.
 */
const cache = new LRUCache<string, CompileResult>({ max: 5_000, maxSize: 4 * 2 ** 20, sizeCalculation: (_r, text) => text.length + 1 });
const ENTRY = Symbol.for('jsonata.__evaluate_entry');
const EXIT = Symbol.for('jsonata.__evaluate_exit');
const TRACE = '__creditbook_trace';
const BUDGET = '__creditbook_budget';

interface Frame {
  base: { __steps?: number; __budget?: StepBudget | null };
  lookup(name: string): unknown;
}

/** Lets other work (another request's I/O) run: the next turn of the event loop, where there is one. */
export const pause = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });

/**
 * Evaluation steps between pauses for evaluations under a request's budget, when a server asks for
 * it (`pauseBudgetedEvaluations`): a formula that loops to its step bound (0.1 to 0.3 s of one core)
 * then gives the thread back every fraction of a millisecond, so the server's other requests are
 * answered while it runs instead of after it. jsonata awaits the entry hook. Off by default: a
 * command-line run has nothing to interleave.
 */
let stepsBetweenPauses = 0;
let pauseWith: () => Promise<void> = pause;

/**
 * Budgeted evaluations pause every `steps` steps (a server's setting), with `wait` (by default the
 * next turn of the event loop; a server may wait longer while others' requests are in flight);
 * 0 steps turns pausing off.
 */
export function pauseBudgetedEvaluations(steps: number, wait: () => Promise<void> = pause): void {
  stepsBetweenPauses = Math.max(0, Math.floor(steps));
  pauseWith = wait;
}

function countStep(_node: unknown, _input: unknown, env: Frame): Promise<void> | undefined {
  const base = env.base;
  if (base.__steps === undefined) {
    base.__steps = 0;
    base.__budget = (env.lookup(BUDGET) as StepBudget | undefined) ?? null;
  }
  base.__steps++;
  if (base.__steps > FORMULA_LIMITS.steps) {
    throw { code: 'U_STEPS', message: `more than ${FORMULA_LIMITS.steps} evaluation steps (a loop?)` };
  }
  const budget = base.__budget;
  if (budget && budget.spent++ >= budget.total) {
    budget.spent = budget.total;
    throw { code: 'U_BUDGET', message: `the request's ${budget.total} evaluation steps are spent` };
  }
  return budget && stepsBetweenPauses > 0 && budget.spent % stepsBetweenPauses === 0 ? pauseWith() : undefined;
}

/** After each step: bound what it built (a doubling string or array would exhaust memory), then trace. */
function traceStep(node: unknown, _input: unknown, env: Frame, result: unknown): void {
  const size = typeof result === 'string' || Array.isArray(result) ? result.length : 0;
  if (size > 0) {
    if (typeof result === 'string' && size > FORMULA_LIMITS.string) {
      throw { code: 'U_SIZE', message: `a string of ${size} characters (limit ${FORMULA_LIMITS.string})` };
    }
    const base = env.base as { __allocated?: number };
    base.__allocated = (base.__allocated ?? 0) + size;
    if (base.__allocated > FORMULA_LIMITS.allocated) {
      throw { code: 'U_SIZE', message: `more than ${FORMULA_LIMITS.allocated} characters and items built (limit ${FORMULA_LIMITS.allocated})` };
    }
  }
  const trace = env.lookup(TRACE);
  if (typeof trace === 'function') (trace as (n: unknown, r: unknown) => void)(node, result);
}

/** Compiles a formula once; the same text returns the cached result. */
export function compileFormula(text: string): CompileResult {
  const hit = cache.get(text);
  if (hit) return hit;
  let result: CompileResult;
  try {
    const expression = jsonata(text, { stack: FORMULA_LIMITS.stack, sequence: FORMULA_LIMITS.sequence, timeout: FORMULA_LIMITS.timeoutMs });
    // Entry and exit hooks are per expression; the counters live on the per-evaluation base frame.
    expression.assign(ENTRY as never, countStep);
    expression.assign(EXIT as never, traceStep);
    const regex = regexOffset(expression.ast(), text);
    result =
      regex === undefined
        ? { ok: true, formula: { text, expression, freeVariables: freeVariables(expression.ast()) } }
        : {
            ok: false,
            // One regex match can backtrack for minutes inside a single step, beyond every bound.
            problem: {
              code: 'U_REGEX',
              offset: regex,
              length: 1,
              message: 'regular expressions are not allowed in a formula: their running time cannot be bounded',
            },
          };
  } catch (e) {
    const problem = toProblem(e);
    // jsonata reports an unterminated string at the end of the text; the opening quote is the mistake.
    const open = problem.code === 'S0101' ? unterminatedString(text) : undefined;
    result = { ok: false, problem: open === undefined ? problem : { ...problem, offset: open, length: 1 } };
  }
  cache.set(text, result);
  return result;
}

/** Offset of the first regular expression literal in a formula, if it has one. */
function regexOffset(ast: unknown, text: string): number | undefined {
  let found: number | undefined;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n === null || typeof n !== 'object' || n instanceof RegExp) return;
    const node = n as AstNode;
    if (node.type === 'regex' && node.value instanceof RegExp) {
      // jsonata's position is just past the flags; walk back over them and the pattern.
      let end = typeof node.position === 'number' ? node.position : 0;
      while (end > 0 && /[a-z]/.test(text[end - 1] ?? '')) end--;
      const start = Math.max(0, end - node.value.source.length - 2);
      if (found === undefined || start < found) found = start;
    }
    for (const v of Object.values(node)) walk(v);
  };
  walk(ast);
  return found;
}

/** Offset of the quote that opens a string literal never closed, skipping comments and `names`. */
function unterminatedString(text: string): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return undefined;
      i = end + 1;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= text.length) return c === '`' ? undefined : i;
      i = j;
    }
  }
  return undefined;
}

/** Reads jsonata's error shape: `position` is the offset just past the token. */
export function toProblem(e: unknown): FormulaProblem {
  const err = (e ?? {}) as { code?: unknown; position?: unknown; token?: unknown; message?: unknown };
  const token = typeof err.token === 'string' && err.token !== '(end)' ? err.token : '';
  const end = typeof err.position === 'number' ? err.position : 0;
  const length = Math.max(1, token.length);
  return {
    code: typeof err.code === 'string' ? err.code : 'D0000',
    offset: Math.max(0, end - token.length),
    length,
    message: typeof err.message === 'string' ? err.message : String(e),
  };
}

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  [k: string]: unknown;
}

/** Variables read but not bound inside the formula (bound ones: `$x := ...` and lambda arguments). */
function freeVariables(ast: unknown): Set<string> {
  const read = new Set<string>();
  const bound = new Set<string>();
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n === null || typeof n !== 'object') return;
    const node = n as AstNode;
    if (node.type === 'variable' && typeof node.value === 'string' && node.value !== '') read.add(node.value);
    if (node.type === 'bind') {
      const lhs = node['lhs'] as AstNode | undefined;
      if (lhs && typeof lhs.value === 'string') bound.add(lhs.value);
    }
    if (node.type === 'lambda' && Array.isArray(node['arguments'])) {
      for (const a of node['arguments'] as AstNode[]) if (typeof a.value === 'string') bound.add(a.value);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'value' || typeof v === 'object') walk(v);
  };
  walk(ast);
  for (const b of bound) read.delete(b);
  return read;
}

/** Variables jsonata itself provides. */
const BUILTINS = new Set([
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
  'now',
  'millis',
]);

/** Built-ins whose result changes from call to call (or that evaluate text as a formula). */
const IMPURE = new Set(['now', 'millis', 'random', 'shuffle', 'eval']);

/** Impure built-ins a formula calls (a parameter of the same name shadows the built-in). */
export function impureFunctions(formula: CompiledFormula, parameters: ReadonlySet<string>): string[] {
  return [...formula.freeVariables].filter((v) => IMPURE.has(v) && !parameters.has(v));
}

/** Names a formula reads that are neither parameters, custom functions nor jsonata built-ins. */
export function unknownVariables(formula: CompiledFormula, parameters: ReadonlySet<string>): string[] {
  return [...formula.freeVariables].filter((v) => !parameters.has(v) && !FUNCTION_NAMES.has(v) && !BUILTINS.has(v));
}

export type EvaluationResult = { ok: true; value: unknown } | { ok: false; problem: FormulaProblem; limit: boolean };

/**
 * Evaluates a compiled formula over an input with bindings, bounded in steps, depth and sequence size;
 * with a budget, every step is also counted against the request's shared budget (`U_BUDGET` when spent).
 */
export async function evaluateFormula(
  formula: CompiledFormula,
  input: unknown,
  bindings: Record<string, unknown>,
  onStep?: (node: AstNode, result: unknown) => void,
  budget?: StepBudget,
): Promise<EvaluationResult> {
  if (budget && budgetSpent(budget)) {
    return { ok: false, problem: { code: 'U_BUDGET', offset: 0, length: 1, message: `the request's ${budget.total} evaluation steps are spent` }, limit: true };
  }
  const env: Record<string, unknown> = { ...bindings };
  for (const f of FUNCTIONS) env[f.name] = f.implementation;
  if (onStep) env[TRACE] = onStep;
  if (budget) env[BUDGET] = budget;
  try {
    const value: unknown = await formula.expression.evaluate(input, env);
    return { ok: true, value };
  } catch (e) {
    const problem = toProblem(e);
    const limit =
      problem.code === 'U_STEPS' ||
      problem.code === 'U_BUDGET' ||
      problem.code === 'U_SIZE' ||
      problem.code === 'D1011' ||
      problem.code === 'D1012' ||
      problem.code === 'D2014' ||
      problem.code === 'D2015' ||
      problem.code === 'RangeError';
    const tooBig = e instanceof RangeError && /invalid (string|array) length/i.test(e.message);
    const message = e instanceof RangeError ? (tooBig ? `a value too large to build (${e.message})` : 'stack exhausted (deep recursion)') : problem.message;
    return { ok: false, problem: { ...problem, message }, limit: limit || e instanceof RangeError };
  }
}
