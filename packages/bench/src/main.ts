import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliStartSection } from './cli-start.ts';
import { portfolioSection } from './portfolio.ts';
import { soakSection } from './soak.ts';
import { usageImportSection, usageSection } from './usage.ts';
import {
  apiSection,
  exportSection,
  loadBundled,
  mergeModelExports,
  modelExportSection,
  quotesSection,
  scalingSection,
  sweepSection,
  sweepSetup,
  whatIfSection,
  type Options,
  type Scaling,
  type Section,
} from './sections.ts';

const USAGE = `pnpm bench [--json] [--rounds N] [--variants N] [--horizon N] [--export-rows N] [--usage-events N] [--portfolio-customers N] [--only cli,quotes,sweep,what-if,export,model-export,api,soak,usage,usage-import,portfolio,scaling] [--rules DIR]

Measures each pair of contenders in this one process, alternating, over several rounds, and
prints the medians and the ratios against their goals.`;

function parse(args: string[]): (Options & { json: boolean; only: Set<string>; exportRows: number; usageEvents: number; portfolioCustomers: number }) | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        json: { type: 'boolean' },
        rounds: { type: 'string' },
        variants: { type: 'string' },
        horizon: { type: 'string' },
        only: { type: 'string' },
        rules: { type: 'string' },
        help: { type: 'boolean' },
        'export-rows': { type: 'string' },
        'usage-events': { type: 'string' },
        'portfolio-customers': { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    return (e as Error).message;
  }
  if (values.help) return '';
  const int = (name: string, v: string | undefined, d: number, min: number) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  try {
    const known = ['cli', 'quotes', 'sweep', 'what-if', 'export', 'model-export', 'api', 'soak', 'usage', 'usage-import', 'portfolio', 'scaling'];
    const only = new Set((values.only ?? 'cli,quotes,sweep,what-if,export,model-export,api,soak,usage,usage-import,portfolio').split(',').map((x) => x.trim()));
    for (const x of only) if (!known.includes(x)) return `--only: unknown section '${x}' (${known.join(', ')})`;
    return {
      json: values.json ?? false,
      rounds: int('rounds', values.rounds, 5, 1),
      variants: int('variants', values.variants, 1000, 1),
      horizon: int('horizon', values.horizon, 36, 24),
      rulesDir: values.rules ?? 'rules',
      exportRows: int('export-rows', values['export-rows'], 200_000, 1),
      usageEvents: int('usage-events', values['usage-events'], 10_000_000, 1),
      portfolioCustomers: int('portfolio-customers', values['portfolio-customers'], 1_000_000, 10_000),
      only,
    };
  } catch (e) {
    return (e as Error).message;
  }
}

function fmt(x: number, unit: string): string {
  if (unit === 's') return x >= 1 ? `${x.toFixed(2)} s` : x >= 1e-3 ? `${(x * 1e3).toFixed(2)} ms` : `${(x * 1e6).toFixed(1)} µs`;
  return `${Math.round(x).toLocaleString('en-US')} ${unit}`;
}

