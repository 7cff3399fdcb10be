/** The portfolio: cohorts of customers run through the one ledger, folded into per-period aggregates that merge by addition. */
export { portfolioModel, joinsOf, survivalOf, type PortfolioModel, type CohortModel } from './model.ts';
export {
  render as renderPortfolio,
  metaOf,
  type PortfolioMeta,
  type PortfolioResult,
  type PeriodFigures,
  type TotalFigures,
  type PeriodBooks,
  type TotalBooks,
  type PoolFigures,
  type Figure,
} from './result.ts';
export { runTask, tasksOf, cohortSize, emptyAggregate, zeroAggregate, addAggregates, type Task, type CohortAggregate } from './run.ts';
export { booksPlan, CustomerBooks, BOOK, BOOK_FIELDS, type BooksPlan } from './books.ts';
export { partOf, mergeParts, type PortfolioPart } from './part.ts';
export { customerSeed, customerStream, multiplier, lifetime } from './draws.ts';
export { customerScenario, combineVariants } from './template.ts';
export { comparePortfolio, deltaOf, type PortfolioComparison } from './compare.ts';
export { portfolioWorkbook, portfolioCompareWorkbook, periodSheet as portfolioPeriodSheet, poolsOf, mid as figureMid, type SheetParts } from './workbook.ts';
export { runPortfolio, runAggregates, customersOf, inThisThread, type Executor, type RunOptions } from './runner.ts';
