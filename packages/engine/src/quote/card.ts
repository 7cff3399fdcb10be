import { compileFormula, evaluateFormula, type CompiledFormula, type StepBudget } from '../formula/index.ts';
import type { Code } from '../diagnostics/index.ts';
import type { DimensionValue, Parameter, RateCard } from '../rules/types.ts';

/** The most credits one request may cost: the bound the schema puts on every credits figure. */
export const MAX_CREDITS = 1_000_000_000_000;

/** A number the formula read from the card's parameters, and where it lives (keys under /parameters). */
export interface ParameterRead {
  readonly path: readonly string[];
  readonly value: number;
}

export interface PriceOptions {
  /** Record the formula's intermediate values. */
  trace?: boolean;
  /** The request's shared step budget (see formula/compile.ts). */
  budget?: StepBudget;
  /** Collects every parameter number the evaluation read. */
  reads?: ParameterRead[];
}

export type CreditsCheck =
  { ok: true; credits: number; scaled: number } | { ok: false; code: 'F_NOT_A_NUMBER' | 'F_NEGATIVE' | 'F_FRACTIONAL' | 'F_TOO_LARGE'; detail: string };

/**
 * Turns a formula's value into credits, as the card scales and rounds: the one check of what a price
 * may be (a finite number, not negative, whole when the card rounds exactly, at most MAX_CREDITS).
 * `what` says what was priced (`for model=... mode=...`).
 */
export function checkCredits(raw: unknown, scale: number, rounding: NonNullable<RateCard['rounding']>, what: string): CreditsCheck {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    // JSON shows Infinity and NaN as null; say which it is.
    const shown = typeof raw === 'number' ? String(raw) : (JSON.stringify(raw) ?? 'nothing');
    return { ok: false, code: 'F_NOT_A_NUMBER', detail: `${shown} ${what}` };
  }
  if (raw < 0) return { ok: false, code: 'F_NEGATIVE', detail: `${raw} ${what}` };
  if (raw * scale > MAX_CREDITS)
    return { ok: false, code: 'F_TOO_LARGE', detail: `${raw}${scale === 1 ? '' : ` × ${scale}`} ${what} (at most ${MAX_CREDITS} credits)` };
  // Round the scaled value to 9 places first so 0.1 * 3 * 10 is 3, not 3.0000000000000004.
  const scaled = Math.round(raw * scale * 1e9) / 1e9;
  if (Number.isInteger(scaled)) return { ok: true, credits: scaled, scaled };
  if (rounding === 'exact') return { ok: false, code: 'F_FRACTIONAL', detail: `${scaled} ${what}` };
  const credits = rounding === 'ceil' ? Math.ceil(scaled) : rounding === 'floor' ? Math.floor(scaled) : Math.round(scaled);
  return { ok: true, credits, scaled };
}

/** Parameter tables that record every number read from them (top-level numbers are recorded by name). */
function recordingParameters(parameters: Record<string, Parameter>, formula: CompiledFormula, reads: ParameterRead[]): Record<string, unknown> {
  const wrap = (table: { [key: string]: Parameter }, path: readonly string[]): object =>
    new Proxy(table, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(target, key)) return value;
        if (typeof value === 'number') reads.push({ path: [...path, key], value });
        else if (value !== null && typeof value === 'object') return wrap(value as { [key: string]: Parameter }, [...path, key]);
        return value;
      },
    });
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (typeof value === 'number') {
      if (formula.freeVariables.has(name)) reads.push({ path: [name], value });
      out[name] = value;
    } else out[name] = wrap(value, [name]);
  }
  return out;
}

export type QuoteRequest = Readonly<Record<string, string | number>>;

/** One line of a quote's explanation. */
export interface TraceStep {
  readonly step: string;
  readonly detail: string;
  readonly value?: unknown;
}

/** A priced request, or the reason it cannot be priced (a value, never thrown). */
export type Priced =
  | { ok: true; credits: number; raw: number; request: Record<string, DimensionValue>; trace: TraceStep[] }
  | { ok: false; code: Code; detail: string; path: string; trace: TraceStep[] };

/** A rate card prepared for pricing: formula compiled once, dimensions indexed. */
export interface CompiledCard {
  readonly card: RateCard;
  readonly formula: CompiledFormula | undefined;
  /** Fills omitted dimensions and checks values against dimensions and constraints. */
  normalize(request: QuoteRequest): { ok: true; request: Record<string, DimensionValue>; filled: string[] } | { ok: false; detail: string; path: string };
  /** The values a dimension may take given the values already known (undefined: any its range allows). */
  allowed(name: string, known: Readonly<Record<string, DimensionValue>>): DimensionValue[] | undefined;
  /** Prices a request. With `trace`, records the formula's intermediate values. */
  price(request: QuoteRequest, options?: PriceOptions): Promise<Priced>;
}

