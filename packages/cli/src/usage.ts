import { promises as fs } from 'node:fs';
import path from 'node:path';
import { formatDiagnostic, isMonth } from '@creditbook/engine';
import {
  backtest,
  importEvents,
  priceTableCsv,
  priceTableFromCsv,
  readCustomers,
  replayDefaults,
  replayWallets,
  UsageDb,
  writeSample,
  type BacktestResult,
  type WalletReplayResult,
} from '@creditbook/usage';
import { InputError, UsageError, type Io } from './io.ts';
import { json, parse } from './args.ts';
import { progressBar } from './progress-bar.ts';
import { failOn, loadRules } from './rules.ts';

const DEFAULT_DB = 'usage.duckdb';

/** Opens the usage database named by --db (or --usage), relative to the working folder. */
async function openDb(io: Io, file: string, mustExist: boolean): Promise<UsageDb> {
  const full = path.resolve(io.cwd, file);
  if (mustExist) {
    try {
      await fs.access(full);
    } catch {
      throw new UsageError(`no usage database ${file} (create it with: creditbook usage import events.csv --db ${file})`);
    }
  }
  return UsageDb.open(full);
}

/** `creditbook usage import <file> [--db F]` and `creditbook usage sample [-o events.csv] [--customers-file F]`. */
export async function usageCommand(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parse(rest, { db: { type: 'string' } }, { min: 1, max: 1 });
    const file = positionals[0]!;
    try {
      await fs.access(path.resolve(io.cwd, file));
    } catch {
      throw new UsageError(`no such file: ${file}`);
    }
    const dbFile = String(values.db ?? DEFAULT_DB);
    const db = await openDb(io, dbFile, false);
    const bar = progressBar(io, `importing ${path.basename(file)}`, { unit: 'bytes', quiet: Boolean(values.json) });
    try {
      const r = await importEvents(db, path.resolve(io.cwd, file), { display: file, onProgress: (done, total) => bar.update(done, total) });
      bar.stop();
      if (!r.ok) throw new InputError(r.errors.map(formatDiagnostic).join('\n'));
      if (values.json) json(io, { ...r, db: dbFile });
      else if (r.already_imported)
        io.stdout.write(`${file} was already imported (${r.rows.toLocaleString('en-US')} events, import ${r.import_id.slice(0, 12)}): nothing added\n`);
      else io.stdout.write(`imported ${r.rows.toLocaleString('en-US')} events from ${file} into ${dbFile} (import ${r.import_id.slice(0, 12)})\n`);
      return 0;
    } finally {
      bar.stop();
      db.close();
    }
  }
  if (sub === 'sample') {
    const { values } = parse(
      rest,
      { output: { type: 'string', short: 'o' }, 'customers-file': { type: 'string' }, customers: { type: 'string' }, seed: { type: 'string' } },
      { min: 0, max: 0 },
    );
    const int = (name: string, v: unknown, d: number) => {
      if (v === undefined) return d;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
      return n;
    };
    const events = String(values.output ?? 'events.csv');
    const customersFile = String(values['customers-file'] ?? 'customers.csv');
    const loaded = await loadRules(io.cwd, String(values.rules ?? 'rules'));
    failOn(loaded.errors);
    const r = await writeSample(loaded.rules, path.resolve(io.cwd, events), path.resolve(io.cwd, customersFile), {
      customers: int('customers', values.customers, 60),
      seed: int('seed', values.seed, 1),
    });
    if (values.json) json(io, { events_file: events, customers_file: customersFile, events: r.events, customers: r.customers.length });
    else io.stdout.write(`wrote ${events} (${r.events.toLocaleString('en-US')} events) and ${customersFile} (${r.customers.length} customers)\n`);
    return 0;
  }
  throw new UsageError(
    sub === undefined ? 'usage import <events.csv|.parquet> [--db F] | usage sample [-o events.csv]' : `unknown usage command '${sub}' (import, sample)`,
  );
}

function parseBetween(text: string): { from: string; to: string } {
  const m = /^(\d{4}-\d{2})(?:\.\.(\d{4}-\d{2}))?$/.exec(text);
  const from = m?.[1];
  const to = m?.[2] ?? from;
  if (!from || !to || !isMonth(from) || !isMonth(to) || to < from) throw new UsageError(`--between takes months YYYY-MM..YYYY-MM, got '${text}'`);
  return { from, to };
}

