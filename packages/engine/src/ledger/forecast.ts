import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import { compileCard, type CompiledCard, type Priced } from '../quote/card.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { BurnKey, LotSource, Money, Pack, PlanCatalog, RateCard, RuleDocument, Scenario, SourcePolicy, Subscription, Validity, ValidityPolicy } from '../rules/types.ts';
import { calendar, type Calendar } from './calendar.ts';
import { demandStreams } from './demand.ts';
import { D, ZERO, cents, money, type Dec } from './money.ts';
import type { DemandRow, ForecastProblem, ForecastResult, LotResult, PeriodRow, Totals, VersionUse } from './types.ts';
import { applyVariant, type EffectiveScenario } from './variant.ts';

export const DEFAULT_BURN_ORDER: readonly BurnKey[] = ['last_valid_period', 'priority', 'granted_period', 'lot_id'];
const NEVER = Number.MAX_SAFE_INTEGER;

interface Lot {
  seq: number;
  pool: string;
  source: LotSource;
  ref: string;
  amount: number;
  granted: number;
  lastValid: number;
  priority: number;
  /** The price as micro-units of the currency when exact, else undefined (see `price`). */
  priceMicro: number | undefined;
  /** The exact price, made on demand: `unit × times ÷ per`. */
  unit: Money;
  times: number;
  per: number;
  price: Dec | undefined;
  remaining: number;
  consumed: number;
  expired: number;
  draws: { period: number; credits: number }[] | undefined;
}

const compiledCards = new WeakMap<RateCard, CompiledCard>();
/** The compiled form of a card, made once per loaded card. */
export function compiledCard(card: RateCard): CompiledCard {
  let c = compiledCards.get(card);
  if (!c) {
    c = compileCard(card);
    compiledCards.set(card, c);
  }
  return c;
}

function lotId(seq: number): string {
  return `L${String(seq).padStart(4, '0')}`;
}

const BURN_KEYS: Record<BurnKey, (a: Lot, b: Lot) => number> = {
  last_valid_period: (a, b) => a.lastValid - b.lastValid,
  priority: (a, b) => a.priority - b.priority,
  granted_period: (a, b) => a.granted - b.granted,
  lot_id: (a, b) => a.seq - b.seq,
};

const byDefaultOrder = (a: Lot, b: Lot) => a.lastValid - b.lastValid || a.priority - b.priority || a.granted - b.granted || a.seq - b.seq;
const comparators = new WeakMap<readonly BurnKey[], (a: Lot, b: Lot) => number>();

/** The burn order as one comparison: soonest last valid period, priority, oldest grant, lot id (or as a policy orders them). */
function comparator(order: readonly BurnKey[]): (a: Lot, b: Lot) => number {
  let c = comparators.get(order);
  if (!c) {
    if (order.join() === DEFAULT_BURN_ORDER.join()) c = byDefaultOrder;
    else {
      const [k1, k2, k3, k4] = order.map((k) => BURN_KEYS[k]);
      c = (a, b) => k1!(a, b) || k2!(a, b) || k3!(a, b) || k4!(a, b);
    }
    comparators.set(order, c);
  }
  return c;
}

function ratio(num: Dec, den: Dec): string | null {
  return den.isZero() ? null : num.div(den).toDecimalPlaces(4, D.ROUND_HALF_UP).toFixed(4);
}

function emptyTotals(): Totals {
  return {
    granted: 0, purchased: 0, consumed: 0, expired: 0, unmet: 0, demand: 0,
    spend: '0.00', expired_value: '0.00', output_seconds: 0, utilisation: '0.0000', cost_per_credit: null, cost_per_second: null,
  };
}

/** The most period × demand-line cells one forecast computes; beyond it a forecast is refused. */
export const MAX_FORECAST_CELLS = 1_000_000;

/** Refuses a scenario whose forecast would take minutes and gigabytes (the schema allows 3,660 periods × 1,000 lines). */
export function checkForecastSize(scenario: Scenario): void {
  const cells = scenario.horizon * Math.max(1, scenario.demand.length);
  if (cells > MAX_FORECAST_CELLS) {
    throw new CreditbookError([
      diagnostic({ code: 'C_TOO_LARGE', detail: `${scenario.id}: ${scenario.horizon} periods × ${scenario.demand.length} demand lines = ${cells} cells (limit ${MAX_FORECAST_CELLS})` }),
    ]);
  }
}