function sameValue(a: DimensionValue, b: DimensionValue): boolean {
  return String(a) === String(b);
}

function coerce(dim: { values?: DimensionValue[]; range?: unknown }, v: string | number): DimensionValue {
  if (dim.range !== undefined) return typeof v === 'number' ? v : Number(v);
  const match = dim.values?.find((x) => sameValue(x, v));
  return match ?? v;
}

/** Prepares a card for pricing. */
export function compileCard(card: RateCard): CompiledCard {
  const compiled = compileFormula(card.credits);
  const formula = compiled.ok ? compiled.formula : undefined;
  const dimNames = Object.keys(card.dimensions);
  const constraints = card.constraints ?? [];
  const scale = card.unit?.scale ?? 1;
  const rounding = card.rounding ?? 'ceil';

  const allowedFor = (name: string, known: Readonly<Record<string, DimensionValue>>): DimensionValue[] | undefined => {
    const dim = card.dimensions[name];
    let allowed = dim?.values;
    for (const c of constraints) {
      const applies = Object.entries(c.when).every(([k, v]) => known[k] !== undefined && sameValue(known[k], v));
      const allow = c.allow[name];
      if (applies && allow) allowed = (allowed ?? allow).filter((x) => allow.some((a) => sameValue(a, x)));
    }
    return allowed;
  };

  const normalize: CompiledCard['normalize'] = (request) => {
    for (const key of Object.keys(request)) {
      if (!Object.hasOwn(card.dimensions, key)) return { ok: false, detail: `unknown dimension '${key}' (card has ${dimNames.join(', ')})`, path: `/${key}` };
    }
    const out: Record<string, DimensionValue> = {};
    for (const name of dimNames) {
      const dim = card.dimensions[name]!;
      const given = request[name];
      if (given !== undefined) out[name] = coerce(dim, given);
    }
    const filled: string[] = [];
    // Constraints can narrow a later dimension to one value; fill in declaration order.
    for (const name of dimNames) {
      const dim = card.dimensions[name]!;
      if (out[name] !== undefined) continue;
      const allowed = allowedFor(name, out);
      if (allowed && allowed.length === 1) {
        out[name] = allowed[0] as DimensionValue;
        filled.push(name);
      } else if (dim.default !== undefined) {
        out[name] = dim.default;
        filled.push(name);
      } else {
        const options = allowed ? ` (one of ${allowed.join(', ')})` : '';
        return { ok: false, detail: `missing '${name}'${options}`, path: `/${name}` };
      }
    }
    for (const name of dimNames) {
      const dim = card.dimensions[name]!;
      const v = out[name] as DimensionValue;
      if (dim.range) {
        const n = Number(v);
        const step = dim.range.step;
        const onStep = step === undefined || Math.abs((n - dim.range.min) / step - Math.round((n - dim.range.min) / step)) < 1e-9;
        if (!Number.isFinite(n) || n < dim.range.min || n > dim.range.max || !onStep) {
          const stepText = step === undefined ? '' : ` in steps of ${step}`;
          return { ok: false, detail: `${name} ${String(v)} is outside ${dim.range.min}..${dim.range.max}${stepText}`, path: `/${name}` };
        }
        out[name] = n;
        // A constraint may narrow a range to a list (a per-clip model on a per-second card).
        const narrowed = allowedFor(name, out);
        if (narrowed && !narrowed.some((a) => sameValue(a, n))) {
          return { ok: false, detail: `${name} ${n} is not allowed with ${constraintContext(out, name)} (allowed: ${narrowed.join(', ')})`, path: `/${name}` };
        }
        continue;
      }
      const allowed = allowedFor(name, out) ?? [];
      if (!allowed.some((a) => sameValue(a, v))) {
        const base = dim.values?.some((a) => sameValue(a, v)) ?? false;
        const why = base ? `not allowed with ${constraintContext(out, name)}` : 'not a value of this card';
        return { ok: false, detail: `${name} '${String(v)}' is ${why} (allowed: ${allowed.join(', ')})`, path: `/${name}` };
      }
    }
    return { ok: true, request: out, filled };
  };

  const price: CompiledCard['price'] = async (request, options = {}) => {
    const trace: TraceStep[] = [];
    const norm = normalize(request);
    if (!norm.ok) return { ok: false, code: 'Q_DIMENSION', detail: norm.detail, path: norm.path, trace };
    if (!formula) return { ok: false, code: 'F_COMPILE', detail: `card ${card.id} v${card.version}`, path: '/credits', trace };
    if (options.trace) {
      trace.push({ step: 'card', detail: `${card.id} v${card.version} (effective ${card.effective_from}, ${card.status})` });
      trace.push({ step: 'request', detail: describeRequest(norm.request), value: norm.request });
      for (const f of norm.filled)
        trace.push({ step: 'filled', detail: `${f} = ${String(norm.request[f])} (from constraints or default)`, value: norm.request[f] });
    }
    const onStep = options.trace ? traceRecorder(trace, norm.request) : undefined;
    const bindings = options.reads ? recordingParameters(card.parameters ?? {}, formula, options.reads) : (card.parameters ?? {});
    const result = await evaluateFormula(formula, norm.request, bindings, onStep, options.budget);
    if (!result.ok) {
      const code = result.problem.code === 'U_BUDGET' ? 'F_BUDGET' : result.limit ? 'F_LIMIT' : 'F_EVALUATION';
      return { ok: false, code, detail: `${result.problem.code}: ${result.problem.message}`, path: '/credits', trace };
    }
    const checked = checkCredits(result.value, scale, rounding, `for ${describeRequest(norm.request)}`);
    if (!checked.ok) return { ok: false, code: checked.code, detail: checked.detail, path: '/credits', trace };
    const raw = result.value as number;
    const { credits, scaled } = checked;
    if (options.trace) {
      trace.push({ step: 'result', detail: `formula = ${raw}`, value: raw });
      if (scale !== 1) trace.push({ step: 'scale', detail: `× ${scale} (${card.unit?.name ?? 'unit'} in 1/${scale})`, value: scaled });
      if (credits !== scaled) trace.push({ step: 'rounding', detail: `${rounding}(${scaled}) = ${credits}`, value: credits });
      trace.push({ step: 'credits', detail: String(credits), value: credits });
    }
    return { ok: true, credits, raw, request: norm.request, trace };
  };

  return { card, formula, normalize, allowed: allowedFor, price };
}

