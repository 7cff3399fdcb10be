/** Sheet names and defined names Excel and LibreOffice both accept. */

const SHEET_FORBIDDEN = /[[\]:*?/\\]/g;

/** A sheet name: at most 31 characters, none of []:*?/\, unique in the workbook. */
export function sheetName(base: string, taken: Set<string>): string {
  const clean =
    base
      .replace(SHEET_FORBIDDEN, '-')
      .replace(/^'+|'+$/g, '')
      .slice(0, 31) || 'Sheet';
  let name = clean;
  for (let i = 2; taken.has(name.toLowerCase()); i++) {
    const suffix = ` ${i}`;
    name = clean.slice(0, 31 - suffix.length) + suffix;
  }
  taken.add(name.toLowerCase());
  return name;
}

/**
 * A defined name: letters, digits and underscores, starting with a letter, always containing an
 * underscore (so it can never read as a cell reference like `RUN1` or `R1C1`), unique.
 */
export function definedName(parts: readonly string[], taken: Set<string>): string {
  const words = parts.map((p) => p.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')).filter((p) => p.length > 0);
  let name = words.join('_') || 'input';
  if (!/^[A-Za-z]/.test(name)) name = `v_${name}`;
  if (!name.includes('_')) name = `${name}_1`;
  name = name.slice(0, 200);
  let out = name;
  for (let i = 2; taken.has(out.toLowerCase()); i++) out = `${name}_${i}`;
  taken.add(out.toLowerCase());
  return out;
}
