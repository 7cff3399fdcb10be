import { promises as fs } from 'node:fs';
import { parse } from 'csv-parse/sync';
import Decimal from 'decimal.js';
import {
  books,
  combineBooks,
  compileCard,
  deltaBooks,
  diagnostic,
  forecast,
  type BooksDelta,
  type BooksResult,
  type BooksTotals,
  isMonth,
  type Code,
  type DemandLine,
  type Diagnostic,
  type ForecastResult,
  type PlanCatalog,
  type RuleSet,
  type Scenario,
} from '@creditbook/engine';
import { EVENT_COLUMNS, ident, literal, num, type UsageDb } from './db.ts';
import { backtestTables } from './backtest.ts';

/** One customer of a customers file: their plan, billing and the month their wallet starts. */
export interface CustomerPlan {
  customer: string;
  /** Subscription tier id in the catalog; '' for none (packs only). */
  plan: string;
  billing: 'monthly' | 'annual';
  start: string;
}

export const CUSTOMER_COLUMNS = ['customer', 'plan', 'billing', 'start'] as const;

const at = (file: string, code: Code, detail: string, line: number, col: number): Diagnostic => diagnostic({ code, detail, file, at: { line, col } });

/** Reads a customers file (customer, plan, billing, start); every problem positioned by line and column. */
export function parseCustomers(text: string, file: string, catalog: PlanCatalog): { customers: CustomerPlan[]; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  let records: { record: string[]; line: number }[];
  try {
    records = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], ctx: { lines: number }) => ({ record, line: ctx.lines }),
    } as never) as unknown as typeof records;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    return { customers: [], errors: [at(file, 'U_CSV', err.message, err.lines ?? 1, 1)] };
  }
  const [head, ...rows] = records;
  if (!head) return { customers: [], errors: [at(file, 'U_HEADER', 'the file is empty (no header line)', 1, 1)] };
  const cols = head.record.map((h) => h.trim());
  for (const c of CUSTOMER_COLUMNS)
    if (!cols.includes(c))
      errors.push(at(file, 'U_HEADER', `missing column '${c}' (a customers file has ${CUSTOMER_COLUMNS.join(', ')})`, head.line, cols.length + 1));
  if (errors.length > 0) return { customers: [], errors };
  const idx = Object.fromEntries(CUSTOMER_COLUMNS.map((c) => [c, cols.indexOf(c)])) as Record<(typeof CUSTOMER_COLUMNS)[number], number>;
  const tiers = (catalog.subscriptions ?? []).map((s) => s.id);
  const seen = new Set<string>();
  const customers: CustomerPlan[] = [];
  for (const { record, line } of rows) {
    if (record.length !== cols.length) {
      errors.push(at(file, 'U_FIELDS', `${record.length} fields, the header has ${cols.length}`, line, Math.min(record.length, cols.length) + 1));
      continue;
    }
    const v = (c: keyof typeof idx) => (record[idx[c]] ?? '').trim();
    const bad = (c: keyof typeof idx, detail: string) => errors.push(at(file, 'U_VALUE', detail, line, idx[c] + 1));
    const customer = v('customer');
    if (customer === '') bad('customer', 'customer is empty');
    else if (seen.has(customer)) bad('customer', `customer '${customer}' appears twice`);
    seen.add(customer);
    const plan = v('plan');
    if (plan !== '' && !tiers.includes(plan)) bad('plan', `plan '${plan}' is not a subscription of ${catalog.id} (${tiers.join(', ')}; empty for none)`);
    const billing = v('billing') === '' ? 'monthly' : v('billing');
    if (billing !== 'monthly' && billing !== 'annual') bad('billing', `billing '${billing}' is not monthly or annual`);
    const start = v('start');
    if (!isMonth(start)) bad('start', `start '${start}' is not a month YYYY-MM`);
    customers.push({ customer, plan, billing: billing as CustomerPlan['billing'], start });
  }
  return { customers, errors };
}

export interface ReplayInput {
  card: string;
  from: number;
  to: number;
  customers: readonly CustomerPlan[];
  /** Inclusive months of usage replayed (default: every event; the replay runs to the last event's month). */
  between?: { from: string; to: string };
  catalog: string;
  validity: string;
  /** Called after each customer: customers replayed so far, and how many there are. */
  onProgress?: (done: number, total: number) => void;
  /** Pack bought automatically on a shortfall (default: the catalog's first pack of the card's pool); null buys none. */
  pack?: string | null;
}

