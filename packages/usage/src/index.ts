/**
 * @creditbook/usage — usage history in DuckDB: import generation events (all or nothing, positioned
 * problems), backtest two rate-card versions inside the database, emit the rating SQL, replay wallets.
 */
export { UsageDb, EVENT_COLUMNS } from './db.ts';
export { importEvents, REQUIRED_COLUMNS, MAX_IMPORT_ERRORS, type ImportOptions, type ImportResult } from './import.ts';
export { sqlPriceTable, loadPriceTable, priceTableCsv, priceTableFromCsv, dimensionType, type SqlPriceTable, type DimensionType } from './prices.ts';
export { backtestStatements, changeReachStatements, requestColumns, type RatingScope } from './sql.ts';
export {
  backtest,
  backtestTables,
  changeReach,
  type ChangeReach,
  type BacktestInput,
  type BacktestResult,
  type BacktestOutcome,
  type CustomerChange,
  type UnpricedRequest,
} from './backtest.ts';
export { guardrailOf, guardrailBreaches, type GuardrailBreach } from './guardrail.ts';
export { writeSample, SAMPLE_EVENT_COLUMNS, type SampleOptions, type SampleCustomer } from './sample.ts';
export {
  replayWallets,
  parseCustomers,
  readCustomers,
  customerScenario,
  replayDefaults,
  CUSTOMER_COLUMNS,
  type CustomerPlan,
  type ReplayInput,
  type WalletReplay,
  type WalletReplayResult,
  type WalletTotals,
} from './replay.ts';
