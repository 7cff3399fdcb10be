import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import { D, cents, forecast, money, type Dec, type ForecastResult } from '../ledger/index.ts';
import { startDate } from '../rules/references.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { DemandLine, MappedPlatform, PlanCatalog, PlatformMap, Purchases, Scenario, Subscription } from '../rules/types.ts';
import { mappedLine, outputOf, platformScenario, servingOf } from './map.ts';
import type { PlanCandidate, PlatformComparison, PlatformDelta, PlatformPeriod, PlatformRun, Unservable } from './types.ts';

export interface ComparePlatformsOptions {
  /** The PlatformMap id (default: the store's only one). */
  map?: string;
  /** Platforms to show besides the reference (default: every platform of the map). */
  platforms?: readonly string[];
  /** Called after each platform is priced: platforms done, platforms in all. */
  onProgress?: (done: number, total: number) => void;
}

const ZERO = new D(0);

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

const places4 = (x: Dec) => x.toDecimalPlaces(4, D.ROUND_HALF_UP).toFixed(4);
const places2 = (x: Dec) => x.toDecimalPlaces(2, D.ROUND_HALF_UP).toFixed(2);

/** The map a comparison uses, in force on the scenario's start. */
function resolveMap(rules: RuleSet, scenario: Scenario, id: string | undefined): PlatformMap {
  const ids = rules.ids('PlatformMap');
  const mapId = id ?? (ids.length === 1 ? ids[0] : undefined);
  if (mapId === undefined) throw misuse(ids.length === 0 ? 'no PlatformMap in the store' : `several PlatformMaps (${ids.join(', ')}): name one`);
  const on = startDate(scenario);
  const map = rules.inForce('PlatformMap', mapId, on)?.doc;
  if (!map) throw misuse(`PlatformMap '${mapId}' has no published version in force on ${on}`);
  return map;
}

/** Output seconds per line and period of the reference run, and each line's pool there. */
interface DemandSeconds {
  byLine: Map<string, Map<string, number>>;
  pools: Map<string, string>;
  total: Map<string, number>;
}

function demandSeconds(ref: ForecastResult): DemandSeconds {
  const byLine = new Map<string, Map<string, number>>();
  const pools = new Map<string, string>();
  const total = new Map<string, number>();
  for (const row of ref.demand) {
    const per = byLine.get(row.line) ?? new Map<string, number>();
    byLine.set(row.line, per);
    per.set(row.period, (per.get(row.period) ?? 0) + row.seconds);
    pools.set(row.line, row.pool);
    total.set(row.line, (total.get(row.line) ?? 0) + row.seconds);
  }
  return { byLine, pools, total };
}

/** The figures of one run: served seconds are each period's demanded seconds times the share of its demand credits consumed. */
function measure(
  r: ForecastResult,
  served: { line: string; pool: string }[],
  seconds: DemandSeconds,
  allSeconds: number,
  unservable: Unservable[],
): Omit<PlatformRun, 'platform' | 'name' | 'basis' | 'plan' | 'plan_name' | 'billing' | 'top_up' | 'unit' | 'candidates' | 'deltas'> {
  const periods = [...new Set(r.periods.map((p) => p.period))];
  const secondsAt = new Map<string, number>();
  for (const { line, pool } of served) {
    for (const [period, s] of seconds.byLine.get(line) ?? []) secondsAt.set(`${pool}|${period}`, (secondsAt.get(`${pool}|${period}`) ?? 0) + s);
  }
  let servedTotal = ZERO;
  const series: PlatformPeriod[] = periods.map((period) => {
    const rows = r.periods.filter((p) => p.period === period);
    let servedHere = ZERO;
    let spend = ZERO;
    let ev = ZERO;
    for (const row of rows) {
      const secs = secondsAt.get(`${row.pool}|${period}`) ?? 0;
      if (secs > 0) servedHere = servedHere.plus(row.demand === 0 ? new D(secs) : new D(secs).times(row.consumed).div(row.demand));
      spend = spend.plus(money(row.spend));
      ev = ev.plus(money(row.expired_value));
    }
    servedTotal = servedTotal.plus(servedHere);
    const sum = (k: 'consumed' | 'expired' | 'closing' | 'unmet') => rows.reduce((a, row) => a + row[k], 0);
    return {
      period,
      spend: cents(spend),
      consumed: sum('consumed'),
      expired: sum('expired'),
      expired_value: cents(ev),
      closing: sum('closing'),
      unmet: sum('unmet'),
      served_seconds: places2(servedHere),
    };
  });
  const t = r.totals;
  const unservableSeconds = unservable.reduce((a, u) => a + u.seconds, 0);
  const servable = allSeconds - unservableSeconds;
  const spend = money(t.spend);
  // Cost per second divides by the served seconds as reported (two places), so a workbook's formula gives the same.
  const servedShown = servedTotal.toDecimalPlaces(2, D.ROUND_HALF_UP);
  return {
    covers: t.unmet === 0,
    currency: r.currency,
    spend: t.spend,
    granted: t.granted,
    purchased: t.purchased,
    consumed: t.consumed,
    demand: t.demand,
    expired: t.expired,
    expired_value: t.expired_value,
    unmet: t.unmet,
    demand_seconds: allSeconds,
    served_seconds: servedShown.toFixed(2),
    unmet_seconds: places2(new D(servable).minus(servedTotal)),
    unservable_seconds: unservableSeconds,
    unservable,
    cost_per_second: servedShown.isZero() ? null : places4(spend.div(servedShown)),
    utilisation: t.utilisation,
    series,
    versions: r.versions,
    problems: r.problems,
  };
}

