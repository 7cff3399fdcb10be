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

/** The functions every rate-card formula can call, beyond JSONata's own. */
export const FUNCTIONS: readonly FormulaFunction[] = [
  {
    name: 'cell',
    doc: '$cell(table, key1, key2, ...) — the value at those keys of a parameter table; an error names the missing key.',
    implementation: cell as (...args: never[]) => unknown,
  },
];

/** Names of the custom functions (for unknown-reference checks). */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set(FUNCTIONS.map((f) => f.name));