/** Forecasts a scenario (or one of its variants): the credit ledger per pool and period, with its lots. */
export async function forecast(rules: RuleSet, scenario: Scenario, options: { variant?: string | null } = {}): Promise<ForecastResult> {
  checkForecastSize(scenario);
  const eff = applyVariant(scenario, options.variant);
  const prepared = await prepare(rules, eff, true);
  return report(prepared, simulate(prepared, true));
}

/** The totals of one run of a sweep. */
export interface SweepRun {
  name: string;
  totals: Totals;
  problems: number;
}

/**
 * Forecasts many variants of one scenario for their totals only: the same ledger as `forecast`,
 * without the per-period rows, lots and demand lines it would report (nothing allocated per cell).
 * Rule resolution and pricing are shared across the runs.
 */
export async function sweep(rules: RuleSet, scenario: Scenario, variants: readonly string[]): Promise<SweepRun[]> {
  checkForecastSize(scenario);
  const out: SweepRun[] = [];
  const byName = new Map((scenario.variants ?? []).map((v) => [v.name, v] as const));
  for (const name of variants) {
    const v = byName.get(name);
    const eff = v ? applyVariant(scenario, name, v) : applyVariant(scenario, name);
    const prepared = await prepare(rules, eff, false);
    const sim = simulate(prepared, false);
    out.push({ name, totals: sim.totals, problems: prepared.problems.length + sim.problems.length });
  }
  return out;
}

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

/** Documents resolved for every period of a calendar, per rule set: every run of a sweep asks the same. */
const resolved = new WeakMap<RuleSet, WeakMap<Calendar, Map<string, (RuleDocument | undefined)[]>>>();
function resolveSeries<K extends 'PlanCatalog' | 'ValidityPolicy' | 'RateCard'>(rules: RuleSet, kind: K, id: string, pin: number | 'effective' | undefined, cal: Calendar) {
  let byCal = resolved.get(rules);
  if (!byCal) resolved.set(rules, (byCal = new WeakMap()));
  let cache = byCal.get(cal);
  if (!cache) byCal.set(cal, (cache = new Map()));
  const key = pin === undefined ? kind + id : `${kind}${id}@${String(pin)}`;
  let series = cache.get(key);
  if (!series) {
    series = [];
    for (let i = 0; i < cal.horizon; i++) series.push(rules.resolve(kind, id, cal.date(i), pin)?.doc);
    cache.set(key, series);
  }
  return series as ((K extends 'PlanCatalog' ? PlanCatalog : K extends 'ValidityPolicy' ? ValidityPolicy : RateCard) | undefined)[];
}

/** Prices per card and request, shared by every run (a card's price never changes). */
const priced = new WeakMap<RateCard, Map<string, Priced>>();
async function priceCached(card: RateCard, request: Readonly<Record<string, string | number>>, key: string): Promise<Priced> {
  let cache = priced.get(card);
  if (!cache) priced.set(card, (cache = new Map()));
  let p = cache.get(key);
  if (!p) {
    p = await compiledCard(card).price(request);
    cache.set(key, p);
  }
  return p;
}

/** Everything a run needs before the ledger: calendar, rule versions per period, priced demand. */
interface Prepared {
  eff: EffectiveScenario;
  cal: Calendar;
  currency: string;
  catalogs: PlanCatalog[];
  policies: ValidityPolicy[];
  cardPools: string[];
  demandByPool: Map<string, number[]>;
  demandRows: DemandRow[];
  seconds: Map<string, number>;
  problems: ForecastProblem[];
  uses: Map<string, VersionUse>;
}