/** Paid tiers a search tries: the map's list, or every tier priced above zero. */
function candidateTiers(platform: MappedPlatform, catalog: PlanCatalog): Subscription[] {
  const tiers = catalog.subscriptions ?? [];
  if (platform.tiers) return platform.tiers.map((id) => tiers.find((t) => t.id === id)).filter((t): t is Subscription => t !== undefined);
  return tiers.filter((t) => money(t.price_month).gt(0));
}

/** Auto top-ups with the platform's pack when the tier may buy it; none otherwise. */
function topUpFor(platform: MappedPlatform, catalog: PlanCatalog, tier: string): Purchases {
  const pack = platform.top_up === undefined ? undefined : (catalog.top_ups ?? []).find((p) => p.id === platform.top_up);
  if (!pack || (pack.eligible_tiers && !pack.eligible_tiers.includes(tier))) return { policy: 'none' };
  return { policy: 'auto', pack: pack.id };
}

type Measured = ReturnType<typeof measure>;

/** The cheapest covering run; when none covers, the one that serves most, then the cheapest. */
function cheapest<T extends { m: Measured }>(runs: T[]): T | undefined {
  const covering = runs.filter((r) => r.m.covers);
  const pool = covering.length > 0 ? covering : runs;
  let best: T | undefined;
  for (const r of pool) {
    if (!best) best = r;
    else if (covering.length === 0 && !money(r.m.served_seconds).eq(money(best.m.served_seconds))) {
      if (money(r.m.served_seconds).gt(money(best.m.served_seconds))) best = r;
    } else {
      const c = money(r.m.spend).cmp(money(best.m.spend)) || money(r.m.expired_value).cmp(money(best.m.expired_value));
      if (c < 0) best = r;
    }
  }
  return best;
}

function delta(run: Measured, ref: Measured, vs: string): PlatformDelta | null {
  if (run.currency !== ref.currency) return null;
  const diff = (a: string, b: string) => money(a).minus(money(b));
  return {
    vs,
    spend: cents(diff(run.spend, ref.spend)),
    expired_value: cents(diff(run.expired_value, ref.expired_value)),
    cost_per_second: run.cost_per_second === null || ref.cost_per_second === null ? null : places4(diff(run.cost_per_second, ref.cost_per_second)),
    served_seconds: places2(diff(run.served_seconds, ref.served_seconds)),
    utilisation: places4(diff(run.utilisation, ref.utilisation)),
  };
}

/**
 * Prices a scenario's demand on every platform of a PlatformMap: for each, the cheapest plan that
 * covers the demand (auto top-ups where the platform sells them), and the plan the scenario names on
 * its own platform, with spend, expiry, unmet and unservable demand, cost per served second and
 * deltas against the reference platform's cheapest run.
 */
