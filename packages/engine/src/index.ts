/**
 * @creditbook/engine — load and validate rule documents, resolve versions by date,
 * quote, forecast credit ledgers, compare variants, and build result workbooks.
 * No Node-only APIs here: file access lives behind RuleStore (see '@creditbook/engine/node').
 */
export {
  MESSAGES,
  messageFor,
  diagnostic,
  lineCol,
  formatDiagnostic,
  codeFrame,
  CreditbookError,
  type Code,
  type Diagnostic,
  type Severity,
} from './diagnostics/index.ts';
export {
  KINDS,
  LOT_SOURCES,
  MemoryStore,
  loadFiles,
  loadStore,
  parseRuleFile,
  MAX_FILE_SIZE,
  MAX_ALIAS_COUNT,
  RuleSet,
  problemAt,
  rangeAt,
  isCalendarDate,
  isMonth,
  todayUtc,
  catalogPacks,
  startDate,
  MANIFEST_PATH,
  buildManifest,
  checkManifest,
  contentHash,
  manifestText,
  parseManifest,
  type Manifest,
  type ManifestCheck,
  type RuleStore,
  type StoredFile,
  type LoadResult,
  type LoadedDocument,
  type SourceDocument,
  type Kind,
  type Status,
  type ReviewEvent,
  type RuleDocument,
  type RateCard,
  type PlanCatalog,
  type ValidityPolicy,
  type Scenario,
  type Variant,
  type DemandLine,
  type Dimension,
  type Constraint,
  type Parameter,
  type Pack,
  type Subscription,
  type LotSource,
  type Validity,
  type Money,
  type SourcePolicy,
  type BurnKey,
  type DimensionValue,
} from './rules/index.ts';
export { SCHEMAS, validateSchema, type SchemaIssue } from './schema/index.ts';
export { FUNCTIONS, FORMULA_LIMITS, compileFormula, evaluateFormula, type FormulaFunction } from './formula/index.ts';
export { compileTable, priceTable, type CardTable, type PriceRow, type PriceTable } from './quote/index.ts';
export { compileCard, quote, type CompiledCard, type Priced, type Quote, type QuoteInput, type QuoteOutcome, type QuoteRequest, type TraceStep } from './quote/index.ts';
export {
  forecast,
  sweep,
  checkScenarioRuns,
  applyVariant,
  runNames,
  calendar,
  profileCount,
  type Calendar,
  DEFAULT_BURN_ORDER,
  type ForecastResult,
  type PeriodRow,
  type LotResult,
  type DemandRow,
  type Totals,
  type VersionUse,
  type ForecastProblem,
  type SweepRun,
} from './ledger/index.ts';
export { compare, deltaTotals, RunCache, type CompareResult, type CompareRun, type SeriesPoint, type TotalsDelta } from './compare/index.ts';
export { WhatIf, type WhatIfChange, type VariantPatch } from './compare/index.ts';
export { dependencyGraph, recalculate, setInputs, cellKey, type DependencyGraph } from './graph/index.ts';
export {
  f,
  toExcel,
  a1,
  colLetters,
  evaluate as evaluateCellFormula,
  isError,
  forecastWorkbook,
  compareWorkbook,
  quoteWorkbook,
  sheetRecords,
  ENGINE_VERSION,
  type Workbook,
  type Sheet,
  type Cell,
  type CellValue,
  type Column,
  type Format,
  type Formula,
} from './workbook/index.ts';
export { recordPublished, writeManifest, type ManifestResult } from './edit/index.ts';
export { documentPath, saveDraft, publish, diffCards, priceGrid, requestGrid, type SaveDraftInput, type PublishInput, type SaveResult, type PriceChange } from './edit/index.ts';
export { diffFields, type FieldChange } from './edit/index.ts';
export { reviewState, submitter, submitForReview, reviewDraft, withdraw, type ReviewState, type ReviewStep } from './edit/index.ts';
export { mergeCells, pathKey, leavesOf, replaceScalar, scalarYaml, setValue, type MergeChoices, type MergeConflict, type MergeResult, type Leaf, type YamlPath } from './edit/index.ts';
