import { compileCard, diagnostic, messageFor, type Code, type Diagnostic, type RateCard, type Reach, type RuleSet } from '@creditbook/engine';
import { EVENT_COLUMNS, ident, num, type UsageDb } from './db.ts';
import { loadPriceTable, sqlPriceTable, type SqlPriceTable } from './prices.ts';
import { backtestStatements, changeReachStatements, requestColumns, type RatingScope } from './sql.ts';

export interface BacktestInput {
  card: string;
  from: number;
  to: number;
  /** Inclusive months YYYY-MM. */
  between?: { from: string; to: string };
  /** Report every customer (`customers`), not only the most affected. */
  perCustomer?: boolean;
  /** How many customers `most_affected` lists (default 20). */
  top?: number;
}

/** One customer's credits under both versions (events both versions price). */
export interface CustomerChange {
  customer: string;
  events: number;
  unpriced_events: number;
  /** Whether the proposed version reaches the customer (see `reach`). */
  reached: boolean;
  credits_from: number;
  credits_to: number;
  delta: number;
  /** Percent change, two places; null when the customer spent nothing under `from`. */
  delta_pct: number | null;
}

export interface UnpricedRequest {
  request: Record<string, string | number>;
  events: number;
  generations: number;
  /** The versions that cannot price it, and why. */
  problems: { version: number; code: Code; message: string }[];
}

/** The JSON shape of `creditbook backtest --json`. */
export interface BacktestResult {
  card: string;
  from: number;
  to: number;
  pool: string;
  between: { from: string; to: string } | null;
  /** Rows of each version's price table (every request its dimensions allow). */
  price_table_rows: { from: number; to: number };
  /** Whom `to` reaches (its rule); `totals.reached_*` say how many customers and events that is. */
  reach: Reach;
  totals: {
    events: number;
    customers: number;
    unpriced_events: number;
    reached_customers: number;
    reached_events: number;
    credits_from: number;
    credits_to: number;
    delta: number;
    delta_pct: number | null;
  };
  /** Per-customer % change (customers with credits under `from`), nearest-rank percentiles. */
  distribution: { customers: number; p50: number | null; p90: number | null; p95: number | null; p99: number | null; max: number | null };
  most_affected: CustomerChange[];
  by_model_mode: { model: string; mode: string | null; events: number; credits_from: number; credits_to: number; delta: number; delta_pct: number | null }[];
  unpriced: UnpricedRequest[];
  customers?: CustomerChange[];
}

export type BacktestOutcome =
  | { ok: true; result: BacktestResult; tables: { from: SqlPriceTable; to: SqlPriceTable }; statements: { name: string; sql: string }[] }
  | { ok: false; errors: Diagnostic[] };

const orNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

/** Resolves the two versions and builds their price tables. */
export async function backtestTables(
  rules: RuleSet,
  input: Pick<BacktestInput, 'card' | 'from' | 'to'>,
): Promise<{ ok: true; from: SqlPriceTable; to: SqlPriceTable } | { ok: false; errors: Diagnostic[] }> {
  const errors: Diagnostic[] = [];
  if (rules.versions('RateCard', input.card).length === 0) {
    return { ok: false, errors: [diagnostic({ code: 'Q_UNKNOWN_CARD', detail: `'${input.card}' (cards: ${rules.ids('RateCard').join(', ')})` })] };
  }
  const cards: RateCard[] = [];
  for (const v of [input.from, input.to]) {
    const loaded = rules.get('RateCard', input.card, v);
    if (!loaded)
      errors.push(
        diagnostic({
          code: 'Q_NO_VERSION',
          detail: `${input.card} v${v} (versions: ${rules
            .versions('RateCard', input.card)
            .map((d) => d.doc.version)
            .join(', ')})`,
        }),
      );
    else cards.push(loaded.doc);
  }
  if (errors.length > 0) return { ok: false, errors };
  const [a, b] = cards as [RateCard, RateCard];
  if (a.pool !== b.pool)
    return {
      ok: false,
      errors: [diagnostic({ code: 'Q_DIMENSION', detail: `v${a.version} prices pool ${a.pool}, v${b.version} pool ${b.pool}: a backtest compares one pool` })],
    };
  const from = await sqlPriceTable(`prices_v${a.version}`, a);
  const to = await sqlPriceTable(a.version === b.version ? `prices_v${b.version}_b` : `prices_v${b.version}`, b);
  for (const [t, card] of [
    [from, a],
    [to, b],
  ] as const) {
    if (!t)
      errors.push(
        diagnostic({ code: 'Q_DIMENSION', detail: `${card.id} v${card.version}: its request space is continuous or too large to tabulate for a backtest` }),
      );
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, from: from!, to: to! };
}