async function prepare(rules: RuleSet, eff: EffectiveScenario, detail: boolean): Promise<Prepared> {
  const s = eff.scenario;
  const cal: Calendar = calendar(s.start, s.horizon, s.granularity ?? 'month');
  const H = cal.horizon;
  const pins = eff.rules.pins ?? {};
  const problems: ForecastProblem[] = [];
  const uses = new Map<string, VersionUse>();
  const use = (kind: string, doc: { id: string; version: number; effective_from: string }, i: number) => {
    if (!detail) return;
    const key = `${kind}/${doc.id}/${doc.version}`;
    const u = uses.get(key);
    if (u) u.to = cal.label(i);
    else uses.set(key, { kind, id: doc.id, version: doc.version, effective_from: doc.effective_from, from: cal.label(i), to: cal.label(i) });
  };

  // Rule versions per period.
  const catalogSeries = resolveSeries(rules, 'PlanCatalog', eff.plan.catalog, pins[eff.plan.catalog], cal);
  const policySeries = resolveSeries(rules, 'ValidityPolicy', eff.rules.validity, pins[eff.rules.validity], cal);
  for (let i = 0; i < H; i++) {
    const cat = catalogSeries[i];
    if (!cat) throw misuse(`PlanCatalog '${eff.plan.catalog}' has no published version in force on ${cal.date(i)}`);
    const pol = policySeries[i];
    if (!pol) throw misuse(`ValidityPolicy '${eff.rules.validity}' has no published version in force on ${cal.date(i)}`);
    use('PlanCatalog', cat, i);
    use('ValidityPolicy', pol, i);
  }
  // Every period has its documents (checked above): the series are the per-period lists.
  const catalogs = catalogSeries as PlanCatalog[];
  const policies = policySeries as ValidityPolicy[];
  const currency = s.currency ?? catalogs[0]!.currency;
  const cardPools = Object.keys(eff.rules.cards);
  const defaultPool = cardPools[0] ?? 'consumer';
  const streams = demandStreams(eff.demand, cal, defaultPool, eff.demandScale, eff.migrations);

  // Price demand: per stream and period, with the card in force in that period.
  const demandRows: DemandRow[] = [];
  const demandByPool = new Map<string, number[]>();
  const seconds = new Map<string, number>();
  for (const st of streams) {
    const cardId = eff.rules.cards[st.pool];
    const perPeriod = demandByPool.get(st.pool) ?? new Array<number>(H).fill(0);
    demandByPool.set(st.pool, perPeriod);
    const requestKey = requestKeyOf(st.request);
    let streamSeconds = 0;
    const cardSeries = cardId ? resolveSeries(rules, 'RateCard', cardId, pins[cardId], cal) : [];
    let lastCard: RateCard | undefined;
    let p: Priced | undefined;
    for (let i = 0; i < H; i++) {
      const count = st.counts[i] ?? 0;
      if (count === 0) continue;
      if (!cardId) {
        problems.push({ code: 'C_DEMAND', message: `no rate card for pool '${st.pool}'`, period: cal.label(i), line: st.id });
        continue;
      }
      const card = cardSeries[i];
      if (!card) {
        problems.push({ code: 'C_DEMAND', message: `RateCard '${cardId}' has no published version in force on ${cal.date(i)}`, period: cal.label(i), line: st.id });
        continue;
      }
      use('RateCard', card, i);
      if (card !== lastCard) {
        // Only a price not seen before needs the (asynchronous) formula.
        p = priced.get(card)?.get(requestKey) ?? (await priceCached(card, st.request, requestKey));
        lastCard = card;
      }
      if (!p!.ok) {
        problems.push({ code: 'C_DEMAND', message: `${card.id} v${card.version}: ${p!.code} ${p!.detail}`, period: cal.label(i), line: st.id });
        continue;
      }
      const ok = p as Extract<Priced, { ok: true }>;
      const credits = count * ok.credits;
      perPeriod[i] = (perPeriod[i] ?? 0) + credits;
      const dur = Number(ok.request['duration_s']);
      const secs = Number.isFinite(dur) ? count * dur : 0;
      streamSeconds += secs;
      if (detail) {
        demandRows.push({
          period: cal.label(i), line: st.id, pool: st.pool, request: ok.request, count,
          credits_per_unit: ok.credits, credits, card: { id: card.id, version: card.version }, seconds: secs,
        });
      }
    }
    if (streamSeconds !== 0 || !seconds.has(st.pool)) seconds.set(st.pool, (seconds.get(st.pool) ?? 0) + streamSeconds);
  }
  return { eff, cal, currency, catalogs, policies, cardPools, demandByPool, demandRows, seconds, problems, uses };
}

