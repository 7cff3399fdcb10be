export { compare, deltaTotals, toRun, type CompareResult, type CompareRun, type SeriesPoint, type TotalsDelta } from './compare.ts';
