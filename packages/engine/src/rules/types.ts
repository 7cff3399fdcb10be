/** Shapes of the rule documents, as their JSON Schemas (packages/engine/schemas) define them. */

export type Kind = 'RateCard' | 'PlanCatalog' | 'ValidityPolicy' | 'Scenario' | 'PlatformMap' | 'Portfolio';
export const KINDS: readonly Kind[] = ['RateCard', 'PlanCatalog', 'ValidityPolicy', 'Scenario', 'PlatformMap', 'Portfolio'];

/** `withdrawn`: published for a future date, then withdrawn before it took effect (never in force). */
export type Status = 'draft' | 'published' | 'withdrawn';
export type Money = string | number;
export type DimensionValue = string | number;

export interface Audit {
  author: string;
  saved_at: string;
  note?: string;
  based_on?: number;
  published_by?: string;
  published_at?: string;
  /** Review and publishing steps, oldest first: who did what, when and why. */
  trail?: ReviewEvent[];
}

/** One step in a version's audit trail. */
export interface ReviewEvent {
  action: 'submitted' | 'approved' | 'rejected' | 'published' | 'withdrawn';
  by: string;
  at: string;
  note?: string;
}

export interface DocumentHeader {
  kind: Kind;
  id: string;
  version: number;
  effective_from: string;
  status: Status;
  audit: Audit;
  title?: string;
  description?: string;
}

export interface Dimension {
  values?: DimensionValue[];
  range?: { min: number; max: number; step?: number };
  default?: DimensionValue;
  description?: string;
}

export interface Constraint {
  when: Record<string, DimensionValue>;
  allow: Record<string, DimensionValue[]>;
  note?: string;
}

export type Parameter = number | { [key: string]: Parameter };

export interface RateCardExample {
  request: Record<string, string | number>;
  credits: number;
  note?: string;
}

/** Whom a rate-card version reaches: every customer, new customers only, or existing ones from their next renewal. */
export type Reach = 'all' | 'new_customers' | 'next_renewal';

/**
 * A rate card's publish guardrail: limits on what a draft's backtest (on the loaded usage, against
 * the version in force) may show before publishing needs an approver's override with a reason.
 * Each limit is a per-cent increase: of a percentile of the per-customer change, of the largest one,
 * or of the total credits.
 */
export interface Guardrail {
  p50_increase_pct?: number;
  p90_increase_pct?: number;
  p95_increase_pct?: number;
  p99_increase_pct?: number;
  max_increase_pct?: number;
  total_increase_pct?: number;
}

export interface RateCard extends DocumentHeader {
  kind: 'RateCard';
  pool: string;
  unit?: { name: string; scale?: number };
  rounding?: 'ceil' | 'floor' | 'round' | 'exact';
  /** Whom the version reaches from its effective date (default `all`); see `reaches`. */
  reach?: Reach;
  /** Limits on a draft's backtest against this card before publishing needs an override (see `Guardrail`). */
  guardrail?: Guardrail;
  dimensions: Record<string, Dimension>;
  constraints?: Constraint[];
  parameters?: Record<string, Parameter>;
  credits: string;
  examples?: RateCardExample[];
}

export interface Validity {
  months?: number;
  days?: number;
}

export interface Subscription {
  id: string;
  name?: string;
  pool: string;
  price_month: Money;
  price_year?: Money;
  credits_per_month: number;
  /** Burn priority of this tier's credits, over the subscription source's. */
  priority?: number;
  note?: string;
}

export interface Pack {
  id: string;
  name?: string;
  pool: string;
  price: Money;
  credits: number;
  validity?: Validity;
  eligible_tiers?: string[];
  /** Burn priority of this pack's credits, over its source's. */
  priority?: number;
  note?: string;
}

