/**
 * @creditbook/exporter — writes the engine's live workbook model to .xlsx (exceljs): formula cells
 * as Excel formulas with their cached values, inputs styled and named, conditional formats, and
 * text from rules always written as text. No ledger logic here: the model is the engine's.
 */
export { exportScenario, type ExportOptions, type ExportResult } from './export.ts';
export { writeSheets, writeWorkbook, looksLikeFormula, type SheetSource, type WriteOptions } from './write.ts';
export { sheetName, definedName, type Highlight } from '@creditbook/engine';