/** A wallet's totals under one version. */
export interface WalletTotals {
  spend: string;
  topup_spend: string;
  purchased: number;
  consumed: number;
  unmet: number;
  expired: number;
  breakage: string;
}

export interface WalletReplay {
  customer: string;
  plan: string;
  billing: string;
  start: string;
  periods: number;
  /** Generations left out: a version cannot price them (the backtest lists them). */
  unpriced_generations: number;
  from: WalletTotals;
  to: WalletTotals;
  /** Change in spend, money and percent (two places; null when nothing was spent under `from`). */
  spend_delta: string;
  spend_delta_pct: number | null;
}

/** The JSON shape of `creditbook backtest --customers F --json`'s `wallets`. */
export interface WalletReplayResult {
  currency: string;
  until: string;
  /** Customers replayed (those with events in the card's pool) and those of the file without any. */
  totals: { customers: number; without_usage: number; from: WalletTotals; to: WalletTotals };
  distribution: { spend_delta_pct: { p50: number | null; p90: number | null; p95: number | null; p99: number | null; max: number | null } };
  /**
   * The books of every replayed wallet together (revenue recognition under the validity policy's revenue
   * terms, docs/books.md), under each version, and `to` minus `from`; null when no wallet was replayed.
   */
  books: { from: BooksTotals; to: BooksTotals; delta: BooksDelta } | null;
  customers: WalletReplay[];
  problems: Diagnostic[];
}

function monthsBetween(a: string, b: string): number {
  const [ya, ma] = a.split('-').map(Number) as [number, number];
  const [yb, mb] = b.split('-').map(Number) as [number, number];
  return (yb - ya) * 12 + (mb - ma) + 1;
}

/**
 * The scenario a customer's usage makes: their plan and start, one demand line per request with its
 * monthly counts (a burst per month), the card pinned to one version, auto top-ups of one pack.
 */
export function customerScenario(
  c: CustomerPlan,
  demand: readonly { period: string; request: Record<string, string | number>; count: number }[],
  input: Omit<ReplayInput, 'customers' | 'from' | 'to'> & { version: number; pool: string; until: string },
): Scenario {
  const lines = new Map<string, DemandLine>();
  for (const d of demand) {
    if (d.period < c.start || d.period > input.until) continue;
    const key = JSON.stringify(d.request);
    let line = lines.get(key);
    if (!line) {
      line = { id: `r${lines.size + 1}`, pool: input.pool, request: d.request, count: 0, profile: { type: 'burst', bursts: [] } };
      lines.set(key, line);
    }
    (line.profile as { bursts: { start: string; periods: number; count: number }[] }).bursts.push({ start: d.period, periods: 1, count: d.count });
  }
  return {
    kind: 'Scenario',
    id: `replay-${c.customer}`,
    version: 1,
    effective_from: `${c.start}-01`,
    status: 'draft',
    audit: { author: 'creditbook', saved_at: `${c.start}-01T00:00:00Z`, note: `wallet replay of ${c.customer}` },
    start: c.start,
    horizon: Math.max(1, monthsBetween(c.start, input.until)),
    plan: { catalog: input.catalog, ...(c.plan === '' ? {} : { subscription: c.plan, billing: c.billing }) },
    rules: { validity: input.validity, cards: { [input.pool]: input.card }, pins: { [input.card]: input.version } },
    demand: [...lines.values()],
    purchases: input.pack ? { policy: 'auto', pack: input.pack } : { policy: 'none' },
  };
}

function walletTotals(r: ForecastResult): WalletTotals {
  const packs = r.lots.filter((l) => l.source === 'top_up' || l.source === 'api_package' || l.source === 'custom_package');
  return {
    spend: r.totals.spend,
    topup_spend: packs.reduce((s, l) => s.plus(l.price), new Decimal(0)).toFixed(2),
    purchased: r.totals.purchased,
    consumed: r.totals.consumed,
    unmet: r.totals.unmet,
    expired: r.totals.expired,
    breakage: r.totals.expired_value,
  };
}

function addTotals(a: WalletTotals, b: WalletTotals): WalletTotals {
  const m = (x: string, y: string) => new Decimal(x).plus(y).toFixed(2);
  return {
    spend: m(a.spend, b.spend),
    topup_spend: m(a.topup_spend, b.topup_spend),
    purchased: a.purchased + b.purchased,
    consumed: a.consumed + b.consumed,
    unmet: a.unmet + b.unmet,
    expired: a.expired + b.expired,
    breakage: m(a.breakage, b.breakage),
  };
}