const n = (x: number) => x.toLocaleString('en-US');
const p = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${x.toFixed(2)}%`);

/** Aligned columns: numbers right, text left. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => /^([-+]?[\d,.]+%?|—)$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

function renderBacktest(r: BacktestResult): string {
  const t = r.totals;
  const d = r.distribution;
  const range = r.between ? `${r.between.from}..${r.between.to}` : 'all events';
  const out = [
    `${r.card} v${r.from} -> v${r.to}, pool ${r.pool}, ${range}`,
    '',
    `events ${n(t.events)} (unpriced ${n(t.unpriced_events)}), customers ${n(t.customers)}`,
    `v${r.to} reaches ${r.reach === 'all' ? 'every customer' : r.reach === 'new_customers' ? 'new customers only' : 'existing customers from their next renewal'}: ${n(t.reached_customers)} customers, ${n(t.reached_events)} events`,
    `credits v${r.from} ${n(t.credits_from)}, v${r.to} ${n(t.credits_to)}, delta ${n(t.delta)} (${p(t.delta_pct)})`,
    `per-customer change (${n(d.customers)} customers): p50 ${p(d.p50)}  p90 ${p(d.p90)}  p95 ${p(d.p95)}  p99 ${p(d.p99)}  max ${p(d.max)}`,
    '',
    '== Most affected ==',
    table(
      ['customer', `v${r.from}`, `v${r.to}`, 'delta', '%'],
      r.most_affected.map((c) => [c.customer, n(c.credits_from), n(c.credits_to), n(c.delta), p(c.delta_pct)]),
    ),
    '== By model and mode ==',
    table(
      ['model', 'mode', 'events', `v${r.from}`, `v${r.to}`, 'delta', '%'],
      r.by_model_mode.map((m) => [m.model, m.mode ?? '', n(m.events), n(m.credits_from), n(m.credits_to), n(m.delta), p(m.delta_pct)]),
    ),
  ];
  if (r.unpriced.length > 0) {
    out.push('== Unpriced (not counted in the credits above) ==');
    out.push(
      table(
        ['request', 'events', 'why'],
        r.unpriced.map((u) => [
          Object.entries(u.request)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
          n(u.events),
          u.problems.map((x) => `v${x.version}: ${x.code} ${x.message}`).join('; '),
        ]),
      ),
    );
  }
  if (r.customers) {
    out.push('== Customers ==');
    out.push(
      table(
        ['customer', 'events', `v${r.from}`, `v${r.to}`, 'delta', '%'],
        r.customers.map((c) => [c.customer, n(c.events), n(c.credits_from), n(c.credits_to), n(c.delta), p(c.delta_pct)]),
      ),
    );
  }
  return out.join('\n');
}

function renderWallets(w: WalletReplayResult, from: number, to: number): string {
  const d = w.distribution.spend_delta_pct;
  const head = ['', 'spend', 'top-ups', 'purchased', 'consumed', 'unmet', 'expired', 'breakage'];
  const row = (name: string, t: WalletReplayResult['totals']['from']) => [
    name,
    t.spend,
    t.topup_spend,
    n(t.purchased),
    n(t.consumed),
    n(t.unmet),
    n(t.expired),
    t.breakage,
  ];
  return [
    `== Wallet replay: ${n(w.totals.customers)} customers to ${w.until} (${w.currency}) ==`,
    table(head, [row(`v${from}`, w.totals.from), row(`v${to}`, w.totals.to)]),
    `per-customer spend change: p50 ${p(d.p50)}  p90 ${p(d.p90)}  p95 ${p(d.p95)}  p99 ${p(d.p99)}  max ${p(d.max)}`,
    ...(w.books ? [booksTable(w.books, from, to)] : []),
    '',
  ].join('\n');
}

/** The books of the replayed wallets under each version and the change (docs/books.md). */
function booksTable(b: NonNullable<WalletReplayResult['books']>, from: number, to: number): string {
  const keys = ['billings', 'revenue', 'revenue_usage', 'revenue_breakage', 'deferred_closing', 'deferred_peak'] as const;
  const row = (name: string, t: Record<(typeof keys)[number], string>) => [name, ...keys.map((k) => t[k])];
  return [
    `== Books of the replayed wallets (${b.from.currency}) ==`,
    table(
      ['', 'billings', 'revenue', 'from usage', 'from breakage', 'deferred at end', 'deferred peak'],
      [row(`v${from}`, b.from), row(`v${to}`, b.to), row('delta', b.delta)],
    ),
  ].join('\n');
}

/** `creditbook backtest --usage F --card ID --from N --to M [--between A..B] [--per-customer] [--emit-sql DIR] [--customers F]`. */
export async function backtestCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(
    args,
    {
      usage: { type: 'string' },
      card: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      between: { type: 'string' },
      'per-customer': { type: 'boolean' },
      'emit-sql': { type: 'string' },
      customers: { type: 'string' },
      catalog: { type: 'string' },
      validity: { type: 'string' },
      pack: { type: 'string' },
    },
    { min: 0, max: 0 },
  );
  if (!values.card) throw new UsageError('--card is required');
  const version = (name: 'from' | 'to') => {
    const v = Number(values[name]);
    if (values[name] === undefined || !Number.isInteger(v) || v < 1) throw new UsageError(`--${name} must be a card version (a positive integer)`);
    return v;
  };
  const from = version('from');
  const to = version('to');
  const between = values.between === undefined ? undefined : parseBetween(String(values.between));
  const loaded = await loadRules(io.cwd, String(values.rules ?? 'rules'));
  failOn(loaded.errors);
  const db = await openDb(io, String(values.usage ?? DEFAULT_DB), true);
  try {
    const outcome = await backtest(db, loaded.rules, {
      card: String(values.card),
      from,
      to,
      ...(between ? { between } : {}),
      perCustomer: values['per-customer'] === true,
    });
    if (!outcome.ok) throw new InputError(outcome.errors.map(formatDiagnostic).join('\n'));
    const emit = values['emit-sql'] as string | undefined;
    if (emit !== undefined) {
      const dir = path.resolve(io.cwd, emit);
      await fs.mkdir(dir, { recursive: true });
      const { from: a, to: b } = outcome.tables;
      const files = [`${a.name}.csv`, `${b.name}.csv`, 'backtest.sql'];
      await fs.writeFile(path.join(dir, files[0]!), priceTableCsv(a));
      await fs.writeFile(path.join(dir, files[1]!), priceTableCsv(b));
      const sql = [
        `-- Creditbook backtest: ${a.card.id} v${a.card.version} -> v${b.card.version}, pool ${a.card.pool}.`,
        `-- Rates a table named events (customer, time, model, mode, duration_s, resolution, pool, count, extra dimensions)`,
        `-- with the two price tables below, as \`creditbook backtest\` does inside DuckDB. Run it from this folder.`,
        priceTableFromCsv(a, files[0]!) + ';',
        priceTableFromCsv(b, files[1]!) + ';',
        ...outcome.statements.map((s) => s.sql + ';'),
        'SELECT * FROM totals;',
        'SELECT * FROM distribution;',
        '',
      ].join('\n\n');
      await fs.writeFile(path.join(dir, files[2]!), sql);
      if (!values.json) io.stdout.write(`wrote ${files.map((f) => path.join(emit, f)).join(', ')}\n\n`);
    }
    let wallets: WalletReplayResult | undefined;
    if (values.customers !== undefined) {
      const defaults = replayDefaults(loaded.rules, String(values.card));
      const catalog = (values.catalog as string | undefined) ?? defaults.catalog;
      const validity = (values.validity as string | undefined) ?? defaults.validity;
      if (!catalog || !validity) throw new UsageError('--customers needs --catalog ID and --validity ID (no bundled scenario uses this card)');
      const file = String(values.customers);
      let read;
      try {
        read = await readCustomers(path.resolve(io.cwd, file), file, loaded.rules, catalog);
      } catch {
        throw new UsageError(`no such file: ${file}`);
      }
      if (read.errors.length > 0) throw new InputError(read.errors.map(formatDiagnostic).join('\n'));
      const pack = values.pack === undefined ? {} : { pack: values.pack === 'none' ? null : String(values.pack) };
      const bar = progressBar(io, 'replaying wallets', { unit: 'customers', quiet: Boolean(values.json) });
      const replay = await replayWallets(db, loaded.rules, {
        card: String(values.card),
        from,
        to,
        customers: read.customers,
        catalog,
        validity,
        ...pack,
        onProgress: (done, total) => bar.update(done, total),
        ...(between ? { between } : {}),
      });
      bar.stop();
      if (!replay.ok) throw new InputError(replay.errors.map(formatDiagnostic).join('\n'));
      wallets = replay.result;
    }
    if (values.json) json(io, wallets ? { ...outcome.result, wallets } : outcome.result);
    else io.stdout.write(renderBacktest(outcome.result) + (wallets ? renderWallets(wallets, from, to) : ''));
    return 0;
  } finally {
    db.close();
  }
}
