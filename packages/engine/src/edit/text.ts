import { isMap, isScalar, isSeq, parseDocument, stringify, type Node } from 'yaml';

/**
 * Edits YAML text surgically: only the characters of the values changed are rewritten, so
 * comments, flow maps, folded descriptions and alignment stay as the author wrote them, and a
 * one-cell edit is a one-line diff. Browser-safe (imports yaml only).
 */

export type YamlPath = readonly (string | number)[];

/** One scalar of a document: where it is, and its value. */
export interface Leaf {
  path: (string | number)[];
  value: unknown;
}

const keyOf = (k: unknown): string => (isScalar(k) ? String(k.value) : String(k));

/** Every scalar of a document with its path (map keys as text, sequence items by index). */
export function leavesOf(text: string): Leaf[] | null {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return null;
  const out: Leaf[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) for (const item of node.items) walk(item.value, [...path, keyOf(item.key)]);
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
    else if (isScalar(node)) out.push({ path, value: node.value });
    else if (node === null || node === undefined) out.push({ path, value: null });
  };
  walk(doc.contents, []);
  return out;
}

/** A value written as a YAML scalar: plain where that reads back the same, else double-quoted. */
export function scalarYaml(value: unknown, preferPlain = true): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const s = String(value);
  if (preferPlain && s === s.trim() && s !== '' && !s.includes('\n')) {
    const back = parseDocument(`k: ${s}\n`);
    if (back.errors.length === 0 && back.get('k') === s) return s;
  }
  return JSON.stringify(s);
}

function plainAt(node: Node | undefined): boolean {
  return isScalar(node) && (node.type === 'PLAIN' || node.type === undefined);
}

/** Replaces one existing scalar's text (`replacement` is YAML source); null when there is no scalar there or the text does not parse. */
export function replaceScalar(text: string, path: YamlPath, replacement: string): string | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return null;
  const node = doc.getIn(path, true) as Node | undefined;
  if (!isScalar(node) || !node.range) return null;
  const [start, valueEnd] = node.range;
  return text.slice(0, start) + replacement + text.slice(valueEnd);
}

/** The column where a node starts (its indentation for a block collection). */
function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** A block rendering of a value, indented to `col` on every line after the first, ending with a newline. */
function block(value: unknown, col: number): string {
  const lines = stringify(value, { lineWidth: 0 }).replace(/\n$/, '').split('\n');
  return lines.join('\n' + ' '.repeat(col)) + '\n';
}

/**
 * Sets a top-level key, or a scalar anywhere, rewriting only that value's text. A scalar keeps its
 * quoting style where it can; a mapping value (the audit block) is rewritten as a block in place; a
 * top-level key that is missing is appended at the end. Returns null when the text does not parse.
 */
export function setValue(text: string, path: YamlPath, value: unknown): string | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !isMap(doc.contents)) return null;
  const node = doc.getIn(path, true) as Node | undefined;
  const isObject = typeof value === 'object' && value !== null;
  if (isScalar(node) && node.range && !isObject) return replaceScalar(text, path, scalarYaml(value, plainAt(node)));
  if ((isMap(node) || isSeq(node)) && node.range && isObject) {
    const [start, valueEnd, end] = node.range;
    // A flow collection stays one flow collection; a block one stays a block at its indentation.
    if (node.flow) return text.slice(0, start) + stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).replace(/\n$/, '') + text.slice(valueEnd);
    return text.slice(0, start) + block(value, columnOf(text, start)) + text.slice(end);
  }
  if (node === undefined && path.length === 1) {
    const tail = text.endsWith('\n') || text === '' ? text : text + '\n';
    return tail + (isObject ? `${String(path[0])}:\n  ${block(value, 2)}` : `${String(path[0])}: ${scalarYaml(value)}\n`);
  }
  // Anything else (a flow collection replaced, a nested key added): the document API, which keeps comments.
  doc.setIn(path, value);
  return doc.toString();
}

/** Removes a key or item; the document API re-renders (rare: merges that delete). */
export function deleteValue(text: string, path: YamlPath): string | null {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return null;
  doc.deleteIn(path);
  return doc.toString();
}
