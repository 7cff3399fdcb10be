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
  return node.items.find((p) => {
    const k = isScalar(p.key) ? p.key.value : p.key;
    return String(k) === String(key);
  }) as Pair | undefined;
}

/**
 * The source range of the node at a path. With `key`, the range of that key inside the mapping
 * at the path (used for unknown-field and duplicate errors). Falls back to the deepest node found.
 */
export function rangeAt(src: SourceDocument, path: readonly PathSegment[], key?: string): [number, number] {
  let node: Node | null | undefined = src.yaml.contents as Node | null;
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
 * Maps an offset inside a scalar's value to an offset in the file. Block scalars drop their
 * indentation, so the value's line k starts at the k-th content line plus the indent.
 */
export function scalarValueOffset(text: string, scalar: Scalar, valueOffset: number): number {
  const range = scalar.range;
  if (!range) return 0;
  const value = String(scalar.value);
  const before = value.slice(0, Math.max(0, Math.min(valueOffset, value.length)));
  const lineInValue = before.split('\n').length - 1;
  const colInValue = before.length - (before.lastIndexOf('\n') + 1);
  const type = scalar.type;
  if (type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED) {
    // Skip the header line (| or >); the block's indent is the first content line's, less the value's own.
    const first = text.indexOf('\n', range[0]) + 1;
    const firstLine = text.slice(first, text.indexOf('\n', first) === -1 ? undefined : text.indexOf('\n', first));
    const firstValueLine = value.split('\n')[0] ?? '';
    const indent = firstLine.length - firstLine.trimStart().length - (firstValueLine.length - firstValueLine.trimStart().length);
    let at = first;
    for (let k = 0; k < lineInValue; k++) at = text.indexOf('\n', at) + 1;
    return at + indent + colInValue;
  }
  const quote = type === Scalar.QUOTE_DOUBLE || type === Scalar.QUOTE_SINGLE ? 1 : 0;
  if (lineInValue === 0) return range[0] + quote + colInValue;
  return range[0] + quote + valueOffset;
}

export { isPair };
