export { forecast, sweep, MAX_FORECAST_CELLS, type SweepRun } from './forecast.ts';
export { ledgerPlan } from './derive.ts';
export {
  NEVER,
  type LedgerPlan,
  type PlannedLot,
  type PlanInput,
  type Payment,
  type AutoTopUp,
  type Quantity,
  type MoneyAmount,
  type LotCategory,
} from './plan.ts';
export { simulate, type Simulation, type SimulatedLot, type LedgerRow } from './simulate.ts';
export { report, lotId } from './report.ts';
export { PricingCache } from './cache.ts';
export { DEFAULT_BURN_ORDER, burnComparator } from './burn-order.ts';
export { checkScenarioRuns } from './check.ts';
export { applyVariant, runNames, type EffectiveScenario } from './variant.ts';
export { calendar, DAYS_PER_MONTH, type Calendar } from './calendar.ts';
export { demandStreams, profileCount, scaleCount, type DemandStream } from './demand.ts';
export { D, money, cents, type Dec } from './money.ts';
export type { ForecastResult, PeriodRow, LotResult, DemandRow, Totals, VersionUse } from './types.ts';
