/**
 * @creditbook/exporter — Excel workbooks of credit forecasts whose formulas are live: inputs are
 * values, every derived cell (demand, the lot-by-period burn grid, the ledger, the summary and the
 * comparison) is a formula written with its cached value.
 */
export { exportScenario, type ExportOptions, type ExportResult } from './export.ts';
export { buildModel, type ExportInput, type Model } from './model.ts';
export { writeSheets, writeWorkbook, looksLikeFormula, type SheetSource, type Highlight, type WriteOptions } from './write.ts';
export { sheetName, definedName } from './names.ts';
