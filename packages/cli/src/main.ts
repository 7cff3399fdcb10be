import path from 'node:path';
import {
  books,
  booksWorkbook,
  journalCsv,
  CreditbookError,
  checkScenarioRuns,
  compare,
  comparePlatforms,
  compareWorkbook,
  platformsWorkbook,
  forecast,
  forecastWorkbook,
  ledgerTable,
  formatDiagnostic,
  isCalendarDate,
  quote,
  writeManifest,
  quoteWorkbook,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { json, parse } from './args.ts';
import { InputError, UsageError, type Io } from './io.ts';
import { checkManifests, failOn, loadRules, loadScenario, readPaths } from './rules.ts';
import { progressBar } from './progress-bar.ts';
import { renderSheet } from './table.ts';
import { VERSION } from './version.ts';

export const USAGE = `creditbook — credit economy workbooks

Usage:
  creditbook validate [paths...]                         check rule files (default: rules/), and published files against manifest.json
  creditbook manifest [--rules DIR]                      record the sha256 of every published file in DIR/manifest.json
  creditbook quote --card ID --model M --duration S [--mode X] [--resolution R] [--set dim=value]... [--on YYYY-MM-DD] [--version N]
  creditbook forecast <scenario.yaml> [--variant NAME]   the credit ledger per pool and period
  creditbook compare <scenario.yaml> [--variant NAME]... base and variants side by side with deltas
  creditbook platforms <scenario.yaml> [--platform P]... [--map ID]
                                                         the scenario's demand priced on every platform of the platform map
  creditbook books <scenario.yaml> [--variant NAME] [--method at-expiry|proportional] [--breakage-rate R] [--csv FILE]
                                                         revenue, breakage and deferred revenue per pool and month; the journal as CSV
  creditbook export <scenario.yaml> -o out.xlsx [--variant NAME | --all-variants] [--created YYYY-MM-DDTHH:MM:SSZ]
                                                         a live Excel workbook of the forecast
  creditbook portfolio <portfolio.yaml> [--variant NAME]... [--runs N] [--seed S] [--workers K] [--shard i/n -o part.json]
                                                         the customer base as cohorts: customers, ledger and money per month
  creditbook portfolio merge <part.json>...              add the shards of a sharded portfolio run (prints what the unsharded run prints)
  creditbook compare <portfolio.yaml> [--variant NAME]... [--runs N] [--seed S]   a portfolio's base and variants with deltas
  creditbook export <portfolio.yaml> -o out.xlsx [--variant NAME]... [--runs N]  a portfolio's figures as values
  creditbook usage import <events.csv|.parquet> [--db usage.duckdb]   load generation events (all rows or none)
  creditbook usage sample [-o events.csv] [--customers-file customers.csv] [--customers N] [--seed N]
                                                         a seeded sample of usage for the bundled scenarios
  creditbook backtest --usage usage.duckdb --card ID --from N --to M [--between 2025-01..2025-12] [--per-customer] [--emit-sql DIR]
                                                         rate every event under two card versions (inside DuckDB)
                  [--customers customers.csv [--catalog ID] [--validity ID] [--pack ID|none]]
                                                         and replay each customer's wallet through the ledger under both

Options:
  --json          machine-readable output (stable shapes, see README)
  --rules DIR     rule store (default: rules)
  -h, --help      this help
  -V, --version   the version of creditbook

Exit codes: 0 ok, 1 bad input (problems on stderr as file:line:col: CODE message), 2 usage.
`;

type Command = (args: string[], io: Io) => Promise<number>;

// Shared by every command module (they import them from ./args.ts, never from here: no import cycles).
export { json, parse };

const validate: Command = async (args, io) => {
  const { values, positionals } = parse(args, {}, { min: 0, max: 10_000 });
  // The paths given, else the store --rules names (rules/ by default).
  const paths = positionals.length > 0 ? positionals : [String(values.rules ?? 'rules')];
  const files = await readPaths(io.cwd, paths);
  const { loadFiles } = await import('@creditbook/engine');
  const bar = progressBar(io, 'validating', { unit: 'files', quiet: Boolean(values.json) });
  let result;
  try {
    result = await loadFiles(files, { onProgress: (done, total) => bar.update(done, total) });
  } finally {
    bar.stop();
  }
  const tampered = await checkManifests(io.cwd, paths, files, result.rules.documents);
  const runs = result.errors.length === 0 ? await checkScenarioRuns(result.rules) : [];
  const errors = [...result.errors, ...tampered, ...runs.filter((d) => d.severity === 'error')];
  const warnings = [...result.warnings, ...runs.filter((d) => d.severity === 'warning')];
  for (const d of [...errors, ...warnings]) io.stderr.write(formatDiagnostic(d) + '\n');
  const summary = `${files.length} files, ${result.rules.documents.length} documents, ${errors.length} problems`;
  if (values.json) json(io, { ok: errors.length === 0, files: files.length, documents: result.rules.documents.length, errors, warnings });
  else io.stdout.write(`${errors.length === 0 ? 'valid' : 'invalid'}: ${summary}\n`);
  return errors.length === 0 ? 0 : 1;
};

const manifestCommand: Command = async (args, io) => {
  const { values } = parse(args, {}, { min: 0, max: 0 });
  const dir = String(values.rules ?? 'rules');
  const written = await writeManifest(new DirectoryStore(path.resolve(io.cwd, dir)));
  if (!written.ok) throw new InputError(written.errors.map((e) => formatDiagnostic({ ...e, file: e.file === '' ? '' : `${dir}/${e.file}` })).join('\n'));
  const file = `${dir}/${written.path}`;
  if (values.json) json(io, { ok: true, path: file, published: written.published });
  else io.stdout.write(`wrote ${file}: ${written.published} published files\n`);
  return 0;
};

const quoteCommand: Command = async (args, io) => {
  const { values } = parse(
    args,
    {
      card: { type: 'string' },
      on: { type: 'string' },
      version: { type: 'string' },
      model: { type: 'string' },
      mode: { type: 'string' },
      duration: { type: 'string' },
      resolution: { type: 'string' },
      audio: { type: 'string' },
      set: { type: 'string', multiple: true },
    },
    { min: 0, max: 0 },
  );
  if (!values.card) throw new UsageError('--card is required');
  if (values.on !== undefined && !isCalendarDate(String(values.on)))
    throw new UsageError(`--on must be a calendar date YYYY-MM-DD, got '${String(values.on)}'`);
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new UsageError(`--version must be a positive integer`);
  const request: Record<string, string | number> = {};
  if (values.model !== undefined) request['model'] = String(values.model);
  if (values.mode !== undefined) request['mode'] = String(values.mode);
  if (values.resolution !== undefined) request['resolution'] = String(values.resolution);
  if (values.audio !== undefined) request['audio'] = String(values.audio);
  if (values.duration !== undefined) {
    const d = Number(values.duration);
    if (!Number.isFinite(d) || d <= 0) throw new UsageError(`--duration must be a number of seconds, got '${String(values.duration)}'`);
    request['duration_s'] = d;
  }
  for (const s of (values.set as string[] | undefined) ?? []) {
    const m = /^([a-z][a-z0-9_]*)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--set takes dimension=value, got '${s}'`);
    request[m[1]!] = /^-?\d+(\.\d+)?$/.test(m[2]!) ? Number(m[2]) : m[2]!;
  }
  const loaded = await loadRules(io.cwd, String(values.rules ?? 'rules'));
  failOn(loaded.errors);
  const outcome = await quote(loaded.rules, {
    card: String(values.card),
    request,
    ...(values.on === undefined ? {} : { on: String(values.on) }),
    ...(version === undefined ? {} : { version }),
  });
  if (!outcome.ok) throw new InputError(formatDiagnostic(outcome.error));
  const q = outcome.quote;
  if (values.json) json(io, q);
  else {
    const unit = q.unit.scale === 1 ? q.unit.name : `${q.unit.name} / ${q.unit.scale}`;
    io.stdout.write(`${q.credits} credits (${unit}) — ${q.card.id} v${q.card.version}, on ${q.on}\n\n`);
    io.stdout.write(renderSheet(quoteWorkbook(q).sheets[0]!));
  }
  return 0;
};

const forecastCommand: Command = async (args, io) => {
  const { values, positionals } = parse(args, { variant: { type: 'string' } }, { min: 1, max: 1 });
  const { result, scenario } = await loadScenario(io.cwd, String(values.rules ?? 'rules'), positionals[0]!, [String(values.variant ?? 'base')], io.stderr);
  const r = await forecast(result.rules, scenario.doc, { variant: (values.variant as string | undefined) ?? null });
  if (values.json) json(io, r);
  else {
    // The tables are a view of the live model the Excel file holds.
    const wb = await forecastWorkbook(result.rules, scenario.doc, { variant: r.variant });
    io.stdout.write(`${r.scenario} — ${r.variant ?? 'base'} (${r.currency})\n\n`);
    io.stdout.write(
      renderSheet(
        wb.sheets.find((s) => s.name === 'Summary')!,
        { title: true },
      ) + '\n',
    );
    io.stdout.write(renderSheet(ledgerTable(wb.sheets.find((s) => s.name === 'Ledger')!), { title: true }));
  }
  return 0;
};

const compareCommand: Command = async (args, io) => {
  if (await isPortfolio(args, io)) return (await import('./portfolio.ts')).portfolioCompare(args, io);
  const { values, positionals } = parse(args, { variant: { type: 'string', multiple: true } }, { min: 1, max: 1 });
  const variants = values.variant as string[] | undefined;
  const { result, scenario } = await loadScenario(
    io.cwd,
    String(values.rules ?? 'rules'),
    positionals[0]!,
    variants ? ['base', ...variants] : undefined,
    io.stderr,
  );
  const c = await compare(result.rules, scenario.doc, variants ? { variants } : {});
  if (values.json) json(io, c);
  else {
    io.stdout.write(`${c.scenario} — ${c.runs.length} runs (${c.currency})\n\n`);
    io.stdout.write(renderSheet(compareWorkbook(c).sheets[0]!));
  }
  return 0;
};

const platformsCommand: Command = async (args, io) => {
  const { values, positionals } = parse(args, { platform: { type: 'string', multiple: true }, map: { type: 'string' } }, { min: 1, max: 1 });
  const { result, scenario } = await loadScenario(io.cwd, String(values.rules ?? 'rules'), positionals[0]!);
  const platforms = values.platform as string[] | undefined;
  const map = values.map as string | undefined;
  const bar = progressBar(io, `pricing ${scenario.doc.id}`, { unit: 'platforms', quiet: Boolean(values.json) });
  let c: Awaited<ReturnType<typeof comparePlatforms>>;
  try {
    c = await comparePlatforms(result.rules, scenario.doc, {
      ...(platforms ? { platforms } : {}),
      ...(map ? { map } : {}),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
  if (values.json) json(io, c);
  else {
    const wb = platformsWorkbook(c);
    io.stdout.write(
      `${c.scenario} — ${c.platforms.length} platform runs (${c.currency}; map ${c.map.id} v${c.map.version}; deltas against ${c.reference}'s cheapest plan)\n\n`,
    );
    io.stdout.write(renderSheet(wb.sheets[0]!));
    const unservable = wb.sheets.find((s) => s.name === 'Unservable')!;
    if (unservable.rows.length > 1) io.stdout.write('\n' + renderSheet(unservable, { title: true }));
  }
  return 0;
};

const booksCommand: Command = async (args, io) => {
  const { values, positionals } = parse(
    args,
    { variant: { type: 'string' }, method: { type: 'string' }, 'breakage-rate': { type: 'string' }, csv: { type: 'string' } },
    { min: 1, max: 1 },
  );
  const method = values.method as string | undefined;
  if (method !== undefined && method !== 'at-expiry' && method !== 'proportional')
    throw new UsageError(`--method must be at-expiry or proportional, got '${method}'`);
  const rate = values['breakage-rate'] as string | undefined;
  if (rate !== undefined && !(/^(0(\.\d+)?|\.\d+)$/.test(rate) && Number(rate) < 1))
    throw new UsageError(`--breakage-rate must be a number from 0 up to (not including) 1, got '${rate}'`);
  if (rate !== undefined && method === 'at-expiry' && Number(rate) > 0)
    throw new UsageError('--breakage-rate needs the proportional method (at expiry, breakage is what expires)');
  const csv = values.csv as string | undefined;
  const { result, scenario } = await loadScenario(io.cwd, String(values.rules ?? 'rules'), positionals[0]!);
  const r = await forecast(result.rules, scenario.doc, { variant: (values.variant as string | undefined) ?? null });
  const b = books(result.rules, r, { ...(method ? { method: method } : {}), ...(rate !== undefined ? { breakageRate: rate } : {}) });
  if (csv !== undefined) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.resolve(io.cwd, csv), journalCsv(b.journal));
  }
  if (values.json) json(io, b);
  else {
    const wb = booksWorkbook(b);
    io.stdout.write(`${b.scenario} — ${b.variant ?? 'base'} (${b.currency}), ${b.method}: ${b.terms.map((t) => `${t.rule} from ${t.from}`).join(', ')}\n\n`);
    io.stdout.write(
      renderSheet(
        wb.sheets.find((s) => s.name === 'Books')!,
        { title: true },
      ) + '\n',
    );
    io.stdout.write(
      renderSheet(
        wb.sheets.find((s) => s.name === 'Deferred revenue')!,
        { title: true },
      ),
    );
    if (csv !== undefined) io.stdout.write(`\nwrote ${csv}: ${b.journal.length} journal lines\n`);
  }
  return 0;
};

