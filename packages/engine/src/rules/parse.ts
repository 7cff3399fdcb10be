import { parseDocument, parseAllDocuments, isMap, type Document } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { SourceDocument } from './source.ts';

/** Largest rule file accepted, in bytes of UTF-16 text. */
export const MAX_FILE_SIZE = 1024 * 1024;
/** Bound on alias expansion: guards against alias bombs. */
export const MAX_ALIAS_COUNT = 100;

export interface ParsedFile {
  readonly source?: SourceDocument;
  readonly data?: unknown;
  readonly errors: Diagnostic[];
}

/** Parses one rule file: YAML with source positions, one document, bounded aliases and size. */
export function parseRuleFile(file: string, text: string): ParsedFile {
  if (text.length > MAX_FILE_SIZE) {
    return {
      errors: [diagnostic({ code: 'Y_TOO_LARGE', detail: `${text.length} bytes (limit ${MAX_FILE_SIZE})`, file, source: '' })],
    };
  }
  const errors: Diagnostic[] = [];
  const all = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  const docs = Array.isArray(all) ? all : [];
  if (docs.length > 1) {
    const second = docs[1] as Document.Parsed;
    const start = second.range[0];
    errors.push(diagnostic({ code: 'Y_MULTI_DOCUMENT', detail: '', file, pos: [start, start + 3], source: text }));
    return { errors };
  }
  const yaml = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const at = new Set<number>();
  for (const e of yaml.errors) {
    // One problem per place: the parser often explains one mistake twice.
    if (at.has(e.pos[0])) continue;
    at.add(e.pos[0]);
    const code = e.code === 'DUPLICATE_KEY' ? 'Y_DUPLICATE_KEY' : 'Y_SYNTAX';
    const detail = code === 'Y_DUPLICATE_KEY' ? text.slice(e.pos[0], e.pos[1]).trim() || e.message : firstLine(e.message);
    errors.push(diagnostic({ code, detail, file, pos: e.pos, source: text }));
  }
  if (errors.length > 0) return { errors };
  let data: unknown;
  try {
    data = yaml.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const pos: [number, number] = [0, Math.min(text.length, 1)];
    const aliasBomb = e instanceof ReferenceError || /alias/i.test(String(e));
    errors.push(
      diagnostic({
        code: aliasBomb ? 'Y_ALIAS_LIMIT' : 'Y_SYNTAX',
        detail: aliasBomb ? String(MAX_ALIAS_COUNT) : firstLine(String(e)),
        file,
        pos,
        source: text,
      }),
    );
    return { errors };
  }
  if (!isMap(yaml.contents)) {
    errors.push(diagnostic({ code: 'Y_NOT_MAPPING', detail: '', file, pos: [0, Math.min(text.length, 1)], source: text }));
    return { errors };
  }
  return { source: { file, text, yaml }, data, errors };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