function customerRow(r: Record<string, unknown>): CustomerChange {
  return {
    customer: String(r['customer']),
    events: num(r['events']),
    unpriced_events: num(r['unpriced_events']),
    reached: r['reached'] === true,
    credits_from: num(r['credits_from']),
    credits_to: num(r['credits_to']),
    delta: num(r['delta']),
    delta_pct: orNull(r['delta_pct']),
  };
}

/** Why a version cannot price a request: the card's own normalisation and formula say. */
async function whyUnpriced(card: RateCard, request: Record<string, string | number>): Promise<{ code: Code; message: string }> {
  const own: Record<string, string | number> = {};
  for (const k of Object.keys(card.dimensions)) if (request[k] !== undefined) own[k] = request[k]!;
  const p = await compileCard(card).price(own);
  if (p.ok) return { code: 'Q_DIMENSION', message: messageFor('Q_DIMENSION', 'priced by the card but not by its table') };
  return { code: p.code, message: messageFor(p.code, p.detail) };
}

/** Builds both price tables, loads them into the database, and says what is rated. */
async function prepare(
  db: UsageDb,
  rules: RuleSet,
  input: Pick<BacktestInput, 'card' | 'from' | 'to' | 'between'>,
): Promise<{ ok: true; from: SqlPriceTable; to: SqlPriceTable; scope: RatingScope } | { ok: false; errors: Diagnostic[] }> {
  const tables = await backtestTables(rules, input);
  if (!tables.ok) return tables;
  const { from, to } = tables;
  await loadPriceTable(db, from);
  await loadPriceTable(db, to);
  const scope: RatingScope = {
    pool: from.card.pool,
    ...(input.between ? { between: input.between } : {}),
    eventColumns: [...EVENT_COLUMNS, ...(await db.extraColumns())],
    reach: to.card.reach ?? 'all',
  };
  return { ok: true, from, to, scope };
}

/** Whom a change from one card version to another reaches in the loaded usage (shares in per cent, two places). */
export interface ChangeReach {
  card: string;
  from: number;
  to: number;
  /** The proposed version's rule of whom it reaches. */
  reach: Reach;
  /** Customers, events and generations rated (the card's pool, within `between`). */
  customers: number;
  events: number;
  generations: number;
  /** Those the proposed version reaches whose price changes (priced differently, or by one version only). */
  changed_customers: number;
  changed_events: number;
  changed_generations: number;
  customers_pct: number | null;
  generations_pct: number | null;
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((10000 * part) / whole) / 100);

/**
 * What share of customers and of volume (generations) a change from `from` to `to` reaches in the
 * usage: the events whose price differs between the two versions, among those `to` reaches (its `reach`).
 */
export async function changeReach(
  db: UsageDb,
  rules: RuleSet,
  input: Pick<BacktestInput, 'card' | 'from' | 'to' | 'between'>,
): Promise<{ ok: true; result: ChangeReach } | { ok: false; errors: Diagnostic[] }> {
  const prepared = await prepare(db, rules, input);
  if (!prepared.ok) return prepared;
  for (const s of changeReachStatements(prepared.from, prepared.to, prepared.scope)) await db.run(s.sql);
  const [r] = await db.rows('SELECT * FROM change_reach');
  const n = (k: string) => num(r![k]);
  return {
    ok: true,
    result: {
      card: input.card,
      from: input.from,
      to: input.to,
      reach: prepared.scope.reach ?? 'all',
      customers: n('customers'),
      events: n('events'),
      generations: n('generations'),
      changed_customers: n('changed_customers'),
      changed_events: n('changed_events'),
      changed_generations: n('changed_generations'),
      customers_pct: share(n('changed_customers'), n('customers')),
      generations_pct: share(n('changed_generations'), n('generations')),
    },
  };
}

