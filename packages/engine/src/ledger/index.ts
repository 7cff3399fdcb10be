export { forecast, sweep, compiledCard, DEFAULT_BURN_ORDER, type SweepRun } from './forecast.ts';
export { checkScenarioRuns } from './check.ts';
export { applyVariant, runNames, type EffectiveScenario } from './variant.ts';
export { calendar, DAYS_PER_MONTH, type Calendar } from './calendar.ts';
export { demandStreams, profileCount, type DemandStream } from './demand.ts';
export { D, money, cents, type Dec } from './money.ts';
export type { ForecastResult, PeriodRow, LotResult, DemandRow, Totals, VersionUse, ForecastProblem } from './types.ts';