export interface PlanCatalog extends DocumentHeader {
  kind: 'PlanCatalog';
  currency: string;
  daily_free?: { pool: string; credits_per_day: number; tiers: string[]; note?: string };
  subscriptions?: Subscription[];
  top_ups?: Pack[];
  api_packages?: Pack[];
  custom_packages?: Pack[];
}

export type LotSource = 'subscription' | 'top_up' | 'api_package' | 'custom_package' | 'promotional' | 'daily_free';
export const LOT_SOURCES: readonly LotSource[] = ['subscription', 'top_up', 'api_package', 'custom_package', 'promotional', 'daily_free'];

/**
 * What happens to a lot's credits left at the end of its last valid period: a share of them (at
 * most `max_credits`) moves into a new lot with its own validity and priority, at most
 * `max_rollovers` times in a row; the rest expires. `max_credits: 0` is a reset: nothing rolls.
 */
export interface Rollover {
  /** Share of what is left that rolls (0–1, default 1), rounded down to whole credits. */
  share?: number;
  /** The most credits one lot rolls (default: no cap). */
  max_credits?: number;
  /** How many times credits may roll in a row (default 1). */
  max_rollovers?: number;
  /** Validity of the rolled lot (default: the source's). */
  validity?: Validity;
  /** Priority of the rolled lot (default: the source's). */
  priority?: number;
  note?: string;
}

export interface SourcePolicy {
  validity?: Validity;
  per_package?: boolean;
  priority: number;
  /** Subscription credits only: what rolls into a new lot when a lot ends. */
  rollover?: Rollover;
  note?: string;
}

export type BurnKey = 'last_valid_period' | 'priority' | 'granted_period' | 'lot_id' | 'category' | 'cost_basis';

/** Demand beyond what the lots hold may be served on credit, up to `limit` credits per pool, repaid by the next grant or purchase. */
export interface Overdraft {
  limit: number;
  note?: string;
}

/** How the price of paid credits becomes revenue (docs/books.md). */
export type RevenueMethod = 'at-expiry' | 'proportional';
/** The lot sources that are paid for: the only ones with a breakage rate. */
export type PaidSource = 'subscription' | 'top_up' | 'api_package' | 'custom_package';
export const PAID_SOURCES: readonly PaidSource[] = ['subscription', 'top_up', 'api_package', 'custom_package'];

/** A validity policy's revenue terms: the method, and the expected breakage rate per paid source. */
export interface RevenueTerms {
  method: RevenueMethod;
  /** Expected breakage rate `b` (0 ≤ b < 1) per source; a source not listed expects none. */
  breakage?: Partial<Record<PaidSource, number>>;
  note?: string;
}

export interface ValidityPolicy extends DocumentHeader {
  kind: 'ValidityPolicy';
  sources: Partial<Record<LotSource, SourcePolicy>>;
  burn_order?: BurnKey[];
  uncovered_demand?: 'unmet';
  /** Let a pool go negative up to a limit instead of counting unmet demand. */
  overdraft?: Overdraft;
  /** Revenue recognition terms (the books); without them: at expiry, no expected breakage. */
  revenue?: RevenueTerms;
}

export type Pins = Record<string, number | 'effective'>;

export interface ScenarioPlan {
  catalog: string;
  subscription?: string;
  billing?: 'monthly' | 'annual';
  daily_free?: boolean;
}

export interface ScenarioRules {
  validity: string;
  cards: Record<string, string>;
  pins?: Pins;
}

export type Profile =
  | { type: 'steady' }
  | { type: 'seasonal'; factors: number[] }
  | { type: 'burst'; bursts: { start: string; periods: number; count: number; note?: string }[] };

export interface DemandLine {
  id: string;
  pool?: string;
  request: Record<string, string | number>;
  count: number;
  profile?: Profile;
  note?: string;
}

export interface ScheduledPurchase {
  period: string;
  pack: string;
  quantity?: number;
  every?: number;
}

