import type { Calendar } from './calendar.ts';
import type { DemandLine, Migration } from '../rules/types.ts';

/** One stream of demand: a request and its count per period. */
export interface DemandStream {
  readonly id: string;
  readonly pool: string;
  readonly request: Readonly<Record<string, string | number>>;
  readonly counts: Int32Array | number[];
}

/** Generations of a line in period i, before migration: its profile applied to its count. */
export function profileCount(line: DemandLine, cal: Calendar, i: number): number {
  const p = line.profile ?? { type: 'steady' };
  if (p.type === 'seasonal') return Math.round(line.count * (p.factors[cal.month(i) - 1] ?? 1));
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

/** Generations of a line in every period of the calendar, before migration and scale. */
function profileCounts(line: DemandLine, cal: Calendar): number[] {
  const p = line.profile ?? { type: 'steady' };
  const counts = new Array<number>(cal.horizon).fill(line.count);
  if (p.type === 'seasonal') for (let i = 0; i < cal.horizon; i++) counts[i] = Math.round(line.count * (p.factors[cal.month(i) - 1] ?? 1));
  else if (p.type === 'burst') {
    for (const b of p.bursts) {
      const s = cal.index(b.start);
      for (let i = Math.max(0, s); i < Math.min(cal.horizon, s + b.periods); i++) counts[i]! += b.count;
    }
  }
  return counts;
}

function matches(request: Readonly<Record<string, string | number>>, from: Record<string, string | number>): boolean {
  return Object.entries(from).every(([k, v]) => request[k] !== undefined && String(request[k]) === String(v));
}

/**
 * Expands demand lines into streams: profiles, a demand scale, and migrations that move a share of
 * matching lines to another request from a period on (the migrated share is rounded half up).
 */
export function demandStreams(lines: readonly DemandLine[], cal: Calendar, defaultPool: string, scale: number, migrations: readonly Migration[]): DemandStream[] {
  const out: DemandStream[] = [];
  for (const line of lines) {
    const counts = profileCounts(line, cal);
    if (scale !== 1) for (let i = 0; i < counts.length; i++) counts[i] = Math.round(counts[i]! * scale);
    const pool = line.pool ?? defaultPool;
    let remaining = counts;
    for (const m of migrations) {
      if (!matches(line.request, m.from)) continue;
      const from = m.from_period ? Math.max(0, cal.index(m.from_period)) : 0;
      const moved = remaining.map((c, i) => (i >= from ? Math.round(c * m.share) : 0));
      remaining = remaining.map((c, i) => c - (moved[i] ?? 0));
      const request = { ...line.request, ...m.to };
      const suffix = Object.values(m.to).map(String).join('-');
      out.push({ id: `${line.id}>${suffix}`, pool, request, counts: moved });
    }
    out.push({ id: line.id, pool, request: line.request, counts: remaining });
  }
  // Without migrations the streams are already in line order.
  return migrations.length === 0 ? out : sortStreams(out, lines);
}

/** Keeps each line's original stream before its migrated streams. */
function sortStreams(streams: DemandStream[], lines: readonly DemandLine[]): DemandStream[] {
  const order = new Map(lines.map((l, i) => [l.id, i]));
  const rank = (s: DemandStream) => order.get(s.id.split('>')[0] ?? s.id) ?? 0;
  return streams
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || Number(a.s.id.includes('>')) - Number(b.s.id.includes('>')) || a.i - b.i)
    .map((x) => x.s);
}
