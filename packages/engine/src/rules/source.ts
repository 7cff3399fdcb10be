import { isMap, isScalar, isSeq, isPair, type Document, type Node, type Pair, Scalar } from 'yaml';

/** A parsed YAML file kept with its text, so any later problem can be positioned in it. */
export interface SourceDocument {
  readonly file: string;
  readonly text: string;
  readonly yaml: Document.Parsed;
}

export type PathSegment = string | number;

/** Splits a JSON pointer (ajv's instancePath) into segments. */
export function pointerSegments(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** JSON pointer of a path. */
export function pointer(path: readonly PathSegment[]): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function pairFor(node: Node, key: PathSegment): Pair | undefined {
  if (!isMap(node)) return undefined;
  const found: Pair | undefined = node.items.find((p) => {
    const k = isScalar(p.key) ? p.key.value : p.key;
    return String(k) === String(key);
  });
  return found;
}

/**
 * The source range of the node at a path. With `key`, the range of that key inside the mapping
 * at the path (used for unknown-field and duplicate errors). Falls back to the deepest node found.
 */
export function rangeAt(src: SourceDocument, path: readonly PathSegment[], key?: string): [number, number] {
  let node: Node | null | undefined = src.yaml.contents;
  let best: [number, number] = [0, 0];
  if (node?.range) best = [node.range[0], node.range[1]];
  for (const seg of path) {
    if (!node) break;
    let next: Node | undefined;
    if (isMap(node)) {
      const pair = pairFor(node, seg);
      next = (pair?.value ?? pair?.key) as Node | undefined;
    } else if (isSeq(node)) {
      next = node.items[Number(seg)] as Node | undefined;
    }
    if (!next) break;
    node = next;
    if (node.range) best = [node.range[0], node.range[1]];
  }
  if (key !== undefined && node) {
    const pair = pairFor(node, key);
    const k = pair?.key as Node | undefined;
    if (k?.range) best = [k.range[0], k.range[1]];
  }
  return best;
}

/** The scalar node at a path, if the path ends at a scalar. */
export function scalarAt(src: SourceDocument, path: readonly PathSegment[]): Scalar | undefined {
  let node: unknown = src.yaml.contents;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = pairFor(node, seg);
      node = pair?.value;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)];
    } else return undefined;
  }
  return isScalar(node) ? node : undefined;
}

/**
 * Maps an offset inside a scalar's value to an offset in the file. The value and the source differ
 * only in whitespace (indentation, folded line breaks) and in quoted scalars' escapes, so the n-th
 * non-blank character of the value is the n-th non-blank character the source produces.
 */
export function scalarValueOffset(text: string, scalar: Scalar, valueOffset: number): number {
  const range = scalar.range;
  if (!range) return 0;
  const value = String(scalar.value);
  const end = Math.max(0, Math.min(valueOffset, value.length));
  let n = 0;
  for (let i = 0; i < end; i++) if (!/\s/.test(value[i]!)) n++;
  const places = sourcePlaces(text, scalar.type, range[0], range[1]);
  return places[n] ?? (places.length > 0 ? places[places.length - 1]! + 1 : range[0]);
}

/** Offsets in the file of the characters that give a scalar's non-blank value characters, in order. */
function sourcePlaces(text: string, type: Scalar['type'], start: number, end: number): number[] {
  const out: number[] = [];
  if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) {
    // The header line (| or >, maybe a comment) gives no value characters.
    const body = text.indexOf('\n', start);
    if (body === -1) return out;
    for (let i = body + 1; i < end; i++) if (!/\s/.test(text[i]!)) out.push(i);
    return out;
  }
  if (type === Scalar.QUOTE_SINGLE) {
    for (let i = start + 1; i < end - 1; i++) {
      if (/\s/.test(text[i]!)) continue;
      out.push(i);
      if (text[i] === "'" && text[i + 1] === "'") i++;
    }
    return out;
  }
  if (type === Scalar.QUOTE_DOUBLE) {
    const hex: Record<string, number> = { x: 2, u: 4, U: 8 };
    for (let i = start + 1; i < end - 1; i++) {
      const c = text[i]!;
      if (c !== '\\') {
        if (!/\s/.test(c)) out.push(i);
        continue;
      }
      const e = text[i + 1] ?? '';
      const digits = hex[e] ?? 0;
      const decoded = digits > 0 ? String.fromCodePoint(parseInt(text.slice(i + 2, i + 2 + digits), 16) || 0) : ({ n: '\n', t: '\t', r: '\r', ' ': ' ', '\t': '\t', L: '\u2028', P: '\u2029', _: '\u00a0', N: '\u0085', '\n': '', '\r': '' } as Record<string, string>)[e] ?? e;
      for (const ch of decoded) if (!/\s/.test(ch)) out.push(i);
      i += 1 + digits;
    }
    return out;
  }
  for (let i = start; i < end; i++) if (!/\s/.test(text[i]!)) out.push(i);
  return out;
}

export { isPair };
