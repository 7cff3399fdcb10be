import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import type { PortfolioMeta } from './result.ts';
import type { CohortAggregate } from './run.ts';

/** The JSON of `creditbook portfolio --shard i/n -o part.json`: the header of the run and the aggregates of one shard's customers, per run and cohort. */
export interface PortfolioPart {
  format: 'creditbook-portfolio-part';
  version: 2;
  meta: PortfolioMeta;
  /** 1-based, as written on the command line. */
  shard: number;
  shards: number;
  data: { ledger: number[]; customers: number[]; books: number[] }[][];
}

export function partOf(meta: PortfolioMeta, shard: number, shards: number, runs: readonly (readonly CohortAggregate[])[]): PortfolioPart {
  return {
    format: 'creditbook-portfolio-part',
    version: 2,
    meta,
    shard: shard + 1,
    shards,
    data: runs.map((cohorts) => cohorts.map((c) => ({ ledger: Array.from(c.ledger), customers: Array.from(c.customers), books: Array.from(c.books) }))),
  };
}

function bad(detail: string, file?: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_PART', detail, ...(file ? { file } : {}) })]);
}

/**
 * Adds the parts of a sharded run: they must come from the same portfolio, variant, seed and
 * runs, and be shards 1 … n of one n, each once. The sum is exactly the unsharded run's aggregates.
 */
export function mergeParts(parts: readonly { name: string; part: unknown }[]): { meta: PortfolioMeta; runs: CohortAggregate[][] } {
  if (parts.length === 0) throw bad('no parts given');
  const ok = parts.map(({ name, part }) => {
    const p = part as Partial<PortfolioPart>;
    if (!p || p.format !== 'creditbook-portfolio-part' || p.version !== 2 || !p.meta || !Array.isArray(p.data))
      throw bad('not a partial portfolio result', name);
    return { name, part: p as PortfolioPart };
  });
  const first = ok[0]!.part;
  const header = JSON.stringify(first.meta);
  const seen = new Set<number>();
  for (const { name, part } of ok) {
    if (JSON.stringify(part.meta) !== header) throw bad(`another portfolio, variant, seed or number of runs than ${ok[0]!.name}`, name);
    if (part.shards !== first.shards) throw bad(`shard ${part.shard}/${part.shards}, ${ok[0]!.name} is one of ${first.shards}`, name);
    if (seen.has(part.shard)) throw bad(`shard ${part.shard}/${part.shards} given twice`, name);
    seen.add(part.shard);
  }
  const missing = Array.from({ length: first.shards }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw bad(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${first.shards} missing`, ok[0]!.name);
  const runs = first.data.map((cohorts) =>
    cohorts.map((c) => ({
      ledger: new Float64Array(c.ledger.length),
      customers: new Float64Array(c.customers.length),
      books: new Float64Array(c.books?.length ?? 0),
    })),
  );
  for (const { name, part } of ok) {
    part.data.forEach((cohorts, r) =>
      cohorts.forEach((c, k) => {
        const into = runs[r]?.[k];
        if (
          !into ||
          !Array.isArray(c.books) ||
          c.ledger.length !== into.ledger.length ||
          c.customers.length !== into.customers.length ||
          c.books.length !== into.books.length
        )
          throw bad('aggregates of another shape', name);
        for (let i = 0; i < c.ledger.length; i++) into.ledger[i]! += c.ledger[i]!;
        for (let i = 0; i < c.customers.length; i++) into.customers[i]! += c.customers[i]!;
        for (let i = 0; i < c.books.length; i++) into.books[i]! += c.books[i]!;
      }),
    );
  }
  return { meta: first.meta, runs };
}
