import {
  ENGINE_VERSION,
  applyVariant,
  calendar,
  compileCard,
  f,
  priceGrid,
  recalculate,
  type BurnKey,
  type Calendar,
  type Cell,
  type Column,
  type DimensionValue,
  type ForecastResult,
  type Formula,
  type LotSource,
  type Pack,
  type PlanCatalog,
  type RateCard,
  type RuleSet,
  type Scenario,
  type Sheet,
  type Subscription,
  type Validity,
  type Workbook,
} from '@creditbook/engine';
import { definedName, sheetName } from './names.ts';
import type { Highlight } from './write.ts';

/**
 * The live model of one or more forecast runs as a Creditbook Workbook: inputs are plain values,
 * every derived cell a formula over them. The burn order, expiry and auto purchases are formulas
 * too, so an analyst who changes a demand count or a price in Excel gets the ledger the engine
 * would compute for the edited scenario.
 */
export interface ExportInput {
  rules: RuleSet;
  scenario: Scenario;
  /** The runs to export (base and variants), each the engine's full forecast of it. */
  runs: readonly ForecastResult[];
}

const DEFAULT_ORDER: readonly BurnKey[] = ['last_valid_period', 'priority', 'granted_period', 'lot_id'];
const NEVER = 999_999;

const val = (v: Cell['v'], fmt?: Cell['fmt']): Cell => (fmt ? { v, fmt } : { v });
type Fmt = NonNullable<Cell['fmt']>;
const input = (v: Cell['v'], fmt: Fmt, name?: string): Cell => (name ? { v, fmt, input: true, name } : { v, fmt, input: true });
const calc = (formula: Formula, fmt: Fmt): Cell => ({ v: null, f: formula, fmt });
const header = (cols: Column[]): Cell[] => cols.map((c) => ({ v: c.title, fmt: 'text' as const }));

function sum(refs: Formula[]): Formula {
  if (refs.length === 0) return f.num(0);
  return refs.length === 1 ? refs[0]! : f.fn('SUM', ...refs);
}

