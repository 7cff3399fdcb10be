import type { Diagnostic } from '../diagnostics/index.ts';
import type { DimensionValue, LotSource } from '../rules/types.ts';

/** A lot: credits from one grant or purchase, with its own validity. */
export interface LotResult {
  id: string;
  pool: string;
  source: LotSource;
  /** The tier, pack or grant that created it. */
  ref: string;
  amount: number;
  granted_period: string;
  last_valid_period: string;
  priority: number;
  /** Price paid for the lot (decimal string). */
  price: string;
  /** Price per credit, exact (decimal string, not rounded). */
  cost_basis: string;
  consumed: number;
  expired: number;
  remaining: number;
  /** subscription, purchase or free (daily free and promotional credits). */
  category: 'subscription' | 'purchase' | 'free';
  /** Credits drawn from the lot, by period (only periods with a draw; repaying an overdraft is a draw). */
  draws: { period: string; credits: number }[];
  /** Credits left when it ended that rolled into a new lot (not expired, not consumed). */
  rolled_over: number;
  /** A rolled lot: the lot its credits rolled out of. */
  rolled_from?: string;
}

/** One pool in one period: the ledger row. */
export interface PeriodRow {
  period: string;
  pool: string;
  opening: number;
  granted: number;
  purchased: number;
  consumed: number;
  expired: number;
  closing: number;
  demand: number;
  unmet: number;
  /** Money paid in the period (decimal string, two places). */
  spend: string;
  /** Value of credits that expired at the end of the period, at cost basis. */
  expired_value: string;
  /**
   * Credits about to expire as the period closes: what is left after the period's draws in lots
   * whose last valid period is this period or the next (this period's `expired` included).
   */
  expiring_soon: number;
  /** Output seconds demanded, and served (the consumed share of demand, rounded half up). */
  demand_seconds: number;
  output_seconds: number;
  /** Credits owed on overdraft as the period closes (closing = the lots' credits − overdraft). */
  overdraft: number;
  /** Demand served on overdraft in the period (part of consumed, never of unmet). */
  overdrawn: number;
  /** Overdraft repaid from the period's new grants and purchases. */
  settled: number;
  /** Credits that rolled out of lots ending this period into new lots (usable from the next period). */
  rolled_over: number;
}

/** One demand line in one period, priced. */
export interface DemandRow {
  period: string;
  line: string;
  pool: string;
  request: Record<string, DimensionValue>;
  count: number;
  credits_per_unit: number;
  credits: number;
  card: { id: string; version: number };
  /** Output seconds (count × duration_s when the request has one). */
  seconds: number;
}

export interface Totals {
  granted: number;
  purchased: number;
  consumed: number;
  expired: number;
  unmet: number;
  demand: number;
  spend: string;
  expired_value: string;
  /** Output seconds served (demanded seconds in the consumed share of each period's demand). */
  output_seconds: number;
  /** Output seconds demanded (count × duration_s), served or not. */
  demand_seconds: number;
  /** consumed / (granted + purchased), 4 places ('0' when nothing was available). */
  utilisation: string;
  /** spend / consumed, 4 places, or null when nothing was consumed. */
  cost_per_credit: string | null;
  /** spend / output seconds served, 4 places, or null. */
  cost_per_second: string | null;
}

export interface VersionUse {
  kind: string;
  id: string;
  version: number;
  effective_from: string;
  /** First and last period that used it. */
  from: string;
  to: string;
}

/** The result of a forecast: the JSON shape of `creditbook forecast --json`. */
export interface ForecastResult {
  scenario: string;
  scenario_version: number;
  variant: string | null;
  currency: string;
  granularity: 'month' | 'day';
  periods: PeriodRow[];
  lots: LotResult[];
  demand: DemandRow[];
  totals: Totals & { by_pool: Record<string, Totals> };
  versions: VersionUse[];
  plan: { catalog: string; subscription: string | null; billing: 'monthly' | 'annual' };
  /** Problems of the run: Diagnostics positioned in the scenario, each with its period (when it has one) and run. */
  problems: Diagnostic[];
}