export async function comparePlatforms(rules: RuleSet, scenario: Scenario, options: ComparePlatformsOptions = {}): Promise<PlatformComparison> {
  const map = resolveMap(rules, scenario, options.map);
  const reference = map.platforms.find((p) => p.id === map.reference);
  if (!reference) throw misuse(`PlatformMap '${map.id}' names reference '${map.reference}', which is not one of its platforms`);
  for (const id of options.platforms ?? []) {
    if (!map.platforms.some((p) => p.id === id))
      throw misuse(`platform '${id}' is not in PlatformMap '${map.id}' (has ${map.platforms.map((p) => p.id).join(', ')})`);
  }
  const on = startDate(scenario);
  const named = await forecast(rules, scenario);
  const seconds = demandSeconds(named);
  const lineSeconds = (line: DemandLine) => seconds.total.get(line.id) ?? 0;
  const allSeconds = scenario.demand.reduce((a, l) => a + lineSeconds(l), 0);
  const lines = scenario.demand.map((l) => ({ line: l.id, output: outputOf(map, l.request)?.id ?? null, request: l.request }));

  const shown = map.platforms.filter((p) => p === reference || !options.platforms || options.platforms.includes(p.id));
  const runs: PlatformRun[] = [];
  let refCheapest: Measured | undefined;
  for (const [done, platform] of shown.entries()) {
    options.onProgress?.(done, shown.length);
    const catalog = rules.inForce('PlanCatalog', platform.catalog, on)?.doc;
    if (!catalog) throw misuse(`PlanCatalog '${platform.catalog}' of platform '${platform.id}' has no published version in force on ${on}`);
    const card = rules.inForce('RateCard', platform.card, on)?.doc;
    if (!card) throw misuse(`RateCard '${platform.card}' of platform '${platform.id}' has no published version in force on ${on}`);
    const isRef = platform === reference;

    // The demand as this platform makes it; what it cannot serve is listed, never priced.
    const demand: DemandLine[] = [];
    const unservable: Unservable[] = [];
    const served: { line: string; pool: string }[] = [];
    for (const line of scenario.demand) {
      if (isRef) {
        demand.push(line);
        served.push({ line: line.id, pool: seconds.pools.get(line.id) ?? line.pool ?? card.pool });
        continue;
      }
      const output = outputOf(map, line.request);
      if (!output) {
        unservable.push({ line: line.id, output: null, reason: `no output of PlatformMap '${map.id}' matches the line's request`, seconds: lineSeconds(line) });
        continue;
      }
      const serving = servingOf(output, platform.id);
      if ('unavailable' in serving) {
        unservable.push({ line: line.id, output: output.id, reason: serving.unavailable, seconds: lineSeconds(line) });
        continue;
      }
      demand.push(mappedLine(line, serving, card.pool));
      served.push({ line: line.id, pool: card.pool });
    }

    const tried: { tier: Subscription; billing: 'monthly' | 'annual'; purchases: Purchases; m: Measured }[] = [];
    for (const tier of candidateTiers(platform, catalog)) {
      for (const billing of tier.price_year === undefined ? (['monthly'] as const) : (['monthly', 'annual'] as const)) {
        const purchases = topUpFor(platform, catalog, tier.id);
        let s: Scenario;
        if (isRef) {
          // The scenario itself on another tier: its rules, pins and grants, the platform's top-ups.
          const { variants: _variants, ...base } = scenario;
          s = { ...base, plan: { ...scenario.plan, subscription: tier.id, billing }, rules: { ...scenario.rules, validity: platform.validity }, purchases };
        } else {
          s = platformScenario(scenario, platform, card.pool, demand, { tier: tier.id, billing }, purchases);
        }
        const r = await forecast(rules, s);
        tried.push({ tier, billing, purchases, m: measure(r, served, seconds, allSeconds, unservable) });
      }
    }
    const best = cheapest(tried);
    const candidates: PlanCandidate[] = tried.map((t) => ({ plan: t.tier.id, billing: t.billing, spend: t.m.spend, unmet: t.m.unmet, covers: t.m.covers }));
    const unit = card.unit?.name ?? 'credit';
    const name = platform.name ?? platform.id;

    if (isRef && scenario.plan.catalog === platform.catalog) {
      const tier = (catalog.subscriptions ?? []).find((t) => t.id === scenario.plan.subscription);
      const billing = scenario.plan.billing ?? 'monthly';
      const purchases = scenario.purchases ?? { policy: 'none' };
      runs.push({
        platform: platform.id,
        name,
        basis: 'scenario',
        plan: tier?.id ?? 'none',
        plan_name: tier?.name ?? tier?.id ?? 'none',
        billing,
        top_up: purchases.policy === 'auto' ? (purchases.pack ?? null) : null,
        unit,
        candidates: [],
        deltas: null,
        ...measure(named, served, seconds, allSeconds, unservable),
      });
    }
    if (best) {
      if (isRef) refCheapest = best.m;
      runs.push({
        platform: platform.id,
        name,
        basis: 'cheapest',
        plan: best.tier.id,
        plan_name: best.tier.name ?? best.tier.id,
        billing: best.billing,
        top_up: best.purchases.policy === 'auto' ? (best.purchases.pack ?? null) : null,
        unit,
        candidates,
        deltas: null,
        ...best.m,
      });
    }
  }
  options.onProgress?.(shown.length, shown.length);
  if (refCheapest) {
    for (const run of runs) run.deltas = delta(run, refCheapest, `${reference.id} (cheapest)`);
  }
  return {
    scenario: scenario.id,
    scenario_version: scenario.version,
    map: { id: map.id, version: map.version },
    reference: reference.id,
    currency: named.currency,
    start: scenario.start,
    horizon: scenario.horizon,
    lines,
    platforms: runs,
  };
}