const ZERO: WalletTotals = { spend: '0.00', topup_spend: '0.00', purchased: 0, consumed: 0, unmet: 0, expired: 0, breakage: '0.00' };

/** Nearest-rank percentile of sorted values (the same definition as the backtest's percentile_disc). */
function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Replays each customer's wallet month by month through the engine's ledger under both card
 * versions: their usage becomes a scenario (`customerScenario`) forecast with the card pinned to
 * each version. Returns spend, top-ups, unmet demand and breakage per customer and their spread.
 */
export async function replayWallets(
  db: UsageDb,
  rules: RuleSet,
  input: ReplayInput,
): Promise<{ ok: true; result: WalletReplayResult } | { ok: false; errors: Diagnostic[] }> {
  const tables = await backtestTables(rules, input);
  if (!tables.ok) return tables;
  const pool = tables.from.card.pool;
  const catalog = rules.latest('PlanCatalog', input.catalog)?.doc;
  if (!catalog)
    return {
      ok: false,
      errors: [diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail: `plan catalog '${input.catalog}' (catalogs: ${rules.ids('PlanCatalog').join(', ')})` })],
    };
  if (!rules.latest('ValidityPolicy', input.validity))
    return {
      ok: false,
      errors: [
        diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail: `validity policy '${input.validity}' (policies: ${rules.ids('ValidityPolicy').join(', ')})` }),
      ],
    };
  const pack = input.pack === undefined ? ([...(catalog.top_ups ?? []), ...(catalog.api_packages ?? [])].find((p) => p.pool === pool)?.id ?? null) : input.pack;

  // The card dimensions the events carry, per customer and month, aggregated inside the database.
  const extras = await db.extraColumns();
  const dims = [...new Set([...tables.from.dimensions, ...tables.to.dimensions].map((d) => d.name))].filter(
    (d) => (EVENT_COLUMNS as readonly string[]).includes(d) || extras.includes(d),
  );
  const names = input.customers.map((c) => literal(c.customer)).join(', ');
  const window = input.between ? ` AND strftime("time", '%Y-%m') BETWEEN ${literal(input.between.from)} AND ${literal(input.between.to)}` : '';
  const rows =
    input.customers.length === 0
      ? []
      : await db.rows(
          `SELECT customer, strftime("time", '%Y-%m') AS period, ${dims.map((d) => `e.${ident(d)}`).join(', ')}, sum("count") AS n
           FROM events e WHERE (pool IS NULL OR pool = ${literal(pool)}) AND customer IN (${names})${window}
           GROUP BY ALL ORDER BY customer, period, ${dims.map((d) => `${ident(d)} NULLS FIRST`).join(', ')}`,
        );
  const [last] = await db.rows(`SELECT strftime(max("time"), '%Y-%m') AS m FROM events WHERE pool IS NULL OR pool = ${literal(pool)}`);
  const until =
    input.between?.to ??
    (last?.['m']
      ? String(last['m'])
      : (input.customers
          .map((c) => c.start)
          .sort()
          .at(-1) ?? '2025-01'));
  // Like the backtest, the wallets replay the demand both versions price; the rest is counted, not replayed.
  const cards = [compileCard(tables.from.card), compileCard(tables.to.card)];
  const priced = new Map<string, boolean>();
  const pricedByBoth = async (request: Record<string, string | number>): Promise<boolean> => {
    const key = JSON.stringify(request);
    let ok = priced.get(key);
    if (ok === undefined) {
      ok = true;
      for (const c of cards) {
        const own = Object.fromEntries(Object.entries(request).filter(([k]) => k in c.card.dimensions));
        if (!(await c.price(own)).ok) ok = false;
      }
      priced.set(key, ok);
    }
    return ok;
  };
  const byCustomer = new Map<string, { period: string; request: Record<string, string | number>; count: number }[]>();
  const unpriced = new Map<string, number>();
  for (const r of rows) {
    const request: Record<string, string | number> = {};
    for (const d of dims) if (r[d] !== null && r[d] !== undefined) request[d] = typeof r[d] === 'number' ? r[d] : String(r[d]);
    const customer = String(r['customer']);
    if (!(await pricedByBoth(request))) {
      unpriced.set(customer, (unpriced.get(customer) ?? 0) + num(r['n']));
      continue;
    }
    const list = byCustomer.get(customer) ?? [];
    list.push({ period: String(r['period']), request, count: num(r['n']) });
    byCustomer.set(customer, list);
  }
  const withUsage = new Set(rows.map((r) => String(r['customer'])));

  const customers: WalletReplay[] = [];
  const problems: Diagnostic[] = [];
  let totalsFrom = ZERO;
  let totalsTo = ZERO;
  // Each wallet's books (its journal dropped: only the totals are reported), added up per version at the end.
  const booked: { from: BooksResult[]; to: BooksResult[] } = { from: [], to: [] };
  const total = input.customers.filter((c) => withUsage.has(c.customer)).length;
  for (const c of input.customers) {
    if (!withUsage.has(c.customer)) continue;
    input.onProgress?.(customers.length, total);
    const base = { card: input.card, until, catalog: input.catalog, validity: input.validity, pack, pool };
    const demand = byCustomer.get(c.customer) ?? [];
    const scenarioFrom = customerScenario(c, demand, { ...base, version: input.from });
    const [a, b] = [await forecast(rules, scenarioFrom), await forecast(rules, customerScenario(c, demand, { ...base, version: input.to }))];
    for (const p of [...a.problems, ...b.problems]) problems.push(diagnostic({ code: p.code, detail: `${c.customer}: ${p.message}` }));
    const [wa, wb] = [walletTotals(a), walletTotals(b)];
    booked.from.push({ ...books(rules, a), journal: [], lots: [] });
    booked.to.push({ ...books(rules, b), journal: [], lots: [] });
    totalsFrom = addTotals(totalsFrom, wa);
    totalsTo = addTotals(totalsTo, wb);
    const delta = new Decimal(wb.spend).minus(wa.spend);
    const pct = new Decimal(wa.spend).isZero() ? null : delta.times(100).dividedBy(wa.spend).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
    customers.push({
      customer: c.customer,
      plan: c.plan,
      billing: c.billing,
      start: c.start,
      periods: scenarioFrom.horizon,
      unpriced_generations: unpriced.get(c.customer) ?? 0,
      from: wa,
      to: wb,
      spend_delta: delta.toFixed(2),
      spend_delta_pct: pct,
    });
  }
  const currency = catalog.currency ?? 'USD';
  const [booksFrom, booksTo] = [combineBooks(booked.from).totals[currency], combineBooks(booked.to).totals[currency]];
  const sorted = customers
    .map((c) => c.spend_delta_pct)
    .filter((x): x is number => x !== null)
    .sort((x, y) => x - y);
  return {
    ok: true,
    result: {
      currency,
      until,
      totals: { customers: customers.length, without_usage: input.customers.length - customers.length, from: totalsFrom, to: totalsTo },
      distribution: {
        spend_delta_pct: {
          p50: nearestRank(sorted, 0.5),
          p90: nearestRank(sorted, 0.9),
          p95: nearestRank(sorted, 0.95),
          p99: nearestRank(sorted, 0.99),
          max: sorted.at(-1) ?? null,
        },
      },
      books: booksFrom && booksTo ? { from: booksFrom, to: booksTo, delta: deltaBooks(booksFrom, booksTo) } : null,
      customers,
      problems,
    },
  };
}

