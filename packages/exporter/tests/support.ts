import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { loadStore, type ForecastResult, type RuleSet } from '@creditbook/engine';
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

/** Ledger and Summary figures that disagree with the engine's forecast of the same runs. */
export function mismatches(read: Read, sheetNames: string[], runs: readonly ForecastResult[]): string[] {
  const out: string[] = [];
  const single = runs.length === 1;
  const num = (v: unknown) => (typeof v === 'number' ? v : v === null || v === undefined || v === '' ? 0 : Number(v));
  const money = (v: unknown) => num(v).toFixed(2);
  runs.forEach((run, k) => {
    const name = run.variant ?? 'base';
    const ledger = single ? 'Ledger' : sheetNames.find((s) => s === `Ledger · ${name}` || s.startsWith(`Ledger · ${name.slice(0, 20)}`))!;
    // Index the ledger sheet by pool and period.
    const rows = new Map<string, number>();
    for (let r = 1; ; r++) {
      const period = read(ledger, r, 0);
      if (period === null || period === undefined || period === '') break;
      rows.set(`${String(read(ledger, r, 2))}|${String(period)}`, r);
    }
    const cols = { opening: 3, granted: 4, purchased: 5, demand: 6, consumed: 11, expired: 12, closing: 13, unmet: 14, expiring_soon: 17 } as const;
    for (const p of run.periods) {
      const r = rows.get(`${p.pool}|${p.period}`);
      if (r === undefined) {
        out.push(`${name} ${p.pool} ${p.period}: no ledger row`);
        continue;
      }
      for (const [key, c] of Object.entries(cols)) {
        const got = num(read(ledger, r, c));
        const want = p[key as keyof typeof cols];
        if (got !== want) out.push(`${name} ${p.pool} ${p.period} ${key}: sheet ${got}, engine ${want}`);
      }
      if (money(read(ledger, r, 15)) !== p.spend) out.push(`${name} ${p.pool} ${p.period} spend: sheet ${money(read(ledger, r, 15))}, engine ${p.spend}`);
      if (money(read(ledger, r, 16)) !== p.expired_value) out.push(`${name} ${p.pool} ${p.period} expired value: sheet ${money(read(ledger, r, 16))}, engine ${p.expired_value}`);
    }
    const t = run.totals;
    const summary: [number, string | number][] = [
      [1, t.granted], [2, t.purchased], [3, t.consumed], [4, t.expired], [5, t.unmet], [6, t.demand], [7, t.spend], [8, t.expired_value], [9, t.output_seconds],
    ];
    for (const [row, want] of summary) {
      const got = read('Summary', row, k + 1);
      const same = typeof want === 'string' ? money(got) === want : num(got) === want;
      if (!same) out.push(`${name} Summary row ${row}: sheet ${String(got)}, engine ${want}`);
    }
    const ratio = (row: number, want: string | null) => {
      const got = read('Summary', row, k + 1);
      if (want === null ? !(got === '' || got === null || got === undefined) : Math.abs(num(got) - Number(want)) > 0.00005) {
        out.push(`${name} Summary row ${row}: sheet ${String(got)}, engine ${want}`);
      }
    };
    ratio(10, t.cost_per_credit);
    ratio(11, t.cost_per_second);
    ratio(12, t.utilisation);
  });
  return out;
}

/** Reads a workbook file with exceljs: formula cells give their (cached) result. */
export async function readXlsx(file: string): Promise<{ read: Read; sheets: string[]; wb: ExcelJS.Workbook }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const read: Read = (sheet, row, col) => {
    const ws = wb.getWorksheet(sheet);
    if (!ws) throw new Error(`no sheet ${sheet}`);
    const v = ws.getRow(row + 1).getCell(col + 1).value as unknown;
    if (v && typeof v === 'object' && 'formula' in (v)) return (v as { result?: unknown }).result ?? null;
    if (v && typeof v === 'object' && 'sharedFormula' in (v)) return (v as { result?: unknown }).result ?? null;
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
  await run('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--norestore', '--calc', '--convert-to', 'xlsx:Calc MS Excel 2007 XML', '--outdir', out, ...files], {
    timeout: 600_000,
  });
  const made = new Set(readdirSync(out));
  return files.map((f) => {
    const name = path.basename(f);
    if (!made.has(name)) throw new Error(`LibreOffice did not convert ${name}`);
    return path.join(out, name);
  });
}
