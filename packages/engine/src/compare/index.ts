export {
  compare,
  deltaTotals,
  deltaBooks,
  booksSummary,
  BOOKS_KEYS,
  toRun,
  RunCache,
  type BooksSummary,
  type BooksDelta,
  type CompareResult,
  type CompareRun,
  type SeriesPoint,
  type TotalsDelta,
} from './compare.ts';
export { WhatIf, type WhatIfChange, type VariantPatch } from './whatif.ts';