/** Reads a customers file from disk. */
export async function readCustomers(
  path: string,
  display: string,
  rules: RuleSet,
  catalog: string,
): Promise<{ customers: CustomerPlan[]; errors: Diagnostic[] }> {
  const doc = rules.latest('PlanCatalog', catalog)?.doc;
  if (!doc)
    return {
      customers: [],
      errors: [diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail: `plan catalog '${catalog}' (catalogs: ${rules.ids('PlanCatalog').join(', ')})` })],
    };
  return parseCustomers(await fs.readFile(path, 'utf8'), display, doc);
}

/** The catalog and validity policy a card's bundled scenarios use (the first scenario, by id, that prices with it). */
export function replayDefaults(rules: RuleSet, card: string): { catalog?: string; validity?: string } {
  for (const id of rules.ids('Scenario').sort()) {
    const s = rules.latest('Scenario', id)!.doc;
    if (Object.values(s.rules.cards).includes(card)) return { catalog: s.plan.catalog, validity: s.rules.validity };
  }
  const catalogs = rules.ids('PlanCatalog');
  const policies = rules.ids('ValidityPolicy');
  return { ...(catalogs.length === 1 ? { catalog: catalogs[0]! } : {}), ...(policies.length === 1 ? { validity: policies[0]! } : {}) };
}
