import { compileFormula, evaluateFormula, type CompiledFormula } from '../formula/index.ts';
import type { Code } from '../diagnostics/index.ts';
import type { DimensionValue, RateCard } from '../rules/types.ts';

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
  /** Prices a request. With `trace`, records the formula's intermediate values. */
  price(request: QuoteRequest, options?: { trace?: boolean }): Promise<Priced>;
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

  const allowedFor = (name: string, known: Record<string, DimensionValue>): DimensionValue[] | undefined => {
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
      if (!(key in card.dimensions)) return { ok: false, detail: `unknown dimension '${key}' (card has ${dimNames.join(', ')})`, path: `/${key}` };
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
      for (const f of norm.filled) trace.push({ step: 'filled', detail: `${f} = ${String(norm.request[f])} (from constraints or default)`, value: norm.request[f] });
    }
    const onStep = options.trace ? traceRecorder(trace, norm.request) : undefined;
    const result = await evaluateFormula(formula, norm.request, card.parameters ?? {}, onStep);
    if (!result.ok) {
      return { ok: false, code: result.limit ? 'F_LIMIT' : 'F_EVALUATION', detail: `${result.problem.code}: ${result.problem.message}`, path: '/credits', trace };
    }
    const raw = result.value;
    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      // JSON shows Infinity and NaN as null; say which it is.
      const shown = typeof raw === 'number' ? String(raw) : (JSON.stringify(raw) ?? 'nothing');
      return { ok: false, code: 'F_NOT_A_NUMBER', detail: `${shown} for ${describeRequest(norm.request)}`, path: '/credits', trace };
    }
    if (raw < 0) return { ok: false, code: 'F_NEGATIVE', detail: `${raw} for ${describeRequest(norm.request)}`, path: '/credits', trace };
    // Round the scaled value to 9 places first so 0.1 * 3 * 10 is 3, not 3.0000000000000004.
    const scaled = Math.round(raw * scale * 1e9) / 1e9;
    // A finite result can still overflow once scaled; Infinity credits must never reach a ledger.
    if (!Number.isFinite(scaled)) {
      return { ok: false, code: 'F_NOT_A_NUMBER', detail: `${raw} × ${scale} overflows for ${describeRequest(norm.request)}`, path: '/credits', trace };
    }
    let credits: number;
    if (Number.isInteger(scaled)) credits = scaled;
    else if (rounding === 'exact') {
      return { ok: false, code: 'F_FRACTIONAL', detail: `${scaled} for ${describeRequest(norm.request)}`, path: '/credits', trace };
    } else credits = rounding === 'ceil' ? Math.ceil(scaled) : rounding === 'floor' ? Math.floor(scaled) : Math.round(scaled);
    if (options.trace) {
      trace.push({ step: 'result', detail: `formula = ${raw}`, value: raw });
      if (scale !== 1) trace.push({ step: 'scale', detail: `× ${scale} (${card.unit?.name ?? 'unit'} in 1/${scale})`, value: scaled });
      if (credits !== scaled) trace.push({ step: 'rounding', detail: `${rounding}(${scaled}) = ${credits}`, value: credits });
      trace.push({ step: 'credits', detail: String(credits), value: credits });
    }
    return { ok: true, credits, raw, request: norm.request, trace };
  };

  return { card, formula, normalize, price };
}

function constraintContext(request: Record<string, DimensionValue>, except: string): string {
  return Object.entries(request)
    .filter(([k]) => k !== except)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

function describeRequest(request: Record<string, DimensionValue>): string {
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
