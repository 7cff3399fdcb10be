export type { Workbook, Sheet, Cell, CellValue, CellError, Column, Format, Formula, FunctionName, Address, Highlight } from './types.ts';
export { f, toExcel, a1, colLetters, references, dependencies, evaluate, excelRound, isError } from './formula.ts';
export { compareWorkbook, quoteWorkbook, sheetRecords, sheetView, LEDGER_VIEW, ENGINE_VERSION } from './build.ts';
export { forecastWorkbook, buildModel, modelSheets, type ModelStream, type ModelOptions } from './model.ts';
export { runSheets, LEDGER, DEMAND, NEVER_PERIOD, type RunSheets } from './ledger-sheets.ts';
export { rateCardSheet, type RateSheet } from './rate-card.ts';
export { sheetName, definedName } from './names.ts';
export { modelMismatches, type ReadCell } from './check.ts';