function describe(request: Readonly<Record<string, DimensionValue>>): string {
  return Object.entries(request).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/** A card priced by a single `$cell($table, dim, …)` lookup: the part of JSONata that goes to Excel as a reference. */
function cellLookup(card: RateCard): { table: string; keys: string[] } | undefined {
  const m = /^\s*\$cell\(\s*\$([a-z][a-z0-9_]*)\s*((?:,\s*[a-z][a-z0-9_]*\s*)+)\)\s*$/.exec(card.credits);
  if (!m) return undefined;
  const keys = m[2]!.split(',').map((k) => k.trim()).filter(Boolean);
  if (!keys.every((k) => k in card.dimensions)) return undefined;
  return { table: m[1]!, keys };
}

interface LotRow {
  seq: number;
  pool: string;
  source: LotSource;
  ref: string;
  granted: number; // 0-based period
  lastValid: number; // 0-based period, NEVER when it does not expire
  validity: number | undefined; // periods
  validityName: string | undefined;
  priority: number;
  auto: boolean;
  amount: Cell;
  price: Cell;
  row: number; // sheet row, set when laid out
}

/** The model and the conditional formats of its sheets. */
export interface Model {
  workbook: Workbook;
  highlights: Record<string, Highlight[]>;
}

/** A sheet of the model as it is produced, with its conditional formats. */
export interface ModelSheet {
  sheet: Sheet;
  highlights: Highlight[];
}

/** What the summary needs of a run: where its sheets are, and the engine's totals as cached values. */
interface RunInfo {
  name: string;
  ledger: string;
  demand: string;
  ledgerRows: number;
  demandRows: number;
  versions: string;
  totals: ForecastResult['totals'];
  versionUses: ForecastResult['versions'];
  currency: string;
}

/**
 * Builds the workbook model in memory, every formula's value computed (by the engine's evaluator).
 * For many runs use `modelSheets`, which produces one run's sheets at a time.
 */
export async function buildModel(inputArgs: ExportInput): Promise<Model> {
  const byName = new Map(inputArgs.runs.map((r) => [r.variant ?? 'base', r]));
  const names = inputArgs.runs.map((r) => r.variant ?? 'base');
  const stream = modelSheets(inputArgs.rules, inputArgs.scenario, names, async (n) => byName.get(n)!);
  const sheets: Sheet[] = [];
  const highlights: Record<string, Highlight[]> = {};
  for await (const m of stream.sheets) {
    sheets.push(m.sheet);
    if (m.highlights.length) highlights[m.sheet.name] = m.highlights;
  }
  const workbook: Workbook = { ...(await stream.meta), sheets };
  recalculate(workbook);
  return { workbook, highlights };
}

/**
 * The model's sheets, produced one at a time: Summary, Compare, Assumptions and Rate card first,
 * then each run's Demand, Ledger and Lots, computed (cached values included) and released before
 * the next run. Every run is forecast twice: once for the summary, once for its sheets.
 */
export function modelSheets(
  rules: RuleSet,
  scenario: Scenario,
  runNames: readonly string[],
  forecastRun: (name: string) => Promise<ForecastResult>,
): { sheets: AsyncGenerator<ModelSheet>; meta: Promise<Omit<Workbook, 'sheets'>> } {
  let resolveMeta!: (m: Omit<Workbook, 'sheets'>) => void;
  const meta = new Promise<Omit<Workbook, 'sheets'>>((r) => (resolveMeta = r));
  const single = runNames.length === 1;
  const taken = new Set<string>();
  const names = new Set<string>();
  const sheetNames = new Map<string, string>();
  const runSheet = (kind: string, run: string) => {
    const k = `${kind}\u0000${run}`;
    let n = sheetNames.get(k);
    if (n === undefined) sheetNames.set(k, (n = sheetName(single ? kind : `${kind} · ${run}`, taken)));
    return n;
  };
  const summaryName = sheetName('Summary', taken);
  const assumptionsName = sheetName('Assumptions', taken);
  const rateName = sheetName('Rate card', taken);
  const compareName = single ? undefined : sheetName('Compare', taken);

  const assumptionRows: Cell[][] = [];
  const assumptionCols: Column[] = [{ key: 'input', title: 'Input', width: 44 }, ...runNames.map((r) => ({ key: r, title: r, width: 18 }))];
  const assumption = new Map<string, number>();
  const given = new Map<string, Formula>();
  /** Adds an input row (or reuses it) and sets this run's value; returns the defined name (the same one every time). */
  const addInput = (runIndex: number, label: string, value: Cell['v'], fmt: Fmt, keyParts: string[]): Formula => {
    const known = given.get(`${runIndex}\u0000${label}`);
    if (known) return known;
    let r = assumption.get(label);
    if (r === undefined) {
      r = assumptionRows.length + 1;
      assumption.set(label, r);
      assumptionRows.push([val(label, 'text'), ...runNames.map(() => val(null))]);
    }
    let out: Formula;
    if (typeof value !== 'number') {
      // Text describes the run; only numbers drive the formulas.
      assumptionRows[r - 1]![runIndex + 1] = val(value, fmt);
      out = f.str(String(value));
    } else {
      const nm = definedName([runNames[runIndex]!, ...keyParts], names);
      assumptionRows[r - 1]![runIndex + 1] = input(value, fmt, nm);
      out = f.name(nm);
    }
    given.set(`${runIndex}\u0000${label}`, out);
    return out;
  };

  async function* produce(): AsyncGenerator<ModelSheet> {
    // Pass 1: every run's inputs and totals.
    const infos: RunInfo[] = [];
    const noRate: RateSheet = { sheet: { name: rateName, columns: [], rows: [] }, cellFor: () => undefined };
    for (const [ri, name] of runNames.entries()) {
      const run = await forecastRun(name);
      const built = buildRun(ri, run, noRate);
      infos.push(built.info);
    }
    const uses = infos.flatMap((i) => i.versionUses);
    const rate = await rateCardSheet(rules, uses, rateName);
    const summary = summarySheet(summaryName, infos);
    const versions = new Map<string, string>();
    for (const v of uses) versions.set(`${v.kind}:${v.id}@${v.version}`, '');
    resolveMeta({
      title: `${scenario.id}${single ? ` — ${runNames[0]!}` : ''}`,
      currency: infos[0]?.currency ?? scenario.currency ?? 'USD',
      properties: {
        scenario: `${scenario.id} v${scenario.version}`,
        runs: runNames.join(', '),
        rules: [...versions.keys()].join(' '),
        engine: `@creditbook/engine ${ENGINE_VERSION}`,
      },
    });
    yield { sheet: summary.sheet, highlights: [] };
    if (compareName) yield { sheet: compareSheet(compareName, summaryName, summary.metrics, runNames, summary.values), highlights: [] };
    const assumptionsSheet: Sheet = { name: assumptionsName, columns: assumptionCols, rows: [header(assumptionCols), ...assumptionRows], frozen: 1 };
    yield { sheet: assumptionsSheet, highlights: [] };
    recalculate({ title: '', properties: {}, sheets: [rate.sheet] });
    yield { sheet: rate.sheet, highlights: [] };
    // Pass 2: each run's sheets, computed with the inputs and rate card they read, then let go.
    for (const [ri, name] of runNames.entries()) {
      const run = await forecastRun(name);
      const built = buildRun(ri, run, rate);
      recalculate({ title: '', properties: {}, sheets: [assumptionsSheet, rate.sheet, ...built.sheets.map((m) => m.sheet)] });
      yield* built.sheets;
    }
  }

  function buildRun(ri: number, run: ForecastResult, rate: RateSheet): { sheets: ModelSheet[]; info: RunInfo } {
    const highlights: Record<string, Highlight[]> = {};
    const runName = run.variant ?? 'base';
    const eff = applyVariant(scenario, run.variant);
    const cal: Calendar = calendar(scenario.start, scenario.horizon, scenario.granularity ?? 'month');
    const H = cal.horizon;
    const pins = eff.rules.pins ?? {};
    const catAt = (i: number) => rules.resolve('PlanCatalog', eff.plan.catalog, cal.date(i), pins[eff.plan.catalog])!.doc;
    const polAt = (i: number) => rules.resolve('ValidityPolicy', eff.rules.validity, cal.date(i), pins[eff.rules.validity])!.doc;
    const order = polAt(0).burn_order ?? DEFAULT_ORDER;
    const demandName = runSheet('Demand', runName);
    const ledgerName = runSheet('Ledger', runName);
    const lotsName = runSheet('Lots', runName);

    // Pools in the order the engine reports them.
    const pools: string[] = [];
    for (const p of run.periods) if (!pools.includes(p.pool)) pools.push(p.pool);

    // ---- Inputs of this run.
    const tierId = eff.plan.subscription;
    const billing = eff.plan.billing ?? 'monthly';
    const cat0 = catAt(0);
    const tier: Subscription | undefined = tierId ? (cat0.subscriptions ?? []).find((t) => t.id === tierId) : undefined;
    addInput(ri, 'Plan catalog', eff.plan.catalog, 'text', ['catalog']);
    addInput(ri, 'Subscription tier', tierId ?? '(none)', 'text', ['tier']);
    addInput(ri, 'Billing', billing, 'text', ['billing']);
    const subPrice = tier ? addInput(ri, 'Subscription price per month', Number(tier.price_month), 'money', ['price_month']) : undefined;
    const subYear = tier && billing === 'annual'
      ? addInput(ri, 'Subscription price per year', Number(tier.price_year ?? Number(tier.price_month) * 12), 'money', ['price_year'])
      : undefined;
    const subCredits = tier ? addInput(ri, 'Subscription credits per month', tier.credits_per_month, 'credits', ['credits_per_month']) : undefined;
    const free = cat0.daily_free;
    const freeApplies = !!free && (eff.plan.daily_free ?? (tierId !== undefined && free.tiers.includes(tierId)));
    const freePerDay = free && freeApplies ? addInput(ri, 'Daily free credits per day', free.credits_per_day, 'credits', ['daily_free']) : undefined;
    const policy = eff.purchases.policy;
    addInput(ri, 'Purchase policy', policy, 'text', ['purchase_policy']);
    const autoOn = policy === 'auto' ? addInput(ri, 'Auto top-up on shortfall (1 = on, 0 = off)', 1, 'integer', ['auto_topup']) : undefined;
    const packInputs = new Map<string, { price: Formula; credits: Formula; pack: Pack }>();
    const packRef = (pack: Pack) => {
      let p = packInputs.get(pack.id);
      if (!p) {
        p = {
          pack,
          price: addInput(ri, `Pack ${pack.id}: price`, Number(pack.price), 'money', ['pack', pack.id, 'price']),
          credits: addInput(ri, `Pack ${pack.id}: credits`, pack.credits, 'credits', ['pack', pack.id, 'credits']),
        };
        packInputs.set(pack.id, p);
      }
      return p;
    };
    const validityInputs = new Map<string, { periods: number; name: Formula }>();
    const validityRef = (key: string, label: string, periods: number) => {
      let v = validityInputs.get(key);
      if (!v) {
        const unit = cal.granularity === 'day' ? 'days' : 'months';
        v = { periods, name: addInput(ri, `Validity of ${label} (${unit})`, periods, 'integer', ['validity', key]) };
        validityInputs.set(key, v);
      }
      return v.periods === periods ? v.name : undefined;
    };

    // ---- Lots, in the engine's creation order.
    const lots: LotRow[] = [];
    let seq = 0;
    const packSource = (cat: PlanCatalog, pack: Pack): LotSource =>
      (cat.api_packages ?? []).some((p) => p.id === pack.id) ? 'api_package' : (cat.custom_packages ?? []).some((p) => p.id === pack.id) ? 'custom_package' : 'top_up';
    const findPack = (cat: PlanCatalog, id: string) => [...(cat.top_ups ?? []), ...(cat.api_packages ?? []), ...(cat.custom_packages ?? [])].find((p) => p.id === id);
    const eligible = (pack: Pack) => !pack.eligible_tiers || (tierId !== undefined && pack.eligible_tiers.includes(tierId));
    const addLot = (i: number, pool: string, source: LotSource, ref: string, amount: Cell, price: Cell, validity: Validity | undefined, key: string, label: string, auto = false) => {
      const pol = polAt(i);
      const sp = pol.sources[source] ?? { priority: 99 };
      const periods = validity ? cal.validPeriods(validity, i) : undefined;
      const constant = periods !== undefined && (cal.granularity === 'month' || validity?.days !== undefined);
      lots.push({
        seq: ++seq, pool, source, ref, granted: i, lastValid: periods === undefined ? NEVER : i + periods - 1,
        validity: periods, validityName: constant ? key : undefined, priority: sp.priority, auto, amount, price, row: 0,
      });
      if (constant) validityRef(key, label, periods);
    };
    const scheduled = policy === 'scheduled' || policy === 'auto' ? (eff.purchases.scheduled ?? []) : [];
    const autoPack = new Map<string, Pack>();
    for (let i = 0; i < H; i++) {
      const cat = catAt(i);
      const pol = polAt(i);
      if (tier && cal.billingPeriod(i)) {
        const price = billing === 'annual' ? calc(f.div(subYear!, f.num(12)), 'money') : calc(subPrice!, 'money');
        if (tier.credits_per_month > 0) {
          addLot(i, tier.pool, 'subscription', tier.id, calc(subCredits!, 'credits'), price, pol.sources.subscription?.validity, 'subscription', 'subscription credits');
        }
      }
      if (free && freeApplies && free.credits_per_day > 0) {
        addLot(i, free.pool, 'daily_free', 'daily_free', calc(f.mul(freePerDay!, f.num(cal.days(i))), 'credits'), val(0, 'money'),
          pol.sources.daily_free?.validity ?? { days: 1 }, 'daily_free', 'daily free credits');
      }
      for (const g of eff.grants) {
        if (g.credits === 0 || cal.index(g.period) !== i) continue;
        addLot(i, g.pool, 'promotional', 'promotional', input(g.credits, 'credits'), val(0, 'money'), pol.sources.promotional?.validity, 'promotional', 'promotional credits');
      }
      for (const sp of scheduled) {
        const first = cal.index(sp.period);
        const due = sp.every ? i >= first && (i - first) % sp.every === 0 : i === first;
        if (!due) continue;
        const pack = findPack(cat, sp.pack);
        if (!pack || !eligible(pack)) continue;
        const q = sp.quantity ?? 1;
        const p = packRef(pack);
        const src = packSource(cat, pack);
        const spol = pol.sources[src] ?? { priority: 99 };
        const validity = spol.per_package ? (pack.validity ?? spol.validity) : (spol.validity ?? pack.validity);
        addLot(i, pack.pool, src, pack.id, calc(f.mul(f.num(q), p.credits), 'credits'), calc(f.mul(f.num(q), p.price), 'money'), validity, pack.id, `pack ${pack.id}`);
      }
      if (policy === 'auto') {
        for (const pool of pools) {
          const packId = eff.purchases.packs?.[pool] ?? eff.purchases.pack;
          const pack = packId === undefined ? undefined : findPack(cat, packId);
          if (!pack || pack.pool !== pool || !eligible(pack)) continue;
          autoPack.set(pool, pack);
          packRef(pack);
          const src = packSource(cat, pack);
          const spol = pol.sources[src] ?? { priority: 99 };
          const validity = spol.per_package ? (pack.validity ?? spol.validity) : (spol.validity ?? pack.validity);
          // Amount and price are formulas over the ledger's packs bought, filled in below.
          addLot(i, pool, src, pack.id, val(0, 'credits'), val(0, 'money'), validity, pack.id, `pack ${pack.id}`, true);
        }
      }
    }

    // ---- Demand sheet: one row per period and demand line, grouped by pool then period.
    const demandCols: Column[] = [
      { key: 'period', title: 'Period', fmt: 'period', width: 11 },
      { key: 'n', title: 'Period #', fmt: 'integer', width: 9 },
      { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
      { key: 'line', title: 'Demand line', fmt: 'text', width: 26 },
      { key: 'request', title: 'Request', fmt: 'text', width: 52 },
      { key: 'card', title: 'Card', fmt: 'text', width: 20 },
      { key: 'count', title: 'Count', fmt: 'integer', width: 10 },
      { key: 'cpu', title: 'Credits per unit', fmt: 'credits', width: 16 },
      { key: 'credits', title: 'Credits', fmt: 'credits', width: 14 },
      { key: 'spu', title: 'Seconds per unit', fmt: 'number', width: 16 },
      { key: 'seconds', title: 'Seconds', fmt: 'number', width: 12 },
    ];
    const poolOrder = (p: string) => pools.indexOf(p);
    const demand = [...run.demand].map((d, k) => ({ d, k, i: cal.index(d.period) }))
      .sort((a, b) => poolOrder(a.d.pool) - poolOrder(b.d.pool) || a.i - b.i || a.k - b.k);
    const demandRows: Cell[][] = [header(demandCols)];
    const demandRange = new Map<string, [number, number]>(); // pool|i -> first,last sheet row
    for (const { d, i } of demand) {
      const r = demandRows.length;
      const key = `${d.pool}|${i}`;
      const span = demandRange.get(key);
      demandRange.set(key, span ? [span[0], r] : [r, r]);
      const cpu = rate.cellFor(d.card.id, d.card.version, d.request);
      const dur = Number(d.request['duration_s']);
      demandRows.push([
        val(d.period, 'period'), val(i + 1, 'integer'), val(d.pool, 'text'), val(d.line, 'text'), val(describe(d.request), 'text'),
        val(`${d.card.id} v${d.card.version}`, 'text'), input(d.count, 'integer'),
        cpu ? calc(cpu, 'credits') : { v: d.credits_per_unit, fmt: 'credits', note: 'Priced by a rate card formula that does not translate to Excel: exported as a value.' },
        calc(f.mul(f.ref(r, 6), f.ref(r, 7)), 'credits'),
        val(Number.isFinite(dur) ? dur : 0, 'number'),
        calc(f.mul(f.ref(r, 6), f.ref(r, 9)), 'number'),
      ]);
    }

    // ---- Lots sheet layout: per pool, lots in burn order.
    const key = (l: LotRow, k: BurnKey) => (k === 'last_valid_period' ? l.lastValid : k === 'priority' ? l.priority : k === 'granted_period' ? l.granted : l.seq);
    const byBurn = (a: LotRow, b: LotRow) => {
      for (const k of order) {
        const d = key(a, k) - key(b, k);
        if (d !== 0) return d;
      }
      return 0;
    };
    const FIRST = 11; // first draw column
    const OWN = FIRST + H; // the auto lot's draw in the period it was bought
    const CONSUMED = OWN + 1;
    const EXPIRED = OWN + 2;
    const REMAINING = OWN + 3;
    const EV = OWN + 4;
    const LEFT = OWN + 5; // first column of the credits-left-at-the-end-of-each-period grid
    const lotCols: Column[] = [
      { key: 'lot', title: 'Lot', fmt: 'text', width: 16 },
      { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
      { key: 'source', title: 'Source', fmt: 'text', width: 14 },
      { key: 'ref', title: 'From', fmt: 'text', width: 16 },
      { key: 'granted_period', title: 'Granted', fmt: 'period', width: 11 },
      { key: 'g', title: 'Granted #', fmt: 'integer', width: 10 },
      { key: 'validity', title: 'Validity', fmt: 'integer', width: 9 },
      { key: 'lv', title: 'Last valid #', fmt: 'integer', width: 11 },
      { key: 'priority', title: 'Priority', fmt: 'integer', width: 9 },
      { key: 'amount', title: 'Amount', fmt: 'credits', width: 12 },
      { key: 'price', title: 'Price', fmt: 'money', width: 12 },
      ...Array.from({ length: H }, (_, i) => ({ key: `d${i}`, title: cal.label(i), fmt: 'credits' as const, width: 10 })),
      { key: 'own', title: 'Drawn when bought', fmt: 'credits', width: 12 },
      { key: 'consumed', title: 'Consumed', fmt: 'credits', width: 12 },
      { key: 'expired', title: 'Expired', fmt: 'credits', width: 12 },
      { key: 'remaining', title: 'Remaining', fmt: 'credits', width: 12 },
      { key: 'ev', title: 'Expired value', fmt: 'money', width: 13 },
      ...Array.from({ length: H }, (_, i) => ({ key: `left${i}`, title: `Left ${cal.label(i)}`, fmt: 'credits' as const, width: 11 })),
    ];
    const lotRows: Cell[][] = [header(lotCols)];
    const blocks = new Map<string, [number, number]>();
    for (const pool of pools) {
      const mine = lots.filter((l) => l.pool === pool).sort(byBurn);
      const start = lotRows.length;
      for (const l of mine) {
        l.row = lotRows.length;
        lotRows.push([]);
      }
      if (mine.length > 0) blocks.set(pool, [start, lotRows.length - 1]);
    }

    // ---- Ledger sheet: per pool and period.
    const L = { period: 0, n: 1, pool: 2, opening: 3, granted: 4, purchased: 5, demand: 6, drawn: 7, shortfall: 8, packs: 9, autoDraw: 10, consumed: 11, expired: 12, closing: 13, unmet: 14, spend: 15, ev: 16, soon: 17 };
    const ledgerCols: Column[] = [
      { key: 'period', title: 'Period', fmt: 'period', width: 11 },
      { key: 'n', title: 'Period #', fmt: 'integer', width: 9 },
      { key: 'pool', title: 'Pool', fmt: 'text', width: 10 },
      { key: 'opening', title: 'Opening', fmt: 'credits', width: 12 },
      { key: 'granted', title: 'Granted', fmt: 'credits', width: 12 },
      { key: 'purchased', title: 'Purchased', fmt: 'credits', width: 12 },
      { key: 'demand', title: 'Demand', fmt: 'credits', width: 12 },
      { key: 'drawn', title: 'Drawn from lots', fmt: 'credits', width: 14 },
      { key: 'shortfall', title: 'Shortfall', fmt: 'credits', width: 12 },
      { key: 'packs', title: 'Packs bought', fmt: 'integer', width: 12 },
      { key: 'auto_draw', title: 'Drawn from new packs', fmt: 'credits', width: 14 },
      { key: 'consumed', title: 'Consumed', fmt: 'credits', width: 12 },
      { key: 'expired', title: 'Expired', fmt: 'credits', width: 12 },
      { key: 'closing', title: 'Closing', fmt: 'credits', width: 12 },
      { key: 'unmet', title: 'Unmet', fmt: 'credits', width: 10 },
      { key: 'spend', title: 'Spend', fmt: 'money', width: 12 },
      { key: 'expired_value', title: 'Expired value', fmt: 'money', width: 13 },
      { key: 'expiring_soon', title: 'Expiring within 2 periods', fmt: 'credits', width: 14 },
    ];
    const ledgerRows: Cell[][] = [header(ledgerCols)];
    const ledgerRow = new Map<string, number>(); // pool|i -> sheet row
    for (const pool of pools) for (let i = 0; i < H; i++) {
      ledgerRow.set(`${pool}|${i}`, ledgerRows.length);
      ledgerRows.push([]);
    }
    const lref = (pool: string, i: number, col: number) => f.ref(ledgerRow.get(`${pool}|${i}`)!, col, ledgerName);

    // Lot rows.
    for (const l of lots) {
      const r = l.row;
      const [b0] = blocks.get(l.pool)!;
      const pack = l.auto ? autoPack.get(l.pool)! : undefined;
      if (l.auto) {
        const p = packRef(pack!);
        l.amount = calc(f.mul(lref(l.pool, l.granted, L.packs), p.credits), 'credits');
        l.price = calc(f.mul(lref(l.pool, l.granted, L.packs), p.price), 'money');
      }
      const vname = l.validityName ? validityInputs.get(l.validityName) : undefined;
      const validityCell: Cell = l.validity === undefined ? val(null) : vname && vname.periods === l.validity ? calc(vname.name, 'integer') : val(l.validity, 'integer');
      const lastValid: Cell = l.validity === undefined
        ? { v: NEVER, fmt: 'integer', note: 'Never expires.' }
        : validityCell.f
          ? calc(f.sub(f.add(f.ref(r, 5), f.ref(r, 6)), f.num(1)), 'integer')
          : { v: l.lastValid + 1, fmt: 'integer', note: 'Validity in calendar months on daily periods: the last valid day is fixed at export.' };
      const cells: Cell[] = [
        val(l.auto ? `auto ${l.ref} ${cal.label(l.granted)}` : `${l.ref} ${cal.label(l.granted)}`, 'text'), val(l.pool, 'text'), val(l.source, 'text'), val(l.ref, 'text'),
        val(cal.label(l.granted), 'period'), val(l.granted + 1, 'integer'), validityCell, lastValid, val(l.priority, 'integer'), l.amount, l.price,
      ];
      for (let i = 0; i < H; i++) {
        const usableFrom = l.auto ? l.granted + 1 : l.granted;
        if (i < usableFrom) {
          cells.push(val(0, 'credits'));
          continue;
        }
        // What the lot has left before this period, and what demand still needs after the lots above it.
        const used = i > l.granted ? f.fn('SUM', f.range(r, FIRST + l.granted, r, FIRST + i - 1)) : f.num(0);
        const left = f.sub(f.sub(f.ref(r, 9), used), f.ref(r, OWN));
        const need = r > b0 ? f.sub(lref(l.pool, i, L.demand), f.fn('SUM', f.range(b0, FIRST + i, r - 1, FIRST + i))) : lref(l.pool, i, L.demand);
        const usable = f.fn('AND', f.cmp('>=', f.num(i + 1), f.ref(r, 5)), f.cmp('<=', f.num(i + 1), f.ref(r, 7)));
        cells.push(calc(f.fn('IF', usable, f.fn('MIN', left, need), f.num(0)), 'credits'));
      }
      cells.push(l.auto ? calc(lref(l.pool, l.granted, L.autoDraw), 'credits') : val(0, 'credits'));
      cells.push(calc(f.add(f.fn('SUM', f.range(r, FIRST, r, FIRST + H - 1)), f.ref(r, OWN)), 'credits'));
      cells.push(calc(f.fn('IF', f.cmp('<=', f.ref(r, 7), f.num(H)), f.sub(f.ref(r, 9), f.ref(r, CONSUMED)), f.num(0)), 'credits'));
      cells.push(calc(f.sub(f.sub(f.ref(r, 9), f.ref(r, CONSUMED)), f.ref(r, EXPIRED)), 'credits'));
      cells.push(calc(f.fn('IF', f.cmp('=', f.ref(r, 9), f.num(0)), f.num(0), f.div(f.mul(f.ref(r, EXPIRED), f.ref(r, 10)), f.ref(r, 9))), 'money'));
      for (let i = 0; i < H; i++) {
        if (i < l.granted) {
          cells.push(val(0, 'credits'));
          continue;
        }
        // Left after the draws of period i, before it expires: nothing before the lot exists or after its last valid period.
        const gone = f.fn('OR', f.cmp('<', f.num(i + 1), f.ref(r, 5)), f.cmp('>', f.num(i + 1), f.ref(r, 7)));
        const left = f.sub(f.sub(f.ref(r, 9), f.ref(r, OWN)), f.fn('SUM', f.range(r, FIRST, r, FIRST + i)));
        cells.push(calc(f.fn('IF', gone, f.num(0), left), 'credits'));
      }
      lotRows[r] = cells;
    }

    // Ledger rows.
    for (const pool of pools) {
      const block = blocks.get(pool);
      const pack = autoPack.get(pool);
      for (let i = 0; i < H; i++) {
        const r = ledgerRow.get(`${pool}|${i}`)!;
        const c = (col: number) => f.ref(r, col);
        const here = lots.filter((l) => l.pool === pool && l.granted === i);
        const granted = here.filter((l) => l.source === 'subscription' || l.source === 'daily_free' || l.source === 'promotional');
        const bought = here.filter((l) => l.source !== 'subscription' && l.source !== 'daily_free' && l.source !== 'promotional');
        const span = demandRange.get(`${pool}|${i}`);
        const demandF = span ? f.fn('SUM', f.range(span[0], 8, span[1], 8, demandName)) : f.num(0);
        const drawn = block ? f.fn('SUM', f.range(block[0], FIRST + i, block[1], FIRST + i, lotsName)) : f.num(0);
        const packsF = pack
          ? f.fn('IF', f.fn('AND', f.cmp('=', autoOn!, f.num(1)), f.cmp('>', c(L.shortfall), f.num(0))), f.fn('ROUNDUP', f.div(c(L.shortfall), packRef(pack).credits), f.num(0)), f.num(0))
          : f.num(0);
        const autoDrawF = pack ? f.fn('MIN', f.mul(c(L.packs), packRef(pack).credits), c(L.shortfall)) : f.num(0);
        const spendRefs: Formula[] = bought.map((l) => f.ref(l.row, 10, lotsName));
        if (tier && tier.pool === pool && cal.billingPeriod(i)) {
          // Which billing this is: monthly pays each period, annual every twelfth billing.
          const nth = countBillings(cal, i);
          if (billing === 'monthly') spendRefs.unshift(subPrice!);
          else if (nth % 12 === 0) spendRefs.unshift(subYear!);
        }
        const evRange = block ? f.fn('SUMIF', f.range(block[0], 7, block[1], 7, lotsName), f.num(i + 1), f.range(block[0], EV, block[1], EV, lotsName)) : f.num(0);
        const expRange = block ? f.fn('SUMIF', f.range(block[0], 7, block[1], 7, lotsName), f.num(i + 1), f.range(block[0], EXPIRED, block[1], EXPIRED, lotsName)) : f.num(0);
        ledgerRows[r] = [
          val(cal.label(i), 'period'), val(i + 1, 'integer'), val(pool, 'text'),
          i === 0 ? val(0, 'credits') : calc(f.ref(r - 1, L.closing), 'credits'),
          calc(sum(granted.map((l) => f.ref(l.row, 9, lotsName))), 'credits'),
          calc(sum(bought.map((l) => f.ref(l.row, 9, lotsName))), 'credits'),
          calc(demandF, 'credits'),
          calc(drawn, 'credits'),
          calc(f.sub(c(L.demand), c(L.drawn)), 'credits'),
          calc(packsF, 'integer'),
          calc(autoDrawF, 'credits'),
          calc(f.add(c(L.drawn), c(L.autoDraw)), 'credits'),
          calc(expRange, 'credits'),
          calc(f.sub(f.sub(f.add(c(L.opening), c(L.granted), c(L.purchased)), c(L.consumed)), c(L.expired)), 'credits'),
          calc(f.sub(c(L.demand), c(L.consumed)), 'credits'),
          calc(sum(spendRefs), 'money'),
          calc(f.fn('ROUND', evRange, f.num(2)), 'money'),
          // Credits left after the period's draws in lots whose last valid period is this one or the next.
          block
            ? calc(f.fn('SUMIF', f.range(block[0], 7, block[1], 7, lotsName), f.str(`<=${i + 2}`), f.range(block[0], LEFT + i, block[1], LEFT + i, lotsName)), 'credits')
            : val(0, 'credits'),
        ];
      }
    }

    const a1col = (c: number) => colName(c);
    highlights[ledgerName] = [
      { ref: `A2:${a1col(ledgerCols.length - 1)}${ledgerRows.length}`, formula: `$${a1col(L.unmet)}2>0`, colour: 'red', note: 'demand no credit covers' },
      { ref: `${a1col(L.soon)}2:${a1col(L.soon)}${ledgerRows.length}`, formula: `$${a1col(L.soon)}2>0`, colour: 'amber', note: 'credits that expire within two periods' },
    ];
    highlights[lotsName] = [
      {
        ref: `A2:${a1col(lotCols.length - 1)}${lotRows.length}`,
        formula: `AND($${a1col(REMAINING)}2>0,$H2<=${H + 2})`,
        colour: 'amber',
        note: 'credits left that expire within two periods after the horizon',
      },
    ];
    const demandSheet: Sheet = { name: demandName, columns: demandCols, rows: demandRows, frozen: 1 };
    const ledgerSheet: Sheet = { name: ledgerName, columns: ledgerCols, rows: ledgerRows, frozen: 1 };
    const lotsSheet: Sheet = { name: lotsName, columns: lotCols, rows: lotRows, frozen: 1 };
    return {
      sheets: [
        { sheet: demandSheet, highlights: [] },
        { sheet: ledgerSheet, highlights: highlights[ledgerName] ?? [] },
        { sheet: lotsSheet, highlights: highlights[lotsName] ?? [] },
      ],
      info: {
        name: runName, ledger: ledgerName, demand: demandName, ledgerRows: ledgerRows.length - 1, demandRows: demandRows.length - 1,
        versions: run.versions.map((x) => `${x.id} v${x.version}`).join(', '), totals: run.totals, versionUses: run.versions, currency: run.currency,
      },
    };
  }

  return { sheets: produce(), meta };
}

type SummaryRef = RunInfo;
type Metric = [string, Fmt, (ref: SummaryRef, row: (label: string) => Formula) => Formula, (t: ForecastResult['totals']) => Cell['v']];

const METRICS = (col: (ref: SummaryRef, sheet: 'ledger' | 'demand', c: number) => Formula): Metric[] => [
  ['Credits granted', 'credits', (x) => col(x, 'ledger', 4), (t) => t.granted],
  ['Credits purchased', 'credits', (x) => col(x, 'ledger', 5), (t) => t.purchased],
  ['Credits consumed', 'credits', (x) => col(x, 'ledger', 11), (t) => t.consumed],
  ['Credits expired', 'credits', (x) => col(x, 'ledger', 12), (t) => t.expired],
  ['Demand unmet (credits)', 'credits', (x) => col(x, 'ledger', 14), (t) => t.unmet],
  ['Demand (credits)', 'credits', (x) => col(x, 'ledger', 6), (t) => t.demand],
  ['Spend', 'money', (x) => col(x, 'ledger', 15), (t) => Number(t.spend)],
  ['Breakage value (expired at cost)', 'money', (x) => col(x, 'ledger', 16), (t) => Number(t.expired_value)],
  ['Output seconds', 'number', (x) => (x.demandRows > 0 ? col(x, 'demand', 10) : f.num(0)), (t) => t.output_seconds],
  ['Effective cost per credit consumed', 'ratio', (_x, row) => f.fn('IF', f.cmp('=', row('Credits consumed'), f.num(0)), f.str(''), f.div(row('Spend'), row('Credits consumed'))),
    (t) => (t.consumed === 0 ? '' : Number(t.spend) / t.consumed)],
  ['Effective cost per output second', 'ratio', (_x, row) => f.fn('IF', f.cmp('=', row('Output seconds'), f.num(0)), f.str(''), f.div(row('Spend'), row('Output seconds'))),
    (t) => (t.output_seconds === 0 ? '' : Number(t.spend) / t.output_seconds)],
  ['Utilisation (consumed ÷ available)', 'percent', (_x, row) =>
    f.fn('IF', f.cmp('=', f.add(row('Credits granted'), row('Credits purchased')), f.num(0)), f.num(0), f.div(row('Credits consumed'), f.add(row('Credits granted'), row('Credits purchased')))),
    (t) => (t.granted + t.purchased === 0 ? 0 : t.consumed / (t.granted + t.purchased))],
];

/** Summary: per run, totals over its ledger and demand, with the engine's totals as cached values. */
function summarySheet(name: string, infos: readonly RunInfo[]): { sheet: Sheet; metrics: [string, Fmt][]; values: Cell['v'][][] } {
  const cols: Column[] = [{ key: 'metric', title: 'Metric', width: 40 }, ...infos.map((r) => ({ key: r.name, title: r.name, width: 18 }))];
  const col = (ref: SummaryRef, sheet: 'ledger' | 'demand', c: number) =>
    f.fn('SUM', f.range(1, c, Math.max(1, sheet === 'ledger' ? ref.ledgerRows : ref.demandRows), c, sheet === 'ledger' ? ref.ledger : ref.demand));
  const metrics = METRICS(col);
  const rows: Cell[][] = [header(cols)];
  const metricRow = (label: string) => metrics.findIndex((x) => x[0] === label) + 1;
  const values: Cell['v'][][] = [];
  for (const [label, fmt, make, cached] of metrics) {
    const vs = infos.map((x) => cached(x.totals));
    values.push(vs);
    rows.push([val(label, 'text'), ...infos.map((x, k) => ({ ...calc(make(x, (l) => f.ref(metricRow(l), k + 1)), fmt), v: vs[k]! }))]);
  }
  rows.push([val('Rule versions used', 'text'), ...infos.map((x) => val(x.versions, 'text'))]);
  return { sheet: { name, columns: cols, rows, frozen: 1 }, metrics: metrics.map((m): [string, Fmt] => [m[0], m[1]]), values };
}

function colName(c: number): string {
  let s = '';
  for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** How many billings came before period i (0 for the first). */
function countBillings(cal: Calendar, i: number): number {
  let n = 0;
  for (let k = 0; k < i; k++) if (cal.billingPeriod(k)) n++;
  return n;
}

function compareSheet(name: string, summary: string, metrics: [string, Fmt][], runs: readonly string[], values: Cell['v'][][]): Sheet {
  const cols: Column[] = [
    { key: 'metric', title: 'Metric', width: 40 },
    ...runs.map((r) => ({ key: r, title: r, width: 16 })),
    ...runs.slice(1).map((r) => ({ key: `d-${r}`, title: `Δ ${r}`, width: 16 })),
  ];
  const rows: Cell[][] = [header(cols)];
  metrics.forEach(([label, fmt], m) => {
    const r = m + 1;
    const vs = values[m] ?? [];
    const cells: Cell[] = [val(label, 'text')];
    runs.forEach((_, k) => cells.push({ ...calc(f.ref(r, k + 1, summary), fmt), v: vs[k] ?? null }));
    runs.slice(1).forEach((_, k) => {
      const delta = f.sub(f.ref(r, k + 2), f.ref(r, 1));
      const a = vs[k + 1];
      const b = vs[0];
      const v = typeof a === 'number' && typeof b === 'number' ? a - b : '';
      // Ratios may be blank (nothing consumed); their delta is blank too.
      cells.push({ ...calc(fmt === 'ratio' ? f.fn('IFERROR', delta, f.str('')) : delta, fmt), v });
    });
    rows.push(cells);
  });
  return { name, columns: cols, rows, frozen: 1 };
}

interface RateSheet {
  sheet: Sheet;
  /** The price grid cell of a request on a card version, or undefined when the grid has none. */
  cellFor(card: string, version: number, request: Readonly<Record<string, DimensionValue>>): Formula | undefined;
}

async function rateCardSheet(rules: RuleSet, uses: ForecastResult['versions'], name: string): Promise<RateSheet> {
  const used = new Map<string, RateCard>();
  for (const v of uses) {
    if (v.kind !== 'RateCard') continue;
    const doc = rules.get('RateCard', v.id, v.version)?.doc;
    if (doc) used.set(`${v.id}@${v.version}`, doc);
  }
  const cols: Column[] = [
    { key: 'card', title: 'Card', fmt: 'text', width: 20 },
    { key: 'version', title: 'Version', fmt: 'integer', width: 9 },
    { key: 'effective', title: 'Effective from', fmt: 'date', width: 14 },
    { key: 'what', title: 'Parameter or request', fmt: 'text', width: 60 },
    { key: 'value', title: 'Credits', fmt: 'credits', width: 12 },
  ];
  const rows: Cell[][] = [header(cols)];
  const grid = new Map<string, Formula>();
  for (const card of [...used.values()].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version)) {
    const lookup = cellLookup(card);
    const leaf = new Map<string, number>(); // parameter path -> row
    rows.push([val(card.id, 'text'), val(card.version, 'integer'), val(card.effective_from, 'date'), val(card.title ?? `${card.id} v${card.version}`, 'text'), val(null)]);
    if (lookup) {
      const walk = (node: unknown, path: string[]) => {
        if (typeof node === 'number') {
          leaf.set(path.join('\u0000'), rows.length);
          rows.push([val(card.id, 'text'), val(card.version, 'integer'), val(card.effective_from, 'date'), val(`$${lookup.table} › ${path.slice(1).join(' › ')}`, 'text'), input(node, 'number')]);
          return;
        }
        if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      };
      walk(card.parameters?.[lookup.table], [lookup.table]);
    }
    const prices = await priceGrid(card);
    const compiled = compileCard(card);
    const scale = card.unit?.scale ?? 1;
    const rounding = card.rounding ?? 'ceil';
    for (const { request, credits } of prices.values()) {
      const norm = compiled.normalize(request);
      if (!norm.ok) continue;
      const r = rows.length;
      let cell: Cell = { v: credits, fmt: 'credits', note: 'Evaluated from the card’s JSONata formula, which does not translate to Excel: a value.' };
      if (lookup) {
        const at = leaf.get([lookup.table, ...lookup.keys.map((k) => String(norm.request[k]))].join('\u0000'));
        if (at !== undefined && (rounding === 'exact' || rounding === 'ceil')) {
          const scaled = scale === 1 ? f.ref(at, 4) : f.mul(f.ref(at, 4), f.num(scale));
          cell = calc(rounding === 'ceil' ? f.fn('ROUNDUP', f.fn('ROUND', scaled, f.num(9)), f.num(0)) : scaled, 'credits');
        }
      }
      rows.push([val(card.id, 'text'), val(card.version, 'integer'), val(card.effective_from, 'date'), val(describe(norm.request), 'text'), cell]);
      grid.set(`${card.id}@${card.version}|${JSON.stringify(sortKeys(norm.request))}`, f.ref(r, 4, name));
    }
  }
  return {
    sheet: { name, columns: cols, rows, frozen: 1 },
    cellFor: (card, version, request) => grid.get(`${card}@${version}|${JSON.stringify(sortKeys(request))}`),
  };
}

function sortKeys(r: Readonly<Record<string, DimensionValue>>): Record<string, DimensionValue> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}
