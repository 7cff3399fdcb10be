import { parseDocument, parseAllDocuments, isMap, isCollection, isScalar, visit, Scalar, type Document, type YAMLError } from 'yaml';
import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { SourceDocument } from './source.ts';

/** Largest rule file accepted, in bytes of UTF-16 text. */
export const MAX_FILE_SIZE = 1024 * 1024;
/** Deepest nesting of collections accepted (flow brackets, or block indentation in columns / 2). */
export const MAX_DEPTH = 64;
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
  const deep = tooDeep(text);
  if (deep !== undefined) {
    return { errors: [diagnostic({ code: 'Y_TOO_DEEP', detail: `${MAX_DEPTH} levels`, file, pos: [deep, deep + 1], source: text })] };
  }
  const errors: Diagnostic[] = [];
  const all = parseAllDocuments(text, { uniqueKeys: sameKey, prettyErrors: false });
  const docs = Array.isArray(all) ? all : [];
  if (docs.length > 1) {
    const second = docs[1] as Document.Parsed;
    const start = second.range[0];
    errors.push(diagnostic({ code: 'Y_MULTI_DOCUMENT', detail: '', file, pos: [start, start + 3], source: text }));
    return { errors };
  }
  // One document (the usual case): the stream's parse is the document's; no second pass over the text.
  const yaml = docs.length === 1 ? (docs[0] as Document.Parsed) : parseDocument(text, { uniqueKeys: sameKey, prettyErrors: false });
  const lines = new Set<number>();
  for (const e of yaml.errors) {
    const code = e.code === 'DUPLICATE_KEY' ? 'Y_DUPLICATE_KEY' : 'Y_SYNTAX';
    if (code === 'Y_SYNTAX') {
      // After the first syntax error the parser's "unexpected token" reports are its own confusion.
      if (e.code === 'UNEXPECTED_TOKEN' && errors.length > 0) continue;
      const pos = syntaxPosition(yaml, text, e);
      // One problem per line: the parser often explains one mistake two or three times.
      const line = lineOf(text, pos[0]);
      if (lines.has(line)) continue;
      lines.add(line);
      errors.push(diagnostic({ code, detail: firstLine(e.message), file, pos, source: text }));
    } else {
      errors.push(diagnostic({ code, detail: duplicateKeyName(yaml, e.pos[0]) ?? e.message, file, pos: e.pos, source: text }));
    }
  }
  if (errors.length === 0) {
    // An alias to an anchor that was never set is a syntax error at the alias, not an alias bomb.
    visit(yaml, {
      Alias(_, alias, path) {
        if (!alias.range) return;
        const target = alias.resolve(yaml);
        const pos: [number, number] = [alias.range[0], alias.range[1]];
        if (target === undefined) errors.push(diagnostic({ code: 'Y_SYNTAX', detail: `unknown anchor *${alias.source}`, file, pos, source: text }));
        // An alias inside its own anchor would make the document a cycle.
        else if (path.includes(target)) errors.push(diagnostic({ code: 'Y_SYNTAX', detail: `*${alias.source} is inside its own anchor`, file, pos, source: text }));
      },
    });
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

/**
 * Two mapping keys are the same key when they read the same as text: a document becomes JSON, where
 * `5` and `"5"` are one key, and the second would silently replace the first.
 */
function sameKey(a: unknown, b: unknown): boolean {
  const text = (k: unknown) => (isScalar(k) ? String(k.value) : k);
  return text(a) === text(b);
}

/**
 * Where a syntax error is best shown. The parser notices an unclosed quote or bracket only where
 * the text ends or the next line starts; the opening character is where the mistake is.
 */
function syntaxPosition(yaml: Document.Parsed, text: string, e: YAMLError): [number, number] {
  const at = e.pos[0];
  const quote = e.code === 'MISSING_CHAR' && /closing "quote|closing 'quote/.test(e.message);
  const bracket = /^Flow (map|sequence) (in block collection )?must/.test(e.message);
  if (!quote && !bracket) return [e.pos[0], e.pos[1]];
  let open: number | undefined;
  visit(yaml, (_, node) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (!range || range[0] > at || at > range[2]) return;
    const fits = quote
      ? isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE)
      : isCollection(node) && node.flow === true && (text[range[0]] === (e.message.includes('Flow map') ? '{' : '['));
    if (fits && (open === undefined || range[0] > open)) open = range[0];
  });
  if (open === undefined) return [e.pos[0], e.pos[1]];
  // A wrong character on the opening line is itself the mistake (`[5, 10 }`); keep it.
  if (!quote && lineOf(text, open) === lineOf(text, at) && at < text.length && text[at] !== '\n') return [e.pos[0], e.pos[1]];
  return [open, open + 1];
}

/** The text of the mapping key that starts at an offset (the parser's duplicate-key report gives only its first character). */
function duplicateKeyName(yaml: Document.Parsed, offset: number): string | undefined {
  let name: string | undefined;
  visit(yaml, {
    Pair(_, pair) {
      const key = pair.key as { range?: [number, number, number]; source?: unknown; value?: unknown } | null;
      if (key?.range?.[0] === offset) name = JSON.stringify(String(key.value ?? key.source));
    },
  });
  return name;
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/**
 * The offset where nesting first goes deeper than MAX_DEPTH, found before the text is parsed (the
 * parser's time and memory grow with depth: a 0.5 MB unclosed flow took 21 s). Flow brackets outside
 * quotes and comments count one level each; in block style, a line's indentation (and each `- ` or
 * `? ` that opens a collection on it) counts one level per two columns.
 */
function tooDeep(text: string): number | undefined {
  let flow = 0;
  let lineStart = true;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      lineStart = true;
      column = 0;
      continue;
    }
    if (lineStart) {
      if (c === ' ' || ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\n'))) {
        column++;
        if (flow === 0 && column > MAX_DEPTH * 2) return i;
        continue;
      }
      lineStart = false;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end - 1;
      continue;
    }
    if ((c === '"' || c === "'") && (i === 0 || /[\s:[{,-]/.test(text[i - 1]!))) {
      // Skip a quoted scalar (an escaped quote is `\"` in double quotes, `''` in single ones).
      let j = i + 1;
      while (j < text.length) {
        if (c === '"' && text[j] === '\\') j += 2;
        else if (text[j] === c) {
          if (c === "'" && text[j + 1] === "'") j += 2;
          else break;
        } else j++;
      }
      i = j;
      continue;
    }
    if (c === '[' || c === '{') {
      if (++flow > MAX_DEPTH) return i;
    } else if ((c === ']' || c === '}') && flow > 0) flow--;
  }
  return undefined;
}
