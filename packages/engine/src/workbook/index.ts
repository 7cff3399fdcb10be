export type { Workbook, Sheet, Cell, CellValue, CellError, Column, Format, Formula, FunctionName, Address } from './types.ts';
export { f, toExcel, a1, colLetters, references, evaluate, excelRound, isError } from './formula.ts';
export { forecastWorkbook, compareWorkbook, quoteWorkbook, sheetRecords, ENGINE_VERSION } from './build.ts';
