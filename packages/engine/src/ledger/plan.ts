import type { Diagnostic } from '../diagnostics/index.ts';
import type { BurnKey, LotSource } from '../rules/types.ts';
import type { Calendar } from './calendar.ts';
import type { Dec } from './money.ts';
import type { ProblemContext } from './problems.ts';
import type { DemandRow, VersionUse } from './types.ts';
import type { EffectiveScenario } from './variant.ts';

/** How a lot's credits count: a subscription's, bought in a purchase, or free (daily free and promotional). */
export type LotCategory = 'subscription' | 'purchase' | 'free';

/** A number of the plan, and the input it is made of (value = input × times), so a workbook can write it as a formula. */
export interface Quantity {
  readonly value: number;
  readonly input?: string;
  readonly times?: number;
}

/** Money of the plan: exact, and (when it comes from an input) value = input × times ÷ per. */
export interface MoneyAmount {
  readonly value: Dec;
  readonly input?: string;
  readonly times?: number;
  readonly per?: number;
}

/**
 * A number a person may change: a price, a pack size, a validity, a priority, a share that rolls over,
 * a scheduled purchase's first period (`period`: a period index, which a workbook writes as the date it starts).
 */
export interface PlanInput {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly fmt: 'money' | 'credits' | 'integer' | 'percent' | 'period';
  /** Words for the cell's defined name. */
  readonly name: readonly string[];
}

/** An auto top-up that may happen in a pool and period: the fewest packs that cover the shortfall. */
export interface AutoTopUp {
  readonly pack: string;
  /** Credits and price of one pack. */
  readonly credits: Quantity;
  readonly price: MoneyAmount;
  /** False when the tier may not buy the pack: a shortfall is then reported, nothing bought. */
  readonly eligible: boolean;
}

/**
 * A purchase a scheduled purchase may make in a period: `quantity` packs when the period is due (see
 * `scheduledPacks`), none otherwise. Every period of the horizon has one, so editing the first period or
 * `every` in a workbook moves the purchases as the engine would.
 */
export interface ScheduledBuy {
  /** The purchase's place in the run's scheduled purchases. */
  readonly purchase: number;
  /** Credits and price of one pack. */
  readonly credits: Quantity;
  readonly price: MoneyAmount;
  /** Packs bought each time; the first period (an index of the horizon); every how many periods (0: once). */
  readonly inputs: { readonly quantity: string; readonly first: string; readonly every: string };
}

/** A lot that can exist: granted or bought in a period, with its validity, priority and price. */
export interface PlannedLot {
  /** Creation order (the last burn-order key); auto top-ups that may happen have their place too. */
  readonly seq: number;
  readonly pool: string;
  readonly source: LotSource;
  readonly category: LotCategory;
  /** The tier, pack or grant that creates it. */
  readonly ref: string;
  readonly granted: number;
  /** Periods it stays valid, and the input they come from; undefined: it never expires. */
  readonly validity: Quantity | undefined;
  /** granted + validity − 1, or NEVER. */
  readonly lastValid: number;
  readonly priority: Quantity;
  /** Credits (for an auto top-up: packs bought × its pack's credits, known only when simulated). */
  readonly amount: Quantity;
  /** What was paid for the lot, when it was paid (for an auto top-up: per pack). */
  readonly price: MoneyAmount;
  readonly auto?: AutoTopUp;
  /** A scheduled purchase's lot of the period (its amount and price are 0 when the period is not due). */
  readonly scheduled?: ScheduledBuy;
  /** A lot that credits left in another lot roll into when that one ends (its amount known only when simulated). */
  readonly rollover?: RolledLot;
}

/** Where a rolled lot's credits come from, and how many roll: floor(left × share), at most `cap`. */
export interface RolledLot {
  /** The lot they roll out of (its index in the plan's lots). */
  readonly from: number;
  readonly share: number;
  /** The most credits that roll; undefined: no cap. */
  readonly cap: number | undefined;
  /** 1 for credits rolled once, 2 for credits rolled from a rolled lot, … */
  readonly generation: number;
  /** The inputs the share and the cap are (for the workbook's formulas). */
  readonly inputs: { readonly share: string; readonly cap?: string };
}

/** When auto top-ups buy, and how much they may buy (a shortfall top-up is threshold 0, target 0). */
export interface TopUpPolicy {
  readonly trigger: 'shortfall' | 'threshold';
  readonly threshold: number;
  readonly target: number;
  /** Also check before the period's draws. */
  readonly checkStart: boolean;
  /** The most packs per period and pool; undefined: no cap. */
  readonly maxPacks: number | undefined;
  /** The most auto top-ups spend in a calendar month per pool; undefined: no limit. */
  readonly spendLimit: Dec | undefined;
  /** The inputs these come from (for the workbook's formulas). */
  readonly inputs: { readonly threshold?: string; readonly target?: string; readonly maxPacks?: string; readonly spendLimit?: string };
}

/** Money paid that is not the price of one lot: a subscription's billing. */
export interface Payment {
  readonly period: number;
  readonly pool: string;
  readonly ref: string;
  readonly amount: MoneyAmount;
}

/** A lot that never expires has this last valid period. */
export const NEVER = Number.MAX_SAFE_INTEGER;

/**
 * One run of a scenario as the ledger sees it, derived once: its inputs, every lot that can exist,
 * the payments, the priced demand and the burn order in force in each period. `simulate` runs it;
 * the workbook builder writes the same plan as formulas.
 */
export interface LedgerPlan {
  readonly run: string;
  readonly eff: EffectiveScenario;
  readonly cal: Calendar;
  readonly currency: string;
  /** Pools in report order. */
  readonly pools: readonly string[];
  readonly inputs: ReadonlyMap<string, PlanInput>;
  /** Lots in creation order (`seq`). */
  readonly lots: readonly PlannedLot[];
  readonly payments: readonly Payment[];
  /** Demand credits and output seconds per pool and period; the priced lines (with detail). */
  readonly demand: ReadonlyMap<string, readonly number[]>;
  readonly seconds: ReadonlyMap<string, readonly number[]>;
  readonly demandRows: readonly DemandRow[];
  /** The burn order in force in each period. */
  readonly burnOrder: readonly (readonly BurnKey[])[];
  /** The input that turns auto top-ups on (1) or off (0), when the policy is `auto`. */
  readonly autoTopUp: Quantity | undefined;
  /** When auto top-ups buy and their caps (when the policy is `auto`). */
  readonly topUp: TopUpPolicy | undefined;
  /** Per period, the credits a pool may owe (the overdraft limit of the policy in force, an input; 0: none). */
  readonly overdraft: readonly Quantity[];
  readonly problems: readonly Diagnostic[];
  readonly uses: ReadonlyMap<string, VersionUse>;
  readonly plan: { catalog: string; subscription: string | null; billing: 'monthly' | 'annual' };
  /** Where the run's problems point. */
  readonly context: ProblemContext;
}