/**
 * Rates every event of the card's pool under two versions inside the database (each version's price
 * table joined to the events) and summarises the change: totals, the per-customer distribution, the
 * most affected customers, totals by model and mode, and the events a version cannot price (listed,
 * never priced as zero; the credits compare the events both versions price).
 */
export async function backtest(db: UsageDb, rules: RuleSet, input: BacktestInput): Promise<BacktestOutcome> {
  const prepared = await prepare(db, rules, input);
  if (!prepared.ok) return prepared;
  const { from, to, scope } = prepared;
  const tables = { from, to };
  const statements = backtestStatements(from, to, scope);
  for (const s of statements) {
    if (s.name === 'unpriced_by_neither') {
      const [neither] = await db.rows('SELECT count(*) AS n FROM rated WHERE NOT by_customer AND rq_from IS NULL AND rq_to IS NULL');
      // The second scan only when some events match neither price table (its result is then empty).
      if (num(neither!['n']) === 0) {
        await db.run(`${s.sql}\nLIMIT 0`);
        continue;
      }
    }
    await db.run(s.sql);
  }
  const top = input.top ?? 20;

  const [t] = await db.rows('SELECT * FROM totals');
  const [d] = await db.rows('SELECT * FROM distribution');
  const most = await db.rows(`SELECT * FROM customers WHERE delta <> 0 ORDER BY abs(delta) DESC, customer LIMIT ${top}`);
  const byModel = await db.rows('SELECT * FROM by_model_mode ORDER BY model, mode NULLS FIRST');
  const req = requestColumns([from, to]);
  const unpricedRows = await db.rows(`SELECT * FROM unpriced ORDER BY events DESC, ${req.map((c) => `${ident(c)} NULLS FIRST`).join(', ')}`);
  const unpriced: UnpricedRequest[] = [];
  for (const u of unpricedRows) {
    const request: Record<string, string | number> = {};
    for (const c of req) if (u[c] !== null && u[c] !== undefined) request[c] = typeof u[c] === 'number' ? u[c] : String(u[c]);
    const problems: UnpricedRequest['problems'] = [];
    if (u['unpriced_from']) problems.push({ version: from.card.version, ...(await whyUnpriced(from.card, request)) });
    if (u['unpriced_to']) problems.push({ version: to.card.version, ...(await whyUnpriced(to.card, request)) });
    unpriced.push({ request, events: num(u['events']), generations: num(u['generations']), problems });
  }
  const result: BacktestResult = {
    card: input.card,
    from: input.from,
    to: input.to,
    pool: scope.pool,
    between: input.between ?? null,
    price_table_rows: { from: from.rows.length, to: to.rows.length },
    reach: scope.reach ?? 'all',
    totals: {
      events: num(t!['events']),
      customers: num(t!['customers']),
      unpriced_events: num(t!['unpriced_events']),
      reached_customers: num(t!['reached_customers']),
      reached_events: num(t!['reached_events']),
      credits_from: num(t!['credits_from']),
      credits_to: num(t!['credits_to']),
      delta: num(t!['delta']),
      delta_pct: orNull(t!['delta_pct']),
    },
    distribution: {
      customers: num(d!['customers']),
      p50: orNull(d!['p50']),
      p90: orNull(d!['p90']),
      p95: orNull(d!['p95']),
      p99: orNull(d!['p99']),
      max: orNull(d!['max']),
    },
    most_affected: most.map(customerRow),
    by_model_mode: byModel.map((r) => ({
      model: String(r['model']),
      mode: r['mode'] === null ? null : String(r['mode']),
      events: num(r['events']),
      credits_from: num(r['credits_from']),
      credits_to: num(r['credits_to']),
      delta: num(r['delta']),
      delta_pct: orNull(r['delta_pct']),
    })),
    unpriced,
  };
  if (input.perCustomer) result.customers = (await db.rows('SELECT * FROM customers ORDER BY customer')).map(customerRow);
  return { ok: true, result, tables, statements };
}
