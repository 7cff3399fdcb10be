import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import {
  forecast,
  loadStore,
  modelMismatches,
  runNames,
  type ForecastResult,
  type LoadedDocument,
  type RuleSet,
  type Scenario,
  type ValidityPolicy,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

export async function bundledRules(): Promise<RuleSet> {
  const { rules, errors } = await loadStore(new DirectoryStore(path.join(repoRoot, 'rules')));
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  return rules;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Reads a cell of a sheet (0-based row and column, header row 0): its value, formula results resolved. */
export type Read = (sheet: string, row: number, col: number) => unknown;

/** Ledger rows, lots and Summary figures that disagree with the engine's forecast of the same runs. */
export const mismatches = modelMismatches;

/** Reads a workbook file with exceljs: formula cells give their (cached) result. */
export async function readXlsx(file: string): Promise<{ read: Read; sheets: string[]; wb: ExcelJS.Workbook }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const read: Read = (sheet, row, col) => {
    const ws = wb.getWorksheet(sheet);
    if (!ws) throw new Error(`no sheet ${sheet}`);
    const v = ws.getRow(row + 1).getCell(col + 1).value as unknown;
    if (v && typeof v === 'object' && 'formula' in v) return (v as { result?: unknown }).result ?? null;
    if (v && typeof v === 'object' && 'sharedFormula' in v) return (v as { result?: unknown }).result ?? null;
    return v ?? null;
  };
  return { read, sheets: wb.worksheets.map((w) => w.name), wb };
}

const run = promisify(execFile);

/**
 * Recalculates .xlsx files in LibreOffice, headless, with a fresh profile that always recalculates
 * on load (OOXMLRecalcMode 0): otherwise LibreOffice keeps the cached results. Returns the paths of
 * the recalculated copies.
 */
export async function recalcInLibreOffice(files: string[]): Promise<string[]> {
  const profile = tempDir('cb-lo-profile-');
  mkdirSync(path.join(profile, 'user'), { recursive: true });
  writeFileSync(
    path.join(profile, 'user', 'registrymodifications.xcu'),
    `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`,
  );
  const out = tempDir('cb-lo-out-');
  await run(
    'soffice',
    [
      `-env:UserInstallation=file://${profile}`,
      '--headless',
      '--norestore',
      '--calc',
      '--convert-to',
      'xlsx:Calc MS Excel 2007 XML',
      '--outdir',
      out,
      ...files,
    ],
    {
      timeout: 600_000,
    },
  );
  const made = new Set(readdirSync(out));
  return files.map((f) => {
    const name = path.basename(f);
    if (!made.has(name)) throw new Error(`LibreOffice did not convert ${name}`);
    return path.join(out, name);
  });
}

/** A run's cell of an Assumptions input: the row by its label (or the label before its unit in brackets), the column by the run. */
export function assumption(wb: ExcelJS.Workbook, label: string, run: string): ExcelJS.Cell {
  const ws = wb.getWorksheet('Assumptions')!;
  let col = 0;
  ws.getRow(1).eachCell((c, n) => {
    if (c.value === run) col = n;
  });
  expect(col, `run ${run} in Assumptions`).toBeGreaterThan(0);
  for (let r = 2; r <= ws.rowCount; r++) {
    const text = ws.getRow(r).getCell(1).value;
    if (text === label || (typeof text === 'string' && text.startsWith(`${label} (`))) return ws.getRow(r).getCell(col);
  }
  throw new Error(`no input '${label}'`);
}

/** Sets a run's value of an Assumptions input (found as `assumption` finds it). */
export function setInput(wb: ExcelJS.Workbook, label: string, run: string, value: number): void {
  assumption(wb, label, run).value = value;
}

/** The engine's forecast of each named run of a scenario (every run when no names are given). */
export async function forecasts(rules: RuleSet, scenario: Scenario, names: readonly string[] = runNames(scenario)): Promise<ForecastResult[]> {
  const out: ForecastResult[] = [];
  for (const name of names) out.push(await forecast(rules, scenario, { variant: name }));
  return out;
}

/** A rule set with a validity policy changed. */
export function withPolicy(rules: RuleSet, id: string, change: (p: ValidityPolicy) => ValidityPolicy): RuleSet {
  const loaded = rules.latest('ValidityPolicy', id)!;
  const edited: LoadedDocument = { ...loaded, doc: change(loaded.doc) };
  return rules.with([edited]);
}
