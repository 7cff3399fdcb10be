import { cents, ZERO, type Dec } from './money.ts';
import { NEVER, type LedgerPlan } from './plan.ts';
import type { Simulation } from './simulate.ts';
import type { ForecastResult, LotResult, PeriodRow } from './types.ts';

/** A lot's id as reported: its place among the lots that exist (L0001, L0002, …). */
export function lotId(n: number): string {
  return `L${String(n).padStart(4, '0')}`;
}

/** The ForecastResult (the JSON of `forecast --json`) of a simulated plan. */
export function report(plan: LedgerPlan, sim: Simulation): ForecastResult {
  const { eff, cal } = plan;
  const s = eff.scenario;
  // Each money amount written once (rows share their decimals when the amounts are the same).
  const written = new Map<Dec, string>();
  const money = (d: Dec) => {
    let t = written.get(d);
    if (t === undefined) written.set(d, (t = cents(d)));
    return t;
  };
  const periods: PeriodRow[] = sim.rows.map((r) => ({
    period: cal.label(r.i),
    pool: r.pool,
    opening: r.opening,
    granted: r.granted,
    purchased: r.purchased,
    consumed: r.consumed,
    expired: r.expired,
    closing: r.closing,
    demand: r.demand,
    unmet: r.unmet,
    spend: money(r.spend),
    expired_value: money(r.expiredValue),
    expiring_soon: r.expiringSoon,
    demand_seconds: r.demandSeconds,
    output_seconds: r.servedSeconds,
    overdraft: r.overdraft,
    overdrawn: r.overdrawn,
    settled: r.settled,
    rolled_over: r.rolledOver,
  }));
  const idOf = new Map(sim.lots.map((l, n) => [l.planned, lotId(n + 1)] as const));
  const lots: LotResult[] = sim.lots.map((l, n) => ({
    id: lotId(n + 1),
    pool: l.planned.pool,
    source: l.planned.source,
    ref: l.planned.ref,
    amount: l.amount,
    granted_period: cal.label(l.granted),
    last_valid_period: l.lastValid === NEVER ? 'never' : cal.label(l.lastValid),
    priority: l.priority,
    price: cents(l.price),
    cost_basis: (l.amount > 0 ? l.price.div(l.amount) : ZERO).toString(),
    consumed: l.consumed,
    expired: l.expired,
    remaining: l.remaining,
    category: l.planned.category,
    draws: (l.draws ?? []).map((d) => ({ period: cal.label(d.period), credits: d.credits })),
    rolled_over: l.rolledOver,
    ...(l.planned.rollover ? { rolled_from: idOf.get(plan.lots[l.planned.rollover.from]!)! } : {}),
  }));
  return {
    scenario: s.id,
    scenario_version: s.version,
    variant: eff.variant,
    currency: plan.currency,
    granularity: cal.granularity,
    periods,
    lots,
    demand: [...plan.demandRows],
    totals: sim.totals,
    versions: [...plan.uses.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id) || a.version - b.version),
    plan: plan.plan,
    problems: [...plan.problems, ...dedupe(sim.problems)],
  };
}

/** One problem per code, path and message: a shortfall the tier cannot buy for is reported once, at its first period. */
function dedupe<T extends { code: string; path: string; message: string }>(ps: readonly T[]): T[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.code}|${p.path}|${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
