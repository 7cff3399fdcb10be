import { deleteValue, leavesOf, setValue, type Leaf } from './text.ts';

/** A value both sides changed, differently: the editor chooses. */
export interface MergeConflict {
  /** Path of the scalar in the document, e.g. ['parameters', 'clip_credits', 'kling-v2-1', 'std', '10']. */
  path: (string | number)[];
  base: unknown;
  theirs: unknown;
  mine: unknown;
}

export type MergeResult =
  | {
      ok: true;
      /** Their text with every change of mine that does not overlap theirs, and the chosen side of each conflict. */
      text: string;
      /** My changes carried over onto theirs. */
      merged: (string | number)[][];
      /** Cells both sides changed differently, with no choice given yet (their value is in `text`). */
      conflicts: MergeConflict[];
    }
  | { ok: false; reason: 'base' | 'theirs' | 'mine' };

/** Which side wins a conflicting cell, keyed by `pathKey(path)`. */
export type MergeChoices = Readonly<Record<string, 'theirs' | 'mine'>>;

/** The key of a path in choices: JSON of the path. */
export const pathKey = (path: readonly (string | number)[]): string => JSON.stringify(path);

/** Fields a save rewrites anyway: never a conflict. */
const HEADER = new Set(['version', 'status', 'effective_from', 'audit']);

const byPath = (leaves: Leaf[]) => new Map(leaves.filter((l) => !HEADER.has(String(l.path[0]))).map((l) => [pathKey(l.path), l]));

/**
 * Three-way merge of a document's cells: `base` is the version both edits started from, `theirs` the
 * version saved since, `mine` the unsaved edit. Every scalar I changed that they did not is applied to
 * their text (surgically, so their layout and comments stay); a scalar we both changed to different
 * values is a conflict, resolved by `choices` or left at theirs and reported.
 */
export function mergeCells(base: string, theirs: string, mine: string, choices: MergeChoices = {}): MergeResult {
  const [b, t, m] = [leavesOf(base), leavesOf(theirs), leavesOf(mine)];
  if (!b) return { ok: false, reason: 'base' };
  if (!t) return { ok: false, reason: 'theirs' };
  if (!m) return { ok: false, reason: 'mine' };
  const [bm, tm, mm] = [byPath(b), byPath(t), byPath(m)];
  const same = (x: Leaf | undefined, y: Leaf | undefined) => (x === undefined ? y === undefined : y !== undefined && Object.is(x.value, y.value));
  let text = theirs;
  const merged: (string | number)[][] = [];
  const conflicts: MergeConflict[] = [];
  const keys = [...new Set([...bm.keys(), ...mm.keys()])];
  // Additions and changes first, deletions last and deepest first, so indexes stay valid while applying.
  const deletions: Leaf[] = [];
  for (const k of keys) {
    const [bl, tl, ml] = [bm.get(k), tm.get(k), mm.get(k)];
    if (same(bl, ml)) continue;
    const path = (ml ?? bl)!.path;
    if (!same(bl, tl) && !same(tl, ml)) {
      const choice = choices[k];
      if (choice === undefined) conflicts.push({ path, base: bl?.value ?? null, theirs: tl?.value ?? null, mine: ml?.value ?? null });
      if (choice !== 'mine') continue;
    }
    if (same(tl, ml)) continue;
    if (ml === undefined) {
      deletions.push(bl!);
      merged.push(path);
      continue;
    }
    const next = setValue(text, path, ml.value);
    if (next === null) return { ok: false, reason: 'theirs' };
    text = next;
    merged.push(path);
  }
  for (const d of deletions.sort((x, y) => y.path.length - x.path.length || pathKey(y.path).localeCompare(pathKey(x.path)))) {
    const next = deleteValue(text, d.path);
    if (next === null) return { ok: false, reason: 'theirs' };
    text = next;
  }
  return { ok: true, text, merged, conflicts };
}