/** JSON of a request, kept per request object: a sweep's variants share their lines' requests. */
const requestKeys = new WeakMap<object, string>();
function requestKeyOf(request: Readonly<Record<string, string | number>>): string {
  let k = requestKeys.get(request);
  if (k === undefined) requestKeys.set(request, (k = JSON.stringify(request)));
  return k;
}

/** Money exactly: micro-units of the currency in a number while every amount is a whole number of them. */
const microCache = new Map<string, number | null>();
function micro(m: Money): number | undefined {
  const key = String(m);
  let v = microCache.get(key);
  if (v === undefined) {
    const x = money(m).times(1_000_000);
    v = x.isInteger() && x.abs().lte(Number.MAX_SAFE_INTEGER) ? x.toNumber() : null;
    microCache.set(key, v);
  }
  return v ?? undefined;
}

function centsOfMicro(x: number): number {
  return Math.floor((x + 5_000) / 10_000);
}

function centsText(c: number): string {
  const whole = Math.floor(c / 100);
  const frac = c - whole * 100;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** Money of one pool in one period: exact micro-units, with a decimal for anything finer. */
class Purse {
  micro = 0;
  rest: Dec | undefined;
  reset(): void {
    this.micro = 0;
    this.rest = undefined;
  }
  add(unit: Money, times: number): void {
    const m = micro(unit);
    const x = m === undefined ? undefined : m * times;
    if (x !== undefined && Number.isSafeInteger(x) && Number.isSafeInteger(this.micro + x)) this.micro += x;
    else this.rest = (this.rest ?? ZERO).plus(money(unit).times(times));
  }
  /** Two places, half up. */
  cents(): number | Dec {
    if (!this.rest) return centsOfMicro(this.micro);
    return this.rest.plus(new D(this.micro).div(1_000_000)).toDecimalPlaces(2, D.ROUND_HALF_UP);
  }
}

/** The ledger of a run: per pool and period, in typed arrays; lots with their draws when asked. */
interface Simulated {
  pools: string[];
  /** Rows in report order: period index and pool index, with the values of the row. */
  rows: { i: number; pool: number; opening: number; granted: number; purchased: number; consumed: number; expired: number; closing: number; demand: number; unmet: number; spend: number | Dec; expiredValue: Dec | undefined; soon: number }[];
  lots: Lot[];
  totals: Totals & { by_pool: Record<string, Totals> };
  problems: ForecastProblem[];
}

/** A catalog's tiers and packs by id, and each pack's lot source, made once per catalog. */
interface CatalogIndex {
  tiers: Map<string, Subscription>;
  packs: Map<string, Pack>;
  source: Map<Pack, LotSource>;
}
const catalogIndexes = new WeakMap<PlanCatalog, CatalogIndex>();
function catalogIndex(cat: PlanCatalog): CatalogIndex {
  let ix = catalogIndexes.get(cat);
  if (!ix) {
    ix = { tiers: new Map(), packs: new Map(), source: new Map() };
    for (const t of cat.subscriptions ?? []) if (!ix.tiers.has(t.id)) ix.tiers.set(t.id, t);
    const lists: [Pack[] | undefined, LotSource][] = [[cat.top_ups, 'top_up'], [cat.api_packages, 'api_package'], [cat.custom_packages, 'custom_package']];
    for (const [list, src] of lists) {
      for (const pack of list ?? []) {
        if (!ix.packs.has(pack.id)) ix.packs.set(pack.id, pack);
        if (!ix.source.has(pack)) ix.source.set(pack, src);
      }
    }
    catalogIndexes.set(cat, ix);
  }
  return ix;
}

/** Takes what a lot can give of what is needed; returns the credits taken. */
function draw(l: Lot, need: number, i: number): number {
  const take = l.remaining < need ? l.remaining : need;
  if (take <= 0) return 0;
  l.remaining -= take;
  l.consumed += take;
  l.draws?.push({ period: i, credits: take });
  return take;
}

function lotPrice(l: Lot): Dec {
  if (!l.price) {
    const unit = money(l.unit);
    l.price = l.per === 1 ? unit.times(l.times) : unit.div(l.per);
  }
  return l.price;
}

function simulate(p: Prepared, detail: boolean): Simulated {
  const { eff, cal, catalogs, policies } = p;
  const H = cal.horizon;
  const problems: ForecastProblem[] = [];
  const tierId = eff.plan.subscription;
  const billing = eff.plan.billing ?? 'monthly';
  const pools: string[] = [...p.cardPools];
  // Per pool: its lots with credits left, in burn order; its balance; its running totals.
  const active: Lot[][] = pools.map(() => []);
  const balance: number[] = pools.map(() => 0);
  const poolIndex = (name: string): number => {
    let k = pools.indexOf(name);
    if (k < 0) {
      k = pools.push(name) - 1;
      active.push([]);
      balance.push(0);
    }
    return k;
  };
  const lots: Lot[] = [];
  const rows: Simulated['rows'] = [];
  let seq = 0;
  const sourcePolicy = (pol: ValidityPolicy, src: LotSource): SourcePolicy => pol.sources[src] ?? { priority: 99 };
  const lastValidFor = (validity: Validity | undefined, i: number): number => (validity ? i + cal.validPeriods(validity, i) - 1 : NEVER);
  let order = policies[0]?.burn_order ?? DEFAULT_BURN_ORDER;
  let cmp = comparator(order);
  let byExpiry = order[0] === 'last_valid_period';
  const insert = (list: Lot[], lot: Lot) => {
    let at = list.length;
    while (at > 0 && cmp(list[at - 1]!, lot) > 0) at--;
    if (at === list.length) list.push(lot);
    else list.splice(at, 0, lot);
  };
  const newLot = (i: number, pool: number, source: LotSource, ref: string, amount: number, unit: Money, times: number, per: number, validity: Validity | undefined): Lot => {
    const pol = sourcePolicy(policies[i]!, source);
    const m = per === 1 ? micro(unit) : undefined;
    const pm = m === undefined ? undefined : m * times;
    const lot: Lot = {
      seq: ++seq, pool: pools[pool]!, source, ref, amount, granted: i, lastValid: lastValidFor(validity, i), priority: pol.priority,
      priceMicro: pm !== undefined && Number.isSafeInteger(pm) ? pm : undefined, unit, times, per, price: undefined,
      remaining: amount, consumed: 0, expired: 0, draws: detail ? [] : undefined,
    };
    lots.push(lot);
    if (amount > 0) insert(active[pool]!, lot);
    balance[pool]! += amount;
    return lot;
  };
  const packSource = (cat: PlanCatalog, pack: Pack): LotSource => catalogIndex(cat).source.get(pack)!;
  const packValidity = (i: number, src: LotSource, pack: Pack): Validity | undefined => {
    const pol = sourcePolicy(policies[i]!, src);
    return pol.per_package ? (pack.validity ?? pol.validity) : (pol.validity ?? pack.validity);
  };
  const findPack = (cat: PlanCatalog, id: string) => catalogIndex(cat).packs.get(id);
  const eligible = (pack: Pack) => !pack.eligible_tiers || (tierId !== undefined && pack.eligible_tiers.includes(tierId));

  // Running totals per pool, for the report and for a sweep alike.
  const acc: { granted: number; purchased: number; consumed: number; expired: number; unmet: number; demand: number; spendCents: number; spendRest: Dec | undefined; ev: Dec }[] = [];
  const accOf = (k: number) => (acc[k] ??= { granted: 0, purchased: 0, consumed: 0, expired: 0, unmet: 0, demand: 0, spendCents: 0, spendRest: undefined, ev: ZERO });

  let billed = 0;
  const granted: number[] = [];
  const purchased: number[] = [];
  const purses: (Purse | undefined)[] = [];
  let tierCat: PlanCatalog | undefined;
  let tier: Subscription | undefined;
  const grantAt = eff.grants.map((g) => cal.index(g.period));
  const scheduled = eff.purchases.policy === 'scheduled' || eff.purchases.policy === 'auto' ? (eff.purchases.scheduled ?? []) : [];
  const scheduledAt = scheduled.map((sp) => cal.index(sp.period));
  const demandOf = pools.map((pool) => p.demandByPool.get(pool));
  for (let i = 0; i < H; i++) {
    const cat = catalogs[i]!;
    const pol = policies[i]!;
    const nextOrder = pol.burn_order ?? DEFAULT_BURN_ORDER;
    if (nextOrder !== order && nextOrder.join() !== order.join()) {
      order = nextOrder;
      cmp = comparator(order);
      byExpiry = order[0] === 'last_valid_period';
      for (const list of active) list.sort(cmp);
    }
    const opening = detail ? balance.slice() : balance;
    for (let k = 0; k < pools.length; k++) {
      granted[k] = 0;
      purchased[k] = 0;
    }

    // 1. Grants and scheduled purchases.
    if (cat !== tierCat) {
      tierCat = cat;
      tier = tierId === undefined ? undefined : catalogIndex(cat).tiers.get(tierId);
      if (tierId !== undefined && !tier) throw misuse(`subscription '${tierId}' is not in ${cat.id} v${cat.version}`);
    }
    if (tier && cal.billingPeriod(i)) {
      const k = poolIndex(tier.pool);
      let unit: Money;
      let per = 1;
      if (billing === 'annual') {
        if (tier.price_year === undefined && billed === 0) problems.push({ code: 'C_PURCHASE', message: `${tier.id} has no price_year; annual billing uses 12 × price_month`, period: cal.label(i), line: '' });
        if (billed % 12 === 0) {
          if (tier.price_year === undefined) (purses[k] ??= new Purse()).add(tier.price_month, 12);
          else (purses[k] ??= new Purse()).add(tier.price_year, 1);
        }
        unit = tier.price_year === undefined ? String(money(tier.price_month).times(12)) : tier.price_year;
        per = 12;
      } else {
        unit = tier.price_month;
        (purses[k] ??= new Purse()).add(unit, 1);
      }
      billed++;
      if (tier.credits_per_month > 0) {
        newLot(i, k, 'subscription', tier.id, tier.credits_per_month, unit, 1, per, sourcePolicy(pol, 'subscription').validity);
        granted[k] = (granted[k] ?? 0) + tier.credits_per_month;
      }
    }
    const free = cat.daily_free;
    const freeApplies = free && (eff.plan.daily_free ?? (tierId !== undefined && free.tiers.includes(tierId)));
    if (free && freeApplies && free.credits_per_day > 0) {
      const n = free.credits_per_day * cal.days(i);
      const k = poolIndex(free.pool);
      newLot(i, k, 'daily_free', 'daily_free', n, 0, 1, 1, sourcePolicy(pol, 'daily_free').validity ?? { days: 1 });
      granted[k] = (granted[k] ?? 0) + n;
    }
    for (let j = 0; j < eff.grants.length; j++) {
      const g = eff.grants[j]!;
      if (g.credits === 0 || grantAt[j] !== i) continue;
      const k = poolIndex(g.pool);
      newLot(i, k, 'promotional', 'promotional', g.credits, 0, 1, 1, sourcePolicy(pol, 'promotional').validity);
      granted[k] = (granted[k] ?? 0) + g.credits;
    }
    for (let j = 0; j < scheduled.length; j++) {
      const sp = scheduled[j]!;
      const first = scheduledAt[j]!;
      const due = sp.every ? i >= first && (i - first) % sp.every === 0 : i === first;
      if (!due) continue;
      const pack = findPack(cat, sp.pack);
      if (!pack) throw misuse(`pack '${sp.pack}' is not in ${cat.id} v${cat.version}`);
      if (!eligible(pack)) {
        problems.push({ code: 'C_PURCHASE', message: `${pack.id} is not available to tier '${tierId ?? 'none'}'`, period: cal.label(i), line: '' });
        continue;
      }
      const q = sp.quantity ?? 1;
      const src = packSource(cat, pack);
      const k = poolIndex(pack.pool);
      newLot(i, k, src, pack.id, pack.credits * q, pack.price, q, 1, packValidity(i, src, pack));
      purchased[k] = (purchased[k] ?? 0) + pack.credits * q;
      (purses[k] ??= new Purse()).add(pack.price, q);
    }
    if (i === 0) for (const pool of p.demandByPool.keys()) poolIndex(pool);

    for (let k = 0; k < pools.length; k++) {
      const pool = pools[k]!;
      const list = active[k]!;
      // 2-3. Demand draws on usable lots in burn order.
      const demand = (demandOf[k] ??= p.demandByPool.get(pool))?.[i] ?? 0;
      let need = demand;
      for (let j = 0; j < list.length && need > 0; j++) need -= draw(list[j]!, need, i);
      // 4. Auto purchase on shortfall: the fewest packs that cover it.
      if (need > 0 && eff.purchases.policy === 'auto') {
        const packId = eff.purchases.packs?.[pool] ?? eff.purchases.pack;
        const pack = packId === undefined ? undefined : findPack(cat, packId);
        if (pack && pack.pool === pool && eligible(pack)) {
          const n = Math.ceil(need / pack.credits);
          const src = packSource(cat, pack);
          const lot = newLot(i, k, src, pack.id, pack.credits * n, pack.price, n, 1, packValidity(i, src, pack));
          purchased[k] = (purchased[k] ?? 0) + pack.credits * n;
          (purses[k] ??= new Purse()).add(pack.price, n);
          need -= draw(lot, need, i);
        } else if (pack && pack.pool === pool && !eligible(pack)) {
          problems.push({ code: 'C_PURCHASE', message: `${pack.id} is not available to tier '${tierId ?? 'none'}'`, period: cal.label(i), line: '' });
        }
      }
      const consumed = demand - need;
      balance[k]! -= consumed;
      // 5. What is left is unmet. 6. Lots whose last valid period is now expire.
      let expired = 0;
      let expiredValue: Dec | undefined;
      let soon = 0;
      let keep = 0;
      // When the burn order puts the soonest expiry first, the lots that expire now (or soon) and the
      // emptied ones are a prefix of the list: look no further. Otherwise look at every lot.
      let end = list.length;
      if (byExpiry) {
        const limit = detail ? i + 2 : i;
        end = 0;
        while (end < list.length && (list[end]!.remaining === 0 || list[end]!.lastValid <= limit)) end++;
      }
      for (let j = 0; j < end; j++) {
        const l = list[j]!;
        if (l.remaining === 0) continue;
        if (l.lastValid === i) {
          expired += l.remaining;
          if (l.priceMicro !== 0) {
            const basis = l.amount > 0 ? lotPrice(l).div(l.amount) : ZERO;
            expiredValue = (expiredValue ?? ZERO).plus(basis.times(l.remaining));
          }
          l.expired = l.remaining;
          l.remaining = 0;
          continue;
        }
        if (l.lastValid <= i + 2) soon += l.remaining;
        list[keep++] = l;
      }
      if (keep < end) list.splice(keep, end - keep);
      balance[k]! -= expired;
      const spent = purses[k]?.cents() ?? 0;
      purses[k]?.reset();
      const a = accOf(k);
      const g = granted[k] ?? 0;
      const b = purchased[k] ?? 0;
      a.granted += g; a.purchased += b; a.consumed += consumed; a.expired += expired; a.unmet += need; a.demand += demand;
      if (typeof spent === 'number') a.spendCents += spent;
      else a.spendRest = (a.spendRest ?? ZERO).plus(spent);
      if (expiredValue) a.ev = a.ev.plus(expiredValue.toDecimalPlaces(2, D.ROUND_HALF_UP));
      if (detail) {
        rows.push({ i, pool: k, opening: opening[k] ?? 0, granted: g, purchased: b, consumed, expired, closing: balance[k]!, demand, unmet: need, spend: spent, expiredValue, soon });
      }
    }
  }

  const byPool: Record<string, Totals> = {};
  const total = emptyTotals();
  let allCents = 0;
  let allRest: Dec | undefined;
  let allEv = ZERO;
  let allSeconds = 0;
  for (let k = 0; k < pools.length; k++) {
    const a = accOf(k);
    const t = emptyTotals();
    t.granted = a.granted; t.purchased = a.purchased; t.consumed = a.consumed; t.expired = a.expired; t.unmet = a.unmet; t.demand = a.demand;
    const secs = p.seconds.get(pools[k]!) ?? 0;
    finishTotals(t, a.spendCents, a.spendRest, a.ev, secs);
    byPool[pools[k]!] = t;
    total.granted += t.granted;
    total.purchased += t.purchased;
    total.consumed += t.consumed;
    total.expired += t.expired;
    total.unmet += t.unmet;
    total.demand += t.demand;
    allCents += a.spendCents;
    if (a.spendRest) allRest = (allRest ?? ZERO).plus(a.spendRest);
    if (!a.ev.isZero()) allEv = allEv.plus(a.ev);
    allSeconds += secs;
  }
  finishTotals(total, allCents, allRest, allEv, allSeconds);
  const totals = total as Totals & { by_pool: Record<string, Totals> };
  totals.by_pool = byPool;
  return { pools, rows, lots, totals, problems };
}

/** The ForecastResult of a simulated run. */
function report(p: Prepared, sim: Simulated): ForecastResult {
  const { eff, cal } = p;
  const s = eff.scenario;
  const money2 = (x: number | Dec) => (typeof x === 'number' ? centsText(x) : x.toFixed(2));
  const periods: PeriodRow[] = sim.rows.map((r) => ({
    period: cal.label(r.i), pool: sim.pools[r.pool]!, opening: r.opening, granted: r.granted, purchased: r.purchased,
    consumed: r.consumed, expired: r.expired, closing: r.closing, demand: r.demand, unmet: r.unmet,
    spend: money2(r.spend), expired_value: r.expiredValue ? cents(r.expiredValue) : '0.00', expiring_soon: r.soon,
  }));
  const lotResults: LotResult[] = sim.lots.map((l) => {
    const price = lotPrice(l);
    return {
      id: lotId(l.seq), pool: l.pool, source: l.source, ref: l.ref, amount: l.amount,
      granted_period: cal.label(l.granted), last_valid_period: l.lastValid === NEVER ? 'never' : cal.label(l.lastValid), priority: l.priority,
      price: cents(price), cost_basis: (l.amount > 0 ? price.div(l.amount) : ZERO).toString(), consumed: l.consumed, expired: l.expired, remaining: l.remaining,
      draws: (l.draws ?? []).map((d) => ({ period: cal.label(d.period), credits: d.credits })),
    };
  });
  return {
    scenario: s.id, scenario_version: s.version, variant: eff.variant, currency: p.currency, granularity: cal.granularity,
    periods, lots: lotResults, demand: p.demandRows, totals: sim.totals,
    versions: [...p.uses.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id) || a.version - b.version),
    plan: { catalog: eff.plan.catalog, subscription: eff.plan.subscription ?? null, billing: eff.plan.billing ?? 'monthly' },
    problems: [...p.problems, ...sim.problems],
  };
}

