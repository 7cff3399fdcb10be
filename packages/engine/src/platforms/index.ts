export { comparePlatforms, type ComparePlatformsOptions } from './compare.ts';
export { checkPlatformMap } from './check.ts';
export { platformsWorkbook } from './workbook.ts';
export { outputOf, servingOf } from './map.ts';
export type { PlatformComparison, PlatformRun, PlatformPeriod, PlatformDelta, PlanCandidate, Unservable } from './types.ts';
