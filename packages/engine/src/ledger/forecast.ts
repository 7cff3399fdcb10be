import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import { compileCard, type CompiledCard, type Priced } from '../quote/card.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { catalogPacks } from '../rules/references.ts';
import type { BurnKey, LotSource, Pack, PlanCatalog, RateCard, Scenario, SourcePolicy, Validity, ValidityPolicy } from '../rules/types.ts';
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
  price: Dec;
  costBasis: Dec;
  remaining: number;
  consumed: number;
  expired: number;
  draws: { period: number; credits: number }[];
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

function comparator(order: readonly BurnKey[]): (a: Lot, b: Lot) => number {
  return (a, b) => {
    for (const key of order) {
      const d =
        key === 'last_valid_period' ? a.lastValid - b.lastValid : key === 'priority' ? a.priority - b.priority : key === 'granted_period' ? a.granted - b.granted : a.seq - b.seq;
      if (d !== 0) return d;
    }
    return 0;
  };
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

/** Forecasts a scenario (or one of its variants): the credit ledger per pool and period, with its lots. */
export async function forecast(rules: RuleSet, scenario: Scenario, options: { variant?: string | null } = {}): Promise<ForecastResult> {
  const eff = applyVariant(scenario, options.variant);
  return runLedger(rules, eff);
}

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

async function runLedger(rules: RuleSet, eff: EffectiveScenario): Promise<ForecastResult> {
  const s = eff.scenario;
  const cal: Calendar = calendar(s.start, s.horizon, s.granularity ?? 'month');
  const H = cal.horizon;
  const pins = eff.rules.pins ?? {};
  const problems: ForecastProblem[] = [];
  const uses = new Map<string, VersionUse>();
  const use = (kind: string, doc: { id: string; version: number; effective_from: string }, i: number) => {
    const key = `${kind}/${doc.id}/${doc.version}`;
    const u = uses.get(key);
    if (u) u.to = cal.label(i);
    else uses.set(key, { kind, id: doc.id, version: doc.version, effective_from: doc.effective_from, from: cal.label(i), to: cal.label(i) });
  };

  // Rule versions per period.
  const catalogs: PlanCatalog[] = [];
  const policies: ValidityPolicy[] = [];
  for (let i = 0; i < H; i++) {
    const date = cal.date(i);
    const cat = rules.resolve('PlanCatalog', eff.plan.catalog, date, pins[eff.plan.catalog])?.doc;
    if (!cat) throw misuse(`PlanCatalog '${eff.plan.catalog}' has no published version in force on ${date}`);
    const pol = rules.resolve('ValidityPolicy', eff.rules.validity, date, pins[eff.rules.validity])?.doc;
    if (!pol) throw misuse(`ValidityPolicy '${eff.rules.validity}' has no published version in force on ${date}`);
    catalogs.push(cat);
    policies.push(pol);
    use('PlanCatalog', cat, i);
    use('ValidityPolicy', pol, i);
  }
  const currency = s.currency ?? catalogs[0]!.currency;
  const cardPools = Object.keys(eff.rules.cards);
  const defaultPool = cardPools[0] ?? 'consumer';
  const streams = demandStreams(eff.demand, cal, defaultPool, eff.demandScale, eff.migrations);

  // Price demand: per stream and period, with the card in force in that period.
  const demandRows: DemandRow[] = [];
  const demandByPool = new Map<string, number[]>();
  const priceCache = new Map<string, Priced>();
  for (const st of streams) {
    const cardId = eff.rules.cards[st.pool];
    const perPeriod = demandByPool.get(st.pool) ?? new Array<number>(H).fill(0);
    demandByPool.set(st.pool, perPeriod);
    for (let i = 0; i < H; i++) {
      const count = st.counts[i] ?? 0;
      if (count === 0) continue;
      if (!cardId) {
        problems.push({ code: 'C_DEMAND', message: `no rate card for pool '${st.pool}'`, period: cal.label(i), line: st.id });
        continue;
      }
      const card = rules.resolve('RateCard', cardId, cal.date(i), pins[cardId])?.doc;
      if (!card) {
        problems.push({ code: 'C_DEMAND', message: `RateCard '${cardId}' has no published version in force on ${cal.date(i)}`, period: cal.label(i), line: st.id });
        continue;
      }
      use('RateCard', card, i);
      const key = `${card.id}/${card.version}/${JSON.stringify(st.request)}`;
      let priced = priceCache.get(key);
      if (!priced) {
        priced = await compiledCard(card).price(st.request);
        priceCache.set(key, priced);
      }
      if (!priced.ok) {
        problems.push({ code: 'C_DEMAND', message: `${card.id} v${card.version}: ${priced.code} ${priced.detail}`, period: cal.label(i), line: st.id });
        continue;
      }
      const credits = count * priced.credits;
      perPeriod[i] = (perPeriod[i] ?? 0) + credits;
      const dur = Number(priced.request['duration_s']);
      demandRows.push({
        period: cal.label(i), line: st.id, pool: st.pool, request: priced.request, count,
        credits_per_unit: priced.credits, credits, card: { id: card.id, version: card.version },
        seconds: Number.isFinite(dur) ? count * dur : 0,
      });
    }
  }

  // The ledger.
  const lots: Lot[] = [];
  let seq = 0;
  const tierId = eff.plan.subscription;
  const billing = eff.plan.billing ?? 'monthly';
  const pools: string[] = [...cardPools];
  const addPool = (p: string) => {
    if (!pools.includes(p)) pools.push(p);
  };
  const rows: PeriodRow[] = [];
  const spendBy = new Map<string, Dec>();
  const addSpend = (pool: string, d: Dec) => spendBy.set(pool, (spendBy.get(pool) ?? ZERO).plus(d));
  const sourcePolicy = (pol: ValidityPolicy, src: LotSource): SourcePolicy => pol.sources[src] ?? { priority: 99 };
  const lastValidFor = (validity: Validity | undefined, i: number): number => (validity ? i + cal.validPeriods(validity, i) - 1 : NEVER);
  const newLot = (i: number, pool: string, source: LotSource, ref: string, amount: number, price: Dec, validity: Validity | undefined): Lot => {
    const pol = sourcePolicy(policies[i]!, source);
    const lot: Lot = {
      seq: ++seq, pool, source, ref, amount, granted: i, lastValid: lastValidFor(validity, i), priority: pol.priority,
      price, costBasis: amount > 0 ? price.div(amount) : ZERO, remaining: amount, consumed: 0, expired: 0, draws: [],
    };
    lots.push(lot);
    addPool(pool);
    return lot;
  };
  const packSource = (cat: PlanCatalog, pack: Pack): LotSource =>
    (cat.api_packages ?? []).includes(pack) ? 'api_package' : (cat.custom_packages ?? []).includes(pack) ? 'custom_package' : 'top_up';
  const packValidity = (i: number, src: LotSource, pack: Pack): Validity | undefined => {
    const pol = sourcePolicy(policies[i]!, src);
    return pol.per_package ? (pack.validity ?? pol.validity) : (pol.validity ?? pack.validity);
  };
  const findPack = (cat: PlanCatalog, id: string) => catalogPacks(cat).find((p) => p.id === id);
  const eligible = (pack: Pack) => !pack.eligible_tiers || (tierId !== undefined && pack.eligible_tiers.includes(tierId));

  let billed = 0;
  const purchasedBy = new Map<string, number>();
  const grantedBy = new Map<string, number>();
  for (let i = 0; i < H; i++) {
    const cat = catalogs[i]!;
    const pol = policies[i]!;
    const order = pol.burn_order ?? DEFAULT_BURN_ORDER;
    grantedBy.clear();
    purchasedBy.clear();
    const opening = new Map<string, number>();
    for (const l of lots) opening.set(l.pool, (opening.get(l.pool) ?? 0) + l.remaining);
    const grant = (pool: string, n: number) => grantedBy.set(pool, (grantedBy.get(pool) ?? 0) + n);
    const buy = (pool: string, n: number) => purchasedBy.set(pool, (purchasedBy.get(pool) ?? 0) + n);
    const label = cal.label(i);
    const spendBefore = new Map(spendBy);

    // 1. Grants and scheduled purchases.
    const tier = tierId === undefined ? undefined : (cat.subscriptions ?? []).find((t) => t.id === tierId);
    if (tierId !== undefined && !tier) throw misuse(`subscription '${tierId}' is not in ${cat.id} v${cat.version}`);
    if (tier && cal.billingPeriod(i)) {
      let lotPrice: Dec;
      if (billing === 'annual') {
        const year = tier.price_year === undefined ? money(tier.price_month).times(12) : money(tier.price_year);
        if (tier.price_year === undefined && billed === 0) problems.push({ code: 'C_PURCHASE', message: `${tier.id} has no price_year; annual billing uses 12 × price_month`, period: label, line: '' });
        if (billed % 12 === 0) addSpend(tier.pool, year);
        lotPrice = year.div(12);
      } else {
        lotPrice = money(tier.price_month);
        addSpend(tier.pool, lotPrice);
      }
      addPool(tier.pool);
      billed++;
      if (tier.credits_per_month > 0) {
        newLot(i, tier.pool, 'subscription', tier.id, tier.credits_per_month, lotPrice, sourcePolicy(pol, 'subscription').validity);
        grant(tier.pool, tier.credits_per_month);
      }
    }
    const free = cat.daily_free;
    const freeApplies = free && (eff.plan.daily_free ?? (tierId !== undefined && free.tiers.includes(tierId)));
    if (free && freeApplies && free.credits_per_day > 0) {
      const n = free.credits_per_day * cal.days(i);
      newLot(i, free.pool, 'daily_free', 'daily_free', n, ZERO, sourcePolicy(pol, 'daily_free').validity ?? { days: 1 });
      grant(free.pool, n);
    }
    for (const g of eff.grants) {
      if (cal.index(g.period) !== i || g.credits === 0) continue;
      newLot(i, g.pool, 'promotional', 'promotional', g.credits, ZERO, sourcePolicy(pol, 'promotional').validity);
      grant(g.pool, g.credits);
    }
    if (eff.purchases.policy === 'scheduled' || eff.purchases.policy === 'auto') {
      for (const sp of eff.purchases.scheduled ?? []) {
        const first = cal.index(sp.period);
        const due = sp.every ? i >= first && (i - first) % sp.every === 0 : i === first;
        if (!due) continue;
        const pack = findPack(cat, sp.pack);
        if (!pack) throw misuse(`pack '${sp.pack}' is not in ${cat.id} v${cat.version}`);
        if (!eligible(pack)) {
          problems.push({ code: 'C_PURCHASE', message: `${pack.id} is not available to tier '${tierId ?? 'none'}'`, period: label, line: '' });
          continue;
        }
        const q = sp.quantity ?? 1;
        const src = packSource(cat, pack);
        newLot(i, pack.pool, src, pack.id, pack.credits * q, money(pack.price).times(q), packValidity(i, src, pack));
        buy(pack.pool, pack.credits * q);
        addSpend(pack.pool, money(pack.price).times(q));
      }
    }

    for (const pool of pools.concat([...demandByPool.keys()].filter((p) => !pools.includes(p)))) addPool(pool);
    const cmp = comparator(order);
    for (const pool of pools) {
      // 2-3. Demand draws on usable lots in burn order.
      const demand = demandByPool.get(pool)?.[i] ?? 0;
      let need = demand;
      let consumed = 0;
      const draw = (l: Lot) => {
        const take = Math.min(l.remaining, need);
        if (take <= 0) return;
        l.remaining -= take;
        l.consumed += take;
        l.draws.push({ period: i, credits: take });
        need -= take;
        consumed += take;
      };
      if (need > 0) {
        const usable = lots.filter((l) => l.pool === pool && l.remaining > 0 && l.granted <= i && l.lastValid >= i).sort(cmp);
        for (const l of usable) {
          if (need === 0) break;
          draw(l);
        }
      }
      // 4. Auto purchase on shortfall: the fewest packs that cover it.
      if (need > 0 && eff.purchases.policy === 'auto') {
        const packId = eff.purchases.packs?.[pool] ?? eff.purchases.pack;
        const pack = packId === undefined ? undefined : findPack(cat, packId);
        if (pack && pack.pool === pool && eligible(pack)) {
          const n = Math.ceil(need / pack.credits);
          const src = packSource(cat, pack);
          const lot = newLot(i, pool, src, pack.id, pack.credits * n, money(pack.price).times(n), packValidity(i, src, pack));
          buy(pool, pack.credits * n);
          addSpend(pool, money(pack.price).times(n));
          draw(lot);
        } else if (pack && pack.pool === pool && !eligible(pack)) {
          problems.push({ code: 'C_PURCHASE', message: `${pack.id} is not available to tier '${tierId ?? 'none'}'`, period: label, line: '' });
        }
      }
      // 5. What is left is unmet. 6. Lots whose last valid period is now expire.
      let expired = 0;
      let expiredValue = ZERO;
      let closing = 0;
      let soon = 0;
      for (const l of lots) {
        if (l.pool !== pool) continue;
        if (l.lastValid === i && l.remaining > 0) {
          expired += l.remaining;
          expiredValue = expiredValue.plus(l.costBasis.times(l.remaining));
          l.expired = l.remaining;
          l.remaining = 0;
        }
        closing += l.remaining;
        if (l.remaining > 0 && l.lastValid > i && l.lastValid <= i + 2) soon += l.remaining;
      }
      rows.push({
        period: label, pool, opening: opening.get(pool) ?? 0, granted: grantedBy.get(pool) ?? 0, purchased: purchasedBy.get(pool) ?? 0,
        consumed, expired, closing, demand, unmet: need,
        spend: cents((spendBy.get(pool) ?? ZERO).minus(spendBefore.get(pool) ?? ZERO)), expired_value: cents(expiredValue), expiring_soon: soon,
      });
    }
  }

  const byPool: Record<string, Totals> = {};
  const all = { spend: ZERO, expiredValue: ZERO };
  const total = emptyTotals();
  const seconds = new Map<string, number>();
  for (const d of demandRows) seconds.set(d.pool, (seconds.get(d.pool) ?? 0) + d.seconds);
  for (const pool of pools) {
    const t = emptyTotals();
    let spend = ZERO;
    let ev = ZERO;
    for (const r of rows) {
      if (r.pool !== pool) continue;
      t.granted += r.granted; t.purchased += r.purchased; t.consumed += r.consumed; t.expired += r.expired; t.unmet += r.unmet; t.demand += r.demand;
      spend = spend.plus(r.spend);
      ev = ev.plus(r.expired_value);
    }
    finishTotals(t, spend, ev, seconds.get(pool) ?? 0);
    byPool[pool] = t;
    for (const k of ['granted', 'purchased', 'consumed', 'expired', 'unmet', 'demand'] as const) total[k] += t[k];
    all.spend = all.spend.plus(spend);
    all.expiredValue = all.expiredValue.plus(ev);
  }
  finishTotals(total, all.spend, all.expiredValue, [...seconds.values()].reduce((a, b) => a + b, 0));

  const lotResults: LotResult[] = lots.map((l) => ({
    id: lotId(l.seq), pool: l.pool, source: l.source, ref: l.ref, amount: l.amount,
    granted_period: cal.label(l.granted), last_valid_period: l.lastValid === NEVER ? 'never' : cal.label(l.lastValid), priority: l.priority,
    price: cents(l.price), cost_basis: l.costBasis.toString(), consumed: l.consumed, expired: l.expired, remaining: l.remaining,
    draws: l.draws.map((d) => ({ period: cal.label(d.period), credits: d.credits })),
  }));
  return {
    scenario: s.id, scenario_version: s.version, variant: eff.variant, currency, granularity: cal.granularity,
    periods: rows, lots: lotResults, demand: demandRows, totals: { ...total, by_pool: byPool },
    versions: [...uses.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id) || a.version - b.version),
    plan: { catalog: eff.plan.catalog, subscription: tierId ?? null, billing },
    problems,
  };
}

function finishTotals(t: Totals, spend: Dec, expiredValue: Dec, seconds: number): void {
  t.spend = cents(spend);
  t.expired_value = cents(expiredValue);
  t.output_seconds = seconds;
  t.utilisation = ratio(new D(t.consumed), new D(t.granted + t.purchased)) ?? '0.0000';
  t.cost_per_credit = ratio(spend, new D(t.consumed));
  t.cost_per_second = ratio(spend, new D(seconds));
}