const exportCommand: Command = async (args, io) => {
  if (await isPortfolio(args, io)) return (await import('./portfolio.ts')).portfolioExport(args, io);
  const { values, positionals } = parse(
    args,
    { output: { type: 'string', short: 'o' }, variant: { type: 'string' }, 'all-variants': { type: 'boolean' }, created: { type: 'string' } },
    { min: 1, max: 1 },
  );
  const out = values.output as string | undefined;
  if (!out) throw new UsageError('missing -o out.xlsx');
  if (!/\.xlsx$/i.test(out)) throw new UsageError(`the output must be an .xlsx file: ${out}`);
  if (values.variant !== undefined && values['all-variants']) throw new UsageError('--variant and --all-variants exclude each other');
  let created: Date | undefined;
  if (values.created !== undefined) {
    const text = String(values.created);
    created = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z)?$/.test(text) || Number.isNaN(created.getTime()))
      throw new UsageError(`--created must be a UTC time like 2026-01-31T12:00:00Z: ${text}`);
  }
  const variant = values.variant as string | undefined;
  const { result, scenario } = await loadScenario(
    io.cwd,
    String(values.rules ?? 'rules'),
    positionals[0]!,
    values['all-variants'] ? undefined : [variant ?? 'base'],
    io.stderr,
  );
  if (variant !== undefined && variant !== 'base' && !(scenario.doc.variants ?? []).some((v) => v.name === variant)) {
    throw new InputError(
      `${positionals[0]}:1:1: C_VARIANT unknown variant '${variant}' (has ${['base', ...(scenario.doc.variants ?? []).map((v) => v.name)].join(', ')})`,
    );
  }
  const { exportScenario } = await import('@creditbook/exporter');
  const target = path.resolve(io.cwd, out);
  const bar = progressBar(io, `exporting ${scenario.doc.id}`, { unit: 'forecasts', quiet: Boolean(values.json) });
  let runs: string[];
  try {
    ({ runs } = await exportScenario(result.rules, scenario.doc, target, {
      variants: values['all-variants'] ? 'all' : [variant ?? 'base'],
      ...(created ? { created } : {}),
      onProgress: (done, total) => bar.update(done, total),
    }));
  } finally {
    bar.stop();
  }
  if (values.json) json(io, { file: out, scenario: scenario.doc.id, runs });
  else io.stdout.write(`wrote ${out}: ${scenario.doc.id}, ${runs.join(', ')}\n`);
  return 0;
};

