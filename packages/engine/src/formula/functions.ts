/** A custom JSONata function, declared as data and registered in one place. */
export interface FormulaFunction {
  readonly name: string;
  /** JSONata signature, e.g. '<o(sn)+:n>'. */
  readonly signature?: string;
  readonly doc: string;
  readonly implementation: (...args: never[]) => unknown;
}

class LookupMiss extends Error {
  readonly code = 'D_CELL';
}

function cell(table: unknown, ...keys: unknown[]): unknown {
  let at: unknown = table;
  const walked: string[] = [];
  for (const k of keys) {
    const key = String(k);
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, key)) {
      throw new LookupMiss(`no cell ${[...walked, key].join(' / ')}`);
    }
    at = (at as Record<string, unknown>)[key];
    walked.push(key);
  }
  return at;
}

/** Longest string `$pad` may build: the same bound as any formula string. */
const MAX_PAD = 100_000;

/**
 * JSONata's `$pad`, bounded: the built-in allocates the whole padding at once, so a huge width
 * would take memory before any step bound could see the result.
 */
function pad(str: unknown, width: unknown, char: unknown): unknown {
  if (str === undefined) return undefined;
  const w = Number(width);
  if (!Number.isFinite(w) || Math.abs(w) > MAX_PAD) {
    throw { code: 'U_SIZE', message: `$pad to a width of ${String(width)} (limit ${MAX_PAD})` };
  }
  const text = String(str);
  const fill = typeof char === 'string' && char.length > 0 ? char : ' ';
  const missing = Math.abs(w) - [...text].length;
  if (missing <= 0) return text;
  const padding = [...fill.repeat(Math.ceil(missing / [...fill].length))].slice(0, missing).join('');
  return w > 0 ? text + padding : padding + text;
}

/** The functions every rate-card formula can call, beyond JSONata's own. */
export const FUNCTIONS: readonly FormulaFunction[] = [
  {
    name: 'cell',
    doc: '$cell(table, key1, key2, ...) — the value at those keys of a parameter table; an error names the missing key.',
    implementation: cell,
  },
  {
    name: 'pad',
    doc: "$pad(str, width[, char]) — JSONata's $pad (positive width pads on the right, negative on the left), at most 100,000 characters.",
    implementation: pad,
  },
];

/** Names of the custom functions (for unknown-reference checks). */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set(FUNCTIONS.map((f) => f.name));
