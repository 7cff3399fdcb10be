import Decimal from 'decimal.js';
import { comparePlatforms, forecast, type RuleSet } from '@creditbook/engine';

const money = (x: string) => new Decimal(x);

/** The scenarios docs/platforms.md reports on: one bursty, one steady. */
export const REPORTED = [
  { id: 'agency-campaigns', demand: 'bursty' },
  { id: 'steady-studio', demand: 'steady' },
] as const;

const pct = (part: string, whole: string) => (money(whole).isZero() ? '—' : `${money(part).div(money(whole)).times(100).toDecimalPlaces(1).toFixed(1)}%`);

/** The figures of docs/platforms.md, as Markdown, computed by the engine from the bundled rules. */
export async function platformReport(rules: RuleSet): Promise<string> {
  const out: string[] = [];
  for (const { id, demand } of REPORTED) {
    const scenario = rules.latest('Scenario', id)!.doc;
    const c = await comparePlatforms(rules, scenario);
    out.push(`### ${id} (${demand})`, '');
    out.push(
      '| Platform | Plan | Spend | Credits expired | Expired value | Expired share of spend | Unmet s | Unservable s | Cost per served s | Δ spend vs Kling |',
    );
    out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of c.platforms) {
      const plan = `${r.plan_name} (${r.billing})${r.basis === 'scenario' ? ", the scenario's plan" : ''}`;
      out.push(
        `| ${r.name} | ${plan} | ${r.spend} | ${r.expired} ${r.unit}s | ${r.expired_value} | ${pct(r.expired_value, r.spend)} | ${r.unmet_seconds} | ${r.unservable_seconds} | ${r.cost_per_second ?? '—'} | ${r.deltas?.spend ?? '—'} |`,
      );
    }
    // The same Kling plan and demand under the two validity rules: two years, and reset every month.
    const long = await forecast(rules, scenario);
    const monthly = await forecast(rules, scenario, { variant: 'monthly-expiry' });
    const saved = money(monthly.totals.spend).minus(money(long.totals.spend));
    out.push('');
    out.push(`Kling on the scenario's own plan, two-year validity against monthly expiry (the \`monthly-expiry\` variant):`, '');
    out.push('| Validity | Spend | Credits expired | Expired value | Unmet credits | Cost per output s |');
    out.push('|---|---:|---:|---:|---:|---:|');
    for (const [label, r] of [
      ['24 months (kling-validity)', long],
      ['1 month (monthly-expiry)', monthly],
    ] as const) {
      out.push(`| ${label} | ${r.totals.spend} | ${r.totals.expired} | ${r.totals.expired_value} | ${r.totals.unmet} | ${r.totals.cost_per_second ?? '—'} |`);
    }
    out.push('');
    out.push(
      `Long validity saves **${saved.toFixed(2)} ${c.currency}** (${pct(saved.toFixed(2), monthly.totals.spend)} of the monthly-expiry spend) on ${demand} demand.`,
      '',
    );
  }
  return out.join('\n');
}
