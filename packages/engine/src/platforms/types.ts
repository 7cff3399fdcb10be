import type { Diagnostic } from '../diagnostics/index.ts';
import type { VersionUse } from '../ledger/index.ts';

/** A demand line a platform cannot serve: shown as such, never priced. */
export interface Unservable {
  line: string;
  output: string | null;
  reason: string;
  /** Output seconds of the line over the horizon. */
  seconds: number;
}

/** One plan tried by the cheapest-plan search. */
export interface PlanCandidate {
  plan: string;
  billing: 'monthly' | 'annual';
  spend: string;
  unmet: number;
  covers: boolean;
}

/** One period of a platform run. */
export interface PlatformPeriod {
  period: string;
  spend: string;
  consumed: number;
  expired: number;
  expired_value: string;
  closing: number;
  unmet: number;
  /** Output seconds served in the period (demanded seconds × consumed ÷ demand credits), two places. */
  served_seconds: string;
}

/** Differences against the reference platform's cheapest run (this minus reference). */
export interface PlatformDelta {
  vs: string;
  spend: string;
  expired_value: string;
  cost_per_second: string | null;
  served_seconds: string;
  utilisation: string;
}

/** One platform on one plan: the JSON entry of `creditbook platforms --json`. */
export interface PlatformRun {
  platform: string;
  name: string;
  /** `cheapest`: the cheapest plan that covers the demand (or serves most of it); `scenario`: the plan the scenario names. */
  basis: 'cheapest' | 'scenario';
  plan: string;
  plan_name: string;
  billing: 'monthly' | 'annual';
  top_up: string | null;
  /** No unmet credits on the demand the platform can serve. */
  covers: boolean;
  currency: string;
  unit: string;
  spend: string;
  granted: number;
  purchased: number;
  consumed: number;
  demand: number;
  expired: number;
  expired_value: string;
  unmet: number;
  demand_seconds: number;
  served_seconds: string;
  unmet_seconds: string;
  unservable_seconds: number;
  unservable: Unservable[];
  /** spend ÷ served output seconds, four places; null when nothing was served. */
  cost_per_second: string | null;
  /** consumed ÷ (granted + purchased), four places. */
  utilisation: string;
  series: PlatformPeriod[];
  candidates: PlanCandidate[];
  deltas: PlatformDelta | null;
  versions: VersionUse[];
  problems: Diagnostic[];
}

/** The result of `comparePlatforms`: the JSON shape of `creditbook platforms --json`. */
export interface PlatformComparison {
  scenario: string;
  scenario_version: number;
  map: { id: string; version: number };
  reference: string;
  currency: string;
  start: string;
  horizon: number;
  /** The output class of each demand line of the scenario (null: the map has none for it). */
  lines: { line: string; output: string | null; request: Record<string, string | number> }[];
  platforms: PlatformRun[];
}