export interface Purchases {
  policy: 'none' | 'scheduled' | 'auto';
  pack?: string;
  packs?: Record<string, string>;
  scheduled?: ScheduledPurchase[];
  /** Further packs an auto top-up may combine (each pool buys among those of its pool): the cheapest combination. */
  pack_options?: string[];
  /** When an auto top-up buys: on a shortfall (default), or when the balance falls below `threshold`. */
  trigger?: 'shortfall' | 'threshold';
  threshold?: number;
  /** The balance a threshold top-up buys up to (default: the threshold). */
  target?: number;
  /** When the threshold is checked: as the period's draws end (default), or also before them. */
  check?: 'period_end' | 'period_start';
  /** The most auto top-up packs bought in one period, per pool. */
  max_packs_per_period?: number;
  /** The most auto top-ups may spend in one calendar month, per pool. */
  monthly_spend_limit?: Money;
}

export interface Grant {
  period: string;
  pool: string;
  credits: number;
  source?: 'promotional';
  /** Burn priority of this grant (0–100; default: its source's in the validity policy, else 50). */
  priority?: number;
  /** The first instant the grant is no longer usable (exclusive), YYYY-MM-DD. */
  expires_at?: string;
  /** The last period the grant is usable (inclusive). */
  last_valid?: string;
  note?: string;
}

export interface Migration {
  from: Record<string, string | number>;
  to: Record<string, string | number>;
  share: number;
  from_period?: string;
}

export interface Variant {
  name: string;
  description?: string;
  plan?: Partial<Omit<ScenarioPlan, 'subscription'>> & { subscription?: string | null };
  rules?: Partial<ScenarioRules>;
  purchases?: Purchases;
  grants?: Grant[];
  demand_scale?: number;
  migrate?: Migration[];
}

export interface Scenario extends DocumentHeader {
  kind: 'Scenario';
  currency?: string;
  start: string;
  horizon: number;
  granularity?: 'month' | 'day';
  plan: ScenarioPlan;
  rules: ScenarioRules;
  demand: DemandLine[];
  purchases?: Purchases;
  grants?: Grant[];
  variants?: Variant[];
}

/** One platform a PlatformMap compares: its plan catalog, validity policy and rate card. */
export interface MappedPlatform {
  id: string;
  name?: string;
  catalog: string;
  validity: string;
  card: string;
  /** Subscriptions a cheapest-plan search tries (default: every tier priced above zero). */
  tiers?: string[];
  /** The top-up pack bought on a shortfall; none: no top-ups. */
  top_up?: string;
  note?: string;
}

/** How one platform serves an output: a request on its card (times `generations`), or not at all. */
export type PlatformOutput = { request: Record<string, string | number>; generations?: number; note?: string } | { unavailable: string };

/** An output class: the reference requests that are it, and what each other platform makes of it. */
export interface MappedOutput {
  id: string;
  description?: string;
  match: Record<string, string | number>[];
  on: Record<string, PlatformOutput>;
}

export interface PlatformMap extends DocumentHeader {
  kind: 'PlatformMap';
  reference: string;
  platforms: MappedPlatform[];
  outputs: MappedOutput[];
}

/** How customers of a cohort differ: each one's generations are the template's times a multiplier of mean 1. */
export type Spread = 'none' | { distribution: 'lognormal'; sigma: number } | { distribution: 'gamma'; shape: number };

/** Customers who follow one Scenario as their template. */
export interface Cohort {
  id: string;
  description?: string;
  scenario: string;
  variant?: string;
  /** Customers joining per period from the start, or a start count and a growth rate per period. */
  joins: number[] | { start: number; growth?: number; periods?: number };
  churn?: number;
  retention?: number[];
  spread?: Spread;
}

export interface Portfolio extends DocumentHeader {
  kind: 'Portfolio';
  currency: string;
  start: string;
  horizon: number;
  cohorts: Cohort[];
  variants?: Variant[];
}

export type RuleDocument = RateCard | PlanCatalog | ValidityPolicy | Scenario | PlatformMap | Portfolio;