/** Fills a total's money and ratios: spend is whole cents, plus an exact decimal for anything finer. */
function finishTotals(t: Totals, spendCents: number, spendRest: Dec | undefined, expiredValue: Dec, seconds: number): void {
  t.expired_value = expiredValue.isZero() ? '0.00' : cents(expiredValue);
  t.output_seconds = seconds;
  if (!spendRest && Number.isSafeInteger(spendCents) && Number.isInteger(seconds)) {
    // Whole cents and whole seconds: the same half-up ratios in integer arithmetic.
    t.spend = centsText(spendCents);
    t.utilisation = fixed4(t.consumed, t.granted + t.purchased) ?? '0.0000';
    t.cost_per_credit = fixed4(spendCents, t.consumed * 100);
    t.cost_per_second = fixed4(spendCents, seconds * 100);
    return;
  }
  const spend = new D(spendCents).div(100).plus(spendRest ?? ZERO);
  t.spend = cents(spend);
  t.utilisation = ratio(new D(t.consumed), new D(t.granted + t.purchased)) ?? '0.0000';
  t.cost_per_credit = ratio(spend, new D(t.consumed));
  t.cost_per_second = ratio(spend, new D(seconds));
}

/** n / d to four places, half up, for non-negative integers; null when d is 0. */
function fixed4(n: number, d: number): string | null {
  if (d === 0) return null;
  let q: number;
  const a = n * 20_000 + d;
  // For integers below 2^53, % is exact and so is the division of a multiple: no float rounding.
  if (a <= Number.MAX_SAFE_INTEGER) q = (a - (a % (d * 2))) / (d * 2);
  else q = Number((BigInt(n) * 20_000n + BigInt(d)) / (BigInt(d) * 2n));
  const whole = Math.floor(q / 10_000);
  const frac = String(q - whole * 10_000).padStart(4, '0');
  return `${whole}.${frac}`;
}