function render(sections: Section[], scaling: Scaling[], o: Options): string {
  const lines = [`Creditbook benchmark — Node ${process.version}, ${o.rounds} rounds, medians`, ''];
  for (const s of scaling) {
    lines.push(`== Scaling: ${s.title} ==`);
    lines.push(`  ${'size'.padStart(8)} ${'time'.padStart(12)} ${`per ${s.unit}`.padStart(14)} ${'heap in use'.padStart(12)}`);
    const first = s.rows[0];
    for (const r of s.rows) {
      const growth = first ? (r.perUnit / first.perUnit).toFixed(2) : '';
      lines.push(
        `  ${r.size.toLocaleString('en-US').padStart(8)} ${fmt(r.seconds, 's').padStart(12)} ${fmt(r.perUnit, 's').padStart(14)} ${`${r.heapMb.toFixed(0)} MB`.padStart(12)}   per-${s.unit} cost ${growth}x the smallest`,
      );
    }
    lines.push('');
  }
  for (const s of sections) {
    lines.push(`== ${s.title} ==`);
    for (const c of s.contenders) lines.push(`  ${c.name.padEnd(32)} ${fmt(c.median, c.unit).padStart(18)}`);
    for (const r of s.ratios)
      lines.push(`  ${r.name}: ${r.value >= 100 ? r.value.toFixed(0) : r.value.toFixed(2)}x (goal ${r.goal}) ${r.met ? 'met' : 'NOT MET'}`);
    for (const n of s.notes) lines.push(`  - ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Runs one section in a child Node with its default heap: its peak memory is its own. */
function inChild(
  section: 'export' | 'model-export' | 'usage-import' | 'portfolio',
  o: Options & { exportRows: number; usageEvents: number; portfolioCustomers: number },
  nodeArgs: string[],
): Section {
  const bin = fileURLToPath(new URL('../bin/bench.mjs', import.meta.url));
  const args = [
    ...nodeArgs,
    bin,
    '--plain-heap',
    '--only',
    section,
    '--json',
    '--rounds',
    String(o.rounds),
    '--export-rows',
    String(o.exportRows),
    '--usage-events',
    String(o.usageEvents),
    '--portfolio-customers',
    String(o.portfolioCustomers),
    '--rules',
    o.rulesDir,
  ];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`the ${section} benchmark failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { sections: Section[] };
  return out.sections[0]!;
}

/** `pnpm bench`: exit 0 when it ran (goals missed are reported, not failures), 2 for usage. */
export async function main(args: string[], env: { plainHeap?: boolean } = {}): Promise<number> {
  const o = parse(args);
  if (typeof o === 'string') {
    process.stderr.write(o ? `bench: ${o}\n\n${USAGE}\n` : `${USAGE}\n`);
    return o ? 2 : 0;
  }
  const rules = await loadBundled(o.rulesDir);
  const progress = (msg: string) => (process.stderr.isTTY ? process.stderr.write(`${msg}\n`) : undefined);
  const sections: Section[] = [];
  // Scaling first, while the heap is the engine's alone.
  const scaling: Scaling[] = [];
  if (o.only.has('scaling')) {
    progress('scaling…');
    scaling.push(...(await scalingSection(rules, o)));
  }
  if (o.only.has('cli')) {
    progress('cli start…');
    sections.push(cliStartSection({ rounds: o.rounds, repoRoot: path.resolve(o.rulesDir, '..') }));
  }
  if (o.only.has('quotes')) {
    progress('quotes…');
    sections.push(await quotesSection(rules, o));
  }
  if (o.only.has('sweep') || o.only.has('what-if')) {
    progress(`building the spreadsheet model of ${o.variants} variants…`);
    const setup = await sweepSetup(rules, o);
    try {
      if (o.only.has('sweep')) {
        progress('sweep…');
        sections.push(await sweepSection(setup, o));
      }
      if (o.only.has('what-if')) {
        progress('what-if…');
        sections.push(await whatIfSection(setup, o));
      }
    } finally {
      setup.model.destroy();
    }
  }
  if (o.only.has('export')) {
    progress('export…');
    // A bounded old generation: the export must fit, so a pass is proof that memory stays flat.
    sections.push(env.plainHeap ? await exportSection(o) : inChild('export', o, ['--max-old-space-size=256']));
  }
  if (o.only.has('model-export')) {
    progress('model export (120 months)…');
    sections.push(
      env.plainHeap
        ? await modelExportSection(rules, o)
        : mergeModelExports(Array.from({ length: Math.max(1, Math.min(o.rounds, 2)) }, () => inChild('model-export', { ...o, rounds: 1 }, []))),
    );
  }
  if (o.only.has('api')) {
    progress('api… (builds the web app first if it is not built)');
    sections.push(await apiSection(rules, { ...o, repoRoot: path.resolve(o.rulesDir, '..'), requests: 4_000 }));
  }
  if (o.only.has('soak')) {
    progress('soak: normal requests alone and beside hostile ones…');
    sections.push(await soakSection({ repoRoot: path.resolve(o.rulesDir, '..'), rounds: 4, requests: 1_200 }));
  }
  if (o.only.has('usage')) {
    progress(`usage: ${o.usageEvents.toLocaleString('en-US')} events…`);
    sections.push(await usageSection(rules, o));
  }
  if (o.only.has('usage-import')) {
    progress(`usage import: a ${o.usageEvents.toLocaleString('en-US')}-row CSV…`);
    sections.push(env.plainHeap ? await usageImportSection(rules, o) : inChild('usage-import', o, []));
  }
  if (o.only.has('portfolio')) {
    progress(`portfolio: ${o.portfolioCustomers.toLocaleString('en-US')} customers…`);
    // In a child of its own: its peak RSS is the portfolio's.
    sections.push(env.plainHeap ? await portfolioSection(rules, { rounds: o.rounds, customers: o.portfolioCustomers }) : inChild('portfolio', o, []));
  }
  if (o.json)
    process.stdout.write(
      JSON.stringify({ node: process.version, rounds: o.rounds, variants: o.variants, horizon: o.horizon, sections, scaling }, null, 2) + '\n',
    );
  else process.stdout.write(render(sections, scaling, o));
  return 0;
}
