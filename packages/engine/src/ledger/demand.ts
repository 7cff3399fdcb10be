import type { Calendar } from './calendar.ts';
import type { DemandLine, Migration } from '../rules/types.ts';
import { D, decimalFraction, roundedShare, type DecimalFraction } from './money.ts';

/** One stream of demand: a request and its count per period. */
export interface DemandStream {
  readonly id: string;
  /** Index of the scenario's demand line it comes from. */
  readonly line: number;
  /** Index of the variant's migration that made it, or undefined for what stays on the line. */
  readonly migration: number | undefined;
  readonly pool: string;
  readonly request: Readonly<Record<string, string | number>>;
  readonly counts: number[];
}

const fractions = new Map<number, DecimalFraction>();

/** A factor's exact decimal fraction (its shortest decimal text's), remembered by value: a sweep scales the same factor many times. */
function fractionOf(factor: number): DecimalFraction {
  let f = fractions.get(factor);
  if (!f) {
    if (fractions.size >= 4096) fractions.clear();
    fractions.set(factor, (f = decimalFraction(String(factor))));
  }
  return f;
}

/** A count times a factor, computed exactly in decimal and rounded half up (45 × 0.7 = 31.5 → 32). */
export function scaleCount(count: number, factor: number): number {
  if (factor === 1) return count;
  // In integers when the count, the factor's digits and their product are exact (any real demand); in decimals beyond.
  if (count >= 0 && factor >= 0) {
    const f = fractionOf(factor);
    if (Number.isSafeInteger(f.num) && Number.isSafeInteger(count * f.num)) return roundedShare(count, f.num, f.den);
  }
  return new D(count).times(String(factor)).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
}

/** Generations of a line in period i, before migration: its profile applied to its count. */
export function profileCount(line: DemandLine, cal: Calendar, i: number): number {
  const p = line.profile ?? { type: 'steady' };
  if (p.type === 'seasonal') return scaleCount(line.count, p.factors[cal.month(i) - 1] ?? 1);
  if (p.type === 'burst') {
    let n = line.count;
    for (const b of p.bursts) {
      const s = cal.index(b.start);
      if (i >= s && i < s + b.periods) n += b.count;
    }
    return n;
  }
  return line.count;
}

/** Each line's profile counts per calendar (calendars are shared and immutable; a line's profile never changes). */
const profiles = new WeakMap<DemandLine, Map<Calendar, readonly number[]>>();

/** Generations of a line in every period of a calendar, before scale and migration, computed once. */
function profileCounts(line: DemandLine, cal: Calendar): readonly number[] {
  let byCal = profiles.get(line);
  if (!byCal) profiles.set(line, (byCal = new Map<Calendar, readonly number[]>()));
  let counts = byCal.get(cal);
  if (!counts) {
    counts = Array.from({ length: cal.horizon }, (_, i) => profileCount(line, cal, i));
    byCal.set(cal, counts);
  }
  return counts;
}

function matches(request: Readonly<Record<string, string | number>>, from: Record<string, string | number>): boolean {
  return Object.entries(from).every(([k, v]) => request[k] !== undefined && String(request[k]) === String(v));
}

/** Demand lines whose matching migrations move more than the whole line: each with the migrations and their total share. */
export function overShared(lines: readonly DemandLine[], migrations: readonly Migration[]): { line: number; migrations: number[]; total: string }[] {
  const out: { line: number; migrations: number[]; total: string }[] = [];
  if (migrations.length === 0) return out;
  lines.forEach((line, l) => {
    const ms = migrations.map((m, k) => ({ m, k })).filter(({ m }) => matches(line.request, m.from));
    const total = ms.reduce((a, { m }) => a.plus(String(m.share)), new D(0));
    if (total.gt(1)) out.push({ line: l, migrations: ms.map(({ k }) => k), total: total.toString() });
  });
  return out;
}

/**
 * Expands demand lines into streams: profiles, a demand scale, and migrations. Each migration moves
 * `share` of the line's own count (not of what earlier migrations left) to another request from a
 * period on. Counts are exact decimals rounded half up; with several migrations of one line the
 * rounding is cumulative (the k-th moves round(count × (s1+…+sk)) − round(count × (s1+…+sk−1))),
 * so the moved counts never add up to more than the line. Shares beyond a total of 1 move nothing.
 */
export function demandStreams(
  lines: readonly DemandLine[],
  cal: Calendar,
  defaultPool: string,
  scale: number,
  migrations: readonly Migration[],
): DemandStream[] {
  const out: DemandStream[] = [];
  // Counts recur from period to period and line to line (steady, seasonal, bursts): each distinct count is scaled once.
  const scaled = new Map<number, number>();
  lines.forEach((line, l) => {
    const profile = profileCounts(line, cal);
    let counts: number[];
    if (scale === 1) counts = profile.slice();
    else {
      counts = new Array<number>(profile.length);
      for (let i = 0; i < profile.length; i++) {
        const n = profile[i]!;
        let c = scaled.get(n);
        if (c === undefined) scaled.set(n, (c = scaleCount(n, scale)));
        counts[i] = c;
      }
    }
    const pool = line.pool ?? defaultPool;
    const moves = migrations.map((m, k) => ({ m, k })).filter(({ m }) => matches(line.request, m.from));
    if (moves.length === 0) {
      out.push({ id: line.id, line: l, migration: undefined, pool, request: line.request, counts });
      return;
    }
    const remaining = counts.slice();
    const moved: DemandStream[] = [];
    // Per period: the share moved so far by the migrations in force, and its rounded count.
    const sharesSoFar = counts.map(() => new D(0));
    const countSoFar = counts.map(() => 0);
    for (const { m, k } of moves) {
      const from = m.from_period ? Math.max(0, cal.index(m.from_period)) : 0;
      const n = counts.map((c, i) => {
        if (i < from) return 0;
        const share = D.min(1, sharesSoFar[i]!.plus(String(m.share)));
        sharesSoFar[i] = share;
        const upTo = new D(c).times(share).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber();
        const take = upTo - countSoFar[i]!;
        countSoFar[i] = upTo;
        remaining[i] = remaining[i]! - take;
        return take;
      });
      const suffix = Object.values(m.to).map(String).join('-');
      moved.push({ id: `${line.id}>${suffix}`, line: l, migration: k, pool, request: { ...line.request, ...m.to }, counts: n });
    }
    // Each line's own stream first, then its migrated streams.
    out.push({ id: line.id, line: l, migration: undefined, pool, request: line.request, counts: remaining }, ...moved);
  });
  return out;
}
