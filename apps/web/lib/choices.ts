/** Offering only valid combinations of a card's dimensions in a form. Safe to import in the browser. */

/** One request a card allows, every dimension set (see lib/combos.ts). */
export type Combo = Record<string, string | number>;

/** Values chosen in a form, by dimension; '' means not chosen. */
export type Chosen = Record<string, string>;

const fits = (x: Combo, chosen: Chosen, except: string) =>
  Object.entries(chosen).every(([d, v]) => d === except || v === '' || !(d in x) || String(x[d]) === v);

/** The values of a dimension that some allowed request has, given the other choices. */
export function allowedValues(combos: readonly Combo[], chosen: Chosen, dim: string): string[] {
  return [
    ...new Set(
      combos
        .filter((x) => fits(x, chosen, dim))
        .map((x) => x[dim])
        .filter((v) => v !== undefined)
        .map(String),
    ),
  ];
}

/**
 * Clears each choice the ones before it make impossible (a mode the model lacks), in the order given, and
 * fills a dimension that has exactly one allowed value left (`fill`).
 */
export function narrowed(chosen: Chosen, combos: readonly Combo[], dims: readonly string[], fill: readonly string[] = []): Chosen {
  const next = { ...chosen };
  dims.forEach((dim, i) => {
    // Earlier choices win: a model keeps its place and a mode it lacks goes.
    const options = allowedValues(combos, Object.fromEntries(dims.slice(0, i).map((d) => [d, next[d] ?? ''])), dim);
    if ((next[dim] ?? '') !== '' && !options.includes(next[dim]!)) next[dim] = '';
    if ((next[dim] ?? '') === '' && fill.includes(dim) && options.length === 1) next[dim] = options[0]!;
  });
  return next;
}

/**
 * Why the choices are not a request the card allows, in words: "mode std is not allowed for
 * kling-v2-1-master" (the first choice, in order, that no allowed request has with the ones before it).
 */
export function notAllowed(chosen: Chosen, combos: readonly Combo[], dims: readonly string[]): string | null {
  const set = dims.filter((d) => (chosen[d] ?? '') !== '');
  for (let i = 0; i < set.length; i++) {
    const d = set[i]!;
    const before = Object.fromEntries(set.slice(0, i).map((b) => [b, chosen[b]!]));
    if (!allowedValues(combos, before, d).includes(chosen[d]!)) {
      const context = set.slice(0, i).map((b) => (b === 'model' ? chosen[b] : `${b} ${chosen[b]}`));
      const label = d === 'duration_s' ? `duration ${chosen[d]} s` : `${d} ${chosen[d]}`;
      return context.length === 0 ? `${label} is not allowed by this card` : `${label} is not allowed for ${context.join(', ')}`;
    }
  }
  return null;
}
