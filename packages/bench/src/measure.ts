/** Timing helpers: every pair of contenders runs in the same process, alternating, several rounds. */

export interface Sample {
  /** Seconds per run of the body. */
  seconds: number;
}

/** Seconds a body takes, by the high-resolution clock. */
export async function time(body: () => unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = body();
  if (r instanceof Promise) await r;
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** The p-th percentile (nearest rank) of latencies, in their unit. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs each contender once per round, in turn, after one warm-up round, and returns each one's samples. */
export async function alternate(rounds: number, contenders: readonly (readonly [string, () => Promise<number>])[]): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>(contenders.map(([n]) => [n, []]));
  for (const [, run] of contenders) await run();
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of contenders) samples.get(name)!.push(await run());
  }
  return samples;
}

/** Operations per second of `n` calls of a body. */
export async function rate(n: number, body: (i: number) => unknown): Promise<number> {
  const s = await time(async () => {
    for (let i = 0; i < n; i++) {
      const r = body(i);
      if (r instanceof Promise) await r;
    }
  });
  return n / s;
}

/** Peak resident set size seen while a body runs (sampled every 10 ms), in bytes. */
export async function peakRss<T>(body: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const result = await body();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}
