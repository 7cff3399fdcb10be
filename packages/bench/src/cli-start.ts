import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { median } from './measure.ts';
import type { Section } from './sections.ts';

/** The command the README runs, as a user's shell starts it (the built CLI; `pnpm` itself adds its own start-up on top). */
const QUOTE = ['packages/cli/bin/creditbook.mjs', 'quote', '--card', 'kling-consumer', '--model', 'kling-v2-5-turbo', '--mode', 'pro', '--duration', '10'];

/** Wall seconds of one whole process, from spawn to exit. */
function wall(args: readonly string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return s;
}

/**
 * CLI start: `creditbook quote …` (load the bundled rules, price one generation, print it) against a
 * bare `node -e 0`, in turn, each a new process. The CLI is built first (scripts/build.mjs), so the
 * figure is that of the sources as they are. The ratio is taken pair by pair, then its median.
 */
export function cliStartSection(o: { rounds: number; repoRoot: string }): Section {
  const build = spawnSync(process.execPath, [path.join(o.repoRoot, 'packages/cli/scripts/build.mjs')], { cwd: o.repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the CLI does not build: ${build.stderr}`);
  const rounds = Math.max(o.rounds, 9);
  const quote: number[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  wall(QUOTE, o.repoRoot);
  wall(['-e', '0'], o.repoRoot);
  for (let i = 0; i < rounds; i++) {
    const q = wall(QUOTE, o.repoRoot);
    const b = wall(['-e', '0'], o.repoRoot);
    quote.push(q);
    bare.push(b);
    ratios.push(q / b);
  }
  const ratio = median(ratios);
  return {
    id: 'cli',
    title: `CLI start: creditbook quote vs node -e 0 (whole processes, ${rounds} pairs)`,
    contenders: [
      { name: 'creditbook quote (built CLI)', median: median(quote), unit: 's', samples: quote },
      { name: 'node -e 0', median: median(bare), unit: 's', samples: bare },
    ],
    ratios: [{ name: 'quote wall / node -e 0 wall (median of pairs)', value: ratio, goal: '<= 3x', met: ratio <= 3 }],
    notes: ["runs node packages/cli/bin/creditbook.mjs (the build in packages/cli/dist), as `pnpm creditbook` does minus pnpm's own start"],
  };
}
