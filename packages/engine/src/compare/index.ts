export { compare, deltaTotals, toRun, RunCache, type CompareResult, type CompareRun, type SeriesPoint, type TotalsDelta } from './compare.ts';
export { WhatIf, type WhatIfChange, type VariantPatch } from './whatif.ts';
