export { compare, deltaTotals, toRun, type CompareResult, type CompareRun, type SeriesPoint, type TotalsDelta } from './compare.ts';
export { WhatIf, type WhatIfChange, type VariantPatch } from './whatif.ts';
