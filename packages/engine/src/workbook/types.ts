/** The one result structure: the CLI's tables, the web app's tables and the Excel file all read it. */

export type CellValue = number | string | boolean | null;

/** Error values flow through the graph instead of being thrown. */
export type CellError = '#CYCLE!' | '#DIV/0!' | '#REF!' | '#VALUE!' | '#NUM!';

export type Format = 'credits' | 'money' | 'ratio' | 'percent' | 'text' | 'period' | 'integer' | 'number' | 'decimal' | 'date' | 'month' | 'day';

/** A formula as a tree, so the engine can evaluate it and the exporter can write it as Excel. */
export type Formula =
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'ref'; sheet?: string; row: number; col: number; absRow?: boolean; absCol?: boolean }
  | { t: 'range'; sheet?: string; r1: number; c1: number; r2: number; c2: number; absRow?: boolean; absCol?: boolean }
  | { t: 'name'; name: string }
  | { t: 'op'; op: '+' | '-' | '*' | '/' | '>' | '<' | '>=' | '<=' | '=' | '<>' | '&'; a: Formula; b: Formula }
  | { t: 'neg'; a: Formula }
  | { t: 'fn'; name: FunctionName; args: Formula[] }
  /**
   * `of` filled right by `dc` columns: its relative column references move `dc` columns (Excel's
   * fill right). The cells of a row that are one formula filled right share one `of`, so a sheet
   * holds one formula tree per row instead of one per cell.
   */
  | { t: 'shift'; of: Formula; dc: number };

export type FunctionName =
  | 'SUM'
  | 'MIN'
  | 'MAX'
  | 'ABS'
  | 'IF'
  | 'ROUND'
  | 'ROUNDUP'
  | 'ROUNDDOWN'
  | 'MOD'
  | 'AND'
  | 'OR'
  | 'IFERROR'
  | 'SUMPRODUCT'
  | 'SUMIF'
  | 'SUMIFS'
  | 'COUNTIFS'
  | 'INDEX'
  | 'MATCH';

export interface Cell {
  v: CellValue;
  f?: Formula;
  fmt?: Format;
  /** An input a person may edit (styled and named in Excel). */
  input?: boolean;
  /** A heading of a section (the cover's): bold. */
  heading?: boolean;
  /** A setting of the scenario shown as text (styled so it does not read as an input: it drives nothing). */
  setting?: boolean;
  /** A defined name for the cell. */
  name?: string;
  /** A note shown with the cell (e.g. why a rule formula went out as a value). */
  note?: string;
  /** What Excel accepts in an input cell (data validation, error alert "stop"). */
  validation?: Validation;
}

/** A data validation rule: whole or decimal numbers within bounds (inclusive). */
export interface Validation {
  type: 'whole' | 'decimal';
  min?: number;
  max?: number;
  /** Shown when a value is refused. */
  message: string;
}

export interface Column {
  key: string;
  title: string;
  fmt?: Format;
  width?: number;
  /** Kept (the sheet's layout is the same for every run) but in a collapsed outline group: it holds nothing this run can use. */
  collapsed?: boolean;
}

export interface Sheet {
  name: string;
  /** Row 0 is the header row; formulas address rows and columns of this grid (0-based). */
  columns: Column[];
  rows: Cell[][];
  /** Header rows to freeze. */
  frozen?: number;
  /** Label columns to freeze (time runs across the columns after them); they repeat on printed pages. */
  frozenColumns?: number;
  /** Pages wide when printed (default 1: the sheet is scaled to the page width). */
  pagesWide?: number;
  /**
   * Rows (0-based) kept live but out of the way: in a collapsed outline group (hidden, outline level
   * 1), which a reader opens with the group's + button; their formulas compute like any other row's.
   */
  collapsedRows?: readonly number[];
  /** Rows printed, from the top (default all): working rows below them, such as the Ledger's pack-choice blocks, are left out. */
  printRows?: number;
  /** Conditional formats, in A1 ranges of this sheet. */
  highlights?: Highlight[];
}

/** A conditional format: cells of `ref` coloured where `formula` (for the top-left cell; relative references move) is true. */
export interface Highlight {
  ref: string;
  formula: string;
  colour: 'red' | 'amber';
  note: string;
}

export interface Workbook {
  title: string;
  currency?: string;
  properties: Record<string, string>;
  sheets: Sheet[];
}

/** A cell address in a workbook. */
export interface Address {
  sheet: string;
  row: number;
  col: number;
}
