import { replaceScalar, scalarYaml } from '@creditbook/engine/edit-text';
import { isMap, isScalar, parseDocument, type Node } from 'yaml';

/** Safe to import in the browser: reads and edits YAML text surgically, keeping comments and layout. */

export type Path = (string | number)[];

/** One number in a parameter table, with where it sits in the text. */
export interface ParamCell {
  param: string;
  path: string[];
  value: number;
}

/** A parameter as a table: rows by the leading keys, columns by the last key. */
export interface ParamTable {
  param: string;
  depth: number;
  columns: string[];
  rows: { key: string[]; cells: (ParamCell | null)[] }[];
}

function leaves(node: unknown, prefix: string[], out: { path: string[]; value: number }[]): void {
  if (isMap(node)) {
    for (const item of node.items) {
      const k = isScalar(item.key) ? String(item.key.value) : String(item.key);
      leaves(item.value, [...prefix, k], out);
    }
  } else if (isScalar(node) && typeof node.value === 'number') {
    out.push({ path: prefix, value: node.value });
  }
}

/** The parameter tables of a rate card's text, or null when the text does not parse. */
export function parameterTables(text: string): ParamTable[] | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return null;
  const params = doc.get('parameters', true);
  if (!isMap(params)) return [];
  const tables: ParamTable[] = [];
  for (const item of params.items) {
    const param = isScalar(item.key) ? String(item.key.value) : String(item.key);
    const found: { path: string[]; value: number }[] = [];
    leaves(item.value, [], found);
    if (found.length === 0) continue;
    const depth = Math.max(...found.map((f) => f.path.length));
    const columns: string[] = [];
    const rows = new Map<string, { key: string[]; cells: Map<string, ParamCell> }>();
    for (const f of found) {
      const col = f.path[f.path.length - 1] ?? '';
      const key = f.path.slice(0, -1);
      if (!columns.includes(col)) columns.push(col);
      const k = JSON.stringify(key);
      const row = rows.get(k) ?? { key, cells: new Map<string, ParamCell>() };
      row.cells.set(col, { param, path: f.path, value: f.value });
      rows.set(k, row);
    }
    tables.push({ param, depth, columns, rows: [...rows.values()].map((r) => ({ key: r.key, cells: columns.map((c) => r.cells.get(c) ?? null) })) });
  }
  return tables;
}

/** Replaces the value of one scalar in the text, leaving every other character as it was (the engine's surgical edit). */
export function setScalar(text: string, path: Path, replacement: string): string | null {
  return replaceScalar(text, path, replacement);
}

/** The value of one scalar, or undefined. */
export function getScalar(text: string, path: Path): unknown {
  const doc = parseDocument(text);
  const node = doc.getIn(path, true) as Node | undefined;
  return isScalar(node) ? node.value : undefined;
}

/** Writes a string as a YAML scalar in the style it had (plain when that reads back the same, else double-quoted). */
export function scalarText(value: string, wasPlain: boolean): string {
  return scalarYaml(value, wasPlain);
}

/** Whether the scalar at a path is written plain (unquoted). */
export function isPlain(text: string, path: Path): boolean {
  const doc = parseDocument(text);
  const node = doc.getIn(path, true) as Node | undefined;
  return isScalar(node) && (node.type === 'PLAIN' || node.type === undefined);
}

/** Names for a table's key columns, from the formula's `$cell($param, a, b, c)` call when it has one. */
export function keyNames(formula: string, table: ParamTable): string[] {
  const m = new RegExp(`\\$cell\\(\\s*\\$${table.param}\\s*,([^)]*)\\)`).exec(formula);
  const args = m ? m[1]!.split(',').map((a) => a.trim()) : [];
  return args.length === table.depth && args.every((a) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) ? args : [];
}