// Usage commands load DuckDB: imported only when one of them runs.
const usageCommand: Command = async (args, io) => (await import('./usage.ts')).usageCommand(args, io);
const backtestCommand: Command = async (args, io) => (await import('./usage.ts')).backtestCommand(args, io);

// The portfolio starts worker threads: imported only when it runs.
const portfolioCommand: Command = async (args, io) => (await import('./portfolio.ts')).portfolioCommand(args, io);
const isPortfolio = async (args: string[], io: Io) => {
  const file = args.find((a) => !a.startsWith('-'));
  return file !== undefined && (await import('./portfolio.ts')).isPortfolioFile(io.cwd, file);
};

const COMMANDS: Record<string, Command> = {
  validate,
  manifest: manifestCommand,
  quote: quoteCommand,
  forecast: forecastCommand,
  compare: compareCommand,
  platforms: platformsCommand,
  books: booksCommand,
  export: exportCommand,
  usage: usageCommand,
  backtest: backtestCommand,
  portfolio: portfolioCommand,
};

/** Registers another command (export) without this module importing its dependencies. */
export function registerCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`creditbook ${VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`creditbook: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    return await command(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`creditbook ${name}: ${e.message}\n(see creditbook --help)\n`);
      return 2;
    }
    if (e instanceof InputError) {
      io.stderr.write(e.message + '\n');
      return 1;
    }
    if (e instanceof CreditbookError) {
      io.stderr.write(e.diagnostics.map(formatDiagnostic).join('\n') + '\n');
      return 1;
    }
    throw e;
  }
}