function constraintContext(request: Record<string, DimensionValue>, except: string): string {
  return Object.entries(request)
    .filter(([k]) => k !== except)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** `model=kling-v2-1 mode=std duration_s=10`. */
export function describeRequest(request: Readonly<Record<string, unknown>>): string {
  return Object.entries(request)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

interface Node {
  type?: string;
  value?: unknown;
  procedure?: Node;
  arguments?: Node[];
  steps?: Node[];
}

/** Records function calls and arithmetic as readable trace lines. */
function traceRecorder(trace: TraceStep[], request: Record<string, DimensionValue>) {
  const show = (n: Node | undefined): string => {
    if (!n) return '?';
    if (n.type === 'variable') return `$${String(n.value)}`;
    if (n.type === 'number' || n.type === 'string' || n.type === 'value') return JSON.stringify(n.value);
    if (n.type === 'path' && n.steps?.length === 1 && n.steps[0]?.type === 'name') {
      const name = String(n.steps[0].value);
      return `${name}(${String(request[name])})`;
    }
    if (n.type === 'name') return `${String(n.value)}(${String(request[String(n.value)])})`;
    return '…';
  };
  return (node: Node, result: unknown): void => {
    if (typeof result !== 'number') return;
    if (node.type === 'function') {
      trace.push({ step: 'formula', detail: `$${String(node.procedure?.value)}(${(node.arguments ?? []).map(show).join(', ')}) = ${result}`, value: result });
    } else if (node.type === 'binary' && ['+', '-', '*', '/', '%'].includes(String(node.value))) {
      const b = node as Node & { lhs?: Node; rhs?: Node };
      trace.push({ step: 'formula', detail: `${show(b.lhs)} ${String(node.value)} ${show(b.rhs)} = ${result}`, value: result });
    }
  };
}

const compiledCards = new WeakMap<RateCard, CompiledCard>();
/** The compiled form of a loaded card, made once per card (a loaded card never changes). */
export function compiledCard(card: RateCard): CompiledCard {
  let c = compiledCards.get(card);
  if (!c) {
    c = compileCard(card);
    compiledCards.set(card, c);
  }
  return c;
}
