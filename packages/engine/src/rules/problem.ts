import { diagnostic, type Code, type Diagnostic } from '../diagnostics/index.ts';
import { pointer, rangeAt, type PathSegment, type SourceDocument } from './source.ts';

/** A positioned diagnostic for a path inside a loaded document (with `key`: that key of the mapping). */
export function problemAt(src: SourceDocument, code: Code, detail: string, path: readonly PathSegment[], key?: string): Diagnostic {
  const pos = rangeAt(src, path, key);
  const full = key === undefined ? path : [...path, key];
  return diagnostic({ code, detail, file: src.file, pos, path: pointer(full), source: src.text });
}
