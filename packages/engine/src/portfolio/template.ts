import { monthIndex, monthLabel } from '../rules/dates.ts';
import type { Scenario, Variant } from '../rules/types.ts';
import { D } from '../ledger/money.ts';

/** A month label moved by `months`. */
function shifted(period: string, months: number): string {
  return monthLabel(monthIndex(period.slice(0, 7)) + months) + period.slice(7);
}

/**
 * The template scenario as one customer who joins in `start` follows it for `horizon` periods:
 * its start moves to the join month and the dates of its own behaviour (burst profiles, scheduled
 * purchases, promotional grants) move with it, so a customer's ledger is the template's, offset to
 * the month they join. Rule versions are still those in force in each calendar month, and the
 * variants (the template's and the portfolio's) keep their calendar dates: they are changes of
 * the rules, not of the customer.
 */
export function customerScenario(s: Scenario, start: string, horizon: number, variant: Variant | undefined): Scenario {
  const d = monthIndex(start) - monthIndex(s.start.slice(0, 7));
  const demand = s.demand.map((line) =>
    line.profile?.type === 'burst'
      ? { ...line, profile: { ...line.profile, bursts: line.profile.bursts.map((b) => ({ ...b, start: shifted(b.start, d) })) } }
      : line,
  );
  const purchases = s.purchases && {
    ...s.purchases,
    ...(s.purchases.scheduled ? { scheduled: s.purchases.scheduled.map((p) => ({ ...p, period: shifted(p.period, d) })) } : {}),
  };
  const grants = s.grants?.map((g) => ({ ...g, period: shifted(g.period, d) }));
  const { variants: _own, ...rest } = s;
  return {
    ...rest,
    start,
    horizon,
    demand,
    ...(purchases ? { purchases } : {}),
    ...(grants ? { grants } : {}),
    ...(variant ? { variants: [variant] } : {}),
  };
}

/**
 * Variants applied one after the other, as one: later plan fields, rules, purchases, grants
 * override earlier ones, demand scales multiply, migrations add up.
 */
export function combineVariants(name: string, variants: readonly Variant[]): Variant | undefined {
  if (variants.length === 0) return undefined;
  const out: Variant = { name };
  let plan: Variant['plan'];
  let rules: Variant['rules'];
  let scale: number | undefined;
  const migrate = [];
  for (const v of variants) {
    if (v.plan) plan = { ...(plan ?? {}), ...v.plan };
    if (v.rules) {
      rules = {
        ...(rules ?? {}),
        ...v.rules,
        ...(v.rules.cards || rules?.cards ? { cards: { ...(rules?.cards ?? {}), ...(v.rules.cards ?? {}) } } : {}),
        ...(v.rules.pins || rules?.pins ? { pins: { ...(rules?.pins ?? {}), ...(v.rules.pins ?? {}) } } : {}),
      };
    }
    if (v.purchases) out.purchases = v.purchases;
    if (v.grants) out.grants = v.grants;
    if (v.demand_scale !== undefined) scale = new D(scale ?? 1).times(String(v.demand_scale)).toNumber();
    migrate.push(...(v.migrate ?? []));
  }
  if (plan) out.plan = plan;
  if (rules) out.rules = rules;
  if (scale !== undefined) out.demand_scale = scale;
  if (migrate.length > 0) out.migrate = migrate;
  return out;
}
