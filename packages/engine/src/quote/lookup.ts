import type { Dimension, RateCard } from '../rules/types.ts';
import { compileCard, type CompiledCard, type QuoteRequest } from './card.ts';

/** Largest request space compiled into a table; bigger cards price through the formula. */
export const MAX_TABLE_CELLS = 50_000;
const OMITTED = '\u0000';

/** Null-prototype objects: property access coerces numbers to their string keys without allocating. */
type Trie = { [key: string]: Trie | number };
const node = (): Trie => Object.create(null) as Trie;

/** A rate card compiled to a lookup table over every request its dimensions allow, omissions included. */
export interface CardTable {
  readonly card: RateCard;
  readonly cells: number;
  /** Credits for a request, synchronously; undefined when the request is not priceable (ask `price` why). */
  lookup(request: QuoteRequest): number | undefined;
}

/** Points of a range dimension without a step: its ends and three between. */
const RANGE_SAMPLES = 4;

/** The steps of a range, endpoints included; at most `limit` of them (more returns limit + 1). */
export function rangeSteps(range: NonNullable<Dimension['range']>, limit: number): number[] {
  const step = range.step ?? (range.max - range.min) / RANGE_SAMPLES;
  if (!(step > 0)) return [range.min];
  const out: number[] = [];
  for (let i = 0; out.length <= limit; i++) {
    const v = Math.round((range.min + i * step) * 1e9) / 1e9;
    if (v > range.max + 1e-9) break;
    out.push(v);
  }
  return out;
}

function candidates(card: RateCard): (string | number)[][] | undefined {
  const out: (string | number)[][] = [];
  for (const dim of Object.values(card.dimensions)) {
    if (dim.values) out.push(dim.values);
    else if (dim.range && dim.range.step !== undefined) {
      const vs = rangeSteps(dim.range, MAX_TABLE_CELLS);
      if (vs.length > MAX_TABLE_CELLS) return undefined;
      out.push(vs);
    } else return undefined;
  }
  return out;
}

/** One priced request of a card's table: a value per dimension (null = omitted) and its credits. */
export interface PriceRow {
  readonly values: readonly (string | number | null)[];
  readonly credits: number;
}

/** Every priceable request of a card (each dimension given or omitted), in dimension order. */
export interface PriceTable {
  readonly card: RateCard;
  readonly dimensions: readonly string[];
  readonly rows: readonly PriceRow[];
}

/**
 * Evaluates a card's formula once for every request its dimensions allow (each dimension given
 * or omitted) and keeps the requests it prices. Returns undefined for cards whose space is
 * continuous or over MAX_TABLE_CELLS.
 */
export async function priceTable(card: RateCard, compiled: CompiledCard = compileCard(card)): Promise<PriceTable | undefined> {
  const values = candidates(card);
  if (!values) return undefined;
  const size = values.reduce((n, vs) => n * (vs.length + 1), 1);
  if (size > MAX_TABLE_CELLS) return undefined;
  const names = Object.keys(card.dimensions);
  const rows: PriceRow[] = [];
  const walk = async (i: number, request: Record<string, string | number>, given: (string | number | null)[]): Promise<void> => {
    if (i === names.length) {
      const p = await compiled.price(request);
      if (p.ok) rows.push({ values: given, credits: p.credits });
      return;
    }
    const name = names[i]!;
    for (const v of [undefined, ...values[i]!]) {
      await walk(i + 1, v === undefined ? request : { ...request, [name]: v }, [...given, v ?? null]);
    }
  };
  await walk(0, {}, []);
  return { card, dimensions: names, rows };
}

/** A rate card compiled to a trie over its price table; see `priceTable`. */
export async function compileTable(card: RateCard, compiled: CompiledCard = compileCard(card)): Promise<CardTable | undefined> {
  const table = await priceTable(card, compiled);
  if (!table) return undefined;
  const root: Trie = node();
  for (const row of table.rows) {
    let at = root;
    row.values.forEach((v, i) => {
      const key = v === null ? OMITTED : String(v);
      if (i === row.values.length - 1) at[key] = row.credits;
      else at = (at[key] ??= node()) as Trie;
    });
  }
  return { card, cells: table.rows.length, lookup: lookupOver(root, table.dimensions) };
}

type Request = QuoteRequest;
/** One step down the trie: the value's branch, or the omitted branch. */
const down = (at: Trie | number | undefined, v: string | number | undefined): Trie | number | undefined =>
  at === undefined ? undefined : v === undefined ? (at as Trie)[OMITTED] : (at as Trie)[v];

/** Counts the request's keys; the lookup only answers when every key is one of its dimensions. */
function keyCount(request: Request): number {
  let keys = 0;
  for (const _ in request) keys++;
  return keys;
}

/**
 * The lookup function: unrolled for up to four dimensions, so each property read has its own site
 * (and V8 its own inline cache), as in a hand-written lookup; a loop beyond that.
 */
function lookupOver(root: Trie, names: readonly string[]): (request: Request) => number | undefined {
  const [d0, d1, d2, d3] = names as [string, string?, string?, string?];
  const has = (v: unknown) => (v === undefined ? 0 : 1);
  const leaf = (at: Trie | number | undefined, given: number, request: Request) => (typeof at === 'number' && keyCount(request) === given ? at : undefined);
  switch (names.length) {
    case 1:
      return (r) => {
        const a = r[d0];
        return leaf(down(root, a), has(a), r);
      };
    case 2:
      return (r) => {
        const a = r[d0];
        const b = r[d1!];
        return leaf(down(down(root, a), b), has(a) + has(b), r);
      };
    case 3:
      return (r) => {
        const a = r[d0];
        const b = r[d1!];
        const c = r[d2!];
        return leaf(down(down(down(root, a), b), c), has(a) + has(b) + has(c), r);
      };
    case 4:
      return (r) => {
        const a = r[d0];
        const b = r[d1!];
        const c = r[d2!];
        const d = r[d3!];
        return leaf(down(down(down(down(root, a), b), c), d), has(a) + has(b) + has(c) + has(d), r);
      };
    default:
      return (r) => {
        let at: Trie | number | undefined = root;
        let given = 0;
        for (const name of names) {
          const v = r[name];
          given += has(v);
          at = down(at, v);
        }
        return leaf(at, given, r);
      };
  }
}
